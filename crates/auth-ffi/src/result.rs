//! `auth_result`: the return code of every fallible function, and what a host can
//! learn from a code alone (stable name, default message, HTTP status).

use std::ffi::c_char;

use authcore::ErrorCode;

use crate::util::panic_boundary_or;

/// The result of a fallible call.
///
/// `AUTH_OK` (0) is success. 1 to 34 are the core's stable error codes (docs/errors.md),
/// numerically identical to `auth_core::ErrorCode`. Codes from 1000 up are the C
/// binding's own (a NULL argument, a buffer too small, text that is not UTF-8, a
/// Rust panic caught at the boundary, an index out of range). Numbers are never
/// reused.
///
/// C sees this as `uint32_t`; functions that take a code (`auth_result_name`, ...)
/// accept any number and answer for unknown ones too.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_result {
    /// Success.
    AUTH_OK = 0,
    /// Not three base64url segments, bad JSON, duplicate keys, non-object claims.
    AUTH_MALFORMED_TOKEN = 1,
    /// Over the verifier's size limit (checked before decoding).
    AUTH_TOKEN_TOO_LARGE = 2,
    /// A header that changes processing (`crit`, `b64`, `cty`, `jwk`, ...) or `typ` other than JWT.
    AUTH_UNSUPPORTED_HEADER = 3,
    /// Header `alg` is not the key's algorithm (including `none`).
    AUTH_ALGORITHM_NOT_ALLOWED = 4,
    /// `kid` not in the key ring, or missing while several keys are configured.
    AUTH_UNKNOWN_KEY = 5,
    /// The signature does not verify.
    AUTH_BAD_SIGNATURE = 6,
    /// A required claim is missing or of the wrong type, or `type` is unknown.
    AUTH_INVALID_CLAIMS = 7,
    /// `now >= exp + leeway`.
    AUTH_TOKEN_EXPIRED = 8,
    /// `now < nbf - leeway`.
    AUTH_TOKEN_NOT_YET_VALID = 9,
    /// `iat` more than `max_clock_skew` in the future.
    AUTH_ISSUED_IN_FUTURE = 10,
    /// The token, or every token of its principal issued before a time, was revoked.
    AUTH_TOKEN_REVOKED = 11,
    /// The client address is not allowed by the token's `allowed_ips` (or none was given).
    AUTH_IP_NOT_ALLOWED = 12,
    /// A TTL that is not an integer in `1..=max_ttl`.
    AUTH_INVALID_TTL = 13,
    /// An IP/CIDR rule that does not parse strictly.
    AUTH_INVALID_IP_RULE = 14,
    /// A client address that does not parse strictly.
    AUTH_INVALID_IP_ADDRESS = 15,
    /// A regular expression that is invalid, empty or too large.
    AUTH_INVALID_REGEX = 16,
    /// A malformed request body or argument.
    AUTH_INVALID_REQUEST = 17,
    /// A static token was asked of an issuer that forbids them.
    AUTH_STATIC_NOT_ALLOWED = 18,
    /// An HMAC secret shorter than the algorithm's minimum (32 bytes for HS256).
    AUTH_WEAK_KEY = 19,
    /// A key or key ring that cannot be used (bad kid, duplicate kid, no active key, unknown algorithm).
    AUTH_INVALID_KEY = 20,
    /// "Invalid login credentials" (dialer user login).
    AUTH_INVALID_CREDENTIALS = 21,
    /// "Login denied due to IP restriction" (dialer user login).
    AUTH_LOGIN_IP_DENIED = 22,
    /// "Invalid ID or Password" (reseller login).
    AUTH_RESELLER_INVALID_CREDENTIALS = 23,
    /// "Your IP is not allowed" (reseller login).
    AUTH_RESELLER_IP_DENIED = 24,
    /// Minting for a sub-account the caller does not own.
    AUTH_NOT_PERMITTED = 25,
    /// The bounded in-memory revocation store is full of entries that may not be forgotten.
    AUTH_REVOCATION_STORE_FULL = 26,
    /// A revocation store cannot confirm it is current, or a write to it was not acknowledged.
    AUTH_REVOCATION_UNAVAILABLE = 27,
    /// Too many attempts (failed logins): answer 429 with `Retry-After`.
    AUTH_RATE_LIMITED = 28,
    /// The server could not answer; details are logged, never shown (500).
    AUTH_SERVER_ERROR = 29,
    /// The request carried no bearer token (no `Authorization` header, or another scheme).
    AUTH_MISSING_TOKEN = 30,
    /// The caller already holds as many named tokens as it may.
    AUTH_TOKEN_QUOTA_EXCEEDED = 31,
    /// The token is valid but does not hold a scope the request needs (403; the error's
    /// `auth_error_required_scope` and the `WWW-Authenticate` challenge of its answer name
    /// the scopes the request needs).
    AUTH_INSUFFICIENT_SCOPE = 32,
    /// A scope name that is malformed or not declared, a scope list given twice or empty, or
    /// a bad scope vocabulary (400).
    AUTH_INVALID_SCOPE = 33,
    /// No usable key set could be fetched from a JWKS URL (the endpoint failed, timed out or
    /// answered something the core refuses, and no earlier set is held) (503).
    AUTH_JWKS_UNAVAILABLE = 34,
    /// A required pointer argument was NULL.
    AUTH_NULL_ARGUMENT = 1000,
    /// A caller-provided buffer is too small; the needed length was written to the
    /// length out-parameter (the buffer needs that many bytes plus one for the NUL).
    AUTH_INSUFFICIENT_SIZE = 1001,
    /// Bytes that must be UTF-8 text (a kid, a name, a rule, an address, ...) are not.
    AUTH_INVALID_UTF8 = 1002,
    /// A Rust panic was caught at the C boundary (a bug in the library; please report it).
    AUTH_PANIC = 1003,
    /// An index past the end of a list (for example `auth_claims_allowed_ip`).
    AUTH_INDEX_OUT_OF_RANGE = 1004,
    /// A numeric argument that names no value of its enumeration (an unknown algorithm,
    /// principal type, regex mode or format number).
    AUTH_INVALID_ENUM = 1005,
    /// An `auth_error` that carries one of the binding's own codes was given where a core
    /// error is needed (the wire error bodies speak only the docs/errors.md codes).
    AUTH_NOT_CORE_ERROR = 1006,
}

