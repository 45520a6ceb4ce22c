//! Any JSON value, read strictly: no duplicate key at any depth, nesting bounded by
//! [`MAX_DEPTH`](crate::json::MAX_DEPTH). Used for custom claims and for JWK Sets.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::json::{DUPLICATE_KEY, MAX_DEPTH};

/// A seed that reads one JSON value at nesting `depth` (the outermost value is at 1).
#[derive(Clone, Copy)]
pub(crate) struct StrictValue(pub(crate) u32);

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl StrictValue {
    fn deeper<E: de::Error>(self) -> Result<StrictValue, E> {
        if self.0 >= MAX_DEPTH {
            Err(E::custom("nesting is too deep"))
        } else {
            Ok(StrictValue(self.0 + 1))
        }
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.deeper()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.deeper()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(inner)?;
            if out.insert(key, v).is_some() {
                return Err(de::Error::custom(DUPLICATE_KEY));
            }
        }
        Ok(Value::Object(out))
    }
}

/// Parses `text` as one strict JSON value (nothing after it).
pub(crate) fn parse_strict_value(text: &str) -> Result<Value, serde_json::Error> {
    crate::json::parse_strict_str(text, |de| StrictValue(1).deserialize(de))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_depth_are_refused_at_any_level() {
        assert!(parse_strict_value(r#"{"a":{"b":[1,{"c":2}]}}"#).is_ok());
        for bad in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"b":1}}"#,
            r#"[{"x":1,"\u0078":2}]"#,
            r#"{"a":1} x"#,
        ] {
            assert!(parse_strict_value(bad).is_err(), "{bad}");
        }
        // The same bound as the claims decoder's: 31 nested containers.
        let deep = format!("{}{}", "[".repeat(32), "]".repeat(32));
        assert!(parse_strict_value(&deep).is_err());
        let ok = format!("{}{}", "[".repeat(31), "]".repeat(31));
        assert!(parse_strict_value(&ok).is_ok());
    }
}
