//! The OAuth 2.0 endpoints other stacks speak (docs/oauth.md): Token Introspection
//! (RFC 7662) and Token Revocation (RFC 7009) — their form bodies, client credentials, who
//! may revoke what, and the introspection answer. The service only moves bytes.

use std::net::IpAddr;

use base64::Engine;
use serde_json::{json, Map, Value};

use super::trim_ows;
use crate::claims::{Claims, Principal};
use crate::error::{Error, ErrorCode, Result};
use crate::ip::parse_client_ip;
use crate::scope::{RequiredScopes, ScopeVocabulary};

/// The largest form body [`TokenForm::parse`] reads (16 KiB: two tokens' worth).
pub const MAX_FORM_BYTES: usize = 16 * 1024;

fn invalid_request(msg: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::with_message(ErrorCode::InvalidRequest, msg)
}

/// The body of an introspection (RFC 7662 §2.1) or revocation (RFC 7009 §2.1) request,
/// `application/x-www-form-urlencoded`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenForm {
    /// `token`: the token asked about.
    pub token: String,
    /// `token_type_hint` (`access_token`, `refresh_token` or any other text): a hint only;
    /// every token is looked at the same way whatever it says.
    pub token_type_hint: Option<String>,
    /// `client_ip` (this library's extension, docs/oauth.md): the address the token was
    /// presented from, so that a token restricted by `allowed_ips` can be judged; without
    /// it such a token is inactive.
    pub client_ip: Option<IpAddr>,
}

impl TokenForm {
    /// Reads the form: at most [`MAX_FORM_BYTES`], UTF-8 after percent-decoding, no
    /// parameter twice (RFC 6749 §3.1), a non-empty `token`; other parameters are ignored
    /// (RFC 7662 §2.1 lets a server define its own). `invalid_request` otherwise, or
    /// `invalid_ip_address` for a `client_ip` that is not one.
    ///
    /// ```
    /// use auth_core::{ErrorCode, TokenForm};
    /// let form = TokenForm::parse(b"token=abc.def.ghi&token_type_hint=access_token").unwrap();
    /// assert_eq!(form.token, "abc.def.ghi");
    /// assert_eq!(form.token_type_hint.as_deref(), Some("access_token"));
    /// let twice = TokenForm::parse(b"token=a&token=b").unwrap_err();
    /// assert_eq!(twice.code(), ErrorCode::InvalidRequest);
    /// ```
    pub fn parse(body: &[u8]) -> Result<TokenForm> {
        if body.len() > MAX_FORM_BYTES {
            return Err(invalid_request(format!(
                "the form is larger than {MAX_FORM_BYTES} bytes"
            )));
        }
        let (mut token, mut hint, mut client_ip) = (None, None, None);
        for (name, value) in form_urlencoded::parse(body) {
            // `form_urlencoded` replaces bytes that are not UTF-8 with U+FFFD: refuse them.
            if name.contains('\u{fffd}') || value.contains('\u{fffd}') {
                return Err(invalid_request("the form is not UTF-8"));
            }
            let slot = match &*name {
                "token" => &mut token,
                "token_type_hint" => &mut hint,
                "client_ip" => &mut client_ip,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(invalid_request(format!(
                    "the form gives `{name}` more than once"
                )));
            }
        }
        let token = match token {
            Some(t) if !t.is_empty() => t,
            Some(_) => return Err(invalid_request("the form's `token` is empty")),
            None => return Err(invalid_request("the form has no `token` parameter")),
        };
        let client_ip = match client_ip {
            None => None,
            Some(text) => Some(parse_client_ip(&text)?),
        };
        Ok(TokenForm {
            token,
            token_type_hint: hint,
            client_ip,
        })
    }
}

/// A client's id and secret from HTTP Basic (RFC 7617, with RFC 6749 §2.3.1's
/// form-urlencoding of both parts): `Ok(None)` when the request carries no `Basic`
/// credential (no line, another scheme); `invalid_request` for one `Basic` line that is
/// not `base64(id:secret)` or for several `Authorization` lines.
///
/// ```
/// use auth_core::client_credentials;
/// let (id, secret) = client_credentials(&[b"Basic Z2F0ZXdheTpzM2NyZXQ="]).unwrap().unwrap();
/// assert_eq!((id.as_str(), secret.as_str()), ("gateway", "s3cret"));
/// assert_eq!(client_credentials(&[b"Bearer abc"]).unwrap(), None);
/// ```
pub fn client_credentials(authorization: &[&[u8]]) -> Result<Option<(String, String)>> {
    let value = match authorization {
        [] => return Ok(None),
        [one] => trim_ows(one),
        _ => {
            return Err(invalid_request(
                "the request has several Authorization headers; send exactly one",
            ))
        }
    };
    let Some(space) = value.iter().position(|&b| b == b' ') else {
        return Ok(None);
    };
    if !value[..space].eq_ignore_ascii_case(b"basic") {
        return Ok(None);
    }
    let bad = || invalid_request("the Basic credential is not base64(client_id:client_secret)");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&value[space + 1..])
        .map_err(|_| bad())?;
    let colon = decoded.iter().position(|&b| b == b':').ok_or_else(bad)?;
    let part = |bytes: &[u8]| -> Result<String> {
        let text = std::str::from_utf8(bytes).map_err(|_| bad())?;
        let decoded: String = form_urlencoded::parse(format!("x={text}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if decoded.contains('\u{fffd}') || decoded.chars().any(char::is_control) {
            return Err(bad());
        }
        Ok(decoded)
    };
    let id = part(&decoded[..colon])?;
    let secret = part(&decoded[colon + 1..])?;
    if id.is_empty() {
        return Err(bad());
    }
    Ok(Some((id, secret)))
}

