//! IP policies (docs/ip-rules.md): strict rule and address parsing, allow-lists, regex rules.

use std::ffi::c_char;
use std::sync::Arc;

use authcore::{canonical_ip_text, parse_client_ip, IpAllowList, IpRegex, IpRule, RegexMode};

use crate::error::auth_error;
use crate::result::auth_result;
use crate::util::{
    bytes, free_arc, guard, handle, new_arc, out_ptr, panic_boundary_or, text, utf8, write_out,
    Castable, Failure,
};

/// How an `auth_ip_regex` pattern is applied. Passed to C functions as `uint32_t`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum auth_regex_mode {
    /// The pattern must match the whole address text, as `^(?:P)$` (the default).
    AUTH_REGEX_FULL_MATCH = 1,
    /// The pattern may match anywhere (for data written for search semantics).
    AUTH_REGEX_SEARCH = 2,
}

crate::util::enum_conversions!(auth_regex_mode <=> RegexMode {
    AUTH_REGEX_FULL_MATCH <=> FullMatch,
    AUTH_REGEX_SEARCH <=> Search,
});

/// Parses an IP/CIDR rule strictly and copies its canonical text into `buf` (see
/// "Output buffers"). Errors: `AUTH_INVALID_IP_RULE` (with a message naming the network
/// when host bits are set), `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`,
/// `AUTH_INSUFFICIENT_SIZE`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_rule_canonical(
    rule: *const c_char,
    rule_len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let rule = IpRule::parse(text(rule, rule_len, "rule")?)?;
        write_out(rule.to_string().as_bytes(), buf, buf_len, out_len)
    })
}

/// Parses a client address strictly (IPv4-mapped IPv6 becomes IPv4) and copies its
/// canonical text (dotted IPv4, RFC 5952 IPv6) into `buf`. Errors:
/// `AUTH_INVALID_IP_ADDRESS`, `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`,
/// `AUTH_INSUFFICIENT_SIZE`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_address_canonical(
    ip: *const c_char,
    ip_len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let addr = parse_client_ip(text(ip, ip_len, "ip")?)?;
        write_out(canonical_ip_text(addr).as_bytes(), buf, buf_len, out_len)
    })
}

/// A host-side allow-list of IP/CIDR rules (a reseller's `allowedIPs`), fast at 100,000
/// rules.
///
/// Immutable and reference-counted: safe to share and query from many threads at once.
/// Create with `auth_ip_allow_list_new`, release with `auth_ip_allow_list_free`.
pub struct auth_ip_allow_list {
    _private: [u8; 0],
}

impl Castable for auth_ip_allow_list {
    type Ownership = crate::util::OwnershipArc;
    type RustType = IpAllowList;
}

/// Builds an allow-list from `count` rules: `rules[i]` points to `rule_lens[i]` bytes of
/// rule text. `count` 0 gives an empty list (allows nothing; `rules` and `rule_lens` may
/// then be NULL). `*list_out` receives it (free with `auth_ip_allow_list_free`).
/// Errors: `AUTH_INVALID_IP_RULE` naming the first bad rule's index,
/// `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT` (also for a NULL `rules[i]`).
#[no_mangle]
pub unsafe extern "C" fn auth_ip_allow_list_new(
    rules: *const *const c_char,
    rule_lens: *const usize,
    count: usize,
    list_out: *mut *mut auth_ip_allow_list,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let out = out_ptr(list_out, "list_out")?;
        // Pointers first, and nothing is allocated from `count`: a wrong count must not
        // abort the host on a huge allocation. The list grows as the rules are read.
        if count > 0 {
            if rules.is_null() {
                return Err(Failure::null("rules"));
            }
            if rule_lens.is_null() {
                return Err(Failure::null("rule_lens"));
            }
        }
        let mut texts = Vec::new();
        for i in 0..count {
            // SAFETY: by the API contract `rules` and `rule_lens` hold `count` readable
            // elements (both non-NULL when count > 0, checked above).
            let (p, len) = (*rules.add(i), *rule_lens.add(i));
            texts.push(utf8(bytes(p.cast(), len, "rules[i]")?, "rules[i]")?);
        }
        let list = IpAllowList::parse(texts)?;
        out.write(new_arc::<auth_ip_allow_list>(Arc::new(list)));
        Ok(())
    })
}

/// Writes to `*allowed` whether the client address `ip` (parsed strictly) is inside any
/// rule. Errors: `AUTH_INVALID_IP_ADDRESS`, `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_allow_list_contains(
    list: *const auth_ip_allow_list,
    ip: *const c_char,
    ip_len: usize,
    allowed: *mut bool,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let list = handle(list, "list")?;
        let addr = parse_client_ip(text(ip, ip_len, "ip")?)?;
        out_ptr(allowed, "allowed")?.write(list.contains(addr));
        Ok(())
    })
}

/// Writes the number of rules to `*out`.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_allow_list_len(
    list: *const auth_ip_allow_list,
    out: *mut usize,
) -> auth_result {
    guard(std::ptr::null_mut(), || {
        let list = handle(list, "list")?;
        out_ptr(out, "out")?.write(list.len());
        Ok(())
    })
}

/// Releases an allow-list. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_allow_list_free(list: *mut auth_ip_allow_list) {
    panic_boundary_or((), || free_arc(list))
}

/// A user group's `allowed_regex`, matched (linear time) against a client address's
/// canonical text.
///
/// Immutable and reference-counted: safe to share and query from many threads at once.
/// Create with `auth_ip_regex_new`, release with `auth_ip_regex_free`.
pub struct auth_ip_regex {
    _private: [u8; 0],
}

impl Castable for auth_ip_regex {
    type Ownership = crate::util::OwnershipArc;
    type RustType = IpRegex;
}

/// Compiles `pattern` (UTF-8, at most 4 KiB) for `mode` (an `auth_regex_mode` number).
/// `*regex_out` receives it (free with `auth_ip_regex_free`). Errors:
/// `AUTH_INVALID_REGEX` (invalid, empty or too large), `AUTH_INVALID_ENUM`,
/// `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_regex_new(
    pattern: *const c_char,
    pattern_len: usize,
    mode: u32,
    regex_out: *mut *mut auth_ip_regex,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let pattern = text(pattern, pattern_len, "pattern")?;
        let mode = auth_regex_mode::to_core(mode)?;
        let out = out_ptr(regex_out, "regex_out")?;
        out.write(new_arc::<auth_ip_regex>(Arc::new(IpRegex::new(
            pattern, mode,
        )?)));
        Ok(())
    })
}

/// Writes to `*matched` whether the client address `ip` matches. The address is parsed
/// strictly first: a bad address → `AUTH_INVALID_IP_ADDRESS` and never reaches the
/// regex. Errors also: `AUTH_INVALID_UTF8`, `AUTH_NULL_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_regex_is_match(
    regex: *const auth_ip_regex,
    ip: *const c_char,
    ip_len: usize,
    matched: *mut bool,
    error_out: *mut *mut auth_error,
) -> auth_result {
    guard(error_out, || {
        let regex = handle(regex, "regex")?;
        let ip = text(ip, ip_len, "ip")?;
        let out = out_ptr(matched, "matched")?;
        out.write(regex.is_match_str(ip)?);
        Ok(())
    })
}

/// Releases a regex. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn auth_ip_regex_free(regex: *mut auth_ip_regex) {
    panic_boundary_or((), || free_arc(regex))
}
