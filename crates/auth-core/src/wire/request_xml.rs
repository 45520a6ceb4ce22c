//! The XML body of `POST /token`:
//! `<token><name>…</name><ttl>…</ttl><allowed_ips><ip>…</ip></allowed_ips></token>`.

use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{
    build_request, check_body, invalid_request, xml_char_allowed, TokenFields, MAX_XML_DEPTH,
};
use crate::error::{Error, Result};
use crate::token_api::CreateTokenRequest;
use crate::ttl::Lifetime;

impl CreateTokenRequest {
    /// Reads an XML body:
    /// `<token><name>…</name><ttl>…</ttl><allowed_ips><ip>…</ip><ip>…</ip></allowed_ips></token>`.
    ///
    /// At most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) of UTF-8 (a leading byte-order
    /// mark is allowed), an optional `<?xml …?>` declaration (UTF-8 only), exactly one root
    /// element `<token>`. Comments, whitespace between elements, CDATA inside `<name>`,
    /// `<ttl>` and `<ip>`, attributes and unknown child elements of `<token>` are allowed
    /// and ignored. Refused with `invalid_request`: a DOCTYPE, an entity other than
    /// `&lt; &gt; &amp; &apos; &quot;` and character references, processing instructions,
    /// mismatched or unclosed tags, a second root, text outside the root or directly in
    /// `<token>`/`<allowed_ips>`, a repeated child of `<token>`, an element inside `<name>`,
    /// `<ttl>` or `<ip>`, anything but `<ip>` inside `<allowed_ips>`, nesting deeper than
    /// [`MAX_XML_DEPTH`], characters XML 1.0 forbids. The field rules are those of
    /// [`from_json`](Self::from_json): `<ttl>` text has surrounding whitespace trimmed;
    /// empty or absent → static (like `null` in JSON); otherwise it is read as
    /// [`Lifetime::from_seconds_text`] (decimal digits with an optional `-`, else
    /// `invalid_ttl`); `<name>` and `<ip>` text is taken exactly as written (no trimming),
    /// so `<ip> 10.0.0.1 </ip>` is an `invalid_ip_rule`.
    ///
    /// ```
    /// use auth_core::{CreateTokenRequest, Lifetime};
    ///
    /// let req = CreateTokenRequest::from_xml(
    ///     b"<token><name>Best token ever</name><ttl>2678400</ttl></token>",
    /// ).unwrap();
    /// assert_eq!(req.name, "Best token ever");
    /// assert_eq!(req.lifetime, Lifetime::Ttl(2_678_400));
    /// ```
    pub fn from_xml(body: &[u8]) -> Result<CreateTokenRequest> {
        check_body(body)?;
        let text = std::str::from_utf8(body)
            .map_err(|_| invalid_request("the body is not valid UTF-8"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(pos) = text.find(|c: char| !xml_char_allowed(c)) {
            return Err(invalid_request(format!(
                "invalid XML body: a character XML does not allow at byte {pos}"
            )));
        }
        build_request(XmlParser::new(text).document()?)
    }
}

impl TokenFields for XmlTokenFields {
    fn name(&mut self) -> Result<Option<String>> {
        Ok(self.name.take())
    }

    fn lifetime(&mut self) -> Result<Lifetime> {
        match &self.ttl {
            None => Ok(Lifetime::Static),
            Some(t) => xml_ttl(t),
        }
    }

    fn ip_texts(&mut self) -> Result<Vec<String>> {
        Ok(self.ips.take().unwrap_or_default())
    }
}

/// The lifetime a `<ttl>` element's text asks for: surrounding whitespace ignored, empty
/// text → [`Lifetime::Static`] (like `null` in JSON), otherwise as
/// [`Lifetime::from_seconds_text`].
fn xml_ttl(text: &str) -> Result<Lifetime> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Lifetime::Static);
    }
    Lifetime::from_seconds_text(t)
}

/// The fields of an XML `<token>`, checked after parsing.
#[derive(Default)]
struct XmlTokenFields {
    name: Option<String>,
    ttl: Option<String>,
    ips: Option<Vec<String>>,
}

struct XmlParser<'a> {
    reader: Reader<&'a [u8]>,
}

