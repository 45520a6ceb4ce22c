//! Differential test of the verifier against an independent reference.
//!
//! The verifier parses JWS and checks the HMAC itself (for speed). This file holds a
//! second verifier, written plainly from SPEC §2–§5 on top of `jsonwebtoken` (the MAC,
//! through its `rust_crypto` provider chosen explicitly), the `base64` crate's standard
//! engine with a decode/re-encode equality check for canonical encoding, and
//! `serde_json` with a duplicate-refusing object reader. Both verifiers get the same
//! inputs: every case of `tests/vectors/tokens.json` and a few thousand generated
//! tokens (byte mutations, and re-signed mutations of header and claims JSON so that
//! the signature is valid and the strict parsing is what decides). They must agree on
//! accept/reject, on the error code, and on the claims when both accept.
//!
//! Where the reference is written to match a choice the SPEC leaves open, it says so
//! (search for "Chosen"):
//! - duplicate keys are refused in the header and claims objects and in every object
//!   the verifier interprets (the value of a known header parameter or claim, e.g.
//!   `parent`); objects inside ignored values are only required to be JSON;
//! - nesting is bounded: the generator uses depths well inside (≤ 8) or well beyond
//!   (≥ 40) the verifier's limit of 32 levels, which counts slightly differently for
//!   known and ignored values;
//! - a signature segment of 88 characters or more is longer than any MAC's encoding and
//!   is a `bad_signature` without being decoded.

use std::net::IpAddr;
use std::path::PathBuf;

use auth_core::*;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{json, Map, Value};
use sha2::{Sha256, Sha384, Sha512};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

// ---------------------------------------------------------------------------------
// Key rings, as specs both verifiers are built from
// ---------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct RefKey {
    kid: String,
    alg: Algorithm,
    secret: Vec<u8>,
}

#[derive(Clone, Debug)]
struct RefRing {
    keys: Vec<RefKey>,
    default_kid: Option<String>,
}

impl RefRing {
    fn ring(&self) -> KeyRing {
        let mut ring = KeyRing::new();
        for k in &self.keys {
            ring.add(Key::new(&k.kid, k.alg, &k.secret).unwrap())
                .unwrap();
        }
        ring.set_default_kid(self.default_kid.as_deref()).unwrap();
        ring
    }

    /// SPEC §3: by `kid`; without one, the only key or the configured default.
    fn resolve(&self, kid: Option<&str>) -> Option<&RefKey> {
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

fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
    match alg {
        Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
        Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
        Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
    }
}

// ---------------------------------------------------------------------------------
// Strict JSON objects: serde_json, plus duplicate keys refused
// ---------------------------------------------------------------------------------

/// Reads one JSON object with unique keys. The values of the keys in `interpreted`
/// that are objects must have unique keys too (Chosen: see the module docs).
struct UniqueObject {
    interpreted: &'static [&'static str],
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
        UniqueObject { interpreted: &[] }
            .visit_map(map)
            .map(Value::Object)
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

/// SPEC §3: UTF-8 JSON, one object, unique keys, no trailing data, bounded depth.
fn strict_object(bytes: &[u8], interpreted: &'static [&'static str]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let map = UniqueObject { interpreted }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let deepest = map.values().map(depth).max().unwrap_or(0);
    (deepest < MAX_DEPTH).then_some(map)
}

/// SPEC §3: base64url, no padding, canonical (re-encoding gives the same text).
fn canonical_b64(seg: &str) -> Option<Vec<u8>> {
    let bytes = B64.decode(seg).ok()?;
    (B64.encode(&bytes) == seg).then_some(bytes)
}

// ---------------------------------------------------------------------------------
// The reference verifier
// ---------------------------------------------------------------------------------

const HEADER_PARAMS: &[&str] = &["alg", "kid", "typ"];
const CLAIMS: &[&str] = &[
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
];

type Verdict = Result<Value, &'static str>;

