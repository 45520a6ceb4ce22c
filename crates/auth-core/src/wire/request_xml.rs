//! The XML body of `POST /token`:
//! `<token><name>…</name><ttl>…</ttl><allowed_ips><ip>…</ip></allowed_ips>`
//! `<scopes><scope>…</scope></scopes></token>`.

use std::borrow::Cow;
use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{
    build_request, check_body, invalid_request, invalid_ttl, refuse_bom, xml_char_allowed,
    TokenFields, MAX_XML_DEPTH,
};
use crate::error::{Error, Result};
use crate::token_api::CreateTokenRequest;
use crate::ttl::Lifetime;

impl CreateTokenRequest {
    /// Reads an XML body:
    /// `<token><name>…</name><ttl>…</ttl><allowed_ips><ip>…</ip><ip>…</ip></allowed_ips></token>`.
    ///
    /// At most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) of UTF-8 (a byte-order mark is
    /// refused, as in [`from_json`](Self::from_json): RFC 8259 forbids one in JSON, and the
    /// two readers agree), an optional `<?xml …?>` declaration (UTF-8 only), exactly one
    /// root element `<token>`.
    /// Line ends are normalised first, as XML 1.0 §2.11 requires: CR LF and a lone CR
    /// become LF (so `<name>` text written with CR LF equals the JSON name with `\n`; a
    /// character reference `&#13;` still gives a CR, as JSON's `"\r"` does). Comments,
    /// whitespace between elements, CDATA inside `<name>`, `<ttl>` and `<ip>`, and unknown
    /// child elements of `<token>` are allowed and ignored.
    ///
    /// Refused with `invalid_request`: attributes on any element ("attributes are not
    /// allowed": they carry no meaning here), namespace declarations (`xmlns`, `xmlns:p`)
    /// and prefixed names (`<x:ttl>`), a DOCTYPE, an entity other than
    /// `&lt; &gt; &amp; &apos; &quot;` and character references, processing instructions,
    /// mismatched or unclosed tags, a second root, text outside the root or directly in
    /// `<token>`/`<allowed_ips>`, a repeated child of `<token>`, an element inside `<name>`,
    /// `<ttl>`, `<ip>` or `<scope>`, anything but `<ip>` inside `<allowed_ips>` or `<scope>`
    /// inside `<scopes>`, nesting deeper than
    /// [`MAX_XML_DEPTH`], characters XML 1.0 forbids.
    ///
    /// The field rules are those of [`from_json`](Self::from_json). `<ttl>` absent →
    /// static (like an absent or `null` JSON `ttl`); present, its text may be surrounded by
    /// XML whitespace only (space, tab, CR, LF — not U+3000, U+2028 or other Unicode
    /// spaces) and must then be decimal digits with an optional `-` and no leading zero
    /// (`0` itself aside, as in JSON), else `invalid_ttl`; an empty or blank `<ttl>`
    /// (`<ttl/>`, `<ttl> </ttl>`) is `invalid_ttl`, like JSON's `"ttl": ""`. `<name>` and `<ip>` text
    /// is taken exactly as written (no trimming), so `<ip> 10.0.0.1 </ip>` is an
    /// `invalid_ip_rule`. Byte positions in error messages count in the text after line
    /// ends are normalised.
    ///
    /// Parsing takes time linear in the body's size (no per-attribute or per-element
    /// rescans; duplicate children are found with a hash set).
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
        let text = refuse_bom(text)?;
        if let Some(pos) = text.find(|c: char| !xml_char_allowed(c)) {
            return Err(invalid_request(format!(
                "invalid XML body: a character XML does not allow at byte {pos}"
            )));
        }
        let text = normalize_line_ends(text);
        build_request(XmlParser::new(&text).document()?)
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

    fn scope_names(&mut self) -> Result<Option<Vec<String>>> {
        Ok(self.scopes.take())
    }
}

/// The lifetime a present `<ttl>` element's text asks for. Only XML whitespace (space,
/// tab, CR, LF) may surround the number; empty or blank text is `invalid_ttl` (leave the
/// element out for an unlimited token); a leading zero (`060`, `-060`, `00`) is
/// `invalid_ttl`, as JSON refuses it; the rest is [`Lifetime::from_seconds_text`].
fn xml_ttl(text: &str) -> Result<Lifetime> {
    let t = text.trim_matches(is_xml_space);
    if t.is_empty() {
        return Err(invalid_ttl(
            "ttl is empty: give a number of seconds, or leave ttl out for an unlimited token",
        ));
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(invalid_ttl("ttl must not have leading zeros"));
    }
    Lifetime::from_seconds_text(t)
}

