//! The one error type of the library: a stable [`ErrorCode`] plus a message.
//!
//! Every failure anywhere in auth-core (and therefore in the C and Python bindings)
//! is an [`Error`] whose [`ErrorCode`] has a stable snake_case name, a stable number
//! (used by the C ABI) and an HTTP status a host service can answer with.

use std::borrow::Cow;
use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $name:literal, $status:expr, $msg:literal; )*) => {
        /// Stable error codes (docs/errors.md).
        ///
        /// The numbers are part of the C ABI and are never reused; the snake_case
        /// names are the same in Rust, C and Python. The enum is deliberately not
        /// `#[non_exhaustive]`: bindings `match` on it and must break at compile
        /// time when a code is added.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant = $num, )*
        }

        impl ErrorCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The stable snake_case name, e.g. `"token_expired"`.
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name, )* }
            }

            /// The HTTP status a host should answer with, or `None` for
            /// configuration errors that never reach a client.
            pub const fn http_status(self) -> Option<u16> {
                match self { $( ErrorCode::$variant => $status, )* }
            }

            /// A generic human-readable message for this code.
            pub const fn default_message(self) -> &'static str {
                match self { $( ErrorCode::$variant => $msg, )* }
            }

            /// The stable number of this code (the C ABI's result value).
            pub const fn as_u32(self) -> u32 {
                self as u32
            }

            /// Looks a code up by its stable number.
            pub fn from_u32(n: u32) -> Option<ErrorCode> {
                match n { $( $num => Some(ErrorCode::$variant), )* _ => None }
            }

            /// Looks a code up by its snake_case name.
            pub fn from_name(name: &str) -> Option<ErrorCode> {
                match name { $( $name => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

error_codes! {
    /// Not three base64url segments, bad JSON, duplicate keys, non-object claims.
    MalformedToken = 1, "malformed_token", Some(401), "malformed token";
    /// Over the configured size limit, checked before decoding.
    TokenTooLarge = 2, "token_too_large", Some(401), "token too large";
    /// A header that changes processing (`crit`, `b64`, `cty`, `jwk`, `jku`, `x5u`, `x5c`) or a `typ` other than JWT.
    UnsupportedHeader = 3, "unsupported_header", Some(401), "unsupported token header";
    /// Header `alg` is not the key's algorithm (including `none`).
    AlgorithmNotAllowed = 4, "algorithm_not_allowed", Some(401), "algorithm not allowed";
    /// `kid` not in the key ring, or missing while several keys are configured.
    UnknownKey = 5, "unknown_key", Some(401), "unknown key";
    /// The signature does not verify.
    BadSignature = 6, "bad_signature", Some(401), "bad signature";
    /// A required claim is missing or of the wrong type, or `type` is unknown.
    InvalidClaims = 7, "invalid_claims", Some(401), "invalid claims";
    /// `now >= exp + leeway`.
    TokenExpired = 8, "token_expired", Some(401), "token expired";
    /// `now < nbf - leeway`.
    TokenNotYetValid = 9, "token_not_yet_valid", Some(401), "token not yet valid";
    /// `iat` more than `max_clock_skew` in the future.
    IssuedInFuture = 10, "issued_in_future", Some(401), "token issued in the future";
    /// The token (or every token of its principal issued before a time) was revoked.
    TokenRevoked = 11, "token_revoked", Some(401), "token revoked";
    /// The client address is not allowed by the token's `allowed_ips`.
    IpNotAllowed = 12, "ip_not_allowed", Some(401), "IP address not allowed";
    /// A TTL that is not an integer in `1..=max_ttl`.
    InvalidTtl = 13, "invalid_ttl", Some(400), "invalid TTL";
    /// An IP/CIDR rule that does not parse strictly.
    InvalidIpRule = 14, "invalid_ip_rule", Some(400), "invalid IP rule";
    /// A client address that does not parse strictly.
    InvalidIpAddress = 15, "invalid_ip_address", Some(400), "invalid IP address";
    /// A regular expression that is invalid, empty or too large.
    InvalidRegex = 16, "invalid_regex", Some(400), "invalid regular expression";
    /// A malformed request body or argument.
    InvalidRequest = 17, "invalid_request", Some(400), "invalid request";
    /// A static (never-expiring) token was asked of an issuer that forbids them.
    StaticNotAllowed = 18, "static_not_allowed", Some(400), "static tokens are not allowed";
    /// An HMAC secret shorter than the algorithm's minimum.
    WeakKey = 19, "weak_key", None, "key too weak";
    /// A key or key ring that cannot be used (bad kid, duplicate kid, no active key, ...).
    InvalidKey = 20, "invalid_key", None, "invalid key";
    /// "Invalid login credentials" (dialer user login).
    InvalidCredentials = 21, "invalid_credentials", Some(401), "Invalid login credentials";
    /// "Login denied due to IP restriction" (dialer user login).
    LoginIpDenied = 22, "login_ip_denied", Some(406), "Login denied due to IP restriction";
    /// "Invalid ID or Password" (reseller login).
    ResellerInvalidCredentials = 23, "reseller_invalid_credentials", Some(401), "Invalid ID or Password";
    /// "Your IP is not allowed" (reseller login).
    ResellerIpDenied = 24, "reseller_ip_denied", Some(401), "Your IP is not allowed";
    /// Minting for a sub-account the caller does not own.
    NotPermitted = 25, "not_permitted", Some(403), "not permitted";
    /// The bounded in-memory revocation store is full of entries that may not be forgotten.
    RevocationStoreFull = 26, "revocation_store_full", Some(503), "revocation store full";
    /// A revocation store cannot confirm its data is current (e.g. a shared store's replica out of contact for longer than its bound), or a write to it was not acknowledged.
    RevocationUnavailable = 27, "revocation_unavailable", Some(503), "revocation status unavailable";
    /// Too many attempts (failed logins) from one account or address: answer 429 with `Retry-After`.
    RateLimited = 28, "rate_limited", Some(429), "Too many failed logins: try again later";
    /// The server could not answer (its database, a task that did not finish); the details are logged, never shown.
    ServerError = 29, "server_error", Some(500), "Server error";
    /// The request carried no bearer token: no `Authorization` header, or one of another scheme (RFC 6750 §3.1: the challenge names no error).
    MissingToken = 30, "missing_token", Some(401), "no bearer token";
    /// The caller already holds as many named tokens as it may (revoke or let some expire first).
    TokenQuotaExceeded = 31, "token_quota_exceeded", Some(403), "named token quota exceeded";
    /// The token is valid but does not hold a scope the request needs (RFC 6750 §3.1: the challenge names the scope).
    InsufficientScope = 32, "insufficient_scope", Some(403), "insufficient scope";
    /// A scope name that is malformed or not declared, a scope list given twice or empty, or a bad scope vocabulary.
    InvalidScope = 33, "invalid_scope", Some(400), "invalid scope";
    /// No usable key set could be fetched from a JWKS URL (auth-jwks): the endpoint failed, timed out, or answered something the core refuses, and no earlier set is held.
    JwksUnavailable = 34, "jwks_unavailable", Some(503), "key set unavailable";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An auth-core failure: a stable [`ErrorCode`] and a message that never echoes secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: Cow<'static, str>,
    /// `insufficient_scope`: the scope the request needs, for the challenge.
    scope: Option<Box<str>>,
}

impl Error {
    /// An error with the code's default message.
    pub const fn new(code: ErrorCode) -> Self {
        Error {
            code,
            message: Cow::Borrowed(code.default_message()),
            scope: None,
        }
    }

    /// An error with a specific message.
    pub fn with_message(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            code,
            message: message.into(),
            scope: None,
        }
    }

    /// `insufficient_scope` for a token missing `missing`, of a request that needs
    /// `required` (written into the RFC 6750 §3 challenge's `scope` attribute).
    pub fn insufficient_scope(missing: &str, required: &crate::ScopeSet) -> Self {
        Error {
            code: ErrorCode::InsufficientScope,
            message: Cow::Owned(format!(
                "the token does not hold the scope `{missing}` (this request needs: {required})"
            )),
            scope: Some(required.to_string().into_boxed_str()),
        }
    }

    /// The same error naming the scopes the request needs (space-separated scope names, as
    /// a binding that rebuilds an error from its parts passes them back). A text that is not
    /// a valid scope list is dropped: it would be written into a header.
    #[must_use]
    pub fn with_required_scope(mut self, required: &str) -> Self {
        self.scope = crate::ScopeSet::parse(required)
            .ok()
            .map(|s| s.to_string().into_boxed_str());
        self
    }

    /// For `insufficient_scope`: the scopes the request needs, space-separated.
    pub fn required_scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The stable code.
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status for hosts (`None` for configuration errors).
    pub const fn http_status(&self) -> Option<u16> {
        self.code.http_status()
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::new(code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_by_number_and_name() {
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(code.as_u32(), i as u32 + 1, "numbers are dense and ordered");
            assert_eq!(ErrorCode::from_u32(code.as_u32()), Some(*code));
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(*code));
        }
        assert_eq!(ErrorCode::from_u32(0), None);
        assert_eq!(ErrorCode::from_name("nope"), None);
    }

    #[test]
    fn spec_statuses() {
        assert_eq!(ErrorCode::LoginIpDenied.http_status(), Some(406));
        assert_eq!(ErrorCode::NotPermitted.http_status(), Some(403));
        assert_eq!(ErrorCode::InvalidTtl.http_status(), Some(400));
        assert_eq!(ErrorCode::WeakKey.http_status(), None);
        assert_eq!(ErrorCode::TokenExpired.http_status(), Some(401));
    }

    #[test]
    fn display_has_code_and_message() {
        let e = Error::with_message(ErrorCode::InvalidTtl, "ttl must be positive");
        assert_eq!(e.to_string(), "invalid_ttl: ttl must be positive");
        assert_eq!(e.http_status(), Some(400));
    }
}
