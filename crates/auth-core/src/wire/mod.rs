//! How the login and token APIs' bodies look (docs/apis.md): reading requests, writing responses.
//!
//! This module only reads and writes formats; what the bodies mean is decided elsewhere:
//! [`login`](crate::login) decides logins and logouts, [`token_api`](crate::token_api)
//! decides token creation (`POST /token` and sub-accounts).
//!
//! | body | file | here |
//! |---|---|---|
//! | login requests, JSON | `request_login.rs` | [`LoginRequest::from_json`] |
//! | `POST /token` request, JSON | `request_json.rs` | [`CreateTokenRequest::from_json`] |
//! | `POST /token` request, XML | `request_xml.rs` | [`CreateTokenRequest::from_xml`] |
//! | either, by `Content-Type` | `media_type.rs` | [`CreateTokenRequest::parse`] with [`Format::from_media_type`] |
//! | either, with no usable `Content-Type` | `sniff.rs` | [`Format::for_body`] |
//! | login responses | `response.rs` | [`UserLogin::to_json`](crate::UserLogin::to_json), [`ResellerLogin::to_json`](crate::ResellerLogin::to_json) |
//! | `POST /token` response | `response.rs` | [`CreatedToken::render`](crate::CreatedToken::render) |
//! | error bodies | `error_body.rs` | [`login_error_json`], [`sms_error_body`], [`error_status`] |
//!
//! ## Output text
//! JSON bodies are written in the layout of the API documentation — `", "` between
//! members and `": "` after keys, keys in the documented order — so a host can compare
//! them byte for byte with the documentation; any JSON reader sees the same values. XML
//! bodies have no XML declaration and no whitespace between elements; text is escaped with
//! quick-xml's `escape`, and characters that XML 1.0 cannot carry at all (control
//! characters other than tab, newline and carriage return) are written as U+FFFD.
//!
//! ## Request bodies
//! Bodies are at most [`MAX_BODY_BYTES`] and must be UTF-8 without a byte-order mark
//! (both readers refuse one). JSON is read strictly (no duplicate keys, no trailing data,
//! nesting bounded); XML is read strictly with quick-xml (no DOCTYPE, no entities other
//! than the five predefined ones and character references, no processing instructions,
//! no attributes, no namespaces, one root, matching tags, no duplicate elements, depth at
//! most [`MAX_XML_DEPTH`]; line ends normalised to LF as XML 1.0 §2.11 requires). Both
//! readers take time linear in the body's size. JSON and XML bodies that mean the same
//! request read to the same [`CreateTokenRequest`]: `ttl` absent (or JSON `null`) is
//! unlimited, anything else must be an integer (`invalid_ttl` for `""`, `<ttl/>`, a blank
//! `<ttl>`, or a leading zero); `scopes` (a JSON array of names, or `<scopes>` of
//! `<scope>` elements) absent keeps the caller's, present must name at least one valid
//! scope, none twice (`invalid_scope`). Error messages describe the problem and its position;
//! they never quote the body.

use std::borrow::Cow;

use crate::claims::valid_token_name;
use crate::error::{Error, ErrorCode, Result};
use crate::ip::IpRule;
use crate::scope::ScopeSet;
use crate::token_api::CreateTokenRequest;
use crate::ttl::Lifetime;

mod error_body;
mod media_type;
mod request_json;
mod request_login;
mod request_xml;
mod response;
mod sniff;

pub(crate) use error_body::client_message;
pub use error_body::{
    error_status, login_error_json, sms_error_body, sms_error_json, sms_error_xml,
};
pub use media_type::Format;
pub use request_login::{LoginKind, LoginRequest, MAX_ACCOUNT_NAME_CHARS};
pub(crate) use response::{response_json, xml_element};

/// The largest request body [`CreateTokenRequest::from_json`] and
/// [`CreateTokenRequest::from_xml`] read (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The deepest element nesting [`CreateTokenRequest::from_xml`] accepts (the root is depth 1).
pub const MAX_XML_DEPTH: usize = 16;

