//! Regex rules (a user group's `allowed_regex`): full-match or search over the canonical
//! address text, with caps on pattern length, compiled size and nesting.

use std::fmt;
use std::net::IpAddr;

use super::rule::{normalize_addr, parse_client_ip};
use crate::error::{Error, ErrorCode, Result};

/// Longest [`IpRegex`] pattern accepted, in bytes (4 KiB, docs/ip-rules.md).
pub const MAX_REGEX_LEN: usize = 4096;

/// Cap on the compiled size of an [`IpRegex`] program and on its lazy DFA cache, in bytes (1 MiB each).
pub const MAX_REGEX_COMPILED_SIZE: usize = 1 << 20;

/// Deepest nesting of groups/repetitions accepted in an [`IpRegex`] pattern.
pub const MAX_REGEX_NEST: u32 = 64;

/// How an [`IpRegex`] pattern is applied to the address text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RegexMode {
    /// The pattern must match the whole text, as `^(?:P)$` (the default, docs/ip-rules.md).
    #[default]
    FullMatch,
    /// The pattern may match anywhere in the text (for data written for search semantics).
    Search,
}

/// A user group's `allowed_regex`: a pattern matched against a client address's canonical text.
///
/// The address is normalized (IPv4-mapped → IPv4) and written as dotted IPv4 or RFC 5952 lowercase
/// IPv6 (see [`canonical_ip_text`](super::canonical_ip_text)) before matching. Matching is linear-time (the `regex` crate);
/// the pattern is at most [`MAX_REGEX_LEN`] bytes and its compiled size is capped
/// ([`MAX_REGEX_COMPILED_SIZE`]). An `IpRegex` is immutable and `Send + Sync`.
///
/// ```
/// use auth_core::{IpRegex, RegexMode};
///
/// let full = IpRegex::new(r"192\.168\.1\.1", RegexMode::FullMatch).unwrap();
/// assert!(full.is_match_str("192.168.1.1").unwrap());
/// assert!(!full.is_match_str("192.168.1.10").unwrap());
/// let search = IpRegex::new(r"192\.168\.1\.1", RegexMode::Search).unwrap();
/// assert!(search.is_match_str("192.168.1.10").unwrap());
/// ```
#[derive(Clone)]
pub struct IpRegex {
    regex: regex::Regex,
    pattern: String,
    mode: RegexMode,
}

impl IpRegex {
    /// Compiles `pattern` for `mode`.
    ///
    /// `invalid_regex` if the pattern is empty, longer than [`MAX_REGEX_LEN`] bytes, not a valid
    /// `regex`-crate pattern on its own, nested deeper than [`MAX_REGEX_NEST`], or larger than
    /// [`MAX_REGEX_COMPILED_SIZE`] once compiled. In [`RegexMode::FullMatch`] the pattern is first
    /// compiled alone (so text such as `a)|(b` cannot escape the anchoring group) and then as
    /// `^(?:P)$`. A pattern that ends inside an `(?x)` comment cannot be anchored and is refused;
    /// end the comment with a newline.
    pub fn new(pattern: &str, mode: RegexMode) -> Result<IpRegex> {
        if pattern.is_empty() {
            return Err(Error::with_message(
                ErrorCode::InvalidRegex,
                "empty pattern",
            ));
        }
        if pattern.len() > MAX_REGEX_LEN {
            return Err(Error::with_message(
                ErrorCode::InvalidRegex,
                format!(
                    "pattern is {} bytes, longer than {MAX_REGEX_LEN}",
                    pattern.len()
                ),
            ));
        }
        let alone = compile(pattern)?;
        let regex = match mode {
            RegexMode::Search => alone,
            RegexMode::FullMatch => compile(&format!("^(?:{pattern})$")).map_err(|_| {
                Error::with_message(
                    ErrorCode::InvalidRegex,
                    "pattern cannot be anchored for a full match (does it end inside an (?x) comment?)",
                )
            })?,
        };
        Ok(IpRegex {
            regex,
            pattern: pattern.to_owned(),
            mode,
        })
    }

    /// Whether the canonical text of `addr` (normalized: IPv4-mapped → IPv4) matches.
    ///
    /// The text is formatted into a stack buffer; no heap allocation.
    pub fn is_match(&self, addr: IpAddr) -> bool {
        let addr = normalize_addr(addr);
        let mut buf = StackText::new();
        if fmt::Write::write_fmt(&mut buf, format_args!("{addr}")).is_ok() {
            self.regex.is_match(buf.as_str())
        } else {
            // Unreachable: canonical address text is at most 39 bytes.
            self.regex.is_match(&addr.to_string())
        }
    }

    /// Parses `text` strictly with [`parse_client_ip`] (a bad address → `invalid_ip_address`, never
    /// reaching the regex), then matches like [`IpRegex::is_match`].
    pub fn is_match_str(&self, text: &str) -> Result<bool> {
        Ok(self.is_match(parse_client_ip(text)?))
    }

    /// The pattern as given (without the full-match anchoring).
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The matching mode.
    pub fn mode(&self) -> RegexMode {
        self.mode
    }
}

impl fmt::Debug for IpRegex {
    /// The pattern as given and the mode.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpRegex")
            .field("pattern", &self.pattern)
            .field("mode", &self.mode)
            .finish()
    }
}

/// Compiles with the size and nesting caps.
fn compile(pattern: &str) -> Result<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_REGEX_COMPILED_SIZE)
        .dfa_size_limit(MAX_REGEX_COMPILED_SIZE)
        .nest_limit(MAX_REGEX_NEST)
        .build()
        .map_err(|e| {
            let why = match e {
                regex::Error::CompiledTooBig(_) => "pattern too large once compiled".to_owned(),
                regex::Error::Syntax(s) => format!("invalid pattern: {s}"),
                _ => "invalid pattern".to_owned(),
            };
            Error::with_message(ErrorCode::InvalidRegex, why)
        })
}

/// A fixed-size, stack-allocated text buffer for address formatting.
struct StackText {
    buf: [u8; 64],
    len: usize,
}

impl StackText {
    fn new() -> Self {
        StackText {
            buf: [0; 64],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this is always valid UTF-8.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_text_refuses_overflow_without_corruption() {
        use fmt::Write;
        let mut b = StackText::new();
        assert!(b.write_str(&"a".repeat(60)).is_ok());
        assert!(b.write_str("12345").is_err());
        assert_eq!(b.as_str().len(), 60);
    }
}
