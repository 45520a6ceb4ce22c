//! The key ring: keys by `kid`, one of them active for minting.

use super::Key;
use crate::error::{Error, ErrorCode, Result};

/// Keys by `kid`: one active key mints; every key in the ring verifies (rotation).
///
/// Cloning a ring is cheap (keys are shared). A ring is `Send + Sync`.
///
/// ```
/// use auth_core::{Algorithm, Key, KeyRing};
/// let mut ring = KeyRing::new();
/// ring.add(Key::new("old", Algorithm::HS256, b"an old secret of 32 bytes or more").unwrap()).unwrap();
/// ring.add(Key::new("new", Algorithm::HS256, b"a new secret of 32 bytes or more!").unwrap()).unwrap();
/// assert_eq!(ring.active().unwrap().kid(), "old"); // the first key added is active
/// ring.set_active("new").unwrap();                 // rotate: mint with "new"...
/// assert!(ring.get("old").is_some());              // ...while "old" still verifies
/// ring.remove("old").unwrap();                     // retire it when its tokens are gone
/// ```
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    keys: Vec<Key>,
    active: Option<usize>,
    default_kid: Option<String>,
}

impl KeyRing {
    /// An empty ring.
    pub fn new() -> Self {
        KeyRing::default()
    }

    /// A ring holding one key, active.
    pub fn single(key: Key) -> Self {
        KeyRing {
            keys: vec![key],
            active: Some(0),
            default_kid: None,
        }
    }

    /// Adds a key. The first key added becomes active. A `kid` already present → `invalid_key`.
    pub fn add(&mut self, key: Key) -> Result<()> {
        if self.get(key.kid()).is_some() {
            return Err(Error::with_message(
                ErrorCode::InvalidKey,
                format!("kid {:?} is already in the key ring", key.kid()),
            ));
        }
        self.keys.push(key);
        if self.active.is_none() {
            self.active = Some(self.keys.len() - 1);
        }
        Ok(())
    }

    /// Removes (retires) a key; its tokens stop verifying. Removing the active key
    /// leaves the ring with no active key until [`KeyRing::set_active`] is called.
    /// An unknown `kid` → `unknown_key`.
    pub fn remove(&mut self, kid: &str) -> Result<Key> {
        let idx = self
            .position(kid)
            .ok_or_else(|| Error::with_message(ErrorCode::UnknownKey, "no such kid"))?;
        let key = self.keys.remove(idx);
        self.active = match self.active {
            Some(a) if a == idx => None,
            Some(a) if a > idx => Some(a - 1),
            other => other,
        };
        if self.default_kid.as_deref() == Some(kid) {
            self.default_kid = None;
        }
        Ok(key)
    }

    /// Makes `kid` the key new tokens are minted with. An unknown `kid` → `unknown_key`.
    pub fn set_active(&mut self, kid: &str) -> Result<()> {
        let idx = self
            .position(kid)
            .ok_or_else(|| Error::with_message(ErrorCode::UnknownKey, "no such kid"))?;
        self.active = Some(idx);
        Ok(())
    }

    /// The key that mints, if any.
    pub fn active(&self) -> Option<&Key> {
        self.active.map(|i| &self.keys[i])
    }

    /// Sets the key that verifies tokens without a `kid` header when the ring holds
    /// several keys (`None` clears it). An unknown `kid` → `unknown_key`.
    pub fn set_default_kid(&mut self, kid: Option<&str>) -> Result<()> {
        if let Some(k) = kid {
            if self.position(k).is_none() {
                return Err(Error::with_message(ErrorCode::UnknownKey, "no such kid"));
            }
        }
        self.default_kid = kid.map(str::to_owned);
        Ok(())
    }

    /// The configured default kid.
    pub fn default_kid(&self) -> Option<&str> {
        self.default_kid.as_deref()
    }

    /// The key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<&Key> {
        self.position(kid).map(|i| &self.keys[i])
    }

    /// The key that verifies a token: by `kid`, or — without one — the only key or
    /// the configured default. `unknown_key` otherwise.
    pub fn resolve(&self, kid: Option<&str>) -> Result<&Key> {
        let key = match kid {
            Some(k) => self.get(k),
            None if self.keys.len() == 1 => self.keys.first(),
            None => self.default_kid.as_deref().and_then(|k| self.get(k)),
        };
        key.ok_or_else(|| {
            Error::with_message(
                ErrorCode::UnknownKey,
                if kid.is_some() {
                    "kid is not in the key ring"
                } else {
                    "token has no kid and the key ring has several keys"
                },
            )
        })
    }

    /// Every key, in the order added.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn position(&self, kid: &str) -> Option<usize> {
        self.keys.iter().position(|k| k.kid() == kid)
    }
}
