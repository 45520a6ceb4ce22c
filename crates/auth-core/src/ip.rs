//! IP rules (SPEC §5): strict address/CIDR parsing, fast allow-lists, regex rules.
//!
//! * [`IpRule`] — one address or network (`192.168.2.0/24`, `2001:db8::/32`, `10.0.0.1`), parsed strictly.
//! * [`parse_client_ip`] / [`normalize_addr`] — client addresses, with IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
//!   treated as the IPv4 address everywhere.
//! * [`rules_allow`] — a linear check over the few rules a token carries in `allowed_ips`.
//! * [`IpAllowList`] — a large host-side allow-list (a reseller's `allowedIPs`) with `O(log n)` lookups.
//! * [`IpRegex`] — a user group's `allowed_regex`, matched against the canonical address text.
//!
//! Address syntax is decided by the standard library's [`Ipv4Addr`](std::net::Ipv4Addr) / [`Ipv6Addr`](std::net::Ipv6Addr) parsers (which refuse
//! leading zeros, short, hex and integer IPv4 forms, zone ids, brackets and ports) and networks by the
//! [`ipnet`] crate; this module only adds the checks those do not make (length, whitespace, prefix
//! digits, host bits) and the IPv4-mapped normalization.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net};

use crate::error::{Error, ErrorCode, Result};

/// Longest rule or client-address text accepted, in bytes.
///
/// The longest valid text, `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128`, is 49 bytes; anything
/// longer is refused before any parsing so that every check stays linear in a small bound.
pub const MAX_IP_TEXT_LEN: usize = 64;

/// Longest [`IpRegex`] pattern accepted, in bytes (4 KiB, SPEC §5).
pub const MAX_REGEX_LEN: usize = 4096;

/// Cap on the compiled size of an [`IpRegex`] program and on its lazy DFA cache, in bytes (1 MiB each).
pub const MAX_REGEX_COMPILED_SIZE: usize = 1 << 20;

/// Deepest nesting of groups/repetitions accepted in an [`IpRegex`] pattern.
pub const MAX_REGEX_NEST: u32 = 64;

/// The IPv4-mapped IPv6 prefix length: `::ffff:0:0/96`.
const MAPPED_PREFIX: u8 = 96;

/// One allow rule: an address or a network, normalized (IPv4-mapped rules become IPv4).
///
/// A rule is either a single address (`10.0.0.1`, `2001:db8::1`) or a network given in CIDR form
/// with no host bits set (`10.0.0.0/8`, `2001:db8::/32`).
///
/// IPv4-mapped rules are the IPv4 rule: `::ffff:192.168.2.0/120` is `192.168.2.0/24`, and
/// `::ffff:0:0/96` is `0.0.0.0/0`. A rule inside `::ffff:0:0/96` with a prefix shorter than 96
/// (`::/0`, `::/80`, …) stays an IPv6 rule; because client addresses are normalized (mapped → IPv4)
/// before they are checked, such a rule covers **no** IPv4 client. IPv4 clients are admitted only
/// by IPv4 (or mapped, prefix ≥ 96) rules.
///
/// # Example
///
/// ```
/// use auth_core::ip::{IpRule, parse_client_ip};
///
/// let rule = IpRule::parse("::ffff:192.168.2.0/120").unwrap();
/// assert_eq!(rule.to_string(), "192.168.2.0/24");
/// assert!(rule.contains(parse_client_ip("192.168.2.5").unwrap()));
/// assert!(IpRule::parse("192.168.2.5/24").is_err()); // host bits set
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpRule {
    net: IpNet,
}

impl IpRule {
    /// Parses rule text strictly (`invalid_ip_rule` on any deviation).
    ///
    /// Accepted: an IPv4 address in dotted-decimal form, an IPv6 address, or either followed by
    /// `/prefix` (plain decimal digits, no leading zeros, `0..=32` or `0..=128`). Refused: empty text,
    /// text longer than [`MAX_IP_TEXT_LEN`], whitespace anywhere, leading zeros in IPv4 octets, short,
    /// hex or integer IPv4 forms, zone ids, brackets, ports, and networks with host bits set (the error
    /// message names the intended network).
    pub fn parse(text: &str) -> Result<IpRule> {
        check_text(text).map_err(|why| rule_error(text, why))?;
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr = IpAddr::from_str(addr_text)
            .map_err(|_| rule_error(text, "not an IPv4 or IPv6 address"))?;
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix_text {
            None => max,
            Some(p) => parse_prefix(p, max).map_err(|why| rule_error(text, why))?,
        };
        // Cannot fail: the prefix was checked against the family's maximum above.
        let net =
            IpNet::new(addr, prefix).map_err(|_| rule_error(text, "prefix length out of range"))?;
        let network = net.trunc();
        if network != net {
            return Err(Error::with_message(
                ErrorCode::InvalidIpRule,
                format!("host bits set in {net}; did you mean {network}?"),
            ));
        }
        Ok(IpRule::from_network(net))
    }

