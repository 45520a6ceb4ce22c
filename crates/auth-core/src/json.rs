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
