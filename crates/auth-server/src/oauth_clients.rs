//! The OAuth clients allowed to call `/oauth/introspect` and `/oauth/revoke` with HTTP
//! Basic (docs/oauth.md): gateways such as Kong, Envoy or Oathkeeper.
//!
//! The service keeps only the SHA-256 digest of each client's secret. Secrets are random
//! 256-bit values ([`OAuthClients::generate_secret`]), so a fast digest is enough (no
//! password to guess), and a gateway checking every request costs one hash, not an Argon2
//! run. Digests are compared in constant time; an unknown client id costs the same as a
//! wrong secret.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The configured clients: id → SHA-256 of the secret.
#[derive(Clone, Default)]
pub struct OAuthClients {
    clients: Vec<(String, [u8; 32])>,
}

impl std::fmt::Debug for OAuthClients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.clients.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("OAuthClients").field("ids", &ids).finish()
    }
}

impl OAuthClients {
    /// No client.
    pub fn new() -> Self {
        OAuthClients::default()
    }

    /// Adds a client from `ID=SHA256HEX` (the form of `authctl serve --oauth-client`): the id
    /// (1–64 visible ASCII characters, no `=` or `:`) and the 64 hex digits of the SHA-256 of
    /// its secret (`printf %s "$SECRET" | sha256sum`).
    pub fn add_entry(&mut self, entry: &str) -> Result<(), String> {
        let (id, hex) = entry
            .split_once('=')
            .ok_or("an OAuth client is ID=SHA256HEX (the SHA-256 of its secret, in hex)")?;
        if id.is_empty()
            || id.len() > 64
            || !id
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b':' && b != b'=')
        {
            return Err(format!(
                "OAuth client id {id:?}: 1-64 visible ASCII characters, no ':' or '='"
            ));
        }
        if self.clients.iter().any(|(c, _)| c == id) {
            return Err(format!("OAuth client {id:?} is given twice"));
        }
        let digest = parse_hex32(hex)
            .ok_or_else(|| format!("OAuth client {id:?}: the digest must be 64 hex digits"))?;
        self.clients.push((id.to_owned(), digest));
        Ok(())
    }

    /// Whether no client is configured.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// Whether `secret` is the secret of client `id` (constant time in the secret; an
    /// unknown id is compared against a digest that matches nothing).
    pub fn check(&self, id: &str, secret: &str) -> bool {
        let got: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let mut ok = false;
        for (cid, digest) in &self.clients {
            let matches: bool = digest.ct_eq(&got).into();
            ok |= cid == id && matches;
        }
        ok
    }

    /// A new client secret (32 random bytes, base64url) and the SHA-256 digest in hex to
    /// configure the service with.
    pub fn generate_secret() -> Result<(String, String), auth_core::Error> {
        let mut bytes = [0u8; 32];
        auth_core::RandomSource::fill(&auth_core::SystemRandom, &mut bytes)?;
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let digest = Sha256::digest(secret.as_bytes());
        Ok((secret, digest.iter().map(|b| format!("{b:02x}")).collect()))
    }
}

fn parse_hex32(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_checked_by_their_digest() {
        let (secret, hex) = OAuthClients::generate_secret().unwrap();
        assert_eq!(secret.len(), 43);
        let mut clients = OAuthClients::new();
        clients.add_entry(&format!("gateway={hex}")).unwrap();
        assert!(clients.check("gateway", &secret));
        assert!(!clients.check("gateway", "wrong"));
        assert!(!clients.check("other", &secret));
        for bad in [
            "gateway",
            "=00",
            "a b=00",
            &format!("gateway={hex}"),
            &format!("x={}", &hex[..63]),
            &format!("x={}g", &hex[..63]),
        ] {
            assert!(clients.add_entry(bad).is_err(), "{bad}");
        }
        assert!(format!("{clients:?}").contains("gateway"));
        assert!(!format!("{clients:?}").contains(&hex));
    }
}