impl CreateTokenRequest {
    /// Reads a body in `format` ([`from_json`](Self::from_json) or [`from_xml`](Self::from_xml)).
    pub fn parse(body: &[u8], format: Format) -> Result<CreateTokenRequest> {
        match format {
            Format::Json => CreateTokenRequest::from_json(body),
            Format::Xml => CreateTokenRequest::from_xml(body),
        }
    }
}

// --- rules both request readers share ------------------------------------------

/// The fields of a token-creation body as one reader found them (JSON values or XML
/// text), before the field rules. Each reader implements it; [`CreateTokenRequest`] is
/// built from it by one function, so both formats check the same rules in the same order:
/// `name`, then `ttl`, then `allowed_ips`.
trait TokenFields {
    /// The `name` text, `None` when absent; errors for a value that is not text.
    fn name(&mut self) -> Result<Option<String>>;
    /// The lifetime the `ttl` field asks for (absent or empty: static).
    fn lifetime(&mut self) -> Result<Lifetime>;
    /// The `allowed_ips` entries as text (absent: none); errors for a list that is not one.
    fn ip_texts(&mut self) -> Result<Vec<String>>;
    /// The `scopes` names as text (`None`: absent); errors for a list that is not one.
    fn scope_names(&mut self) -> Result<Option<Vec<String>>>;
}

/// The request a reader's fields make, checked in the order `name`, `ttl`, `allowed_ips`,
/// `scopes`.
fn build_request(mut fields: impl TokenFields) -> Result<CreateTokenRequest> {
    let name = check_name(fields.name()?)?;
    let lifetime = fields.lifetime()?;
    let allowed_ips = parse_rules(&fields.ip_texts()?)?;
    let scopes = match fields.scope_names()? {
        None => None,
        Some(names) => {
            let set = ScopeSet::from_names(&names)?;
            if set.is_empty() {
                return Err(Error::with_message(
                    ErrorCode::InvalidScope,
                    "scopes must name at least one scope (leave it out to keep the calling token's)",
                ));
            }
            Some(set)
        }
    };
    Ok(CreateTokenRequest {
        name,
        lifetime,
        allowed_ips,
        scopes,
    })
}

fn invalid_request(msg: impl Into<Cow<'static, str>>) -> Error {
    Error::with_message(ErrorCode::InvalidRequest, msg)
}

/// The body's size and encoding, checked before any parsing.
fn check_body(body: &[u8]) -> Result<()> {
    if body.len() > MAX_BODY_BYTES {
        return Err(invalid_request(format!(
            "the body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(invalid_request("the body is not valid UTF-8"));
    }
    Ok(())
}

/// Both readers refuse a byte-order mark (U+FEFF at the start, `invalid_request`), one or
/// several: RFC 8259 §8.1 forbids sending one with JSON, and reading XML without one keeps
/// the two readers in agreement (XML 1.0 only permits, never requires, a UTF-8 BOM).
fn refuse_bom(text: &str) -> Result<&str> {
    if text.starts_with('\u{feff}') {
        return Err(invalid_request("a byte-order mark is not allowed"));
    }
    Ok(text)
}

/// The `name` field: required, 1–255 characters.
fn check_name(name: Option<String>) -> Result<String> {
    match name {
        None => Err(invalid_request("token name is required")),
        Some(n) if valid_token_name(&n) => Ok(n),
        Some(_) => Err(invalid_request("token name must be 1-255 characters")),
    }
}

/// The `allowed_ips` entries, each a strict IP/CIDR rule; an error names the index.
fn parse_rules<S: AsRef<str>>(texts: &[S]) -> Result<Vec<IpRule>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            IpRule::parse(t.as_ref()).map_err(|e| {
                Error::with_message(
                    ErrorCode::InvalidIpRule,
                    format!("allowed_ips[{i}]: {}", e.message()),
                )
            })
        })
        .collect()
}

/// The TTL error both readers answer with.
fn invalid_ttl(msg: &'static str) -> Error {
    Error::with_message(ErrorCode::InvalidTtl, msg)
}

/// Whether XML 1.0 allows the character in a document (`Char` production).
fn xml_char_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}
