//! Strict JSON object reading shared by the header and claims decoders.
//!
//! serde_json already refuses NaN, comments, trailing data, bad escapes and nesting
//! deeper than 128 levels. What it does not refuse is a duplicate key, so the object
//! visitors here track every key they see ([`SeenKeys`]). Values are captured by
//! [`Loose`], which accepts any JSON value and remembers its kind, so that "wrong type"
//! (`invalid_claims`) can be told apart from "not JSON" (`malformed_token`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Str<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, with scalars kept and containers skipped (their kind remembered).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Loose<'de> {
    Null,
    /// `false` and `true` are two variants rather than `Bool(bool)`: no variant then has
    /// a one-byte field next to the tag, and moving a `Loose` (once per claim) is two
    /// plain word copies instead of an overlapping copy that defeats store forwarding.
    False,
    True,
    /// A non-negative JSON integer.
    UInt(u64),
    /// A negative JSON integer.
    NegInt,
    /// A number with a fraction or exponent, or outside the 64-bit range.
    Float,
    Str(Cow<'de, str>),
    /// An array of strings (only kept when every element is a string).
    StrArray(Vec<Cow<'de, str>>),
    /// An array with a non-string element.
    OtherArray,
    Object,
}

impl Loose<'_> {
    /// A short name of the JSON kind, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Loose::Null => "null",
            Loose::False | Loose::True => "a boolean",
            Loose::UInt(_) | Loose::NegInt => "an integer",
            Loose::Float => "a non-integer number",
            Loose::Str(_) => "a string",
            Loose::StrArray(_) | Loose::OtherArray => "an array",
            Loose::Object => "an object",
        }
    }
}

impl<'de> de::Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Loose<'de>, E> {
        Ok(if v { Loose::True } else { Loose::False })
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose<'de>, E> {
        Ok(Loose::UInt(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose<'de>, E> {
        Ok(if v >= 0 {
            Loose::UInt(v as u64)
        } else {
            Loose::NegInt
        })
    }
    fn visit_f64<E>(self, _: f64) -> Result<Loose<'de>, E> {
        Ok(Loose::Float)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose<'de>, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<'de>, A::Error> {
        let mut items = Vec::new();
        let mut all_str = true;
        while all_str {
            match seq.next_element_seed(StrOrSkip)? {
                None => break,
                Some(Some(s)) => items.push(s),
                Some(None) => all_str = false,
            }
        }
        while seq.next_element_seed(Skip(1))?.is_some() {}
        Ok(if all_str {
            Loose::StrArray(items)
        } else {
            Loose::OtherArray
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose<'de>, A::Error> {
        // Containers nested in values are skipped, but their keys still may not repeat.
        let mut seen = SeenKeys::default();
        while let Some(k) = map.next_key::<Str<'de>>()? {
            seen.insert_other(k.0).map_err(de::Error::custom)?;
            map.next_value_seed(Skip(1))?;
        }
        Ok(Loose::Object)
    }
}

/// Deepest nesting of arrays and objects accepted inside a header or claims object.
pub(crate) const MAX_DEPTH: u32 = 32;

/// Skips one JSON value of any kind, refusing nesting deeper than [`MAX_DEPTH`]
/// (serde_json's own limit does not apply to ignored values).
pub(crate) struct Skip(pub(crate) u32);

impl<'de> de::DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let depth = self.deeper()?;
        while seq.next_element_seed(Skip(depth))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = self.deeper()?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Skip(depth))?;
        }
        Ok(())
    }
}

impl Skip {
    fn deeper<E: de::Error>(&self) -> Result<u32, E> {
        if self.0 >= MAX_DEPTH {
            Err(E::custom("nesting too deep"))
        } else {
            Ok(self.0 + 1)
        }
    }
}

/// An array element: a string, or any other value skipped (`None`).
struct StrOrSkip;

impl<'de> de::DeserializeSeed<'de> for StrOrSkip {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrOrSkip {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Skip(1).visit_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Skip(1).visit_map(map).map(|()| None)
    }
}

/// Keys seen so far in one object, for duplicate detection.
///
/// Known keys are tracked by the caller with a bit each; other keys are kept in a
/// small vector while there are few (the usual case: no allocation at all), and in a
/// hash set past that, so that no key count makes the check quadratic.
#[derive(Default)]
pub(crate) struct SeenKeys<'de> {
    known: u64,
    other: Vec<Cow<'de, str>>,
    many: Option<std::collections::HashSet<Cow<'de, str>>>,
}

const SMALL_KEYS: usize = 8;

pub(crate) const DUPLICATE_KEY: &str = "duplicate key";

