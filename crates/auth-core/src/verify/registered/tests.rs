use std::sync::Arc;

use super::*;
use crate::{
    Algorithm, Issuer, Key, KeyRing, MemoryRevocationStore, MintRequest, RevocationQuery,
    RevocationStore, ScopeVocabulary, Subject, VerifyOptions,
};

const NOW: u64 = 1_700_000_000;
const SECRET: &[u8] = b"an example secret of 32 bytes or more";

fn key() -> Key {
    Key::new("idp", Algorithm::HS256, SECRET).unwrap()
}

fn sign(payload: &str) -> String {
    key().sign_compact(payload.as_bytes()).unwrap()
}

fn verifier(required: &[&str], edit: impl FnOnce(&mut VerifyOptions)) -> Verifier {
    let mut options = VerifyOptions::default();
    options.set_profile(ClaimsProfile::Registered(
        RequiredClaims::parse(required).unwrap(),
    ));
    edit(&mut options);
    Verifier::with_options(KeyRing::single(key()), options)
}

fn code(v: &Verifier, token: &str, req: &VerifyRequest<'_>) -> ErrorCode {
    v.verify_registered_with(token, req).unwrap_err().code()
}

#[test]
fn an_idp_token_verifies_and_a_wrong_profile_call_fails_closed() {
    let token = sign(r#"{"sub":"alice","exp":1700000600,"roles":["admin"]}"#);
    let v = verifier(&["exp", "sub"], |_| {});
    let c = v
        .verify_registered_with(&token, &VerifyRequest::at(NOW))
        .unwrap();
    assert_eq!(c.sub.as_deref(), Some("alice"));
    assert_eq!(
        c.custom_claim::<Vec<String>>("roles").unwrap().unwrap(),
        ["admin"]
    );
    // The seeds calls on a registered verifier never return claims, whatever the token.
    for call in [
        v.verify_with(&token, &VerifyRequest::at(NOW)).map(|_| ()),
        v.verify_for_revocation(&token, Some(NOW)).map(|_| ()),
        v.verify_with("not a token", &VerifyRequest::at(NOW))
            .map(|_| ()),
    ] {
        let e = call.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidClaims);
        assert!(
            e.message().contains("registered claims profile"),
            "{}",
            e.message()
        );
    }
    // And the reverse: the registered call on a seeds verifier.
    let seeds = Verifier::new(KeyRing::single(key()));
    let e = seeds
        .verify_registered_with(&token, &VerifyRequest::at(NOW))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidClaims);
    assert!(
        e.message().contains("seeds claims profile"),
        "{}",
        e.message()
    );
    // The seeds verifier itself refuses the token: it has no `type`.
    let e = seeds
        .verify_with(&token, &VerifyRequest::at(NOW))
        .unwrap_err();
    assert_eq!(e.message(), "claim `type` is required");
}