/// The binding's own codes with their names, messages and HTTP statuses.
const BINDING_CODES: &[(auth_result, &str, &str, u16)] = &[
    (
        auth_result::AUTH_NULL_ARGUMENT,
        "null_argument\0",
        "a required argument was NULL\0",
        500,
    ),
    (
        auth_result::AUTH_INSUFFICIENT_SIZE,
        "insufficient_size\0",
        "the output buffer is too small\0",
        500,
    ),
    (
        auth_result::AUTH_INVALID_UTF8,
        "invalid_utf8\0",
        "text argument is not valid UTF-8\0",
        400,
    ),
    (
        auth_result::AUTH_PANIC,
        "panic\0",
        "internal error (a panic was caught at the C boundary)\0",
        500,
    ),
    (
        auth_result::AUTH_INDEX_OUT_OF_RANGE,
        "index_out_of_range\0",
        "index out of range\0",
        500,
    ),
    (
        auth_result::AUTH_INVALID_ENUM,
        "invalid_enum\0",
        "unknown enumeration value\0",
        500,
    ),
    (
        auth_result::AUTH_NOT_CORE_ERROR,
        "not_core_error\0",
        "the error is the C binding's own, not a core error\0",
        500,
    ),
];

impl auth_result {
    /// The C result for a core error code. Deliberately a `match` without a wildcard
    /// arm: adding a core code breaks this build until the binding maps it.
    pub(crate) const fn from_code(code: ErrorCode) -> auth_result {
        use auth_result::*;
        match code {
            ErrorCode::MalformedToken => AUTH_MALFORMED_TOKEN,
            ErrorCode::TokenTooLarge => AUTH_TOKEN_TOO_LARGE,
            ErrorCode::UnsupportedHeader => AUTH_UNSUPPORTED_HEADER,
            ErrorCode::AlgorithmNotAllowed => AUTH_ALGORITHM_NOT_ALLOWED,
            ErrorCode::UnknownKey => AUTH_UNKNOWN_KEY,
            ErrorCode::BadSignature => AUTH_BAD_SIGNATURE,
            ErrorCode::InvalidClaims => AUTH_INVALID_CLAIMS,
            ErrorCode::TokenExpired => AUTH_TOKEN_EXPIRED,
            ErrorCode::TokenNotYetValid => AUTH_TOKEN_NOT_YET_VALID,
            ErrorCode::IssuedInFuture => AUTH_ISSUED_IN_FUTURE,
            ErrorCode::TokenRevoked => AUTH_TOKEN_REVOKED,
            ErrorCode::IpNotAllowed => AUTH_IP_NOT_ALLOWED,
            ErrorCode::InvalidTtl => AUTH_INVALID_TTL,
            ErrorCode::InvalidIpRule => AUTH_INVALID_IP_RULE,
            ErrorCode::InvalidIpAddress => AUTH_INVALID_IP_ADDRESS,
            ErrorCode::InvalidRegex => AUTH_INVALID_REGEX,
            ErrorCode::InvalidRequest => AUTH_INVALID_REQUEST,
            ErrorCode::StaticNotAllowed => AUTH_STATIC_NOT_ALLOWED,
            ErrorCode::WeakKey => AUTH_WEAK_KEY,
            ErrorCode::InvalidKey => AUTH_INVALID_KEY,
            ErrorCode::InvalidCredentials => AUTH_INVALID_CREDENTIALS,
            ErrorCode::LoginIpDenied => AUTH_LOGIN_IP_DENIED,
            ErrorCode::ResellerInvalidCredentials => AUTH_RESELLER_INVALID_CREDENTIALS,
            ErrorCode::ResellerIpDenied => AUTH_RESELLER_IP_DENIED,
            ErrorCode::NotPermitted => AUTH_NOT_PERMITTED,
            ErrorCode::RevocationStoreFull => AUTH_REVOCATION_STORE_FULL,
            ErrorCode::RevocationUnavailable => AUTH_REVOCATION_UNAVAILABLE,
            ErrorCode::RateLimited => AUTH_RATE_LIMITED,
            ErrorCode::ServerError => AUTH_SERVER_ERROR,
            ErrorCode::MissingToken => AUTH_MISSING_TOKEN,
            ErrorCode::TokenQuotaExceeded => AUTH_TOKEN_QUOTA_EXCEEDED,
            ErrorCode::InsufficientScope => AUTH_INSUFFICIENT_SCOPE,
            ErrorCode::InvalidScope => AUTH_INVALID_SCOPE,
            ErrorCode::JwksUnavailable => AUTH_JWKS_UNAVAILABLE,
        }
    }

