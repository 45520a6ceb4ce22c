//! Token lifetimes (docs/ttl.md): dynamic, static, or an explicit TTL in seconds.

use crate::error::{Error, ErrorCode, Result};

/// One day: the default lifetime of a dynamic (login) token.
pub const DEFAULT_DYNAMIC_TTL: u64 = 86_400;
/// Ten years (of 365 days): the default longest explicit TTL.
pub const DEFAULT_MAX_TTL: u64 = 10 * 365 * 86_400;

/// How long a token lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lifetime {
    /// A login token: `exp = iat + dynamic_ttl` (24 hours by default).
    #[default]
    Dynamic,
    /// No `exp`: the token never expires (admin-issued, long-term integrations).
    Static,
    /// `exp = iat + seconds`; `seconds` must be in `1..=max_ttl`. Signed so that a
    /// negative TTL from a binding is reported as `invalid_ttl`, not a type error.
    Ttl(i64),
}

impl Lifetime {
    /// The lifetime a mint call asks for with its two options: neither → [`Lifetime::Dynamic`],
    /// `ttl` alone → [`Lifetime::Ttl`], `static` alone → [`Lifetime::Static`]; both →
    /// `invalid_request` (a token cannot both expire and never expire).
    pub fn from_options(ttl: Option<i64>, never_expires: bool) -> Result<Lifetime> {
        match (ttl, never_expires) {
            (None, false) => Ok(Lifetime::Dynamic),
            (None, true) => Ok(Lifetime::Static),
            (Some(s), false) => Ok(Lifetime::Ttl(s)),
            (Some(_), true) => Err(Error::with_message(
                ErrorCode::InvalidRequest,
                "give either a ttl or static, not both",
            )),
        }
    }

    /// The explicit TTL in seconds, or `None` for a dynamic or static lifetime.
    pub fn ttl_seconds(&self) -> Option<i64> {
        match self {
            Lifetime::Ttl(s) => Some(*s),
            Lifetime::Dynamic | Lifetime::Static => None,
        }
    }

    /// An explicit TTL from a duration given as whole seconds plus nanoseconds (a binding's
    /// duration type, e.g. Python's `timedelta`): a fraction of a second, or seconds outside
    /// `i64`, is `invalid_ttl` (the range itself is the policy's, at minting).
    pub fn ttl_from_parts(whole_seconds: i128, subsec_nanos: u32) -> Result<i64> {
        if subsec_nanos != 0 {
            return Err(invalid_ttl("ttl must be a whole number of seconds"));
        }
        i64::try_from(whole_seconds).map_err(|_| invalid_ttl("ttl is too large"))
    }

    /// An explicit TTL written as text (a command-line argument, an XML `<ttl>`): decimal digits with an
    /// optional leading `-` (so a negative TTL is reported as `invalid_ttl` by the policy),
    /// nothing else — not even whitespace. Empty text is `invalid_ttl`, never "unlimited":
    /// a static token must be asked for by name.
    pub fn from_seconds_text(text: &str) -> Result<Lifetime> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_ttl("ttl must be an integer number of seconds"));
        }
        text.parse::<i64>()
            .map(Lifetime::Ttl)
            .map_err(|_| invalid_ttl("ttl is too large"))
    }

    /// The number of seconds a duration text means (a command-line `--ttl`): a positive
    /// decimal number without leading zeros, optionally followed by one unit — `s` (seconds,
    /// the default), `m` (minutes), `h` (hours), `d` (days of 86,400 s) or `w` (weeks) —
    /// so `3600`, `60m` and `1h` are the same TTL. Nothing else is accepted: no sign, no
    /// spaces, no upper-case or combined units (`1h30m`), no fractions. Zero, a leading
    /// zero or a value beyond `i64` seconds is `invalid_ttl`; the issuer's `max_ttl` is
    /// checked when minting ([`TtlPolicy::expiry`]).
    ///
    /// ```
    /// use auth_core::Lifetime;
    /// assert_eq!(Lifetime::duration_text_seconds("30d").unwrap(), 30 * 86_400);
    /// assert_eq!(Lifetime::duration_text_seconds("3600").unwrap(), 3600);
    /// assert_eq!(Lifetime::duration_text_seconds("0h").unwrap_err().code().as_str(), "invalid_ttl");
    /// ```
    pub fn duration_text_seconds(text: &str) -> Result<i64> {
        const SYNTAX: &str =
            "ttl must be a whole number of seconds or a duration such as 90m, 12h or 30d \
                              (units s, m, h, d, w; no spaces, no leading zeros)";
        let (digits, unit) = match text.as_bytes().last() {
            Some(b's') => (&text[..text.len() - 1], 1),
            Some(b'm') => (&text[..text.len() - 1], 60),
            Some(b'h') => (&text[..text.len() - 1], 3600),
            Some(b'd') => (&text[..text.len() - 1], 86_400),
            Some(b'w') => (&text[..text.len() - 1], 7 * 86_400),
            _ => (text, 1),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_ttl(SYNTAX));
        }
        if digits.bytes().all(|b| b == b'0') {
            return Err(invalid_ttl("ttl must be at least 1 second"));
        }
        if digits.starts_with('0') {
            return Err(invalid_ttl(SYNTAX));
        }
        digits
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .ok_or_else(|| invalid_ttl("ttl is too large"))
    }
}

