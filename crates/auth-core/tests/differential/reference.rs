//! The reference verifier: docs/ (token format, keys, TTL, IP rules) written plainly on `jsonwebtoken`, the `base64`
//! crate and `serde_json`, with strict object reading (see the module docs).

use std::net::IpAddr;

use auth_core::*;
use base64::Engine as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{json, Map, Value};

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

// ---------------------------------------------------------------------------------
// Key rings, as specs both verifiers are built from
// ---------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct RefKey {
    pub kid: String,
    pub alg: Algorithm,
    pub secret: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct RefRing {
    pub keys: Vec<RefKey>,
    pub default_kid: Option<String>,
}

impl RefRing {
    pub fn ring(&self) -> KeyRing {
        let mut ring = KeyRing::new();
        for k in &self.keys {
            ring.add(Key::new(&k.kid, k.alg, &k.secret).unwrap())
                .unwrap();
        }
        ring.set_default_kid(self.default_kid.as_deref()).unwrap();
        ring
    }

    /// docs/keys.md: by `kid`; without one, the only key or the configured default.
    pub fn resolve(&self, kid: Option<&str>) -> Option<&RefKey> {
        match kid {
            Some(kid) => self.keys.iter().find(|k| k.kid == kid),
            None if self.keys.len() == 1 => self.keys.first(),
            None => {
                let d = self.default_kid.as_deref()?;
                self.keys.iter().find(|k| k.kid == d)
            }
        }
    }
}

pub fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
    match alg {
        Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
        Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
        Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
        Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        Algorithm::ES384 => jsonwebtoken::Algorithm::ES384,
        Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        Algorithm::RS384 => jsonwebtoken::Algorithm::RS384,
        Algorithm::RS512 => jsonwebtoken::Algorithm::RS512,
        Algorithm::PS256 => jsonwebtoken::Algorithm::PS256,
        Algorithm::PS384 => jsonwebtoken::Algorithm::PS384,
        Algorithm::PS512 => jsonwebtoken::Algorithm::PS512,
        // jsonwebtoken has no ES512.
        Algorithm::ES512 => unreachable!("jsonwebtoken does not implement ES512"),
    }
}

// ---------------------------------------------------------------------------------
// Strict JSON objects: serde_json, plus duplicate keys refused
// ---------------------------------------------------------------------------------

/// Reads one JSON object with unique keys. The values of the keys in `interpreted`
/// that are objects must have unique keys too (Chosen: see the module docs).
struct UniqueObject {
    interpreted: &'static [&'static str],
    /// Whether the other members' values must have unique keys at every depth too
    /// (claims: they are kept as custom claims; header parameters are only skipped).
    deep_others: bool,
}

impl<'de> DeserializeSeed<'de> for UniqueObject {
    type Value = Map<String, Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for UniqueObject {
    type Value = Map<String, Value>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom("duplicate key"));
            }
            let value = if self.interpreted.contains(&key.as_str()) {
                map.next_value_seed(ValueWithUniqueTopKeys)?
            } else if self.deep_others {
                map.next_value_seed(UniqueDeep)?
            } else {
                map.next_value::<Value>()?
            };
            out.insert(key, value);
        }
        Ok(out)
    }
}

/// Any JSON value; if it is an object, its own keys must be unique.
struct ValueWithUniqueTopKeys;

impl<'de> DeserializeSeed<'de> for ValueWithUniqueTopKeys {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueWithUniqueTopKeys {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        UniqueObject {
            interpreted: &[],
            deep_others: false,
        }
        .visit_map(map)
        .map(Value::Object)
    }
}

/// Any JSON value with unique keys in every object at every depth.
struct UniqueDeep;

impl<'de> DeserializeSeed<'de> for UniqueDeep {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueDeep {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(UniqueDeep)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(UniqueDeep)?;
            if out.insert(key, v).is_some() {
                return Err(de::Error::custom("duplicate key"));
            }
        }
        Ok(Value::Object(out))
    }
}

/// Deepest nesting the reference accepts (the verifier's bound; see the module docs).
const MAX_DEPTH: usize = 32;

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// docs/keys.md: UTF-8 JSON, one object, unique keys, no trailing data, bounded depth.
fn strict_object(bytes: &[u8], interpreted: &'static [&'static str]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let map = UniqueObject {
        interpreted,
        deep_others: interpreted == CLAIMS,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    let deepest = map.values().map(depth).max().unwrap_or(0);
    (deepest < MAX_DEPTH).then_some(map)
}

