//! Keys: fresh secrets, weak keys refused, and a key ring rotated while tokens stay valid.

use auth_core::{
    Algorithm, ErrorCode, Issuer, Key, KeyRing, MintRequest, SharedKeyRing, Subject, Verifier,
    VerifyRequest,
};

use super::{header_kid, Demo, Via, PASTE_KID};
use crate::secret;

pub(super) fn keys_and_rotation(d: &mut Demo, now: u64) -> Option<(Issuer, Verifier)> {
    d.section(
        "keygen: fresh secrets from the OS CSPRNG",
        Via::Library,
        "generate_secret, Key::new",
    );
    let s1 = d.ok("generate a secret (`authctl keygen`)", secret::keygen())?;
    let s2 = d.ok("generate a second secret", secret::keygen())?;
    d.check(
        "each is 43 base64url characters (256 random bits)",
        [&s1, &s2].iter().all(|s| {
            s.len() == 43
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }),
        "wrong length or alphabet",
    );
    d.check(
        "two secrets differ",
        s1 != s2,
        "the generator repeated itself",
    );
    d.say("(secrets are never printed, not even here)");
    d.rejects(
        "a 31-byte secret is refused at configuration",
        Key::new("k", Algorithm::HS256, &[b'x'; 31]),
        ErrorCode::WeakKey,
    );
    d.rejects(
        "a kid with a space is refused",
        Key::new("bad kid", Algorithm::HS256, s1.as_bytes()),
        ErrorCode::InvalidKey,
    );

    d.section(
        "key ring with rotation",
        Via::Library,
        "SharedKeyRing::add, set_active, remove",
    );
    let old = d.ok(
        "key `2024-01` (HS256) from the first secret",
        Key::new("2024-01", Algorithm::HS256, s1.as_bytes()),
    )?;
    let new = match d.own_secret.clone() {
        Some(own) => d.ok(
            "key `2024-07` (HS256) from AUTHCTL_SECRET",
            Key::new(PASTE_KID, Algorithm::HS256, &own),
        )?,
        None => d.ok(
            "key `2024-07` (HS256) from the second secret",
            Key::new(PASTE_KID, Algorithm::HS256, s2.as_bytes()),
        )?,
    };
    let ring = SharedKeyRing::from(KeyRing::single(old));
    let issuer = Issuer::new(ring.clone());
    let verifier = Verifier::new(ring.clone());
    let mut req = MintRequest::new(Subject::user(7, "rotating-rita", false));
    req.now = Some(now);
    let before = d.ok(
        "mint a token with the active key `2024-01`",
        issuer.mint(&req),
    )?;
    d.ok("add `2024-07` to the ring", ring.add(new))?;
    d.ok(
        "rotate: `2024-07` becomes the active key",
        ring.set_active("2024-07"),
    )?;
    let after = d.ok("mint a token with the new active key", issuer.mint(&req))?;
    d.check(
        "the new token names kid `2024-07` in its header",
        header_kid(&after.token).as_deref() == Some("2024-07"),
        "wrong kid",
    );
    let at = VerifyRequest::at(now);
    d.ok(
        "the token minted before the rotation still verifies",
        verifier.verify_with(&before.token, &at),
    );
    d.ok(
        "the new token verifies",
        verifier.verify_with(&after.token, &at),
    );
    d.ok(
        "retire the old key `2024-01`",
        ring.remove("2024-01").map(|_| ()),
    )?;
    d.rejects(
        "the old key's token after retirement",
        verifier.verify_with(&before.token, &at),
        ErrorCode::UnknownKey,
    );
    d.ok(
        "the new key's token is unaffected",
        verifier.verify_with(&after.token, &at),
    );
    Some((issuer, verifier))
}