/// Whether the holder of `caller` may revoke `token` through RFC 7009: a token of its own
/// principal, or one its principal minted for a sub-account (`token.parent` is the caller's
/// principal). A sub-account's token never reaches its siblings' tokens, though they share
/// a `parent`.
pub fn may_revoke(caller: &Claims, token: &Claims) -> bool {
    let own: Principal = caller.principal();
    token.principal() == own || token.parent == Some(own)
}

/// [`may_revoke`] where revoking other tokens needs a scope (`manage`, the service's `tokens`
/// when declared): a token may always revoke itself (that is a logout); any other token only
/// when the caller also holds `manage`. `None`: no scope is needed.
pub fn may_revoke_scoped(caller: &Claims, token: &Claims, manage: Option<&RequiredScopes>) -> bool {
    let scoped = token.jti == caller.jti
        || manage.is_none_or(|need| need.check(caller.scope.as_ref()).is_ok());
    scoped && may_revoke(caller, token)
}

/// The RFC 7662 §2.2 answer for a token: `{"active": false}` when `claims` is `None` (every
/// failure, whatever its cause: nothing else is said), else
/// `{"active": true, "scope", "token_type": "Bearer", "sub", "username", "exp", "iat", …}`.
///
/// `scope` is every declared scope the token holds ([`ScopeVocabulary::expand`]: a token
/// without the claim holds them all), or the claim as written when nothing is declared;
/// left out when empty. `sub` is `"<type>:<id>"` (`"user:7"`); `exp`, `nbf`, `aud`, `iss`,
/// `jti` as the token has them; `type`, `id`, `token_name` and `parent` are this library's
/// own members (RFC 7662 §2.2 allows them).
///
/// ```
/// use auth_core::{introspection_json, Claims, ScopeVocabulary, Subject};
/// let claims = Claims::new(Subject::user(7, "alice", false), 1_700_000_000, "abc");
/// let v = ScopeVocabulary::from_pairs(&[("sms", &[] as &[&str])]).unwrap();
/// let active: serde_json::Value = serde_json::from_str(&introspection_json(Some(&claims), &v)).unwrap();
/// assert_eq!(active["active"], true);
/// assert_eq!(active["sub"], "user:7");
/// assert_eq!(active["scope"], "sms");
/// assert_eq!(introspection_json(None, &v), r#"{"active":false}"#);
/// ```
pub fn introspection_json(claims: Option<&Claims>, vocabulary: &ScopeVocabulary) -> String {
    let Some(c) = claims else {
        return r#"{"active":false}"#.to_owned();
    };
    let mut m = Map::new();
    m.insert("active".into(), Value::Bool(true));
    let scope = if vocabulary.is_empty() {
        c.scope.as_ref().map(ToString::to_string)
    } else {
        Some(vocabulary.expand(c.scope.as_ref()).to_string())
    };
    if let Some(scope) = scope.filter(|s| !s.is_empty()) {
        m.insert("scope".into(), Value::String(scope));
    }
    m.insert("token_type".into(), "Bearer".into());
    let p = c.principal();
    m.insert("sub".into(), format!("{}:{}", p.kind, p.id).into());
    m.insert("username".into(), c.subject.name().into());
    if let Some(exp) = c.exp {
        m.insert("exp".into(), exp.into());
    }
    m.insert("iat".into(), c.iat.into());
    if let Some(nbf) = c.nbf {
        m.insert("nbf".into(), nbf.into());
    }
    match c.audience.as_deref() {
        None => {}
        Some([one]) => {
            m.insert("aud".into(), one.clone().into());
        }
        Some(many) => {
            m.insert("aud".into(), many.to_vec().into());
        }
    }
    if let Some(iss) = &c.issuer {
        m.insert("iss".into(), iss.clone().into());
    }
    m.insert("jti".into(), c.jti.clone().into());
    m.insert("type".into(), p.kind.as_str().into());
    m.insert("id".into(), p.id.into());
    if let Some(name) = &c.token_name {
        m.insert("token_name".into(), name.clone().into());
    }
    if let Some(parent) = c.parent {
        m.insert(
            "parent".into(),
            json!({"type": parent.kind.as_str(), "id": parent.id}),
        );
    }
    Value::Object(m).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ScopeSet, Subject};

    #[test]
    fn forms_are_read_strictly() {
        let f = TokenForm::parse(b"token=a%2Eb&x=1&client_ip=203.0.113.9").unwrap();
        assert_eq!(f.token, "a.b");
        assert_eq!(f.client_ip, Some("203.0.113.9".parse().unwrap()));
        for bad in [
            &b""[..],
            b"token=",
            b"x=1",
            b"token=a&token=a",
            b"token=a&token_type_hint=x&token_type_hint=y",
            b"token=%FF",
        ] {
            let e = TokenForm::parse(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidRequest, "{bad:?}");
        }
        assert_eq!(
            TokenForm::parse(b"token=a&client_ip=nope")
                .unwrap_err()
                .code(),
            ErrorCode::InvalidIpAddress
        );
        let big = vec![b'a'; MAX_FORM_BYTES + 1];
        assert!(TokenForm::parse(&big).is_err());
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let enc = |s: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        let h = enc("my%20client:p%3Ass");
        assert_eq!(
            client_credentials(&[h.as_bytes()]).unwrap(),
            Some(("my client".into(), "p:ss".into()))
        );
        for bad in [enc("nocolon"), enc(":secret"), "Basic !!!".into()] {
            assert_eq!(
                client_credentials(&[bad.as_bytes()]).unwrap_err().code(),
                ErrorCode::InvalidRequest,
                "{bad}"
            );
        }
        assert_eq!(client_credentials(&[]).unwrap(), None);
        assert!(client_credentials(&[b"Basic a", b"Basic a"]).is_err());
    }

    #[test]
    fn revocation_rights() {
        let reseller = Claims::new(Subject::reseller(1, "r"), 1, "a");
        let mut child = Claims::new(Subject::user(9, "u", false), 1, "b");
        child.parent = Some(Principal::reseller(1));
        let other = Claims::new(Subject::user(10, "v", false), 1, "c");
        assert!(may_revoke(&reseller, &child));
        assert!(may_revoke(&child, &child));
        assert!(!may_revoke(&child, &reseller));
        assert!(!may_revoke(&reseller, &other));
        let mut same_user_other_token = Claims::new(Subject::user(9, "u", false), 1, "d");
        same_user_other_token.scope = Some(ScopeSet::parse("sms").unwrap());
        assert!(may_revoke(&child, &same_user_other_token));
        let mut sibling = Claims::new(Subject::user(11, "w", false), 1, "e");
        sibling.parent = Some(Principal::reseller(1));
        assert!(
            !may_revoke(&child, &sibling),
            "siblings share a parent, nothing else"
        );
        let tokens = RequiredScopes::exact(ScopeSet::parse("tokens").unwrap());
        let mut narrow = Claims::new(Subject::user(9, "u", false), 1, "narrow");
        narrow.scope = Some(ScopeSet::parse("sms").unwrap());
        assert!(
            may_revoke_scoped(&narrow, &narrow, Some(&tokens)),
            "itself: a logout"
        );
        assert!(
            !may_revoke_scoped(&narrow, &child, Some(&tokens)),
            "another token needs `tokens`"
        );
        assert!(may_revoke_scoped(&narrow, &child, None));
        assert!(
            may_revoke_scoped(&child, &same_user_other_token, Some(&tokens)),
            "no claim: all"
        );
        assert!(!may_revoke_scoped(&narrow, &sibling, None));
    }

    #[test]
    fn introspection_reports_expanded_scopes() {
        let v = ScopeVocabulary::from_pairs(&[
            ("sms", &["sms:send"][..]),
            ("sms:send", &[]),
            ("account", &[]),
        ])
        .unwrap();
        let mut c = Claims::new(Subject::reseller(3, "r"), 5, "j");
        c.scope = Some(ScopeSet::parse("sms").unwrap());
        c.exp = Some(9);
        let v: Value = serde_json::from_str(&introspection_json(Some(&c), &v)).unwrap();
        assert_eq!(v["scope"], "sms sms:send");
        assert_eq!(v["exp"], 9);
        assert_eq!(v["sub"], "reseller:3");
        let none = ScopeVocabulary::new();
        let v: Value = serde_json::from_str(&introspection_json(Some(&c), &none)).unwrap();
        assert_eq!(v["scope"], "sms");
    }
}