impl<'de> SeenKeys<'de> {
    /// Marks known key number `bit`; an error if it was seen before.
    pub(crate) fn insert_known(&mut self, bit: u32) -> Result<(), &'static str> {
        let mask = 1u64 << bit;
        if self.known & mask != 0 {
            return Err(DUPLICATE_KEY);
        }
        self.known |= mask;
        Ok(())
    }

    /// Records an unknown key; an error if it was seen before.
    pub(crate) fn insert_other(&mut self, key: Cow<'de, str>) -> Result<(), &'static str> {
        if let Some(set) = &mut self.many {
            return if set.insert(key) {
                Ok(())
            } else {
                Err(DUPLICATE_KEY)
            };
        }
        if self.other.contains(&key) {
            return Err(DUPLICATE_KEY);
        }
        self.other.push(key);
        if self.other.len() > SMALL_KEYS {
            self.many = Some(self.other.drain(..).collect());
        }
        Ok(())
    }
}

/// Reads the plainest form of a JSON object — no whitespace, no escapes, only strings,
/// non-negative integers, booleans and `null` as values — handing each member to
/// `member`, which may decline it by returning `false`.
///
/// This is a shortcut, never a judge: it returns `false` as soon as the text is anything
/// else, valid or not (whitespace, an escape, a negative or fractional or 20-digit
/// number, a nested value, a declined member, trailing data...), and the caller then
/// parses the text with serde_json, which decides. When it returns `true`, serde_json
/// would have read the same members as the same [`Loose`] values (borrowed strings,
/// `UInt`, `True`/`False`, `Null`). `text` must be the whole JSON text.
pub(crate) fn scan_plain_object<'de>(
    text: &'de str,
    mut member: impl FnMut(&'de str, Loose<'de>) -> bool,
) -> bool {
    let b = text.as_bytes();
    if b.first() != Some(&b'{') {
        return false;
    }
    if b.get(1) == Some(&b'}') {
        return b.len() == 2;
    }
    let mut i = 1;
    loop {
        let Some((key, after_key)) = plain_string(text, i) else {
            return false;
        };
        if b.get(after_key) != Some(&b':') {
            return false;
        }
        let Some((value, after_value)) = plain_value(text, after_key + 1) else {
            return false;
        };
        if !member(key, value) {
            return false;
        }
        match b.get(after_value) {
            Some(b',') => i = after_value + 1,
            Some(b'}') => return after_value + 1 == b.len(),
            _ => return false,
        }
    }
}

/// A string at `text[i]` with no escape and no control character: its contents and the
/// index after its closing quote.
fn plain_string(text: &str, i: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let end = start + string_stop(&b[start..])?;
    (b[end] == b'"').then(|| (&text[start..end], end + 1))
}

/// The index of the first `"`, `\\` or control character of `b`, if any. Eight bytes
/// at a time: the bytes of a little-endian word are tested together (see [`stop_bytes`]),
/// and the lowest flagged byte is the first one.
#[inline]
pub(crate) fn string_stop(b: &[u8]) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let found = stop_bytes(u64::from_le_bytes(word));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    // The tail, padded with a byte that is not a stop.
    let rest = chunks.remainder();
    let mut word = [b'a'; 8];
    word[..rest.len()].copy_from_slice(rest);
    let found = stop_bytes(u64::from_le_bytes(word));
    (found != 0).then(|| at + found.trailing_zeros() as usize / 8)
}

/// The high bit of each byte of `w` that is `"`, `\\` or below 0x20 — exact for the
/// lowest such byte; a byte above it may be flagged falsely (a borrow), so only the
/// lowest flag is read. Bytes of 0x80 and above are never flagged (`!x` clears their bit).
#[inline]
fn stop_bytes(w: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    ((quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (w.wrapping_sub(ONES * 0x20) & !w))
        & HIGH
}

/// A plain value at `text[i]` and the index after it.
fn plain_value(text: &str, i: usize) -> Option<(Loose<'_>, usize)> {
    let b = text.as_bytes();
    let rest = &b[i.min(b.len())..];
    match *rest.first()? {
        b'"' => plain_string(text, i).map(|(s, end)| (Loose::Str(Cow::Borrowed(s)), end)),
        b't' if rest.starts_with(b"true") => Some((Loose::True, i + 4)),
        b'f' if rest.starts_with(b"false") => Some((Loose::False, i + 5)),
        b'n' if rest.starts_with(b"null") => Some((Loose::Null, i + 4)),
        // A leading zero is only followed by `,` or `}` in valid JSON; anything else
        // makes the caller's next check fail.
        b'0' => Some((Loose::UInt(0), i + 1)),
        b'1'..=b'9' => {
            // Up to 19 digits always fits a u64; longer numbers are left to serde_json.
            let mut v = 0u64;
            for (digits, &c) in rest.iter().enumerate() {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    return Some((Loose::UInt(v), i + digits));
                }
                if digits == 19 {
                    return None;
                }
                v = v * 10 + u64::from(d);
            }
            Some((Loose::UInt(v), i + rest.len()))
        }
        _ => None,
    }
}

