//! Content negotiation: which body format a `Content-Type` or `Accept` value asks for.

/// A body format of the token API (JSON or XML).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// `application/json` (the default).
    #[default]
    Json,
    /// `application/xml` or `text/xml`.
    Xml,
}

impl Format {
    /// The format a `Content-Type` or `Accept` header value asks for, or `None` if it names
    /// neither JSON nor XML (the host answers 415/406, or uses the default [`Format::Json`]
    /// when the header is absent).
    ///
    /// Recognized media types (case-insensitive, parameters such as `charset` allowed):
    /// `application/json` → JSON; `application/xml`, `text/xml` → XML; the wildcards `*/*`
    /// and `application/*` → JSON, `text/*` → XML. An `Accept` list is read with its `q`
    /// weights: the highest weight wins, an exact type beats a wildcard of the same weight,
    /// then the earlier entry; `q=0` excludes an entry, and an entry whose `q` is not a
    /// number in `0..=1` is ignored.
    ///
    /// ```
    /// use auth_core::Format;
    /// assert_eq!(Format::from_media_type("application/json; charset=utf-8"), Some(Format::Json));
    /// assert_eq!(Format::from_media_type("text/xml"), Some(Format::Xml));
    /// assert_eq!(Format::from_media_type("application/json;q=0.5, application/xml"), Some(Format::Xml));
    /// assert_eq!(Format::from_media_type("*/*"), Some(Format::Json));
    /// assert_eq!(Format::from_media_type("text/html"), None);
    /// ```
    pub fn from_media_type(value: &str) -> Option<Format> {
        // (weight in thousandths, exact type, -index) → format; the largest key wins.
        let mut best: Option<((u16, bool, i64), Format)> = None;
        for (index, range) in value.split(',').enumerate() {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let (format, exact) = match media.as_str() {
                "application/json" => (Format::Json, true),
                "application/xml" | "text/xml" => (Format::Xml, true),
                "*/*" | "application/*" => (Format::Json, false),
                "text/*" => (Format::Xml, false),
                _ => continue,
            };
            let mut weight = Some(1000u16);
            for param in parts {
                let Some((k, v)) = param.split_once('=') else {
                    continue;
                };
                if k.trim().eq_ignore_ascii_case("q") {
                    weight = parse_qvalue(v.trim());
                }
            }
            let Some(weight) = weight.filter(|&w| w > 0) else {
                continue;
            };
            let key = (weight, exact, -(index as i64));
            if best.is_none_or(|(k, _)| key > k) {
                best = Some((key, format));
            }
        }
        best.map(|(_, f)| f)
    }

    /// The media type to answer with: `application/json` or `application/xml`.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }
}

/// An HTTP `qvalue` (`0`, `1`, `0.5`, `1.000`, at most three decimals) in thousandths.
fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    let w = whole + thousandths;
    (w <= 1000).then_some(w)
}