    /// A rule for exactly one address (normalized: an IPv4-mapped address gives an IPv4 rule).
    pub fn from_addr(addr: IpAddr) -> IpRule {
        IpRule::from_network(IpNet::from(normalize_addr(addr)))
    }

    /// Normalizes a host-bit-free network: an IPv4-mapped network with prefix ≥ 96 becomes IPv4.
    fn from_network(net: IpNet) -> IpRule {
        if let IpNet::V6(v6) = net {
            if v6.prefix_len() >= MAPPED_PREFIX {
                if let Some(v4) = v6.network().to_ipv4_mapped() {
                    if let Ok(v4net) = Ipv4Net::new(v4, v6.prefix_len() - MAPPED_PREFIX) {
                        return IpRule {
                            net: IpNet::V4(v4net),
                        };
                    }
                }
            }
        }
        IpRule { net }
    }

    /// Whether `addr` is inside this rule.
    ///
    /// `addr` is normalized first (see [`normalize_addr`]), so an IPv4-mapped client address is
    /// checked as the IPv4 address. An IPv4 address never matches an IPv6 rule and vice versa.
    pub fn contains(&self, addr: IpAddr) -> bool {
        self.net.contains(&normalize_addr(addr))
    }

    /// The rule as a network (a single address is a `/32` or `/128` network).
    pub fn network(&self) -> IpNet {
        self.net
    }

    /// Whether the rule is a single address (prefix `/32` or `/128`).
    pub fn is_single_address(&self) -> bool {
        self.net.prefix_len() == self.net.max_prefix_len()
    }
}

impl FromStr for IpRule {
    type Err = Error;

    /// Same as [`IpRule::parse`].
    fn from_str(s: &str) -> Result<IpRule> {
        IpRule::parse(s)
    }
}

impl From<IpAddr> for IpRule {
    /// Same as [`IpRule::from_addr`].
    fn from(addr: IpAddr) -> IpRule {
        IpRule::from_addr(addr)
    }
}

impl fmt::Display for IpRule {
    /// Canonical text: dotted IPv4 or RFC 5952 lowercase IPv6; a single address without `/32` or
    /// `/128`, a network as `addr/prefix`. The text parses back to the same rule.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single_address() {
            write!(f, "{}", self.net.addr())
        } else {
            write!(f, "{}", self.net)
        }
    }
}

/// Cheap pre-checks shared by rules and client addresses: non-empty, bounded length, and only the
/// characters an address or CIDR can contain (this refuses whitespace, `%zone`, brackets, `+`, …).
fn check_text(text: &str) -> std::result::Result<(), &'static str> {
    if text.is_empty() {
        return Err("empty");
    }
    if text.len() > MAX_IP_TEXT_LEN {
        return Err("too long");
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/'))
    {
        return Err("unexpected character");
    }
    Ok(())
}

/// A prefix length: plain decimal digits, no sign, no leading zero (except `0` itself), `<= max`.
fn parse_prefix(text: &str, max: u8) -> std::result::Result<u8, &'static str> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 3 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err("prefix length must be decimal digits");
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return Err("prefix length has a leading zero");
    }
    match text.parse::<u8>() {
        Ok(p) if p <= max => Ok(p),
        _ => Err("prefix length out of range"),
    }
}

/// An `invalid_ip_rule` error; the (short, already length-checked or truncated) text is quoted with escapes.
fn rule_error(text: &str, why: &str) -> Error {
    Error::with_message(
        ErrorCode::InvalidIpRule,
        format!("invalid IP rule {}: {why}", quote(text)),
    )
}

/// Debug-quotes at most [`MAX_IP_TEXT_LEN`] characters of untrusted text for an error message.
fn quote(text: &str) -> String {
    if text.len() <= MAX_IP_TEXT_LEN {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX_IP_TEXT_LEN).collect();
        format!("{head:?}…")
    }
}

