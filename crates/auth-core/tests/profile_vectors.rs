//! Runs tests/vectors/profile.json, the registered claims profile's vectors the C and Python
//! suites run too: another issuer's tokens, required claims, strictness, audience, issuer,
//! times, revocation by `jti` and scopes.

use std::path::PathBuf;

use auth_core::*;
use base64::Engine as _;
use serde_json::Value;

fn load() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/profile.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn run(v: &Value, c: &Value, ring: &KeyRing) -> std::result::Result<(), String> {
    let o = &c["options"];
    let mut options = VerifyOptions::default();
    let required = match o.get("required") {
        Some(r) => RequiredClaims::parse(&strings(r)).map_err(|e| e.to_string())?,
        None => RequiredClaims::default(),
    };
    options.set_profile(ClaimsProfile::Registered(required));
    for a in strings(&o["audience"]) {
        options.add_audience(a);
    }
    options.set_issuer(o["issuer"].as_str().map(str::to_owned));
    options.require_audience = o["require_audience"].as_bool().unwrap_or(false);
    options.leeway = o["leeway"].as_u64().unwrap_or(0);
    let mut verifier = Verifier::with_options(ring.clone(), options);
    if !c["revoked"].is_null() {
        let store = MemoryRevocationStore::new();
        for jti in strings(&c["revoked"]) {
            store.revoke(&jti, None, Some(0)).unwrap();
        }
        verifier.set_revocation_store(Some(std::sync::Arc::new(store)));
    }
    let vocab = ScopeVocabulary::from_json(&v["vocabulary"].to_string()).unwrap();
    let needed = (!c["scopes"].is_null()).then(|| vocab.require(&strings(&c["scopes"])).unwrap());
    let mut req = VerifyRequest::at(c["now"].as_u64().unwrap());
    if let Some(n) = &needed {
        req = req.scopes(n);
    }
    let got = verifier.verify_registered_with(c["token"].as_str().unwrap(), &req);
    let verdict = match &got {
        Ok(_) => "valid",
        Err(e) => e.code().as_str(),
    };
    if verdict != c["expect"] {
        return Err(format!(
            "got {verdict} ({:?}), want {}",
            got.err(),
            c["expect"]
        ));
    }
    if let Ok(claims) = got {
        if claims.to_json_value() != c["claims"] {
            return Err(format!("claims {} != {}", claims.to_json(), c["claims"]));
        }
    }
    Ok(())
}

#[test]
fn profile_vectors() {
    let v = load();
    let k = &v["key"];
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(k["secret"].as_str().unwrap())
        .unwrap();
    let alg = Algorithm::parse(k["alg"].as_str().unwrap()).unwrap();
    let ring = KeyRing::single(Key::new(k["kid"].as_str().unwrap(), alg, &secret).unwrap());
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() > 50, "too few vectors");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            run(&v, c, &ring)
                .err()
                .map(|e| format!("{}: {e}", c["name"]))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every verdict the profile can give is exercised.
    for code in [
        "valid",
        "invalid_claims",
        "malformed_token",
        "bad_signature",
        "token_expired",
        "token_not_yet_valid",
        "issued_in_future",
        "token_revoked",
        "insufficient_scope",
    ] {
        assert!(cases.iter().any(|c| c["expect"] == code), "{code}");
    }
}