fn is_b64url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn reference_verify(
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

    // SPEC §4, in wide integers.
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

    // SPEC §5.
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

/// SPEC §2: the claim types, rendered in the shape `Claims::to_json` has (unknown
/// claims dropped, optional user claims as null, rules in canonical text).
fn reference_claims(c: &Map<String, Value>) -> Option<Value> {
    let uint = |name: &str| c.get(name).and_then(Value::as_u64);
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
                Some(v) => json!(v.as_u64()?),
            };
            out.insert("user_group_id".into(), group);
        }
        "reseller" => {}
        _ => return None,
    }
    out.insert("iat".into(), json!(uint("iat")?));
    for name in ["exp", "nbf"] {
        if let Some(v) = c.get(name) {
            out.insert(name.into(), json!(v.as_u64()?));
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
            json!({"type": kind, "id": p.get("id")?.as_u64()?}),
        );
    }
    Some(Value::Object(out))
}

// ---------------------------------------------------------------------------------
// Running both
// ---------------------------------------------------------------------------------

struct Case {
    ring: RefRing,
    token: Vec<u8>,
    now: u64,
    options: VerifyOptions,
    client_ip: Option<IpAddr>,
    what: String,
}

#[derive(Default)]
struct Tally {
    accepted: usize,
    rejected: std::collections::BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn run(&mut self, case: &Case) {
        let ring = case.ring.ring();
        let verifier = Verifier::with_options(ring, case.options);
        let req = VerifyRequest {
            now: Some(case.now),
            client_ip: case.client_ip,
            revocation: None,
        };
        let ours = verifier.verify_with(&case.token, &req);
        let theirs = reference_verify(
            &case.ring,
            &case.token,
            case.now,
            &case.options,
            case.client_ip,
        );
        let shown = || String::from_utf8_lossy(&case.token).into_owned();
        match (&ours, &theirs) {
            (Ok(claims), Ok(want)) => {
                if &claims.to_json_value() != want {
                    self.failures.push(format!(
                        "{}: claims differ\n  ours {}\n  ref  {}\n  token {}",
                        case.what,
                        claims.to_json_value(),
                        want,
                        shown()
                    ));
                } else {
                    self.accepted += 1;
                    cross_check_jsonwebtoken(case, want);
                }
            }
            (Err(e), Err(code)) if e.code().as_str() == *code => {
                *self.rejected.entry(code).or_default() += 1;
            }
            _ => self.failures.push(format!(
                "{}: ours {:?}, reference {:?}\n  token {}",
                case.what,
                ours.as_ref()
                    .map(|c| c.to_json())
                    .map_err(|e| e.to_string()),
                theirs,
                shown()
            )),
        }
    }

    fn assert_clean(&self, min_accepted: usize, min_rejected: usize) {
        assert!(
            self.failures.is_empty(),
            "{} disagreements:\n{}",
            self.failures.len(),
            self.failures[..self.failures.len().min(20)].join("\n")
        );
        let rejected: usize = self.rejected.values().sum();
        assert!(
            self.accepted >= min_accepted && rejected >= min_rejected,
            "too few cases: {} accepted, {:?} rejected",
            self.accepted,
            self.rejected
        );
    }
}

/// When both accept, `jsonwebtoken::decode` itself (not only its MAC) must accept the
/// token too and read the same JSON, whenever its own `Header` type can represent the
/// header (it refuses some extra parameters that SPEC §2 tells us to ignore).
fn cross_check_jsonwebtoken(case: &Case, want: &Value) {
    let token = std::str::from_utf8(&case.token).unwrap();
    if jsonwebtoken::decode_header(token).is_err() {
        return;
    }
    let kid = jsonwebtoken::decode_header(token).unwrap().kid;
    let key = case.ring.resolve(kid.as_deref()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jwt_alg(key.alg));
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(&key.secret),
        &validation,
    )
    .unwrap_or_else(|e| panic!("{}: jsonwebtoken refused an accepted token: {e}", case.what));
    for (name, value) in want.as_object().unwrap() {
        if matches!(name.as_str(), "allowed_ips" | "sms_from" | "user_group_id") {
            continue; // normalized by both verifiers
        }
        assert_eq!(&data.claims[name], value, "{}: claim {name}", case.what);
    }
}