/// docs/keys.md: base64url, no padding, canonical (re-encoding gives the same text).
fn canonical_b64(seg: &str) -> Option<Vec<u8>> {
    let bytes = B64.decode(seg).ok()?;
    (B64.encode(&bytes) == seg).then_some(bytes)
}

// ---------------------------------------------------------------------------------
// The reference verifier
// ---------------------------------------------------------------------------------

const HEADER_PARAMS: &[&str] = &["alg", "kid", "typ"];
pub const CLAIMS: &[&str] = &[
    "type",
    "id",
    "name",
    "admin",
    "sms_from",
    "user_group_id",
    "iat",
    "exp",
    "nbf",
    "jti",
    "token_name",
    "allowed_ips",
    "parent",
    "aud",
    "iss",
];

/// docs/keys.md: the largest NumericDate or id, 2^53 − 1.
const MAX_SAFE: u64 = (1 << 53) - 1;

pub type Verdict = Result<Value, &'static str>;

fn is_b64url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

pub fn reference_verify(
    ring: &RefRing,
    token: &[u8],
    now: u64,
    options: &VerifyOptions,
    client_ip: Option<IpAddr>,
) -> Verdict {
    if token.len() > options.max_token_size {
        return Err("token_too_large");
    }
    let text = std::str::from_utf8(token).map_err(|_| "malformed_token")?;
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| !p.chars().all(is_b64url_char)) {
        return Err("malformed_token");
    }
    if parts[0].is_empty() || parts[1].is_empty() {
        return Err("malformed_token");
    }

    // Header.
    let header_bytes = canonical_b64(parts[0]).ok_or("malformed_token")?;
    let header = strict_object(&header_bytes, HEADER_PARAMS).ok_or("malformed_token")?;
    let alg = match header.get("alg") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err("malformed_token"),
    };
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("malformed_token"),
    };
    if UNSUPPORTED_HEADERS.iter().any(|h| header.contains_key(*h)) {
        return Err("unsupported_header");
    }
    match header.get("typ") {
        None => {}
        Some(Value::String(t)) if t.eq_ignore_ascii_case("JWT") => {}
        Some(_) => return Err("unsupported_header"),
    }
    if alg.eq_ignore_ascii_case("none") {
        return Err("algorithm_not_allowed");
    }
    let key = ring.resolve(kid.as_deref()).ok_or("unknown_key")?;
    if alg != key.alg.as_str() {
        return Err("algorithm_not_allowed");
    }

    // Signature, by jsonwebtoken (Chosen: an over-long segment is not decoded).
    let signing_input = &text[..parts[0].len() + 1 + parts[1].len()];
    if parts[2].len() >= 88 {
        return Err("bad_signature");
    }
    let jwt_key = jsonwebtoken::DecodingKey::from_secret(&key.secret);
    let mac_ok = match jsonwebtoken::crypto::verify(
        parts[2],
        signing_input.as_bytes(),
        &jwt_key,
        jwt_alg(key.alg),
    ) {
        Ok(ok) => ok,
        Err(e) => {
            assert!(
                matches!(e.kind(), jsonwebtoken::errors::ErrorKind::Base64(_)),
                "unexpected jsonwebtoken error {e:?}"
            );
            assert!(canonical_b64(parts[2]).is_none());
            return Err("malformed_token");
        }
    };
    // jsonwebtoken's decoder must agree with the canonical check.
    assert!(canonical_b64(parts[2]).is_some(), "{}", parts[2]);
    if !mac_ok {
        return Err("bad_signature");
    }

    // Claims.
    let payload = canonical_b64(parts[1]).ok_or("malformed_token")?;
    let claims = strict_object(&payload, CLAIMS).ok_or("malformed_token")?;
    let normalized = reference_claims(&claims).ok_or("invalid_claims")?;

    // RFC 7519 §4.1.3: a token naming an audience needs a verifier of that audience;
    // §4.1.1 with docs/keys.md: a configured issuer must be present and equal.
    if let Some(aud) = normalized.get("aud") {
        let named: Vec<&str> = match aud {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap()).collect(),
            _ => unreachable!(),
        };
        if !named
            .iter()
            .any(|n| options.audiences.iter().any(|a| a == n))
        {
            return Err("invalid_claims");
        }
    }
    if let Some(want) = &options.issuer {
        if normalized.get("iss").and_then(Value::as_str) != Some(want.as_str()) {
            return Err("invalid_claims");
        }
    }

    // docs/ttl.md, in wide integers.
    let (now, leeway) = (u128::from(now), u128::from(options.leeway));
    if let Some(exp) = claims.get("exp").and_then(Value::as_u64) {
        if now >= u128::from(exp) + leeway {
            return Err("token_expired");
        }
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_u64) {
        if now + leeway < u128::from(nbf) {
            return Err("token_not_yet_valid");
        }
    }
    let iat = claims["iat"].as_u64().unwrap();
    if u128::from(iat) > now + u128::from(options.max_clock_skew) {
        return Err("issued_in_future");
    }

    // docs/ip-rules.md.
    if let Some(Value::Array(rules)) = normalized.get("allowed_ips") {
        let ip = client_ip.ok_or("ip_not_allowed")?;
        let ip = normalize_addr(ip);
        let allowed = rules
            .iter()
            .any(|r| IpRule::parse(r.as_str().unwrap()).unwrap().contains(ip));
        if !allowed {
            return Err("ip_not_allowed");
        }
    }
    Ok(normalized)
}