    /// The core code with this C number, if it is one.
    pub(crate) fn core_code(n: u32) -> Option<ErrorCode> {
        ErrorCode::from_u32(n)
    }
}

/// NUL-terminated copies of the core's names and default messages, built once.
fn core_text(n: u32) -> Option<(&'static [u8], &'static [u8])> {
    use std::sync::OnceLock;
    static TABLE: OnceLock<Vec<(Vec<u8>, Vec<u8>)>> = OnceLock::new();
    let code = auth_result::core_code(n)?;
    let table = TABLE.get_or_init(|| {
        ErrorCode::ALL
            .iter()
            .map(|c| {
                let mut name = c.as_str().as_bytes().to_vec();
                name.retain(|&b| b != 0);
                name.push(0);
                let mut msg = c.default_message().as_bytes().to_vec();
                msg.retain(|&b| b != 0);
                msg.push(0);
                (name, msg)
            })
            .collect()
    });
    let idx = ErrorCode::ALL.iter().position(|c| *c == code)?;
    let (name, msg) = &table[idx];
    Some((name.as_slice(), msg.as_slice()))
}

fn binding_entry(n: u32) -> Option<&'static (auth_result, &'static str, &'static str, u16)> {
    BINDING_CODES.iter().find(|e| e.0 as u32 == n)
}