/// XML's `S` production: space, tab, CR, LF.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// XML 1.0 §2.11 end-of-line handling: CR LF and a lone CR become LF. One pass; the text
/// is borrowed when it holds no CR.
fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The fields of an XML `<token>`, checked after parsing.
#[derive(Default)]
struct XmlTokenFields {
    name: Option<String>,
    ttl: Option<String>,
    ips: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
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
        if text.chars().all(is_xml_space) {
            Ok(())
        } else {
            Err(self.err(&format!("text is not allowed {place}")))
        }
    }

    /// A start tag's checks: no namespace prefix in its name, no attributes (namespace
    /// declarations named as such). Looks only at the tag's own bytes, once, so a tag
    /// costs time linear in its length whatever it holds.
    fn check_start(&self, e: &BytesStart<'_>) -> Result<()> {
        if e.name().as_ref().contains(&b':') {
            return Err(self.err("namespace prefixes are not allowed"));
        }
        let raw = e.attributes_raw();
        let Some(start) = raw
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        else {
            return Ok(());
        };
        let attr = &raw[start..];
        let is_xmlns = attr.starts_with(b"xmlns")
            && matches!(
                attr.get(5),
                None | Some(b'=' | b':' | b' ' | b'\t' | b'\r' | b'\n')
            );
        Err(self.err(if is_xmlns {
            "namespace declarations are not allowed"
        } else {
            "attributes are not allowed"
        }))
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
                    self.check_start(&e)?;
                    if e.name().as_ref() != b"token" {
                        return Err(self.err("the root element must be <token>"));
                    }
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
                    self.check_start(&e)?;
                    let name = e.name().as_ref().to_vec();
                    if !seen.insert(name.clone()) {
                        return Err(self.err("an element is repeated inside <token>"));
                    }
                    match name.as_slice() {
                        b"name" => out.name = Some(self.leaf("<name>")?),
                        b"ttl" => out.ttl = Some(self.leaf("<ttl>")?),
                        b"allowed_ips" => out.ips = Some(self.list("allowed_ips", "ip")?),
                        b"scopes" => out.scopes = Some(self.list("scopes", "scope")?),
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

    /// The `<item>` children of a list element such as `<allowed_ips>` (depth 2).
    fn list(&mut self, list: &str, item: &str) -> Result<Vec<String>> {
        let only = || format!("only <{item}> elements are allowed inside <{list}>");
        let mut items = Vec::new();
        loop {
            match self.next()? {
                Event::Start(e) if e.name().as_ref() == item.as_bytes() => {
                    self.check_start(&e)?;
                    items.push(self.leaf(&format!("<{item}>"))?);
                }
                Event::Start(e) => {
                    self.check_start(&e)?;
                    return Err(self.err(&only()));
                }
                Event::Empty(_) => return Err(self.err(&only())),
                Event::Text(t) => {
                    let t = self.text(&t)?;
                    self.only_space(&t, &format!("directly inside <{list}>"))?;
                }
                Event::CData(_) => {
                    return Err(self.err(&format!("text is not allowed directly inside <{list}>")))
                }
                Event::Comment(_) => {}
                Event::End(_) => return Ok(items),
                Event::Eof => return Err(self.err(&format!("unclosed <{list}>"))),
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
                    self.check_start(&e)?;
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
    fn ttl_text_is_trimmed_of_xml_space_and_empty_is_invalid() {
        assert_eq!(xml_ttl(" \t\r\n60 ").unwrap(), Lifetime::Ttl(60));
        assert_eq!(xml_ttl("0").unwrap(), Lifetime::Ttl(0));
        assert_eq!(xml_ttl("-5").unwrap(), Lifetime::Ttl(-5));
        for bad in [
            "",
            " ",
            "\u{3000}60",
            "60\u{2028}",
            "060",
            "-060",
            "00",
            "1.5",
            "1e3",
            "+5",
            "abc",
            "-",
            "99999999999999999999",
        ] {
            assert_eq!(
                xml_ttl(bad).unwrap_err().code(),
                ErrorCode::InvalidTtl,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn line_ends_are_normalised_to_lf() {
        assert_eq!(normalize_line_ends("a\r\nb\rc\n\r\r\n"), "a\nb\nc\n\n\n");
        assert!(matches!(normalize_line_ends("a\nb"), Cow::Borrowed(_)));
    }
}