impl<'a> XmlParser<'a> {
    fn new(text: &'a str) -> Self {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = true;
        config.allow_unmatched_ends = false;
        config.trim_text(false);
        XmlParser { reader }
    }

    fn err(&self, what: &str) -> Error {
        invalid_request(format!(
            "invalid XML body: {what} (at byte {})",
            self.reader.buffer_position()
        ))
    }

    /// The next event; DOCTYPE and processing instructions are refused here.
    fn next(&mut self) -> Result<Event<'a>> {
        match self.reader.read_event() {
            Ok(Event::DocType(_)) => Err(self.err("DOCTYPE is not allowed")),
            Ok(Event::PI(_)) => Err(self.err("processing instructions are not allowed")),
            Ok(ev) => Ok(ev),
            Err(e) => {
                let what = match e {
                    quick_xml::Error::Syntax(_) => "syntax error",
                    quick_xml::Error::IllFormed(_) => {
                        "not well-formed (mismatched or unclosed tags)"
                    }
                    quick_xml::Error::InvalidAttr(_) => "malformed attribute",
                    quick_xml::Error::Escape(_) => "unknown entity or bad character reference",
                    _ => "unreadable XML",
                };
                Err(invalid_request(format!(
                    "invalid XML body: {what} (at byte {})",
                    self.reader.error_position()
                )))
            }
        }
    }

    /// Text content with the predefined entities and character references resolved.
    fn text(&self, t: &quick_xml::events::BytesText<'_>) -> Result<String> {
        let s = t
            .unescape()
            .map_err(|_| self.err("unknown entity or bad character reference"))?;
        if !s.chars().all(xml_char_allowed) {
            return Err(self.err("a character reference to a character XML does not allow"));
        }
        Ok(s.into_owned())
    }

    fn cdata(&self, c: quick_xml::events::BytesCData<'_>) -> Result<String> {
        String::from_utf8(c.into_inner().into_owned()).map_err(|_| self.err("CDATA is not UTF-8"))
    }

    /// Only whitespace (or comments) may stand between elements here.
    fn only_space(&self, text: &str, place: &str) -> Result<()> {
        if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
            Ok(())
        } else {
            Err(self.err(&format!("text is not allowed {place}")))
        }
    }

    /// Attributes are ignored, but must be well formed and use only predefined entities.
    fn check_attributes(&self, e: &BytesStart<'_>) -> Result<()> {
        let mut names: Vec<Vec<u8>> = Vec::new();
        for attr in e.attributes().with_checks(true) {
            let attr = attr.map_err(|_| self.err("malformed attribute"))?;
            attr.unescape_value()
                .map_err(|_| self.err("unknown entity or bad character reference"))?;
            let key = attr.key.as_ref().to_vec();
            if names.contains(&key) {
                return Err(self.err("duplicate attribute"));
            }
            names.push(key);
        }
        Ok(())
    }

    /// The whole document: prolog, the `<token>` root, epilogue.
    fn document(mut self) -> Result<XmlTokenFields> {
        let mut first = true;
        let mut fields = None;
        loop {
            let ev = self.next()?;
            match ev {
                Event::Decl(d) if first => {
                    match d.encoding() {
                        None => {}
                        Some(Ok(enc)) if enc.eq_ignore_ascii_case(b"utf-8") => {}
                        Some(_) => return Err(self.err("only UTF-8 XML is accepted")),
                    }
                    if d.version().is_err() {
                        return Err(self.err("bad XML declaration"));
                    }
                }
                Event::Decl(_) => return Err(self.err("misplaced XML declaration")),
                Event::Comment(_) => {}
                Event::Text(t) => {
                    let t = self.text(&t)?;
                    self.only_space(&t, "outside the root element")?;
                }
                Event::CData(_) => {
                    return Err(self.err("text is not allowed outside the root element"))
                }
                Event::Start(e) => {
                    if fields.is_some() {
                        return Err(self.err("more than one root element"));
                    }
                    if e.name().as_ref() != b"token" {
                        return Err(self.err("the root element must be <token>"));
                    }
                    self.check_attributes(&e)?;
                    fields = Some(self.token()?);
                }
                Event::Eof => break,
                Event::End(_) | Event::Empty(_) | Event::DocType(_) | Event::PI(_) => {
                    return Err(self.err("unexpected markup"))
                }
            }
            first = false;
        }
        fields.ok_or_else(|| self.err("no <token> element"))
    }

    /// The children of `<token>` (depth 1), up to its end tag.
    fn token(&mut self) -> Result<XmlTokenFields> {
        let mut out = XmlTokenFields::default();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        loop {
            match self.next()? {
                Event::Start(e) => {
                    self.check_attributes(&e)?;
                    let name = e.name().as_ref().to_vec();
                    if !seen.insert(name.clone()) {
                        return Err(self.err("an element is repeated inside <token>"));
                    }
                    match name.as_slice() {
                        b"name" => out.name = Some(self.leaf("<name>")?),
                        b"ttl" => out.ttl = Some(self.leaf("<ttl>")?),
                        b"allowed_ips" => out.ips = Some(self.ip_list()?),
                        _ => self.skip(2)?,
                    }
                }
                Event::End(_) => return Ok(out),
                Event::Text(t) => {
                    let t = self.text(&t)?;
                    self.only_space(&t, "directly inside <token>")?;
                }
                Event::CData(_) => {
                    return Err(self.err("text is not allowed directly inside <token>"))
                }
                Event::Comment(_) => {}
                Event::Eof => return Err(self.err("unclosed <token>")),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }

    /// The text of an element that holds only text (CDATA and comments allowed).
    fn leaf(&mut self, what: &str) -> Result<String> {
        let mut out = String::new();
        loop {
            match self.next()? {
                Event::Text(t) => out.push_str(&self.text(&t)?),
                Event::CData(c) => out.push_str(&self.cdata(c)?),
                Event::Comment(_) => {}
                Event::End(_) => return Ok(out),
                Event::Start(_) | Event::Empty(_) => {
                    return Err(self.err(&format!("no element is allowed inside {what}")))
                }
                Event::Eof => return Err(self.err(&format!("unclosed {what}"))),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }

    /// The `<ip>` children of `<allowed_ips>` (depth 2).
    fn ip_list(&mut self) -> Result<Vec<String>> {
        let mut ips = Vec::new();
        loop {
            match self.next()? {
                Event::Start(e) if e.name().as_ref() == b"ip" => {
                    self.check_attributes(&e)?;
                    ips.push(self.leaf("<ip>")?);
                }
                Event::Start(_) | Event::Empty(_) => {
                    return Err(self.err("only <ip> elements are allowed inside <allowed_ips>"))
                }
                Event::Text(t) => {
                    let t = self.text(&t)?;
                    self.only_space(&t, "directly inside <allowed_ips>")?;
                }
                Event::CData(_) => {
                    return Err(self.err("text is not allowed directly inside <allowed_ips>"))
                }
                Event::Comment(_) => {}
                Event::End(_) => return Ok(ips),
                Event::Eof => return Err(self.err("unclosed <allowed_ips>")),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }

    /// Skips an unknown element whose start tag (at `depth`) was just read, checking it.
    fn skip(&mut self, depth: usize) -> Result<()> {
        let mut depth = depth;
        loop {
            if depth > MAX_XML_DEPTH {
                return Err(self.err("elements are nested too deeply"));
            }
            match self.next()? {
                Event::Start(e) => {
                    self.check_attributes(&e)?;
                    depth += 1;
                }
                Event::End(_) => {
                    depth -= 1;
                    if depth < 2 {
                        return Ok(());
                    }
                }
                Event::Text(t) => {
                    self.text(&t)?;
                }
                Event::CData(_) | Event::Comment(_) => {}
                Event::Eof => return Err(self.err("unclosed element")),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn ttl_text_is_trimmed_and_empty_means_static() {
        assert_eq!(xml_ttl(" 60 ").unwrap(), Lifetime::Ttl(60));
        assert_eq!(xml_ttl("").unwrap(), Lifetime::Static);
        for bad in ["1.5", "1e3", "+5", "abc", "-", "99999999999999999999"] {
            assert_eq!(
                xml_ttl(bad).unwrap_err().code(),
                ErrorCode::InvalidTtl,
                "{bad}"
            );
        }
    }
}