/// Parses a client address strictly (`invalid_ip_address`); IPv4-mapped IPv6 becomes IPv4.
///
/// The same strictness as [`IpRule::parse`] applies (no prefix allowed): no whitespace, zone ids,
/// brackets, ports, leading zeros, or short/hex/integer IPv4 forms. `::ffff:192.168.2.5` and
/// `::ffff:c0a8:205` both return `192.168.2.5`; `::192.168.2.5` (IPv4-compatible) stays IPv6.
///
/// ```
/// use auth_core::ip::parse_client_ip;
/// use std::net::{IpAddr, Ipv4Addr};
///
/// assert_eq!(parse_client_ip("::ffff:c0a8:205").unwrap(), IpAddr::V4(Ipv4Addr::new(192, 168, 2, 5)));
/// assert!(parse_client_ip("010.1.1.1").is_err());
/// ```
pub fn parse_client_ip(text: &str) -> Result<IpAddr> {
    let bad = |why: &str| {
        Error::with_message(
            ErrorCode::InvalidIpAddress,
            format!("invalid IP address {}: {why}", quote(text)),
        )
    };
    check_text(text).map_err(bad)?;
    if text.contains('/') {
        return Err(bad("a client address has no prefix"));
    }
    IpAddr::from_str(text)
        .map(normalize_addr)
        .map_err(|_| bad("not an IPv4 or IPv6 address"))
}

/// Maps `::ffff:a.b.c.d` to `a.b.c.d`; every other address is returned unchanged.
///
/// Only `::ffff:0:0/96` counts as IPv4-mapped: the deprecated IPv4-compatible form (`::a.b.c.d`),
/// NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) addresses stay IPv6.
pub fn normalize_addr(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => addr,
        },
        IpAddr::V4(_) => addr,
    }
}

/// Whether any rule of a (short) list matches; `addr` is normalized first. An empty list allows nothing.
///
/// This is a linear scan, meant for the few rules a token carries; use [`IpAllowList`] for large lists.
pub fn rules_allow(rules: &[IpRule], addr: IpAddr) -> bool {
    let addr = normalize_addr(addr);
    rules.iter().any(|r| r.contains(addr))
}

/// The canonical text of an address: dotted IPv4, RFC 5952 lowercase IPv6, IPv4-mapped as IPv4.
///
/// This is the text an [`IpRegex`] is matched against.
///
/// ```
/// use auth_core::ip::{canonical_ip_text, parse_client_ip};
///
/// let a = "2001:DB8:0:0:0:0:0:1".parse().unwrap();
/// assert_eq!(canonical_ip_text(a), "2001:db8::1");
/// assert_eq!(canonical_ip_text("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
/// ```
pub fn canonical_ip_text(addr: IpAddr) -> String {
    normalize_addr(addr).to_string()
}

/// A large host-side allow-list (a reseller's `allowedIPs`), checked in `O(log n)`.
///
/// The rules are kept as given (see [`IpAllowList::rules`]). For lookups, each family's rules are
/// converted to inclusive integer ranges (`u32` for IPv4, `u128` for IPv6: network address to
/// broadcast address), sorted by start, and overlapping or adjacent ranges are merged into disjoint
/// sorted intervals. [`IpAllowList::contains`] then binary-searches (`partition_point`) for the last
/// interval starting at or before the address and checks its end — no linear scan.
///
/// A family with many intervals (256 or more) also gets a first-level index on the top 16 bits of
/// the address: 65,537 offsets (256 KiB) telling where each 16-bit bucket's intervals begin, so a
/// lookup binary-searches only its own bucket and the interval just before it. With 100,000 rules
/// spread over the address space that is one or two comparisons instead of seventeen, which keeps a
/// lookup in a 100,000-rule list within a small factor of a 10-rule list.
///
/// An empty list allows nothing. The list is immutable once built, and `Send + Sync`.
///
/// ```
/// use auth_core::ip::{IpAllowList, parse_client_ip};
///
/// let list = IpAllowList::parse(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]).unwrap();
/// assert!(list.contains(parse_client_ip("10.200.0.1").unwrap()));
/// assert!(list.contains(parse_client_ip("::ffff:192.168.1.7").unwrap()));
/// assert!(!list.contains(parse_client_ip("192.168.1.8").unwrap()));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IpAllowList {
    rules: Vec<IpRule>,
    v4: Ranges<u32>,
    v6: Ranges<u128>,
}

