//! The bearer token of a request: RFC 6750 §2.1 over the values of its `Authorization`
//! header lines.
//!
//! The grammar is read strictly, and the same way in every skin (docs/http.md):
//!
//! * the field value is taken without leading and trailing spaces and tabs (RFC 9110 §5.5:
//!   they are not part of the value; some servers strip them, others do not);
//! * the scheme is `Bearer` in any case (RFC 9110 §11.1: schemes are case-insensitive),
//!   followed by **exactly one space** and the token: RFC 6750's `b64token`
//!   (`A-Z a-z 0-9 - . _ ~ + /`, then optional `=` padding). Two spaces, a tab, a comma
//!   list, a second token or any byte outside visible ASCII is `malformed_token`;
//! * **one** `Authorization` line: two lines (even two equal ones) are `malformed_token` —
//!   which of them a proxy or a framework keeps differs, so no choice is safe;
//! * no line, an empty one, or a credential of another scheme (`Basic …`, a bare token) is
//!   `missing_token`: the request carries no bearer token, and RFC 6750 §3.1 answers it with
//!   a challenge that names no error.
//!
//! Leniency here buys nothing: every client library writes `Bearer <token>` with one
//! space, and each accepted variant is one more way for two parsers in a request's path (a
//! proxy, a WAF, this library) to disagree about what was sent.

use super::trim_ows;
use crate::error::{Error, ErrorCode, Result};

/// The token of a request's `Authorization` header lines (`values`, in the order received;
/// none when the header is absent). See the module docs for the grammar.
///
/// ```
/// use auth_core::{bearer_token, ErrorCode};
/// assert_eq!(bearer_token(&[b"Bearer abc.def.ghi"]).unwrap(), "abc.def.ghi");
/// assert_eq!(bearer_token(&[b"bearer abc"]).unwrap(), "abc");
/// assert_eq!(bearer_token(&[]).unwrap_err().code(), ErrorCode::MissingToken);
/// assert_eq!(bearer_token(&[b"Basic dXNlcjpwYXNz"]).unwrap_err().code(), ErrorCode::MissingToken);
/// assert_eq!(bearer_token(&[b"Bearer  abc"]).unwrap_err().code(), ErrorCode::MalformedToken);
/// assert_eq!(bearer_token(&[b"Bearer a", b"Bearer a"]).unwrap_err().code(), ErrorCode::MalformedToken);
/// ```
pub fn bearer_token<'a>(values: &[&'a [u8]]) -> Result<&'a str> {
    let value = match values {
        [] => return Err(missing("the request has no Authorization header")),
        [one] => trim_ows(one),
        _ => {
            return Err(malformed(
                "the request has several Authorization headers; send exactly one",
            ))
        }
    };
    if value.is_empty() {
        return Err(missing("the Authorization header is empty"));
    }
    if !value
        .iter()
        .all(|&b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
    {
        return Err(malformed(
            "the Authorization header holds bytes outside visible ASCII",
        ));
    }
    let scheme_len = value.iter().take_while(|&&b| is_tchar(b)).count();
    let (scheme, rest) = value.split_at(scheme_len);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Err(missing(
            "the Authorization header is not a Bearer credential: send \"Authorization: Bearer <token>\"",
        ));
    }
    let Some(token) = rest.strip_prefix(b" ") else {
        return Err(malformed(
            "\"Bearer\" must be followed by exactly one space and the token",
        ));
    };
    if !is_b64token(token) {
        return Err(malformed(
            "the bearer token is not one RFC 6750 b64token (letters, digits, - . _ ~ + /, then = padding)",
        ));
    }
    // Every byte is visible ASCII (checked above), so this cannot fail.
    std::str::from_utf8(token).map_err(|_| malformed("the bearer token is not ASCII"))
}

