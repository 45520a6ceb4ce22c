//! Revocation: logout revokes one token, a password change revokes all earlier ones, purging.

use std::sync::Arc;

use auth_core::logout;
use auth_core::DEFAULT_EXPIRY_GRACE;
use auth_core::{
    ErrorCode, Issuer, MemoryRevocationStore, MintRequest, Principal, Subject, Verifier,
    VerifyRequest,
};

use super::{Demo, Via};

pub(super) fn revocation(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section(
        "revocation: logout and revoke-all-before",
        Via::Library,
        "logout, MemoryRevocationStore, Verifier::set_revocation_store",
    );
    let store = Arc::new(MemoryRevocationStore::new());
    let mut verifier = verifier.clone();
    verifier.set_revocation_store(Some(store.clone()));
    let mint = |id: u64, iat: u64| {
        let mut req = MintRequest::new(Subject::user(id, "dave", false));
        req.now = Some(iat);
        issuer.mint(&req)
    };
    let at = VerifyRequest::at(now + 100);
    let (Some(phone), Some(laptop), Some(other)) = (
        d.ok("dave logs in from his phone", mint(9, now)),
        d.ok("dave logs in from his laptop", mint(9, now + 10)),
        d.ok("erin logs in", mint(10, now)),
    ) else {
        return;
    };
    d.ok(
        "the phone token verifies",
        verifier.verify_with(&phone.token, &at),
    );
    d.ok(
        "logout on the phone (DELETE /session.json): revoke its jti",
        logout(&store, &phone.claims, Some(now + 50)),
    );
    d.rejects(
        "the phone token after logout",
        verifier.verify_with(&phone.token, &at),
        ErrorCode::TokenRevoked,
    );
    d.ok(
        "the laptop token is unaffected",
        verifier.verify_with(&laptop.token, &at),
    );
    d.ok(
        "dave changes his password: revoke every dave token issued before now + 20",
        store.revoke_principal_before(Principal::user(9), now + 20, Some(now + 20)),
    );
    d.rejects(
        "the laptop token (issued at now + 10)",
        verifier.verify_with(&laptop.token, &at),
        ErrorCode::TokenRevoked,
    );
    if let Some(fresh) = d.ok("dave logs in again at now + 30", mint(9, now + 30)) {
        d.ok(
            "the new token verifies",
            verifier.verify_with(&fresh.token, &at),
        );
    }
    d.ok(
        "erin's token is unaffected",
        verifier.verify_with(&other.token, &at),
    );
    d.check(
        "at the phone token's exp its revocation is still kept (an hour of grace covers any leeway)",
        store.purge_expired(Some(now + 86_400)) == 0,
        "it was purged too early",
    );
    d.check(
        "an hour after that it can be forgotten",
        store.purge_expired(Some(now + 86_400 + DEFAULT_EXPIRY_GRACE)) == 1,
        "nothing was purged",
    );
}