// ---------------------------------------------------------------------------------
// The shared vectors
// ---------------------------------------------------------------------------------

fn load_vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/tokens.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ring_from_vector(spec: &Value) -> RefRing {
    RefRing {
        keys: spec["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| RefKey {
                kid: k["kid"].as_str().unwrap().into(),
                alg: Algorithm::parse(k["alg"].as_str().unwrap()).unwrap(),
                secret: B64.decode(k["secret"].as_str().unwrap()).unwrap(),
            })
            .collect(),
        default_kid: spec["default_kid"].as_str().map(str::to_owned),
    }
}

#[test]
fn reference_agrees_on_every_token_vector() {
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .ok();
    let v = load_vectors();
    let mut tally = Tally::default();
    for c in v["cases"].as_array().unwrap() {
        let mut options = VerifyOptions::default();
        if let Some(o) = c.get("options") {
            options.leeway = o["leeway"].as_u64().unwrap_or(options.leeway);
            options.max_clock_skew = o["max_clock_skew"]
                .as_u64()
                .unwrap_or(options.max_clock_skew);
            options.max_token_size = o["max_token_size"]
                .as_u64()
                .map_or(options.max_token_size, |x| x as usize);
        }
        // Revocation cases are compared on their verdict before revocation.
        tally.run(&Case {
            ring: ring_from_vector(&v["rings"][c["ring"].as_str().unwrap()]),
            token: c["token"].as_str().unwrap().as_bytes().to_vec(),
            now: c["now"].as_u64().unwrap(),
            options,
            client_ip: c["client_ip"]
                .as_str()
                .map(|ip| parse_client_ip(ip).unwrap()),
            what: format!("vector {:?}", c["name"].as_str().unwrap()),
        });
    }
    tally.assert_clean(30, 100);
}

// ---------------------------------------------------------------------------------
// Generated tokens
// ---------------------------------------------------------------------------------

/// SplitMix64: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.next() % one_in == 0
    }
}

const NOW: u64 = 1_700_000_000;

fn rings() -> Vec<RefRing> {
    let key = |kid: &str, alg, fill: u8, len: usize| RefKey {
        kid: kid.into(),
        alg,
        secret: vec![fill; len],
    };
    let three = vec![
        key("k1", Algorithm::HS256, 1, 32),
        key("k2", Algorithm::HS384, 2, 48),
        key("k3", Algorithm::HS512, 3, 64),
    ];
    vec![
        RefRing {
            keys: vec![key("k1", Algorithm::HS256, 1, 32)],
            default_kid: None,
        },
        RefRing {
            keys: three.clone(),
            default_kid: None,
        },
        RefRing {
            keys: three,
            default_kid: Some("k2".into()),
        },
    ]
}

