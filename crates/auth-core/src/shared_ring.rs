//! The shared key ring: one ring that issuers and verifiers follow as it changes.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::{ArcSwap, Guard};

use crate::error::Result;
use crate::keys::{Key, KeyRing};

/// A key ring shared by issuers and verifiers, changed atomically.
///
/// A [`SharedKeyRing`] holds an immutable [`KeyRing`] snapshot behind an atomic pointer
/// (`arc-swap`). Reading it — every mint and every verification — is a lock-free load;
/// changing it (`add`, `remove`, `set_active`, `set_default_kid`, `replace`) builds the next
/// snapshot and swaps it in, so a reader sees either the ring before a change or after it,
/// never half of one. Writers are serialized by a mutex so that no change is lost.
///
/// Cloning a `SharedKeyRing` gives another handle on the **same** ring. Every
/// [`Issuer`](crate::Issuer) and [`Verifier`](crate::Verifier) built from it sees each
/// change on its next call — the same meaning in Rust, C and Python.
///
/// ```
/// use auth_core::{Algorithm, Issuer, Key, MintRequest, SharedKeyRing, Subject, Verifier, VerifyRequest};
///
/// let ring = SharedKeyRing::new();
/// ring.add(Key::new("2026-11", Algorithm::HS256, b"the November secret, 32+ bytes long")?)?;
/// let issuer = Issuer::new(ring.clone());
/// let verifier = Verifier::new(ring.clone());
///
/// let mut req = MintRequest::new(Subject::user(7, "alice", false));
/// req.now = Some(1_700_000_000);
/// let old = issuer.mint(&req)?;
///
/// // Rotate: the issuer mints with the new key from its next call on...
/// ring.add(Key::new("2026-12", Algorithm::HS256, b"the December secret, 32+ bytes long")?)?;
/// ring.set_active("2026-12")?;
/// let new = issuer.mint(&req)?;
/// let header = auth_core::inspect_unverified(new.token.as_bytes(), 8192)?.header;
/// assert_eq!(header["kid"], "2026-12");
///
/// // ...and the verifier accepts both until the old key is retired.
/// let at = VerifyRequest::at(1_700_000_001);
/// verifier.verify_with(&old.token, &at)?;
/// verifier.verify_with(&new.token, &at)?;
/// ring.remove("2026-11")?;
/// assert_eq!(verifier.verify_with(&old.token, &at).unwrap_err().code().as_str(), "unknown_key");
/// # Ok::<(), auth_core::Error>(())
/// ```
///
/// `Send + Sync`; clones are handles on the same ring.
#[derive(Clone)]
pub struct SharedKeyRing {
    inner: Arc<Inner>,
}

struct Inner {
    current: ArcSwap<KeyRing>,
    /// Serializes writers: each change reads the current snapshot and swaps in the next.
    write: Mutex<()>,
}

impl SharedKeyRing {
    /// An empty shared ring.
    pub fn new() -> Self {
        SharedKeyRing::from_ring(KeyRing::new())
    }

    /// A shared ring starting from `ring` (which is copied; later changes to `ring` itself
    /// are not seen).
    pub fn from_ring(ring: KeyRing) -> Self {
        SharedKeyRing {
            inner: Arc::new(Inner {
                current: ArcSwap::from_pointee(ring),
                write: Mutex::new(()),
            }),
        }
    }

    /// The current snapshot, without taking a lock (the hot path of minting and verifying).
    pub(crate) fn load(&self) -> Guard<Arc<KeyRing>> {
        self.inner.current.load()
    }

    /// The current ring as an owned snapshot; later changes do not affect it.
    pub fn snapshot(&self) -> Arc<KeyRing> {
        self.inner.current.load_full()
    }

    /// Applies `change` to a copy of the current ring and swaps the result in; on error
    /// nothing changes. Changes from several threads are applied one after another.
    pub fn update<T>(&self, change: impl FnOnce(&mut KeyRing) -> Result<T>) -> Result<T> {
        let _writer = self
            .inner
            .write
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut next = KeyRing::clone(&self.inner.current.load());
        let out = change(&mut next)?;
        self.inner.current.store(Arc::new(next));
        Ok(out)
    }

    /// Adds a key ([`KeyRing::add`]): the first key added becomes active.
    pub fn add(&self, key: Key) -> Result<()> {
        self.update(|r| r.add(key))
    }

    /// Removes (retires) a key ([`KeyRing::remove`]).
    pub fn remove(&self, kid: &str) -> Result<Key> {
        self.update(|r| r.remove(kid))
    }

    /// Makes `kid` the minting key ([`KeyRing::set_active`]).
    pub fn set_active(&self, kid: &str) -> Result<()> {
        self.update(|r| r.set_active(kid))
    }

    /// Sets or clears the default kid ([`KeyRing::set_default_kid`]).
    pub fn set_default_kid(&self, kid: Option<&str>) -> Result<()> {
        self.update(|r| r.set_default_kid(kid))
    }