/// Parses `bytes` as exactly one JSON value read by `read`, with nothing but
/// whitespace after it.
pub(crate) fn parse_strict<'de, T, F>(bytes: &'de [u8], read: F) -> Result<T, serde_json::Error>
where
    F: FnOnce(
        &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
    ) -> Result<T, serde_json::Error>,
{
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = read(&mut de)?;
    de.end()?;
    Ok(v)
}

/// [`parse_strict`] for text already checked to be UTF-8 (the token's header and
/// claims): serde_json's `str` reader then skips re-validating every string it reads.
pub(crate) fn parse_strict_str<'de, T, F>(text: &'de str, read: F) -> Result<T, serde_json::Error>
where
    F: FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
    ) -> Result<T, serde_json::Error>,
{
    let mut de = serde_json::Deserializer::from_str(text);
    let v = read(&mut de)?;
    de.end()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The members `scan_plain_object` reads, as JSON, if it reads the text at all.
    fn scanned(text: &str) -> Option<Value> {
        let mut out = serde_json::Map::new();
        let plain = scan_plain_object(text, |k, v| {
            let v = match v {
                Loose::Str(s) => Value::from(s.into_owned()),
                Loose::UInt(n) => Value::from(n),
                Loose::True => Value::Bool(true),
                Loose::False => Value::Bool(false),
                Loose::Null => Value::Null,
                other => panic!("not a plain value: {other:?}"),
            };
            out.insert(k.to_owned(), v).is_none()
        });
        plain.then_some(Value::Object(out))
    }

    #[test]
    fn string_stop_finds_the_first_stop_byte() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let fillers = [b'a', 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff];
        for len in 0..20 {
            for at in 0..=len {
                for stop in [b'"', b'\\', 0x00, 0x1f, 0x0a, b'x'] {
                    for &f in &fillers {
                        let mut b = vec![f; len];
                        if at < len {
                            b[at] = stop;
                        }
                        assert_eq!(string_stop(&b), naive(&b), "{b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn plain_objects_are_read_like_serde_json_reads_them() {
        for text in [
            r#"{}"#,
            r#"{"a":1}"#,
            r#"{"type":"user","id":0,"name":"Zoë","admin":false,"sms_from":null,"iat":18446744073709551}"#,
            r#"{"a":true,"b":"","c":9999999999999999999}"#,
        ] {
            let want: Value = serde_json::from_str(text).unwrap();
            assert_eq!(scanned(text), Some(want), "{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_serde_json() {
        for text in [
            "",
            "{",
            "{}}",
            "{} ",
            " {}",
            "[]",
            r#"{"a":1,}"#,
            r#"{"a":1 }"#,
            r#"{"a" :1}"#,
            r#"{"a":01}"#,
            r#"{"a":-1}"#,
            r#"{"a":1.0}"#,
            r#"{"a":1e3}"#,
            r#"{"a":18446744073709551615}"#,
            r#"{"a":"\n"}"#,
            "{\"a\":\"\t\"}",
            r#"{"a":"x","a":"y"}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":nul}"#,
            r#"{"a":[]}"#,
            r#"{"a":{}}"#,
            r#"{"a\u0062":1}"#,
            r#"{"a":1}x"#,
            r#"{a:1}"#,
        ] {
            assert_eq!(scanned(text), None, "{text}");
        }
    }

    #[test]
    fn damaged_plain_objects_are_never_misread() {
        // Every one-byte change of a plain object: whatever the shortcut still reads,
        // serde_json must read identically.
        let base = r#"{"type":"user","id":12,"name":"al","admin":true,"x":null,"n":0}"#;
        let replacements = b" \t\"\\:,{}[]0123456789-+.eEtrufalsn\x01\x7f";
        for i in 0..base.len() {
            for &r in replacements {
                let mut bytes = base.as_bytes().to_vec();
                bytes[i] = r;
                let Ok(text) = std::str::from_utf8(&bytes) else {
                    continue;
                };
                if let Some(got) = scanned(text) {
                    let want: Value = serde_json::from_str(text)
                        .unwrap_or_else(|e| panic!("shortcut read invalid JSON {text}: {e}"));
                    assert_eq!(got, want, "{text}");
                }
            }
        }
    }
}
