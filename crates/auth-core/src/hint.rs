//! What to do about a rejected token text: hints for the common pasting mistakes.
//!
//! The rule lives here once, and `authctl`, the Python `Verifier` and the C verify call all
//! apply it to their refusals, so every language says the same thing.

use crate::error::Error;

/// `error` with a hint appended to its message when the token text shows a common pasting
/// mistake: the `Bearer ` scheme of an Authorization header (any case), a CR LF line ending,
/// or surrounding whitespace. The code (and so the HTTP status or exit code) is unchanged;
/// any other error is returned as it is.
///
/// ```
/// use auth_core::{token_hint, Error, ErrorCode};
/// let e = token_hint(Error::new(ErrorCode::MalformedToken), b"Bearer eyJ...");
/// assert_eq!(e.code(), ErrorCode::MalformedToken);
/// assert!(e.message().contains("remove the `Bearer ` prefix: pass only the token"));
/// ```
pub fn token_hint(error: Error, token: impl AsRef<[u8]>) -> Error {
    let token = token.as_ref();
    let starts_with_bearer = token
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"bearer "));
    let hint = if starts_with_bearer {
        "hint: remove the `Bearer ` prefix: pass only the token, not the Authorization header"
    } else if token.ends_with(b"\r") {
        "hint: the text ends with a carriage return (a CR LF line ending); remove it, e.g. with `tr -d '\\r'`"
    } else if token.first().is_some_and(u8::is_ascii_whitespace)
        || token.last().is_some_and(u8::is_ascii_whitespace)
    {
        "hint: the text starts or ends with whitespace; pass only the token"
    } else {
        return error;
    };
    let message = format!("{}; {hint}", error.message());
    Error::with_message(error.code(), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn bearer_in_any_case_gets_the_remove_prefix_hint() {
        for text in ["Bearer x.y.z", "bearer x.y.z", "BEARER x.y.z"] {
            let e = token_hint(Error::new(ErrorCode::MalformedToken), text);
            assert_eq!(e.code(), ErrorCode::MalformedToken);
            assert!(
                e.message()
                    .starts_with("malformed token; hint: remove the `Bearer ` prefix"),
                "{}",
                e.message()
            );
        }
    }

    #[test]
    fn line_endings_and_whitespace_get_their_hints_and_clean_text_none() {
        let e = token_hint(Error::new(ErrorCode::MalformedToken), "x.y.z\r");
        assert!(e.message().contains("carriage return"), "{}", e.message());
        let e = token_hint(Error::new(ErrorCode::MalformedToken), " x.y.z");
        assert!(e.message().contains("whitespace"), "{}", e.message());
        let e = token_hint(Error::new(ErrorCode::BadSignature), "x.y.z");
        assert_eq!(e, Error::new(ErrorCode::BadSignature));
    }
}