impl IpAllowList {
    /// Parses every rule strictly; the first bad rule gives `invalid_ip_rule` naming its (0-based) index.
    pub fn parse<I, S>(rules: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let parsed = rules
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                IpRule::parse(text.as_ref()).map_err(|e| {
                    Error::with_message(
                        ErrorCode::InvalidIpRule,
                        format!("rule {i}: {}", e.message()),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(IpAllowList::new(parsed))
    }

    /// Builds the list from already-parsed rules (sorting and merging their ranges: `O(n log n)`).
    pub fn new(rules: Vec<IpRule>) -> Self {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for rule in &rules {
            match rule.net {
                IpNet::V4(n) => v4.push((u32::from(n.network()), u32::from(n.broadcast()))),
                IpNet::V6(n) => v6.push((u128::from(n.network()), u128::from(n.broadcast()))),
            }
        }
        IpAllowList {
            v4: Ranges::new(v4),
            v6: Ranges::new(v6),
            rules,
        }
    }

    /// Whether `addr` (normalized first: IPv4-mapped → IPv4) is inside any rule. `O(log n)`.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match normalize_addr(addr) {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }

    /// The rules as given, in order (for copying into a token's `allowed_ips`).
    pub fn rules(&self) -> &[IpRule] {
        &self.rules
    }

    /// The number of rules as given.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the list has no rules (and so allows nothing).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl fmt::Debug for IpAllowList {
    /// A summary (the list may hold 100,000 rules): rule count and merged interval counts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpAllowList")
            .field("rules", &self.rules.len())
            .field("v4_intervals", &self.v4.intervals.len())
            .field("v6_intervals", &self.v6.intervals.len())
            .finish()
    }
}

/// Integer types the range merging works over.
trait RangeInt: Copy + Ord {
    /// The largest value (an interval ending here is adjacent to nothing after it).
    const MAX: Self;
    /// `self + 1`, only called when `self != MAX`.
    fn succ(self) -> Self;
    /// The top 16 bits: the first-level index bucket.
    fn bucket(self) -> usize;
}

impl RangeInt for u32 {
    const MAX: Self = u32::MAX;
    fn succ(self) -> Self {
        self.saturating_add(1)
    }
    fn bucket(self) -> usize {
        (self >> 16) as usize
    }
}

impl RangeInt for u128 {
    const MAX: Self = u128::MAX;
    fn succ(self) -> Self {
        self.saturating_add(1)
    }
    fn bucket(self) -> usize {
        (self >> 112) as usize
    }
}

/// Number of first-level index buckets (the top 16 bits of an address).
const BUCKETS: usize = 1 << 16;
/// Fewest intervals for which a family gets the first-level index.
const INDEX_MIN_INTERVALS: usize = 256;

/// One family's disjoint sorted intervals, with the first-level index once there are many.
#[derive(Clone, Default, PartialEq, Eq)]
struct Ranges<T> {
    intervals: Vec<(T, T)>,
    /// Empty, or `BUCKETS + 1` offsets: `index[b]` is the first interval whose start is in
    /// bucket `b` or later.
    index: Box<[u32]>,
}

impl<T: RangeInt> Ranges<T> {
    fn new(ranges: Vec<(T, T)>) -> Self {
        let intervals = merge_ranges(ranges);
        let index =
            if intervals.len() >= INDEX_MIN_INTERVALS && u32::try_from(intervals.len()).is_ok() {
                let mut index = Vec::with_capacity(BUCKETS + 1);
                let mut i = 0;
                for b in 0..=BUCKETS {
                    while i < intervals.len() && intervals[i].0.bucket() < b {
                        i += 1;
                    }
                    // Cannot truncate: checked above that the count fits a u32.
                    index.push(i as u32);
                }
                index.into_boxed_slice()
            } else {
                Box::default()
            };
        Ranges { intervals, index }
    }

    fn contains(&self, x: T) -> bool {
        let (lo, hi) = match self.index.get(x.bucket()..x.bucket() + 2) {
            Some(&[lo, hi]) => (lo as usize, hi as usize),
            _ => (0, self.intervals.len()),
        };
        // The interval holding `x` starts in x's bucket (then it is among
        // `intervals[lo..hi]`) or before it (then it is `intervals[lo - 1]`: intervals are
        // disjoint, so nothing between it and `x` starts).
        in_ranges(&self.intervals, lo, hi, x)
    }
}

/// Sorts inclusive ranges and merges overlapping or adjacent ones into disjoint sorted intervals.
fn merge_ranges<T: RangeInt>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if last.1 == T::MAX || start <= last.1.succ() => {
                if end > last.1 {
                    last.1 = end;
                }
            }
            _ => merged.push((start, end)),
        }
    }
    merged.shrink_to_fit();
    merged
}