/// The stable snake_case name of a result code (`"ok"`, `"token_expired"`,
/// `"insufficient_size"`, ...), as a static NUL-terminated string; `"unknown"` for a
/// number that is no code. Never NULL; never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn auth_result_name(code: u32) -> *const c_char {
    panic_boundary_or(c"panic".as_ptr(), || {
        if code == 0 {
            return c"ok".as_ptr();
        }
        if let Some((name, _)) = core_text(code) {
            return name.as_ptr().cast();
        }
        match binding_entry(code) {
            Some(e) => e.1.as_ptr().cast(),
            None => c"unknown".as_ptr(),
        }
    })
}

/// A generic English message for a result code, as a static NUL-terminated string
/// (`"unknown result code"` for a number that is no code). Never NULL; never free it.
/// For the message of one failed call, ask for its `auth_error`. Thread-safe.
#[no_mangle]
pub extern "C" fn auth_result_message(code: u32) -> *const c_char {
    panic_boundary_or(c"internal error".as_ptr(), || {
        if code == 0 {
            return c"OK".as_ptr();
        }
        if let Some((_, msg)) = core_text(code) {
            return msg.as_ptr().cast();
        }
        match binding_entry(code) {
            Some(e) => e.2.as_ptr().cast(),
            None => c"unknown result code".as_ptr(),
        }
    })
}

/// The HTTP status a host should answer with for a result code: docs/errors.md for the core
/// codes (401, 400, 403, 406, 503), 200 for `AUTH_OK`, 400 for `AUTH_INVALID_UTF8`, 500
/// for the binding's other codes (they are programming errors of the host, or a bug),
/// and 0 for the configuration errors `weak_key` and `invalid_key` (they never reach a
/// client) and for unknown numbers. Thread-safe.
#[no_mangle]
pub extern "C" fn auth_result_http_status(code: u32) -> u16 {
    panic_boundary_or(500, || {
        if code == 0 {
            return 200;
        }
        if let Some(c) = auth_result::core_code(code) {
            return c.http_status().unwrap_or(0);
        }
        binding_entry(code).map(|e| e.3).unwrap_or(0)
    })
}

/// The library version (`"0.1.0"`), a static NUL-terminated string. Never NULL; never
/// free it. Thread-safe.
#[no_mangle]
pub extern "C" fn auth_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn core_codes_keep_their_numbers() {
        for &c in ErrorCode::ALL {
            assert_eq!(auth_result::from_code(c) as u32, c.as_u32(), "{c}");
        }
    }

    #[test]
    fn names_and_statuses_come_from_the_core() {
        for &c in ErrorCode::ALL {
            let name = unsafe { CStr::from_ptr(auth_result_name(c.as_u32())) };
            assert_eq!(name.to_str().unwrap(), c.as_str());
            assert_eq!(
                auth_result_http_status(c.as_u32()),
                c.http_status().unwrap_or(0)
            );
        }
        let name = unsafe { CStr::from_ptr(auth_result_name(1001)) };
        assert_eq!(name.to_str().unwrap(), "insufficient_size");
        let name = unsafe { CStr::from_ptr(auth_result_name(999)) };
        assert_eq!(name.to_str().unwrap(), "unknown");
    }

    #[test]
    fn binding_codes_are_unique_and_above_1000() {
        for (i, e) in BINDING_CODES.iter().enumerate() {
            assert!(e.0 as u32 >= 1000);
            assert!(e.1.ends_with('\0') && e.2.ends_with('\0'));
            assert!(BINDING_CODES[i + 1..].iter().all(|o| o.0 != e.0));
        }
    }
}
