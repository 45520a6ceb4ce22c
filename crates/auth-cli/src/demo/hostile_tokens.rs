//! Hostile tokens: tampered claims, `alg: none`, algorithm switching, `crit`, oversize, garbage.

use auth_core::{ErrorCode, Verifier, VerifyRequest};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::{header_kid, Demo, Via};

/// A token's segments, for the tampering steps.
fn segments(token: &str) -> Option<(&str, &str, &str)> {
    let mut it = token.split('.');
    Some((it.next()?, it.next()?, it.next()?))
}

pub(super) fn hostile_tokens(d: &mut Demo, verifier: &Verifier, token: &str, now: u64) {
    d.section(
        "tampered, unsigned and oversized tokens",
        Via::Library,
        "Verifier::verify_with",
    );
    let at = VerifyRequest::at(now);
    let Some((header, payload, signature)) = segments(token) else {
        d.surprise("splitting alice's token", "not three segments");
        return;
    };
    let claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let forged = claims.replace("\"admin\":false", "\"admin\":true");
    d.check(
        "alice's claims edited to make her an admin",
        forged != claims,
        "no admin claim found",
    );
    let tampered = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(forged.as_bytes())
    );
    d.rejects(
        "the tampered token",
        verifier.verify_with(&tampered, &at),
        ErrorCode::BadSignature,
    );
    let kid = header_kid(token).unwrap_or_default();
    let none_header = serde_json::json!({ "alg": "none", "typ": "JWT", "kid": kid }).to_string();
    let unsigned = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(none_header));
    d.rejects(
        "the same claims with alg none and no signature",
        verifier.verify_with(&unsigned, &at),
        ErrorCode::AlgorithmNotAllowed,
    );
    let hs512 = serde_json::json!({ "alg": "HS512", "typ": "JWT", "kid": kid }).to_string();
    let switched = format!("{}.{payload}.{signature}", URL_SAFE_NO_PAD.encode(hs512));
    d.rejects(
        "a header claiming HS512 for the HS256 key",
        verifier.verify_with(&switched, &at),
        ErrorCode::AlgorithmNotAllowed,
    );
    let crit = serde_json::json!({ "alg": "HS256", "kid": kid, "crit": ["exp"] }).to_string();
    let critical = format!("{}.{payload}.{signature}", URL_SAFE_NO_PAD.encode(crit));
    d.rejects(
        "a header with `crit`",
        verifier.verify_with(&critical, &at),
        ErrorCode::UnsupportedHeader,
    );
    let huge = format!("{header}.{}.{signature}", "A".repeat(9000));
    d.rejects(
        "a 9 KiB token (limit 8 KiB, checked before decoding)",
        verifier.verify_with(&huge, &at),
        ErrorCode::TokenTooLarge,
    );
    d.rejects(
        "a token that is not three segments",
        verifier.verify_with("not-a-token", &at),
        ErrorCode::MalformedToken,
    );
}