/// An issuer's lifetime rules. Defaults: dynamic tokens live 24 h, explicit TTLs up to
/// 10 years, static tokens allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TtlPolicy {
    /// Lifetime of [`Lifetime::Dynamic`] tokens, in seconds (≥ 1).
    pub dynamic_ttl: u64,
    /// Longest explicit TTL, in seconds (≥ 1).
    pub max_ttl: u64,
    /// Whether [`Lifetime::Static`] tokens may be minted.
    pub allow_static: bool,
}

impl Default for TtlPolicy {
    fn default() -> Self {
        TtlPolicy {
            dynamic_ttl: DEFAULT_DYNAMIC_TTL,
            max_ttl: DEFAULT_MAX_TTL,
            allow_static: true,
        }
    }
}

impl TtlPolicy {
    /// Checks the policy itself: both durations must be at least 1 s (`invalid_ttl`).
    pub fn validate(&self) -> Result<()> {
        if self.dynamic_ttl == 0 || self.max_ttl == 0 {
            return Err(invalid_ttl("policy durations must be at least 1 second"));
        }
        Ok(())
    }

    /// The `exp` of a token issued at `iat` with `lifetime`: `None` for a static token.
    ///
    /// Errors: `invalid_ttl` for a TTL outside `1..=max_ttl` or an `exp` that would
    /// overflow; `static_not_allowed` when the policy forbids static tokens.
    ///
    /// ```
    /// use auth_core::{Lifetime, TtlPolicy};
    /// let p = TtlPolicy::default();
    /// assert_eq!(p.expiry(Lifetime::Dynamic, 1000).unwrap(), Some(1000 + 86_400));
    /// assert_eq!(p.expiry(Lifetime::Static, 1000).unwrap(), None);
    /// assert_eq!(p.expiry(Lifetime::Ttl(0), 1000).unwrap_err().code().as_str(), "invalid_ttl");
    /// ```
    pub fn expiry(&self, lifetime: Lifetime, iat: u64) -> Result<Option<u64>> {
        let secs = match lifetime {
            Lifetime::Static if self.allow_static => return Ok(None),
            Lifetime::Static => return Err(Error::new(ErrorCode::StaticNotAllowed)),
            Lifetime::Dynamic => self.dynamic_ttl,
            Lifetime::Ttl(s) if s < 1 => return Err(invalid_ttl("ttl must be at least 1 second")),
            Lifetime::Ttl(s) if s as u64 > self.max_ttl => {
                return Err(invalid_ttl(format!(
                    "ttl must be at most {} seconds",
                    self.max_ttl
                )))
            }
            Lifetime::Ttl(s) => s as u64,
        };
        iat.checked_add(secs)
            .filter(|&e| e <= MAX_TIME)
            .map(Some)
            .ok_or_else(|| invalid_ttl("expiry overflows"))
    }
}

/// The largest time the library accepts or produces: 2^53 − 1 seconds, so that every
/// NumericDate survives a round trip through JavaScript and other float-based JSON
/// readers. The same bound applies to ids (`id`, `user_group_id`, `parent.id`), and both
/// ways (docs/keys.md): minting refuses a larger value (`invalid_request`), verification refuses
/// a token carrying one (`invalid_claims`).
pub const MAX_TIME: u64 = (1 << 53) - 1;