#[test]
fn the_signature_is_checked_before_the_claims() {
    let v = verifier(&["exp"], |o| o.max_token_size = 300);
    let other = Key::new(
        "idp",
        Algorithm::HS256,
        b"another secret of 32 bytes or more!",
    )
    .unwrap();
    // Claims that would be refused, signed by another key: bad_signature, not invalid_claims.
    let forged = other
        .sign_compact(br#"{"exp":"soon","sub":"a","sub":"b"}"#)
        .unwrap();
    assert_eq!(
        code(&v, &forged, &VerifyRequest::at(NOW)),
        ErrorCode::BadSignature
    );
    let big = sign(&format!(r#"{{"exp":1,"pad":"{}"}}"#, "x".repeat(300)));
    assert_eq!(
        code(&v, &big, &VerifyRequest::at(NOW)),
        ErrorCode::TokenTooLarge
    );
    let none = format!(
        "eyJhbGciOiJub25lIn0.{}.",
        &sign(r#"{"exp":1}"#).split('.').nth(1).unwrap()
    );
    assert_eq!(
        code(&v, &none, &VerifyRequest::at(NOW)),
        ErrorCode::AlgorithmNotAllowed
    );
    assert_eq!(
        code(&v, "a.b", &VerifyRequest::at(NOW)),
        ErrorCode::MalformedToken
    );
    // Once the signature holds, the claims decide.
    let dup = sign(r#"{"exp":1700000600,"exp":1700000600}"#);
    assert_eq!(
        code(&v, &dup, &VerifyRequest::at(NOW)),
        ErrorCode::MalformedToken
    );
    let typed = sign(r#"{"exp":"1700000600"}"#);
    assert_eq!(
        code(&v, &typed, &VerifyRequest::at(NOW)),
        ErrorCode::InvalidClaims
    );
    let missing = sign(r#"{"sub":"a"}"#);
    assert_eq!(
        code(&v, &missing, &VerifyRequest::at(NOW)),
        ErrorCode::InvalidClaims
    );
}

#[test]
fn audience_and_issuer_follow_the_options() {
    let token = sign(r#"{"exp":1700000600,"iss":"https://idp","aud":["api","other"]}"#);
    let bare = sign(r#"{"exp":1700000600}"#);
    let at = VerifyRequest::at(NOW);
    let none = verifier(&[], |_| {});
    assert_eq!(
        code(&none, &token, &at),
        ErrorCode::InvalidClaims,
        "aud with no audience configured"
    );
    assert!(none.verify_registered_with(&bare, &at).is_ok());
    let api = verifier(&[], |o| {
        o.add_audience("api").set_issuer(Some("https://idp".into()));
    });
    assert!(api.verify_registered_with(&token, &at).is_ok());
    assert_eq!(
        code(&api, &bare, &at),
        ErrorCode::InvalidClaims,
        "iss missing"
    );
    let wrong_iss = verifier(&[], |o| {
        o.add_audience("api")
            .set_issuer(Some("https://idp/".into()));
    });
    assert_eq!(code(&wrong_iss, &token, &at), ErrorCode::InvalidClaims);
    let wrong_aud = verifier(&[], |o| {
        o.add_audience("API");
    });
    assert_eq!(code(&wrong_aud, &token, &at), ErrorCode::InvalidClaims);
    let must = verifier(&[], |o| {
        o.add_audience("api");
        o.require_audience = true;
    });
    assert_eq!(code(&must, &bare, &at), ErrorCode::InvalidClaims);
    let required = verifier(&["aud"], |o| {
        o.add_audience("api");
    });
    let e = required.verify_registered_with(&bare, &at).unwrap_err();
    assert_eq!(e.message(), "claim `aud` is required");
}

#[test]
fn times_with_leeway_and_skew() {
    let token = sign(r#"{"exp":1700000600,"nbf":1700000100,"iat":1700000100}"#);
    let v = verifier(&["exp"], |_| {});
    let at = |t| VerifyRequest::at(t);
    assert!(v.verify_registered_with(&token, &at(NOW + 100)).is_ok());
    assert_eq!(code(&v, &token, &at(NOW + 600)), ErrorCode::TokenExpired);
    assert_eq!(code(&v, &token, &at(NOW + 99)), ErrorCode::TokenNotYetValid);
    // iat 100 s ahead: beyond the default 60 s skew, but nbf decides first.
    let future = sign(r#"{"exp":1700000600,"iat":1700000100}"#);
    assert_eq!(code(&v, &future, &at(NOW + 39)), ErrorCode::IssuedInFuture);
    assert!(v.verify_registered_with(&future, &at(NOW + 40)).is_ok());
    let lenient = verifier(&["exp"], |o| o.leeway = 30);
    assert!(lenient
        .verify_registered_with(&token, &at(NOW + 629))
        .is_ok());
    assert_eq!(
        code(&lenient, &token, &at(NOW + 630)),
        ErrorCode::TokenExpired
    );
    assert!(lenient
        .verify_registered_with(&token, &at(NOW + 70))
        .is_ok());
    // No exp, none required: never expires.
    let forever = sign(r#"{"sub":"x"}"#);
    assert!(verifier(&[], |_| {})
        .verify_registered_with(&forever, &at(u64::MAX))
        .is_ok());
}

#[test]
fn revocation_by_jti_in_every_store() {
    let store = Arc::new(MemoryRevocationStore::new());
    store
        .revoke("gone", Some(1_700_000_600), Some(NOW))
        .unwrap();
    let mut v = verifier(&["exp"], |_| {});
    v.set_revocation_store(Some(store.clone()));
    let at = VerifyRequest::at(NOW);
    let revoked = sign(r#"{"exp":1700000600,"jti":"gone"}"#);
    let live = sign(r#"{"exp":1700000600,"jti":"live"}"#);
    let no_jti = sign(r#"{"exp":1700000600}"#);
    assert_eq!(code(&v, &revoked, &at), ErrorCode::TokenRevoked);
    assert!(v.verify_registered_with(&live, &at).is_ok());
    assert!(v.verify_registered_with(&no_jti, &at).is_ok());
    // A per-call store adds to the verifier's.
    let extra = MemoryRevocationStore::new();
    extra.revoke("live", None, Some(NOW)).unwrap();
    assert_eq!(
        code(&v, &live, &at.revocation(&extra)),
        ErrorCode::TokenRevoked
    );
    // A store that can only answer principal queries (a host callback) cannot answer: fail closed,
    // unless another store knows the token revoked.
    struct PrincipalOnly;
    impl RevocationStore for PrincipalOnly {
        fn is_revoked(&self, _: &RevocationQuery<'_>) -> bool {
            false
        }
    }
    let host = PrincipalOnly;
    assert_eq!(
        code(&v, &live, &at.revocation(&host)),
        ErrorCode::RevocationUnavailable
    );
    assert_eq!(
        code(&v, &revoked, &at.revocation(&host)),
        ErrorCode::TokenRevoked
    );
    // A store is not asked about a token it cannot name.
    assert!(v
        .verify_registered_with(&no_jti, &at.revocation(&host))
        .is_ok());
    // A principal cutoff never touches a registered token (it names no principal).
    store
        .revoke_principal_before(crate::Principal::user(1), NOW, Some(NOW))
        .unwrap();
    assert!(v.verify_registered_with(&live, &at).is_ok());
}

#[test]
fn scopes_last_and_no_claim_holds_nothing() {
    let vocab =
        ScopeVocabulary::from_pairs(&[("read", &[][..] as &[&str]), ("write", &[])]).unwrap();
    let need_read = vocab.require(&["read"]).unwrap();
    let v = verifier(&["exp"], |_| {});
    let at = VerifyRequest::at(NOW).scopes(&need_read);
    let reader = sign(r#"{"exp":1700000600,"scope":"read openid"}"#);
    let writer = sign(r#"{"exp":1700000600,"scope":"write"}"#);
    let unscoped = sign(r#"{"exp":1700000600}"#);
    assert!(v.verify_registered_with(&reader, &at).is_ok());
    assert_eq!(code(&v, &writer, &at), ErrorCode::InsufficientScope);
    assert_eq!(code(&v, &unscoped, &at), ErrorCode::InsufficientScope);
    // Last: an expired token is expired, not short of scope.
    let expired = sign(r#"{"exp":1699999999,"scope":"write"}"#);
    assert_eq!(code(&v, &expired, &at), ErrorCode::TokenExpired);
    assert!(v
        .verify_registered_with(&unscoped, &VerifyRequest::at(NOW))
        .is_ok());
}

#[test]
fn a_seeds_token_is_read_by_its_registered_claims_only() {
    let ring = KeyRing::single(key());
    let mut req = MintRequest::new(Subject::user(7, "alice", true));
    req.now = Some(NOW);
    req.token_id = Some("seed-1".into());
    let minted = Issuer::new(ring).mint(&req).unwrap();
    let v = verifier(&["exp", "iat", "jti"], |_| {});
    let c = v
        .verify_registered_with(&minted.token, &VerifyRequest::at(NOW + 1))
        .unwrap();
    assert_eq!(c.jti.as_deref(), Some("seed-1"));
    assert_eq!((c.iat, c.exp), (Some(NOW), Some(NOW + 86_400)));
    assert_eq!(c.sub, None);
    assert_eq!(c.custom["type"], "user");
    assert_eq!(c.custom["id"], 7);
    let e = verifier(&["sub"], |_| {})
        .verify_registered_with(&minted.token, &VerifyRequest::at(NOW + 1))
        .unwrap_err();
    assert_eq!(e.message(), "claim `sub` is required");
}
