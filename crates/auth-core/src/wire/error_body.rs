//! The error bodies of the login and token APIs, and the HTTP status to answer with.

use serde::Serialize;

use super::response::{response_json, xml_element};
use super::Format;
use crate::error::{Error, ErrorCode};

/// The HTTP status a host answers `err` with: its code's status, or 500 for configuration
/// errors (`weak_key`, `invalid_key`) that are the server's fault.
pub fn error_status(err: &Error) -> u16 {
    err.http_status().unwrap_or(500)
}

/// The message shown to a client: the error's own message, or the code's generic message
/// for configuration errors, `server_error` and `jwks_unavailable` (details of the server's set-up are not the
/// client's business).
pub(crate) fn client_message(err: &Error) -> &str {
    // A key-set fetch failure's details (endpoints, TLS) are for the operator's log.
    if err.http_status().is_some()
        && !matches!(
            err.code(),
            ErrorCode::ServerError | ErrorCode::JwksUnavailable
        )
    {
        err.message()
    } else {
        err.code().default_message()
    }
}

/// `{"error": {"code": ..., "message": ..., "status": ...}}`.
#[derive(Serialize)]
struct LoginErrorBody<'a> {
    error: LoginError<'a>,
}

#[derive(Serialize)]
struct LoginError<'a> {
    code: &'a str,
    message: &'a str,
    status: u16,
}

/// The login API's error body (login and logout endpoints):
/// `{"error": {"code": "login_ip_denied", "message": "Login denied due to IP restriction", "status": 406}}`.
///
/// `code` is the stable docs/errors.md code, `message` the error's message, `status` the HTTP
/// status to answer with ([`error_status`]: 500 for configuration errors, whose message is
/// then the generic one).
pub fn login_error_json(err: &Error) -> String {
    response_json(&LoginErrorBody {
        error: LoginError {
            code: err.code().as_str(),
            message: client_message(err),
            status: error_status(err),
        },
    })
}

/// `{"status": 0, "message": ..., "error": ...}`.
#[derive(Serialize)]
struct TokenApiErrorBody<'a> {
    status: u8,
    message: &'a str,
    error: &'a str,
}

/// The token API's error body in JSON: `{"status": 0, "message": "...", "error": "<code>"}`.
///
/// `message` is the error's message (the generic one for configuration errors), `error`
/// the stable docs/errors.md code. Answer with [`error_status`].
pub fn sms_error_json(err: &Error) -> String {
    response_json(&TokenApiErrorBody {
        status: 0,
        message: client_message(err),
        error: err.code().as_str(),
    })
}

/// The token API's error body in XML:
/// `<response><status>0</status><message>…</message><error>code</error></response>`.
pub fn sms_error_xml(err: &Error) -> String {
    let mut out = String::from("<response><status>0</status>");
    xml_element(&mut out, "message", client_message(err));
    xml_element(&mut out, "error", err.code().as_str());
    out.push_str("</response>");
    out
}

/// The token API's error body in `format` ([`sms_error_json`] or [`sms_error_xml`]).
pub fn sms_error_body(err: &Error, format: Format) -> String {
    match format {
        Format::Json => sms_error_json(err),
        Format::Xml => sms_error_xml(err),
    }
}