/// docs/token-format.md: the claim types, rendered in the shape `Claims::to_json` has (other
/// claims kept as custom claims, optional user claims as null, rules in canonical text).
fn reference_claims(c: &Map<String, Value>) -> Option<Value> {
    let uint = |name: &str| {
        c.get(name)
            .and_then(Value::as_u64)
            .filter(|&v| v <= MAX_SAFE)
    };
    let safe = |v: &Value| v.as_u64().filter(|&v| v <= MAX_SAFE);
    let string = |name: &str| c.get(name).and_then(Value::as_str);
    let chars_within = |s: &str, max: usize| (1..=max).contains(&s.chars().count());

    let kind = string("type")?;
    let mut out = Map::new();
    out.insert("type".into(), json!(kind));
    out.insert("id".into(), json!(uint("id")?));
    out.insert("name".into(), json!(string("name")?));
    match kind {
        "user" => {
            out.insert("admin".into(), json!(c.get("admin")?.as_bool()?));
            let sms_from = match c.get("sms_from") {
                None | Some(Value::Null) => Value::Null,
                Some(Value::String(s)) => json!(s),
                Some(_) => return None,
            };
            out.insert("sms_from".into(), sms_from);
            let group = match c.get("user_group_id") {
                None | Some(Value::Null) => Value::Null,
                Some(v) => json!(safe(v)?),
            };
            out.insert("user_group_id".into(), group);
        }
        "reseller" => {}
        _ => return None,
    }
    out.insert("iat".into(), json!(uint("iat")?));
    for name in ["exp", "nbf"] {
        if let Some(v) = c.get(name) {
            out.insert(name.into(), json!(safe(v)?));
        }
    }
    let jti = string("jti")?;
    if !chars_within(jti, 128) {
        return None;
    }
    out.insert("jti".into(), json!(jti));
    if let Some(v) = c.get("token_name") {
        let name = v.as_str()?;
        if !chars_within(name, 255) {
            return None;
        }
        out.insert("token_name".into(), json!(name));
    }
    if let Some(v) = c.get("allowed_ips") {
        let mut rules = Vec::new();
        for r in v.as_array()? {
            rules.push(json!(IpRule::parse(r.as_str()?).ok()?.to_string()));
        }
        out.insert("allowed_ips".into(), Value::Array(rules));
    }
    if let Some(v) = c.get("parent") {
        let p = v.as_object()?;
        let kind = p.get("type")?.as_str()?;
        if kind != "user" && kind != "reseller" {
            return None;
        }
        out.insert(
            "parent".into(),
            json!({"type": kind, "id": safe(p.get("id")?)?}),
        );
    }
    // aud: a string or an array of strings, given back as a string when it names one
    // audience (either form), as an array otherwise; iss: a string.
    if let Some(v) = c.get("aud") {
        let aud = match v {
            Value::String(s) => json!(s),
            Value::Array(a) => {
                let names = a
                    .iter()
                    .map(|x| x.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()?;
                if names.len() == 1 {
                    json!(names[0])
                } else {
                    json!(names)
                }
            }
            _ => return None,
        };
        out.insert("aud".into(), aud);
    }
    if let Some(v) = c.get("iss") {
        out.insert("iss".into(), json!(v.as_str()?));
    }
    for (name, v) in c {
        if !CLAIMS.contains(&name.as_str()) {
            out.insert(name.clone(), v.clone());
        }
    }
    Some(Value::Object(out))
}