/// Binary search in disjoint sorted inclusive intervals, among `ranges[lo..hi]` and the
/// one interval before `lo`.
fn in_ranges<T: RangeInt>(ranges: &[(T, T)], lo: usize, hi: usize, x: T) -> bool {
    let Some(window) = ranges.get(lo..hi) else {
        return false;
    };
    let after = lo + window.partition_point(|&(start, _)| start <= x);
    after > 0 && ranges[after - 1].1 >= x
}

/// How an [`IpRegex`] pattern is applied to the address text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RegexMode {
    /// The pattern must match the whole text, as `^(?:P)$` (the default, SPEC §5).
    #[default]
    FullMatch,
    /// The pattern may match anywhere in the text (for data written for search semantics).
    Search,
}

/// A user group's `allowed_regex`: a pattern matched against a client address's canonical text.
///
/// The address is normalized (IPv4-mapped → IPv4) and written as dotted IPv4 or RFC 5952 lowercase
/// IPv6 (see [`canonical_ip_text`]) before matching. Matching is linear-time (the `regex` crate);
/// the pattern is at most [`MAX_REGEX_LEN`] bytes and its compiled size is capped
/// ([`MAX_REGEX_COMPILED_SIZE`]). An `IpRegex` is immutable and `Send + Sync`.
///
/// ```
/// use auth_core::ip::{IpRegex, RegexMode};
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

// Compile-time checks that the shareable types are thread-safe.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<IpRule>();
    send_sync::<IpAllowList>();
    send_sync::<IpRegex>();
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_joins_overlapping_and_adjacent_and_keeps_gaps() {
        let merged = merge_ranges(vec![(10u32, 20), (21, 25), (5, 12), (30, 40), (32, 33)]);
        assert_eq!(merged, vec![(5, 25), (30, 40)]);
        let top = merge_ranges(vec![(0u32, u32::MAX), (7, 9)]);
        assert_eq!(top, vec![(0, u32::MAX)]);
    }

    #[test]
    fn in_ranges_boundaries() {
        let r = [(5u32, 25), (30, 40)];
        for (x, want) in [
            (4, false),
            (5, true),
            (25, true),
            (26, false),
            (29, false),
            (30, true),
            (40, true),
            (41, false),
        ] {
            assert_eq!(in_ranges(&r, 0, r.len(), x), want, "{x}");
        }
        assert!(!in_ranges::<u32>(&[], 0, 0, 0));
    }

    /// The indexed lookup agrees with a linear scan, including intervals that span
    /// several 16-bit buckets and buckets with no interval starting in them.
    #[test]
    fn indexed_ranges_agree_with_a_linear_scan() {
        let mut raw = Vec::new();
        // 300 short intervals packed into bucket 7, so the bucket itself is searched.
        for k in 0..300u32 {
            raw.push(((7 << 16) + k * 10, (7 << 16) + k * 10 + 3));
        }
        // Long intervals across bucket boundaries.
        raw.push((0x0000_fff0, 0x0002_0010));
        raw.push((0x00ff_0000, 0x0fff_ffff));
        raw.push((0xffff_fff0, u32::MAX));
        let ranges = Ranges::new(raw.clone());
        assert_eq!(ranges.index.len(), BUCKETS + 1, "index built");
        let linear = |x: u32| raw.iter().any(|&(a, b)| a <= x && x <= b);
        let mut probes = vec![
            0,
            1,
            u32::MAX,
            u32::MAX - 16,
            0x0001_0000,
            0x0002_0010,
            0x0002_0011,
        ];
        for &(a, b) in &raw {
            probes.extend([a.wrapping_sub(1), a, b, b.wrapping_add(1)]);
        }
        let mut x = 0x9e37_79b9u32;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            probes.push(x);
            probes.push((7 << 16) | (x & 0x1fff));
        }
        for p in probes {
            assert_eq!(ranges.contains(p), linear(p), "{p:#x}");
        }
    }

    #[test]
    fn stack_text_refuses_overflow_without_corruption() {
        use fmt::Write;
        let mut b = StackText::new();
        assert!(b.write_str(&"a".repeat(60)).is_ok());
        assert!(b.write_str("12345").is_err());
        assert_eq!(b.as_str().len(), 60);
    }
}
