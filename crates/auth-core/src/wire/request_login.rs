//! The JSON bodies of the two logins: `POST /session.json` `{"login", "password"}` and
//! `POST /v1/resellers/login.json` `{"name", "pass"}`.

use serde_json::Value;

use super::{check_body, invalid_request, refuse_bom};
use crate::claims::value::parse_strict_value;
use crate::error::Result;

/// Which login a body is for: its two members differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoginKind {
    /// The dialer user login, `{"login": "...", "password": "..."}`.
    User,
    /// The reseller login, `{"name": "...", "pass": "..."}`.
    Reseller,
}

impl LoginKind {
    /// The members holding the account name and the password.
    pub const fn members(self) -> (&'static str, &'static str) {
        match self {
            LoginKind::User => ("login", "password"),
            LoginKind::Reseller => ("name", "pass"),
        }
    }

    /// `"user"` or `"reseller"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LoginKind::User => "user",
            LoginKind::Reseller => "reseller",
        }
    }
}

/// The credentials of a login request. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginRequest {
    /// The account name (`login` or `name`), as sent.
    pub account: String,
    /// The password (`password` or `pass`), as sent.
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// The longest account name read, in characters: longer is `invalid_request` (no account has
/// such a name, and the server need not hash or count it).
pub const MAX_ACCOUNT_NAME_CHARS: usize = 255;

impl LoginRequest {
    /// Reads a login body of `kind`: at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) of
    /// UTF-8 without a byte-order mark, one strict JSON object (no duplicate key, no trailing
    /// data, bounded nesting) whose two members are strings; other members are ignored. The
    /// account name is 1 to [`MAX_ACCOUNT_NAME_CHARS`] characters. Anything else is
    /// `invalid_request`, whose message names the members and never quotes the body.
    ///
    /// ```
    /// use auth_core::{ErrorCode, LoginKind, LoginRequest};
    /// let req = LoginRequest::from_json(LoginKind::User, br#"{"login": "user@example.com", "password": "your_password"}"#).unwrap();
    /// assert_eq!(req.account, "user@example.com");
    /// let err = LoginRequest::from_json(LoginKind::Reseller, br#"{"name": "r", "pass": "p", "pass": "q"}"#).unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::InvalidRequest);
    /// ```
    pub fn from_json(kind: LoginKind, body: &[u8]) -> Result<LoginRequest> {
        let (account_key, password_key) = kind.members();
        let shape = || {
            invalid_request(format!(
                "the body must be a JSON object with \"{account_key}\" and \"{password_key}\" as strings"
            ))
        };
        check_body(body)?;
        let text = std::str::from_utf8(body)
            .map_err(|_| invalid_request("the body is not valid UTF-8"))?;
        let text = refuse_bom(text)?;
        let Ok(Value::Object(mut members)) = parse_strict_value(text) else {
            return Err(shape());
        };
        let mut take = |key: &str| match members.remove(key) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(shape()),
        };
        let account = take(account_key)?;
        let password = take(password_key)?;
        let chars = account.chars().count();
        if chars == 0 || chars > MAX_ACCOUNT_NAME_CHARS {
            return Err(invalid_request(format!(
                "\"{account_key}\" must be 1 to {MAX_ACCOUNT_NAME_CHARS} characters"
            )));
        }
        Ok(LoginRequest { account, password })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn both_logins_read_their_members() {
        let r = LoginRequest::from_json(LoginKind::Reseller, br#"{"name":"r","pass":"p","x":1}"#)
            .unwrap();
        assert_eq!((r.account.as_str(), r.password.as_str()), ("r", "p"));
        assert!(
            !format!("{r:?}").contains('p'.to_string().as_str())
                || !format!("{r:?}").contains("\"p\"")
        );
    }

    #[test]
    fn anything_else_is_invalid_request() {
        let long = format!(r#"{{"login":"{}","password":"p"}}"#, "a".repeat(256));
        for body in [
            &br#"{"login":"a"}"#[..],
            br#"{"login":"a","password":1}"#,
            br#"{"login":"a","password":"p","login":"b"}"#,
            br#"{"login":"","password":"p"}"#,
            br#"["login","password"]"#,
            br#"{"login":"a","password":"p"} x"#,
            b"\xef\xbb\xbf{}",
            b"\xff",
            long.as_bytes(),
        ] {
            let err = LoginRequest::from_json(LoginKind::User, body).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidRequest, "{body:?}");
        }
    }
}
