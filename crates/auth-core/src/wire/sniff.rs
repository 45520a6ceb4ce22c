//! Which format a token-creation body is in when its `Content-Type` does not say.
//!
//! The token API's examples send their bodies with no `Content-Type` (or with curl's
//! default `application/x-www-form-urlencoded`), so a host cannot rely on the header alone.

use super::Format;

impl Format {
    /// The format of a request body: the declared `Content-Type` when it names JSON or XML
    /// ([`Format::from_media_type`]), otherwise the body's first character that is not ASCII
    /// whitespace (a byte-order mark is skipped, so that the reader refuses it with its own
    /// message): `<` is XML, anything else (including an empty body) JSON.
    ///
    /// Only the format is chosen here; the readers ([`CreateTokenRequest::parse`](crate::CreateTokenRequest::parse))
    /// still read the body strictly, so a body that merely starts with `<` and is not the
    /// documented XML is refused as `invalid_request`.
    ///
    /// ```
    /// use auth_core::Format;
    /// assert_eq!(Format::for_body(None, b"  <token><name>a</name></token>"), Format::Xml);
    /// assert_eq!(Format::for_body(None, br#"{"token": {"name": "a"}}"#), Format::Json);
    /// assert_eq!(Format::for_body(Some("application/x-www-form-urlencoded"), b"<token/>"), Format::Xml);
    /// assert_eq!(Format::for_body(Some("application/json"), b"<token/>"), Format::Json);
    /// ```
    pub fn for_body(content_type: Option<&str>, body: &[u8]) -> Format {
        if let Some(declared) = content_type.and_then(Format::from_media_type) {
            return declared;
        }
        let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Format::Xml,
            _ => Format::Json,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_json_or_xml_type_wins_over_the_body() {
        assert_eq!(Format::for_body(Some("text/xml"), b"{}"), Format::Xml);
        assert_eq!(
            Format::for_body(Some("application/json; charset=utf-8"), b"<a/>"),
            Format::Json
        );
    }

    #[test]
    fn without_a_usable_type_the_first_character_decides() {
        assert_eq!(Format::for_body(None, b""), Format::Json);
        assert_eq!(Format::for_body(None, b" \r\n\t"), Format::Json);
        assert_eq!(Format::for_body(None, b"\n<token/>"), Format::Xml);
        assert_eq!(
            Format::for_body(None, "\u{feff}<token/>".as_bytes()),
            Format::Xml
        );
        assert_eq!(Format::for_body(Some("text/plain"), b"[1]"), Format::Json);
        assert_eq!(Format::for_body(Some("*/*"), b"<t/>"), Format::Json);
    }
}