    /// Rotates in one step: adds `key` and makes it the active key. On error (a `kid`
    /// already present) nothing changes.
    pub fn rotate(&self, key: Key) -> Result<()> {
        self.update(|r| {
            let kid = key.kid().to_owned();
            r.add(key)?;
            r.set_active(&kid)
        })
    }

    /// Replaces the whole ring at once (for example with one built from a new key set).
    pub fn replace(&self, ring: KeyRing) {
        // Infallible change: the closure never fails.
        let _ = self.update(|r| {
            *r = ring;
            Ok(())
        });
    }

    /// Replaces the whole ring with a verify-only ring read from JWK Set text
    /// ([`KeyRing::from_jwks`]), atomically: on any error (`invalid_key` naming the key)
    /// the ring is left exactly as it was, and readers see either the old set or the new
    /// one, never a mix. This is how a verifier refreshes the keys it fetched.
    pub fn replace_from_jwks(&self, jwks: &str) -> Result<()> {
        let ring = KeyRing::from_jwks(jwks)?;
        self.replace(ring);
        Ok(())
    }

    /// The public keys as JWK Set text ([`KeyRing::to_jwks`]).
    pub fn to_jwks(&self) -> String {
        self.load().to_jwks()
    }

    /// The kid of the active key, if any.
    pub fn active_kid(&self) -> Option<String> {
        self.load().active().map(|k| k.kid().to_owned())
    }

    /// The configured default kid, if any.
    pub fn default_kid(&self) -> Option<String> {
        self.load().default_kid().map(str::to_owned)
    }

    /// Whether the ring holds a key with this `kid`.
    pub fn contains(&self, kid: &str) -> bool {
        self.load().get(kid).is_some()
    }

    /// The algorithm of the key with this `kid`, if the ring holds it.
    pub fn algorithm(&self, kid: &str) -> Option<crate::keys::Algorithm> {
        self.load().get(kid).map(Key::algorithm)
    }

    /// The kids in the ring, in the order added.
    pub fn kids(&self) -> Vec<String> {
        self.load()
            .keys()
            .iter()
            .map(|k| k.kid().to_owned())
            .collect()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.load().len()
    }

    /// Whether the ring is empty.
    pub fn is_empty(&self) -> bool {
        self.load().is_empty()
    }

    /// Whether `other` is a handle on the same ring.
    pub fn same_ring(&self, other: &SharedKeyRing) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Default for SharedKeyRing {
    fn default() -> Self {
        SharedKeyRing::new()
    }
}

impl From<KeyRing> for SharedKeyRing {
    fn from(ring: KeyRing) -> Self {
        SharedKeyRing::from_ring(ring)
    }
}

impl fmt::Debug for SharedKeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedKeyRing")
            .field(&**self.load())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Algorithm;

    fn key(kid: &str, n: u8) -> Key {
        let secret = format!("shared ring test secret number {n:03}");
        Key::new(kid, Algorithm::HS256, secret.as_bytes()).unwrap()
    }

    #[test]
    fn clones_share_one_ring_and_snapshots_do_not_move() {
        let a = SharedKeyRing::new();
        let b = a.clone();
        a.add(key("k1", 1)).unwrap();
        let before = b.snapshot();
        b.add(key("k2", 2)).unwrap();
        b.set_active("k2").unwrap();
        assert_eq!(a.active_kid().as_deref(), Some("k2"));
        assert_eq!(a.kids(), ["k1", "k2"]);
        assert_eq!(before.len(), 1);
        assert!(a.same_ring(&b));
        assert!(!a.same_ring(&SharedKeyRing::from(KeyRing::clone(&before))));
    }

    #[test]
    fn rotate_adds_and_activates_or_changes_nothing() {
        let r = SharedKeyRing::new();
        r.add(key("k1", 1)).unwrap();
        r.rotate(key("k2", 2)).unwrap();
        assert_eq!(r.active_kid().as_deref(), Some("k2"));
        assert!(r.contains("k1") && r.contains("k2") && !r.contains("k3"));
        assert_eq!(r.algorithm("k2"), Some(Algorithm::HS256));
        assert_eq!(
            r.rotate(key("k1", 3)).unwrap_err().code(),
            crate::ErrorCode::InvalidKey
        );
        assert_eq!(r.active_kid().as_deref(), Some("k2"));
        assert_eq!(r.default_kid(), None);
        r.set_default_kid(Some("k1")).unwrap();
        assert_eq!(r.default_kid().as_deref(), Some("k1"));
    }

    #[test]
    fn a_failed_change_leaves_the_ring_as_it_was() {
        let r = SharedKeyRing::new();
        r.add(key("k1", 1)).unwrap();
        let err = r
            .update(|ring| {
                ring.add(key("k2", 2))?;
                ring.set_active("nope")
            })
            .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::UnknownKey);
        assert_eq!(r.kids(), ["k1"]);
    }

    #[test]
    fn concurrent_writers_lose_no_change() {
        let r = SharedKeyRing::new();
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let r = r.clone();
                s.spawn(move || {
                    for i in 0..25u8 {
                        r.add(key(&format!("t{t}-{i}"), t * 32 + i + 1)).unwrap();
                    }
                });
            }
        });
        assert_eq!(r.len(), 100);
    }
}
