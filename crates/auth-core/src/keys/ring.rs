//! The key ring: keys by `kid`, one of them active for minting.

use super::Key;
use crate::error::{Error, ErrorCode, Result};

/// At most this many kids are named in an `unknown_key` message.
const LISTED_KIDS: usize = 10;
/// Each kid named in a message is cut to this many characters.
const LISTED_KID_CHARS: usize = 40;

/// `kid` quoted and escaped like a Rust string (a token's kid is untrusted text), cut to
/// [`LISTED_KID_CHARS`] characters with `…` when longer.
fn quoted(kid: &str) -> String {
    match kid.char_indices().nth(LISTED_KID_CHARS) {
        Some((cut, _)) => format!("{:?}…", &kid[..cut]),
        None => format!("{kid:?}"),
    }
}

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
        let idx = self.position(kid).ok_or_else(|| self.unknown_kid(kid))?;
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
        let idx = self.position(kid).ok_or_else(|| self.unknown_kid(kid))?;
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
                return Err(self.unknown_kid(k));
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
        key.ok_or_else(|| match kid {
            Some(k) => Error::with_message(
                ErrorCode::UnknownKey,
                format!(
                    "the token's kid {} is not in the key ring ({})",
                    quoted(k),
                    self.kid_list()
                ),
            ),
            None => Error::with_message(
                ErrorCode::UnknownKey,
                format!(
                    "the token has no kid and the key ring holds {} keys with no default kid ({}): \
                     mint with a kid, or set a default kid",
                    self.keys.len(),
                    self.kid_list()
                ),
            ),
        })
    }

    /// `kids: "a", "b"` for messages: at most [`LISTED_KIDS`] kids, each shortened to
    /// [`LISTED_KID_CHARS`] characters (kids are not secret, but a message stays short).
    fn kid_list(&self) -> String {
        if self.keys.is_empty() {
            return "the ring is empty".to_owned();
        }
        let mut out = String::from("kids: ");
        for (i, key) in self.keys.iter().take(LISTED_KIDS).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&quoted(key.kid()));
        }
        if self.keys.len() > LISTED_KIDS {
            out.push_str(&format!(" and {} more", self.keys.len() - LISTED_KIDS));
        }
        out
    }

    fn unknown_kid(&self, kid: &str) -> Error {
        Error::with_message(
            ErrorCode::UnknownKey,
            format!(
                "kid {} is not in the key ring ({})",
                quoted(kid),
                self.kid_list()
            ),
        )
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
