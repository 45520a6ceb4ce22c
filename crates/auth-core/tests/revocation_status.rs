//! The three-way revocation answer: a store that cannot answer makes the verifier fail closed
//! with `revocation_unavailable`, and a store that knows the token is revoked always wins.

use std::sync::Arc;

use auth_core::{
    logout, Algorithm, ErrorCode, FnRevocationStore, Issuer, Key, KeyRing, MemoryRevocationStore,
    MintRequest, RevocationQuery, RevocationStatus, RevocationStore, RevocationWriter, Subject,
    Verifier, VerifyRequest,
};

const NOW: u64 = 1_700_000_000;

/// A store that always answers the same status.
struct Fixed(RevocationStatus);

impl RevocationStore for Fixed {
    fn is_revoked(&self, _q: &RevocationQuery<'_>) -> bool {
        self.0 != RevocationStatus::NotRevoked
    }
    fn revocation_status(&self, _q: &RevocationQuery<'_>) -> RevocationStatus {
        self.0
    }
}

fn setup() -> (Issuer, KeyRing) {
    let ring = KeyRing::single(
        Key::new("k", Algorithm::HS256, b"a secret of at least 32 bytes....").unwrap(),
    );
    (Issuer::new(ring.clone()), ring)
}

fn mint(issuer: &Issuer) -> (String, auth_core::Claims) {
    let mut req = MintRequest::new(Subject::user(7, "u", false));
    req.now = Some(NOW);
    let m = issuer.mint(&req).unwrap();
    (m.token.clone(), m.claims.clone())
}

fn code(v: &Verifier, token: &str, extra: Option<&dyn RevocationStore>) -> Option<ErrorCode> {
    let mut req = VerifyRequest::at(NOW + 1);
    if let Some(s) = extra {
        req = req.revocation(s);
    }
    v.verify_with(token, &req).err().map(|e| e.code())
}

#[test]
fn unavailable_fails_closed_with_its_own_code() {
    let (issuer, ring) = setup();
    let (token, _) = mint(&issuer);
    let mut v = Verifier::new(ring);
    v.set_revocation_store(Some(Arc::new(Fixed(RevocationStatus::Unavailable))));
    assert_eq!(
        code(&v, &token, None),
        Some(ErrorCode::RevocationUnavailable)
    );
    assert_eq!(ErrorCode::RevocationUnavailable.http_status(), Some(503));
    assert_eq!(ErrorCode::RevocationUnavailable.as_u32(), 27);
    // A store that knows the token is revoked wins over one that cannot answer.
    let revoked = Fixed(RevocationStatus::Revoked);
    assert_eq!(
        code(&v, &token, Some(&revoked)),
        Some(ErrorCode::TokenRevoked)
    );
    // Not revoked here does not cancel the other store's "cannot answer".
    let fine = Fixed(RevocationStatus::NotRevoked);
    assert_eq!(
        code(&v, &token, Some(&fine)),
        Some(ErrorCode::RevocationUnavailable)
    );
}

#[test]
fn default_status_follows_is_revoked_and_logout_writes_through_any_writer() {
    let (issuer, ring) = setup();
    let (token, claims) = mint(&issuer);
    let store = Arc::new(MemoryRevocationStore::new());
    let q = RevocationQuery::for_claims(&claims);
    assert_eq!(store.revocation_status(&q), RevocationStatus::NotRevoked);
    let writer: Arc<dyn RevocationWriter> = store.clone();
    logout(&*writer, &claims, Some(NOW)).unwrap();
    assert_eq!(store.revocation_status(&q), RevocationStatus::Revoked);
    let mut v = Verifier::new(ring);
    v.set_revocation_store(Some(store));
    assert_eq!(code(&v, &token, None), Some(ErrorCode::TokenRevoked));
}

#[test]
fn a_failing_host_closure_is_unavailable_not_revoked() {
    let (issuer, ring) = setup();
    let (token, _) = mint(&issuer);
    let v = Verifier::new(ring);
    let errs = FnRevocationStore::new(|_q: &RevocationQuery<'_>| -> Result<bool, String> {
        Err("revocation database unreachable".into())
    });
    let panics = FnRevocationStore::new(|_q: &RevocationQuery<'_>| -> bool { panic!("host bug") });
    let says = FnRevocationStore::new(|_q: &RevocationQuery<'_>| RevocationStatus::Unavailable);
    for store in [&errs as &dyn RevocationStore, &panics, &says] {
        assert_eq!(
            code(&v, &token, Some(store)),
            Some(ErrorCode::RevocationUnavailable)
        );
    }
    // Answers that are decisions stay decisions.
    let ok = FnRevocationStore::new(|_q: &RevocationQuery<'_>| Ok::<bool, String>(false));
    assert_eq!(code(&v, &token, Some(&ok)), None);
    let revoked = FnRevocationStore::new(|_q: &RevocationQuery<'_>| Ok::<bool, String>(true));
    assert_eq!(
        code(&v, &token, Some(&revoked)),
        Some(ErrorCode::TokenRevoked)
    );
    // A store that knows the token is revoked still wins over a failing closure.
    let mut both = Verifier::new(setup().1);
    both.set_revocation_store(Some(Arc::new(Fixed(RevocationStatus::Revoked))));
    assert_eq!(
        code(&both, &token, Some(&errs)),
        Some(ErrorCode::TokenRevoked)
    );
}