fn invalid_ttl(msg: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::with_message(ErrorCode::InvalidTtl, msg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ttl_from_parts_refuses_fractions_and_overflow() {
        use super::Lifetime;
        assert_eq!(Lifetime::ttl_from_parts(60, 0).unwrap(), 60);
        assert_eq!(Lifetime::ttl_from_parts(-5, 0).unwrap(), -5);
        for (s, n) in [(60, 1), (i64::MAX as i128 + 1, 0), (i128::MIN, 0)] {
            let e = Lifetime::ttl_from_parts(s, n).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidTtl);
        }
        assert_eq!(Lifetime::Ttl(9).ttl_seconds(), Some(9));
        assert_eq!(Lifetime::Static.ttl_seconds(), None);
        assert_eq!(Lifetime::Dynamic.ttl_seconds(), None);
    }
    use super::*;

    #[test]
    fn ttl_bounds() {
        let p = TtlPolicy::default();
        assert_eq!(p.expiry(Lifetime::Ttl(1), 10).unwrap(), Some(11));
        assert_eq!(
            p.expiry(Lifetime::Ttl(DEFAULT_MAX_TTL as i64), 0).unwrap(),
            Some(DEFAULT_MAX_TTL)
        );
        for bad in [0, -1, i64::MIN, DEFAULT_MAX_TTL as i64 + 1, i64::MAX] {
            assert_eq!(
                p.expiry(Lifetime::Ttl(bad), 10).unwrap_err().code(),
                ErrorCode::InvalidTtl,
                "{bad}"
            );
        }
        assert_eq!(
            p.expiry(Lifetime::Dynamic, MAX_TIME).unwrap_err().code(),
            ErrorCode::InvalidTtl
        );
    }

    #[test]
    fn static_can_be_forbidden() {
        let p = TtlPolicy {
            allow_static: false,
            ..TtlPolicy::default()
        };
        assert_eq!(
            p.expiry(Lifetime::Static, 1).unwrap_err().code(),
            ErrorCode::StaticNotAllowed
        );
        assert_eq!(p.expiry(Lifetime::Dynamic, 1).unwrap(), Some(86_401));
    }

    #[test]
    fn ttl_from_duration_text() {
        for (text, secs) in [
            ("1", 1),
            ("3600", 3600),
            ("45s", 45),
            ("90m", 5400),
            ("1h", 3600),
            ("30d", 2_592_000),
            ("2w", 1_209_600),
            ("9223372036854775807", i64::MAX),
        ] {
            assert_eq!(
                Lifetime::duration_text_seconds(text).unwrap(),
                secs,
                "{text}"
            );
        }
        for bad in [
            "",
            "0",
            "0s",
            "00",
            "0h",
            "01",
            "060",
            "01h",
            "-5",
            "-1h",
            "+5",
            " 1h",
            "1h ",
            "1 h",
            "1H",
            "1D",
            "1h30m",
            "1.5h",
            "h",
            "s",
            "1ms",
            "1y",
            "1e3",
            "abc",
            "9223372036854775808",
            "9223372036854775807s0",
            "99999999999999999999",
            "15250284452472w",
            "106751991167301d",
        ] {
            assert_eq!(
                Lifetime::duration_text_seconds(bad).unwrap_err().code(),
                ErrorCode::InvalidTtl,
                "{bad:?}"
            );
        }
        // the largest week count that fits (the next one overflows, above)
        assert_eq!(
            Lifetime::duration_text_seconds("15250284452471w").unwrap(),
            15_250_284_452_471 * 604_800
        );
    }

    #[test]
    fn ttl_from_seconds_text() {
        assert_eq!(
            Lifetime::from_seconds_text("60").unwrap(),
            Lifetime::Ttl(60)
        );
        assert_eq!(
            Lifetime::from_seconds_text("-5").unwrap(),
            Lifetime::Ttl(-5)
        );
        for bad in [
            "",
            " 60",
            "60 ",
            "-",
            "1.5",
            "1e3",
            "+5",
            "abc",
            "99999999999999999999",
        ] {
            assert_eq!(
                Lifetime::from_seconds_text(bad).unwrap_err().code(),
                ErrorCode::InvalidTtl,
                "{bad:?}"
            );
        }
    }
}
