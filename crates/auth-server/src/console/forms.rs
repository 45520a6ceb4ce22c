//! The console's form bodies, read strictly, and the request of the create form.

use auth_core::{
    check_token_name, CreateTokenRequest, Error, ErrorCode, IpRule, Lifetime, ScopeSet,
};
use axum::body::Body;

use super::pages::CreateForm;

/// The largest form the console reads.
pub(crate) const MAX_FORM: usize = 16 * 1024;

/// A form body: `application/x-www-form-urlencoded` pairs.
pub(crate) struct Form(Vec<(String, String)>);

/// Why a form was not read.
pub(crate) enum FormError {
    /// Over [`MAX_FORM`] bytes.
    TooLarge,
    /// Not a form (bytes that are not UTF-8, a field that may appear once given twice).
    Bad(String),
}

impl Form {
    pub(crate) async fn read(body: Body) -> Result<Form, FormError> {
        let bytes = axum::body::to_bytes(body, MAX_FORM)
            .await
            .map_err(|_| FormError::TooLarge)?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs
            .iter()
            .any(|(k, v)| k.contains('\u{fffd}') || v.contains('\u{fffd}'))
        {
            return Err(FormError::Bad("the form is not UTF-8".into()));
        }
        Ok(Form(pairs))
    }

    /// The one value of `name` (`None`: absent); given twice is an error.
    pub(crate) fn one(&self, name: &str) -> Result<Option<&str>, FormError> {
        let mut found = None;
        for (k, v) in &self.0 {
            if k == name && found.replace(v.as_str()).is_some() {
                return Err(FormError::Bad(format!("the form gives `{name}` twice")));
            }
        }
        Ok(found)
    }

    /// Every value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The token request of the create form, or the form with the library's message next to
/// the field it is about (name, lifetime, allowed IPs, scopes).
pub(crate) fn create_request(form: &Form) -> Result<CreateTokenRequest, Box<CreateForm>> {
    let field = |name: &str| form.one(name).ok().flatten().unwrap_or("").to_owned();
    let mut shown = CreateForm {
        name: field("name"),
        ttl: field("ttl"),
        allowed_ips: field("allowed_ips"),
        ..CreateForm::default()
    };
    if let Err(e) = check_token_name(&shown.name) {
        shown.name_error = Some(e.message().to_owned());
    }
    let ttl = shown.ttl.trim();
    let lifetime = if ttl.is_empty() {
        Ok(Lifetime::Static)
    } else {
        Lifetime::duration_text_seconds(ttl).map(Lifetime::Ttl)
    };
    if let Err(e) = &lifetime {
        shown.ttl_error = Some(e.message().to_owned());
    }
    let mut rules = Vec::new();
    for (i, text) in shown
        .allowed_ips
        .split(['\n', '\r', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        match IpRule::parse(text) {
            Ok(r) => rules.push(r),
            Err(e) => {
                shown.ips_error = Some(format!("line {}: {}", i + 1, e.message()));
                break;
            }
        }
    }
    let checked = form.all("scope");
    let scopes = if checked.is_empty() {
        Ok(None)
    } else {
        ScopeSet::from_names(&checked).map(Some)
    };
    if let Err(e) = &scopes {
        shown.scopes_error = Some(e.message().to_owned());
    }
    match (lifetime, scopes) {
        (Ok(lifetime), Ok(scopes)) if shown.name_error.is_none() && shown.ips_error.is_none() => {
            Ok(CreateTokenRequest {
                name: shown.name,
                lifetime,
                allowed_ips: rules,
                scopes,
            })
        }
        _ => Err(Box::new(shown)),
    }
}

/// The create form with the library's refusal of a well-formed request placed next to the
/// field it is about.
pub(crate) fn place_error(mut shown: CreateForm, err: &Error) -> CreateForm {
    let msg = Some(err.message().to_owned());
    match err.code() {
        ErrorCode::InvalidTtl | ErrorCode::StaticNotAllowed => shown.ttl_error = msg,
        ErrorCode::InvalidIpRule => shown.ips_error = msg,
        ErrorCode::InvalidScope => shown.scopes_error = msg,
        _ => shown.error = msg,
    }
    shown
}