fn mac(alg: Algorithm, secret: &[u8], msg: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(secret: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as Mac>::new_from_slice(secret).unwrap();
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    match alg {
        Algorithm::HS256 => run::<Hmac<Sha256>>(secret, msg),
        Algorithm::HS384 => run::<Hmac<Sha384>>(secret, msg),
        Algorithm::HS512 => run::<Hmac<Sha512>>(secret, msg),
    }
}

/// A token from header and claims JSON text, signed with `key` (or not at all).
fn assemble(header: &[u8], claims: &[u8], key: Option<&RefKey>) -> Vec<u8> {
    let mut t = format!("{}.{}", B64.encode(header), B64.encode(claims));
    let sig = key.map_or_else(Vec::new, |k| mac(k.alg, &k.secret, t.as_bytes()));
    t.push('.');
    t.push_str(&B64.encode(sig));
    t.into_bytes()
}

/// A valid claims object of a random shape.
fn base_claims(rng: &mut Rng) -> Map<String, Value> {
    let mut c = Map::new();
    if rng.chance(2) {
        c.insert("type".into(), json!("user"));
        c.insert("admin".into(), json!(rng.chance(2)));
        match rng.below(3) {
            0 => {}
            1 => {
                c.insert("sms_from".into(), Value::Null);
            }
            _ => {
                c.insert("sms_from".into(), json!("ACME"));
            }
        }
        match rng.below(3) {
            0 => {}
            1 => {
                c.insert("user_group_id".into(), Value::Null);
            }
            _ => {
                c.insert("user_group_id".into(), json!(rng.below(1000)));
            }
        }
    } else {
        c.insert("type".into(), json!("reseller"));
    }
    c.insert("id".into(), json!(rng.below(100_000)));
    c.insert(
        "name".into(),
        json!(*rng.pick(&["alice", "Zoë \"Z\" Ünal", "r\u{e9}seller", ""])),
    );
    let iat = NOW - rng.below(1000) as u64;
    c.insert("iat".into(), json!(iat));
    if !rng.chance(4) {
        c.insert("exp".into(), json!(iat + 86_400));
    }
    if rng.chance(4) {
        c.insert("nbf".into(), json!(iat));
    }
    c.insert(
        "jti".into(),
        json!(*rng.pick(&["q5yJ0nN2B1xS8mVw4TzEaQ", "2", "token-\u{1F600}"])),
    );
    if rng.chance(3) {
        c.insert("token_name".into(), json!("Best token ever"));
    }
    if rng.chance(3) {
        c.insert(
            "allowed_ips".into(),
            json!(["192.168.2.0/24", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"]),
        );
    }
    if rng.chance(4) {
        c.insert("parent".into(), json!({"type": "reseller", "id": 1}));
    }
    if rng.chance(4) {
        c.insert("custom".into(), json!({"nested": [1, 2, {"a": null}]}));
    }
    c
}

/// Values of every JSON kind, including the ones a strict reader must tell apart.
fn odd_value(rng: &mut Rng) -> Value {
    let texts = [
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1.0",
        "1e3",
        "-0",
        "18446744073709551615",
        "18446744073709551616",
        "\"\"",
        "\"user\"",
        "\"User\"",
        "\"reseller\"",
        "\"x\"",
        "[]",
        "[\"10.0.0.0/8\"]",
        "[\"10.0.0.1/8\"]",
        "[\"::ffff:10.0.0.1\"]",
        "[1]",
        "{}",
        "{\"type\":\"user\",\"id\":3}",
        "{\"type\":\"admin\",\"id\":3}",
        "{\"type\":\"user\",\"id\":-3}",
    ];
    let text: &str = texts[rng.below(texts.len())];
    serde_json::from_str(text).unwrap()
}

fn long_string(chars: usize, c: char) -> Value {
    json!(std::iter::repeat(c).take(chars).collect::<String>())
}

/// Mutates a claims object: drop, retype or add claims.
fn mutate_claims(rng: &mut Rng, c: &mut Map<String, Value>) {
    for _ in 0..1 + rng.below(2) {
        let name = *rng.pick(CLAIMS);
        match rng.below(6) {
            0 => {
                c.remove(name);
            }
            1 | 2 => {
                c.insert(name.into(), odd_value(rng));
            }
            3 => {
                let (n, ch) = *rng.pick(&[
                    (0, 'a'),
                    (128, 'a'),
                    (129, 'a'),
                    (128, 'é'),
                    (255, 'x'),
                    (256, 'x'),
                ]);
                c.insert(name.into(), long_string(n, ch));
            }
            4 => {
                // Deep nesting inside an ignored and a known claim.
                let levels = *rng.pick(&[3usize, 8, 40, 64]);
                let mut v = json!(1);
                for _ in 0..levels {
                    v = if rng.chance(2) {
                        json!([v])
                    } else {
                        json!({"k": v})
                    };
                }
                let target = if rng.chance(2) { "custom" } else { name };
                c.insert(target.into(), v);
            }
            _ => {
                let t = NOW as i64 + *rng.pick(&[-100_000i64, -86_400, -1, 0, 1, 59, 61, 100_000]);
                c.insert(name.into(), json!(t));
            }
        }
    }
}

/// One text edit.
type Edit = dyn Fn(&mut Vec<u8>);

/// Text-level edits of JSON that a parser, not a type check, must catch.
fn mutate_json_text(rng: &mut Rng, text: &mut Vec<u8>) {
    let edits: &[&Edit] = &[
        &|t| t.extend_from_slice(b" "),
        &|t| t.extend_from_slice(b"x"),
        &|t| t.extend_from_slice(b"{}"),
        &|t| {
            t.pop();
            t.extend_from_slice(b",}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"iat\":1}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"type\":\"user\"}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"x\":1,\"x\":1}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"j\\u0074i\":\"dup\"}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"custom\":{\"a\":1,\"a\":2}}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"parent\":{\"type\":\"user\",\"id\":1,\"id\":1}}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b",\"z\":NaN}")
        },
        &|t| {
            t.pop();
            t.extend_from_slice(b"/*c*/}")
        },
        &|t| t.insert(0, b' '),
        &|t| t.splice(0..0, *b"\xef\xbb\xbf").for_each(drop),
        &|t| t.extend_from_slice(b"\xff"),
        &|t| {
            let s = String::from_utf8_lossy(t).replace("\"name\":\"", "\"name\":\"\\ud800");
            *t = s.into_bytes();
        },
        &|t| {
            let s = String::from_utf8_lossy(t).replace("\"name\":\"", "\"name\":\"\\u00e9\\n\\\"");
            *t = s.into_bytes();
        },
        &|t| {
            let s = String::from_utf8_lossy(t).replace("\"name\":\"", "\"name\":\"\t");
            *t = s.into_bytes();
        },
        &|t| *t = b"[1,2]".to_vec(),
        &|t| *t = b"\"claims\"".to_vec(),
        &|t| *t = b"".to_vec(),
    ];
    (rng.pick(edits))(text);
}

/// A header: usually sensible, often not.
fn header_for(rng: &mut Rng, ring: &RefRing, key: &RefKey) -> Vec<u8> {
    let mut h = Map::new();
    let alg =
        match rng.below(12) {
            0 => json!(*rng
                .pick(&["none", "NONE", "None", "HS256", "HS384", "HS512", "hs256", "RS256", ""])),
            1 => odd_value(rng),
            _ => json!(key.alg.as_str()),
        };
    if !rng.chance(15) {
        h.insert("alg".into(), alg);
    }
    match rng.below(10) {
        0 => {}
        1 => {
            h.insert("kid".into(), json!(*rng.pick(&["nope", "K1", ""])));
        }
        2 => {
            h.insert("kid".into(), odd_value(rng));
        }
        _ => {
            h.insert("kid".into(), json!(key.kid));
        }
    }
    match rng.below(6) {
        0 => {}
        1 => {
            h.insert(
                "typ".into(),
                json!(*rng.pick(&["jwt", "JOSE", "JWT ", "at+jwt"])),
            );
        }
        2 => {
            h.insert("typ".into(), odd_value(rng));
        }
        _ => {
            h.insert("typ".into(), json!("JWT"));
        }
    }
    if rng.chance(6) {
        let p = *rng.pick(&[
            "crit", "b64", "cty", "jwk", "jku", "x5u", "x5c", "x5t", "zip", "extra",
        ]);
        h.insert(p.into(), odd_value(rng));
    }
    let _ = ring;
    let mut text = serde_json::to_vec(&Value::Object(h)).unwrap();
    if rng.chance(10) {
        mutate_json_text(rng, &mut text);
    }
    text
}

/// Byte-level damage to a whole token.
fn mutate_bytes(rng: &mut Rng, token: &mut Vec<u8>) {
    let alphabet = b"AQgw_-09azAZ.=+/ \n\x00\xc3\xa9";
    let pos = rng.below(token.len() + 1);
    match rng.below(4) {
        0 if pos < token.len() => token[pos] = *rng.pick(alphabet),
        1 => token.insert(pos, *rng.pick(alphabet)),
        2 if pos < token.len() => {
            token.remove(pos);
        }
        _ => {
            // Change the final character of a segment: non-canonical trailing bits.
            let ends: Vec<usize> = (0..token.len())
                .filter(|&i| i + 1 == token.len() || token[i + 1] == b'.')
                .collect();
            if let Some(&i) = ends.get(rng.below(ends.len().max(1))) {
                token[i] = *rng.pick(b"AQgwBRhx");
            }
        }
    }
}

#[test]
fn reference_agrees_on_generated_tokens() {
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .ok();
    let rings = rings();
    let mut rng = Rng(0x5eed_0005);
    let mut tally = Tally::default();
    for i in 0..8000 {
        let ring = rng.pick(&rings).clone();
        let key = rng.pick(&ring.keys).clone();
        let mut claims = base_claims(&mut rng);
        let kind = rng.below(10);
        if kind < 4 {
            mutate_claims(&mut rng, &mut claims);
        }
        let header = if rng.chance(3) {
            // The exact header the issuer writes (the verifier's no-parse path).
            serde_json::to_vec(&json!({"alg": key.alg.as_str(), "kid": key.kid, "typ": "JWT"}))
                .unwrap()
        } else {
            header_for(&mut rng, &ring, &key)
        };
        let mut claims_text = serde_json::to_vec(&Value::Object(claims)).unwrap();
        if kind == 4 || kind == 5 {
            mutate_json_text(&mut rng, &mut claims_text);
        }
        // Usually signed with the right key; sometimes with another key or not at all.
        let signer = match rng.below(12) {
            0 => None,
            1 => Some(rng.pick(&ring.keys).clone()),
            _ => Some(key.clone()),
        };
        let mut token = assemble(&header, &claims_text, signer.as_ref());
        if kind == 6 || kind == 7 {
            for _ in 0..1 + rng.below(2) {
                mutate_bytes(&mut rng, &mut token);
            }
        }
        let mut options = VerifyOptions::default();
        if rng.chance(4) {
            options.leeway = *rng.pick(&[0u64, 1, 60, 86_400]);
            options.max_clock_skew = *rng.pick(&[0u64, 60, 3600]);
        }
        if rng.chance(8) {
            options.max_token_size = token.len() - 1 + rng.below(3);
        }
        let now =
            NOW + *rng.pick(&[0u64, 1, 86_399, 86_400, 86_401, 200_000]) - rng.below(2000) as u64;
        let client_ip = match rng.below(4) {
            0 => None,
            1 => Some("192.168.2.77".parse().unwrap()),
            2 => Some("::ffff:192.168.2.5".parse().unwrap()),
            _ => Some("10.1.2.3".parse().unwrap()),
        };
        tally.run(&Case {
            ring,
            token,
            now,
            options,
            client_ip,
            what: format!("generated #{i}"),
        });
    }
    eprintln!(
        "generated: {} accepted, rejected {:?}",
        tally.accepted, tally.rejected
    );
    tally.assert_clean(450, 5000);
    // Every class of verdict was exercised.
    for code in [
        "token_too_large",
        "malformed_token",
        "unsupported_header",
        "algorithm_not_allowed",
        "unknown_key",
        "bad_signature",
        "invalid_claims",
        "token_expired",
        "token_not_yet_valid",
        "issued_in_future",
        "ip_not_allowed",
    ] {
        assert!(
            tally.rejected.get(code).copied().unwrap_or(0) > 0,
            "no generated token was rejected with {code}: {:?}",
            tally.rejected
        );
    }
}
