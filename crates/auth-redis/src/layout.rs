//! The Redis data layout and the two write scripts.
//!
//! Every key is the prefix in braces, then the key's name; `P` below is the prefix, which may
//! not contain `{` or `}`:
//!
//! * `{P}j:JTI` — a string, the token's `exp` as 20 zero-padded digits (`s` for a static
//!   token), expiring at `max(exp, now) + grace` (static: never). A later `exp` wins.
//! * `{P}cutoffs` — a hash `user:ID` / `reseller:ID` → the cutoff, 20 zero-padded digits
//!   (equal-width digit strings compare like the numbers, without Lua's doubles). The later
//!   cutoff wins.
//! * `{P}stream` — every write, as an entry `t` (`j` or `p`), `v` (jti or principal), `e`
//!   (exp, `s`, or cutoff), trimmed with `MAXLEN ~`.
//!
//! The braces make the layout unambiguous: a key's prefix ends at its first `}`, so no key of
//! one prefix is a key of another (with bare prefixes, jti `stream` under `P` was the stream
//! of `Pj:`). They are also a Redis Cluster hash tag: all keys of one prefix hash to one slot,
//! so each write script touches one slot.
//!
//! Each write is one Lua script, so the key and its stream entry are applied atomically (and
//! written to the AOF together).

use auth_core::{Principal, PrincipalType};

/// Revokes one jti: KEYS = [jti key, stream]; ARGV = [jti, exp or `s`, forget-at, maxlen].
pub(crate) const REVOKE_JTI: &str = r"
local old = redis.call('GET', KEYS[1])
if old ~= 's' then
  if ARGV[2] == 's' then
    redis.call('SET', KEYS[1], 's')
  else
    if (not old) or old < ARGV[2] then
      redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
    end
    if not old then
      redis.call('EXPIREAT', KEYS[1], ARGV[3])
    else
      redis.call('EXPIREAT', KEYS[1], ARGV[3], 'GT')
    end
  end
end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 't', 'j', 'v', ARGV[1], 'e', ARGV[2])
";

/// Sets a principal cutoff (kept as the max): KEYS = [cutoffs hash, stream];
/// ARGV = [principal, cutoff, maxlen].
pub(crate) const REVOKE_PRINCIPAL: &str = r"
local old = redis.call('HGET', KEYS[1], ARGV[1])
if (not old) or old < ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 't', 'p', 'v', ARGV[1], 'e', ARGV[2])
";

/// Why a key prefix cannot be used, if it cannot.
pub(crate) fn check_prefix(prefix: &str) -> Result<(), &'static str> {
    if prefix.is_empty() || prefix.len() > 256 {
        Err("key_prefix must be 1 to 256 bytes")
    } else if prefix.contains(['{', '}']) {
        Err("key_prefix may not contain '{' or '}' (the keys are {prefix}stream, ...)")
    } else {
        Ok(())
    }
}

/// The key names under one prefix (checked by [`check_prefix`]).
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// `{prefix}`, the start of every key.
    tag: String,
    pub(crate) stream: String,
    pub(crate) cutoffs: String,
    /// The prefix as it was, for the keys of the previous layout.
    bare: String,
}

impl Layout {
    pub(crate) fn new(prefix: &str) -> Self {
        let tag = format!("{{{prefix}}}");
        Layout {
            stream: format!("{tag}stream"),
            cutoffs: format!("{tag}cutoffs"),
            tag,
            bare: prefix.to_owned(),
        }
    }

    pub(crate) fn jti(&self, jti: &str) -> String {
        format!("{}j:{jti}", self.tag)
    }

    /// The jti of a `{prefix}j:` key, if it is one.
    pub(crate) fn jti_of<'k>(&self, key: &'k str) -> Option<&'k str> {
        key.strip_prefix(self.tag.as_str())?.strip_prefix("j:")
    }

    /// The `SCAN MATCH` pattern of every jti key.
    pub(crate) fn jti_pattern(&self) -> String {
        glob_escaped(&self.tag) + "j:*"
    }

    /// The stream and the cutoffs of the previous layout (bare prefix, no braces).
    pub(crate) fn previous_keys(&self) -> [String; 2] {
        [
            format!("{}stream", self.bare),
            format!("{}cutoffs", self.bare),
        ]
    }

    /// The `SCAN MATCH` pattern of the previous layout's jti keys.
    pub(crate) fn previous_jti_pattern(&self) -> String {
        glob_escaped(&self.bare) + "j:*"
    }
}

/// `s` with the characters special in a Redis glob pattern escaped.
fn glob_escaped(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}

/// A number as 20 zero-padded digits.
pub(crate) fn pad(n: u64) -> String {
    format!("{n:020}")
}

/// A token's exp as stored: padded digits, or `s` for a static token.
pub(crate) fn encode_exp(exp: Option<u64>) -> String {
    exp.map_or_else(|| "s".to_owned(), pad)
}

/// The inverse of [`encode_exp`]: `Some(None)` is a static token, `None` bad data.
pub(crate) fn decode_exp(s: &str) -> Option<Option<u64>> {
    if s == "s" {
        Some(None)
    } else {
        s.parse().ok().map(Some)
    }
}

pub(crate) fn encode_principal(p: Principal) -> String {
    format!("{}:{}", p.kind.as_str(), p.id)
}

pub(crate) fn decode_principal(s: &str) -> Option<Principal> {
    let (kind, id) = s.split_once(':')?;
    let id = id.parse().ok()?;
    match PrincipalType::from_claim(kind)? {
        PrincipalType::User => Some(Principal::user(id)),
        PrincipalType::Reseller => Some(Principal::reseller(id)),
    }
}

/// A stream entry id `ms-seq`, ordered like Redis orders them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StreamId(pub(crate) u64, pub(crate) u64);

impl StreamId {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let (ms, seq) = s.split_once('-')?;
        Some(StreamId(ms.parse().ok()?, seq.parse().ok()?))
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_round_trip_and_order() {
        assert_eq!(decode_exp(&encode_exp(Some(42))), Some(Some(42)));
        assert_eq!(decode_exp(&encode_exp(None)), Some(None));
        assert_eq!(decode_exp("x"), None);
        assert!(pad(9) < pad(10) && pad(u64::MAX - 1) < pad(u64::MAX));
        let p = Principal::reseller(77);
        assert_eq!(decode_principal(&encode_principal(p)), Some(p));
        assert_eq!(decode_principal("admin:1"), None);
        assert!(StreamId::parse("5-10").unwrap() > StreamId::parse("5-9").unwrap());
        let k = Layout::new("a*b:");
        assert_eq!(k.jti("x"), "{a*b:}j:x");
        assert_eq!(k.stream, "{a*b:}stream");
        assert_eq!(k.jti_pattern(), "{a\\*b:}j:*");
        assert_eq!(k.previous_jti_pattern(), "a\\*b:j:*");
        assert_eq!(k.jti_of(&k.jti("x:y")), Some("x:y"));
        assert_eq!(k.jti_of("a*b:j:x"), None);
        assert!(check_prefix("auth:rev:").is_ok());
        assert!(check_prefix("").is_err() && check_prefix("a}").is_err());
        assert!(check_prefix("{a").is_err() && check_prefix(&"a".repeat(257)).is_err());
    }
}