/// [`bearer_token`] for optional authentication: `Ok(None)` when the request carries no
/// bearer credentials (the requests `bearer_token` answers `missing_token`: no line, an
/// empty one, another scheme), which may then pass as anonymous; a bearer credential of any
/// other shape is still `malformed_token`, so a bad token cannot pass as no token.
///
/// ```
/// use auth_core::{bearer_credentials, ErrorCode};
/// assert_eq!(bearer_credentials(&[b"Bearer abc"]).unwrap(), Some("abc"));
/// assert_eq!(bearer_credentials(&[]).unwrap(), None);
/// assert_eq!(bearer_credentials(&[b"Basic dXNlcjpwYXNz"]).unwrap(), None);
/// assert_eq!(bearer_credentials(&[b"Bearer  abc"]).unwrap_err().code(), ErrorCode::MalformedToken);
/// ```
pub fn bearer_credentials<'a>(values: &[&'a [u8]]) -> Result<Option<&'a str>> {
    match bearer_token(values) {
        Ok(token) => Ok(Some(token)),
        Err(err) if err.code() == ErrorCode::MissingToken => Ok(None),
        Err(err) => Err(err),
    }
}

/// RFC 9110 `tchar`: the characters of a token such as an authentication scheme.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 6750 `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &[u8]) -> bool {
    let body = token.iter().take_while(|&&b| b != b'=').count();
    body > 0
        && token[..body]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
        && token[body..].iter().all(|&b| b == b'=')
}

fn missing(message: &'static str) -> Error {
    Error::with_message(ErrorCode::MissingToken, message)
}

fn malformed(message: &'static str) -> Error {
    Error::with_message(ErrorCode::MalformedToken, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(values: &[&[u8]]) -> ErrorCode {
        bearer_token(values).unwrap_err().code()
    }

    #[test]
    fn one_bearer_line_with_one_space_is_read() {
        for (value, token) in [
            (&b"Bearer abc.def.ghi"[..], "abc.def.ghi"),
            (b"BEARER a-b_c~d+e/f==", "a-b_c~d+e/f=="),
            (b"  Bearer abc \t", "abc"),
        ] {
            assert_eq!(bearer_token(&[value]).unwrap(), token);
        }
    }

    #[test]
    fn no_bearer_credential_is_missing() {
        assert_eq!(code(&[]), ErrorCode::MissingToken);
        for value in [
            &b""[..],
            b"   ",
            b"Basic dXNlcjpwYXNz",
            b"abc.def.ghi",
            b"Bearerabc",
        ] {
            assert_eq!(code(&[value]), ErrorCode::MissingToken, "{value:?}");
        }
    }

    #[test]
    fn a_bearer_credential_of_another_shape_is_malformed() {
        for value in [
            &b"Bearer"[..],
            b"Bearer  abc",
            b"Bearer\tabc",
            b"Bearer a b",
            b"Bearer a, Bearer b",
            b"Bearer abc=def",
            b"Bearer =",
            b"Bearer ab\xc3\xa9",
            b"Bearer a\x00b",
        ] {
            assert_eq!(code(&[value]), ErrorCode::MalformedToken, "{value:?}");
        }
        assert_eq!(code(&[b"Bearer a", b"Bearer a"]), ErrorCode::MalformedToken);
        assert_eq!(code(&[b"Bearer a", b""]), ErrorCode::MalformedToken);
    }

    #[test]
    fn only_a_missing_token_counts_as_no_credentials() {
        assert_eq!(bearer_credentials(&[]).unwrap(), None);
        assert_eq!(bearer_credentials(&[b"Basic dXNlcjpwYXNz"]).unwrap(), None);
        assert_eq!(bearer_credentials(&[b"Bearer abc"]).unwrap(), Some("abc"));
        for values in [
            &[&b"Bearer"[..]][..],
            &[b"Bearer  abc"],
            &[b"Bearer a", b""],
        ] {
            let err = bearer_credentials(values).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MalformedToken, "{values:?}");
        }
    }
}
