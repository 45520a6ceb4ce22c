//! JWS compact serialization (RFC 7515), read strictly (docs/keys.md).
//!
//! - exactly three segments separated by `.`;
//! - base64url without padding, with canonical final bits (a segment that decodes
//!   to the same bytes as another spelling is refused);
//! - a header that is a strict JSON object with no duplicate keys, a string `alg`,
//!   and none of the parameters that change processing.

use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::error::{Error, ErrorCode, Result};
use crate::json::{parse_strict_str, Loose, SeenKeys, Str};

/// base64url, no padding on output, padding refused and non-canonical final bits
/// refused on input.
pub(crate) const B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Header parameters that change how a token is processed; any of them → `unsupported_header`.
pub const UNSUPPORTED_HEADERS: [&str; 7] = ["crit", "b64", "cty", "jwk", "jku", "x5u", "x5c"];

/// The three segments of a compact JWS, still encoded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segments<'a> {
    pub header: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
    /// `header.payload`: what the MAC covers.
    pub signing_input: &'a [u8],
}

pub(crate) fn malformed(msg: &'static str) -> Error {
    Error::with_message(ErrorCode::MalformedToken, msg)
}

/// Whether `b` is a base64url character (`A-Z a-z 0-9 - _`). Branch-free, so that
/// [`split`]'s scan over a whole token compiles to vector code.
#[inline]
fn is_base64url(b: u8) -> bool {
    // `b | 0x20` maps `A-Z` onto `a-z` and nothing else onto that range.
    (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 26) | (b == b'-') | (b == b'_')
}

/// Splits a token at its two dots into three segments.
///
/// Only the dots are checked here (exactly two, no empty header or payload segment).
/// That every other byte is a base64url character is not checked on this path: a token
/// can only verify if every segment is decoded or byte-compared with a header this
/// library wrote, and both refuse any other character. [`alphabet_error`] turns any
/// failure of a token with a stray character into `malformed_token`, so the verdict is
/// the same as if the alphabet had been checked first.
pub(crate) fn split(token: &[u8]) -> Result<Segments<'_>> {
    // memchr scans a word or a vector at a time.
    let dots = match (memchr::memchr(b'.', token), memchr::memrchr(b'.', token)) {
        (Some(d1), Some(d2)) if d1 < d2 && memchr::memchr(b'.', &token[d1 + 1..d2]).is_none() => {
            Some((d1, d2))
        }
        _ => None,
    };
    let Some((d1, d2)) = dots else {
        return Err(split_error(token));
    };
    if d1 == 0 || d2 == d1 + 1 {
        return Err(malformed("token has an empty header or payload segment"));
    }
    Ok(Segments {
        header: &token[..d1],
        payload: &token[d1 + 1..d2],
        signature: &token[d2 + 1..],
        signing_input: &token[..d2],
    })
}

/// The `malformed_token` error of a token with a byte that is neither base64url nor one
/// of exactly two dots, if it has one (checked only once verification has failed).
#[cold]
pub(crate) fn alphabet_error(token: &[u8]) -> Option<Error> {
    let clean = token.iter().all(|&b| is_base64url(b) || b == b'.')
        && token.iter().filter(|&&b| b == b'.').count() == 2;
    (!clean).then(|| split_error(token))
}

/// The first problem of a token that is not base64url segments and exactly two dots,
/// scanning from the start.
#[cold]
fn split_error(token: &[u8]) -> Error {
    let mut dots = 0;
    for &b in token {
        if b == b'.' {
            if dots == 2 {
                return malformed("token must have exactly three segments");
            }
            dots += 1;
        } else if !is_base64url(b) {
            return malformed("token has a character outside base64url");
        }
    }
    malformed("token must have exactly three segments")
}

/// Decodes one base64url segment into `buf` (which must be large enough: 3/4 of the
/// input length), returning the decoded length.
///
/// Decoded with `base64-simd` (vector code chosen at run time; strict: no padding, no
/// stray characters, canonical final bits), which agrees with [`B64`] on every input
/// (the `segments_decode_like_the_strict_engine` test).
pub(crate) fn decode_segment_into(seg: &[u8], buf: &mut [u8]) -> Result<usize> {
    if buf.len() < decoded_len_bound(seg.len()) {
        return Err(malformed("segment is too long"));
    }
    base64_simd::URL_SAFE_NO_PAD
        .decode(seg, base64_simd::Out::from_slice(buf))
        .map(|out| out.len())
        .map_err(|_| malformed("segment is not canonical unpadded base64url"))
}

/// Decodes one base64url segment into a buffer sized to it and hands the decoded bytes to
/// `read`: a 512-byte or a 2 KiB buffer on the stack, so that a usual header or payload
/// zeroes a few hundred bytes rather than kilobytes, or the heap for the largest. The
/// verifier reads the header and the payload through this one function.
#[inline]
pub(crate) fn with_decoded<T>(seg: &[u8], read: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
    let bound = decoded_len_bound(seg.len());
    if bound <= 512 {
        let mut buf = [0u8; 512];
        let n = decode_segment_into(seg, &mut buf)?;
        read(&buf[..n])
    } else if bound <= 2048 {
        let mut buf = [0u8; 2048];
        let n = decode_segment_into(seg, &mut buf)?;
        read(&buf[..n])
    } else {
        let mut buf = vec![0u8; bound];
        let n = decode_segment_into(seg, &mut buf)?;
        read(&buf[..n])
    }
}

/// Decodes one base64url segment into a new vector.
pub(crate) fn decode_segment(seg: &[u8]) -> Result<Vec<u8>> {
    B64.decode(seg)
        .map_err(|_| malformed("segment is not canonical unpadded base64url"))
}

/// A token's header and claims as JSON, decoded WITHOUT verifying anything but the
/// encoding. Never trust these values: they are for display and debugging only.
#[derive(Clone, Debug, PartialEq)]
pub struct Unverified {
    /// The JOSE header.
    pub header: serde_json::Value,
    /// The claims.
    pub claims: serde_json::Value,
}

impl Unverified {
    /// The time claims (`iat`, `nbf`, `exp`) that are non-negative integers, as ISO-8601
    /// UTC text ([`crate::utc_text`]), e.g. `{"exp": "2026-12-07T05:00:00Z"}`.
    pub fn times_utc(&self) -> serde_json::Map<String, serde_json::Value> {
        ["iat", "nbf", "exp"]
            .into_iter()
            .filter_map(|name| {
                let secs = self.claims.get(name)?.as_u64()?;
                Some((name.to_owned(), crate::utc_text(secs).into()))
            })
            .collect()
    }

    /// Whether the (unverified) `exp` claim has passed at `now`, by the verifier's rule
    /// `now >= exp` without leeway; `false` without an integer `exp` (a static token).
    pub fn expired(&self, now: u64) -> bool {
        self.claims
            .get("exp")
            .and_then(serde_json::Value::as_u64)
            .is_some_and(|exp| now >= exp)
    }
}

/// Decodes a token's header and claims without checking the signature or any claim
/// (`authctl inspect`). Still refuses what is not a well-formed compact JWS with two
/// JSON objects (`malformed_token`) and anything over `max_size` bytes (`token_too_large`).
pub fn inspect_unverified(token: &[u8], max_size: usize) -> Result<Unverified> {
    if token.len() > max_size {
        return Err(Error::new(ErrorCode::TokenTooLarge));
    }
    let seg = split(token)?;
    // Nothing here decodes the signature, so the alphabet is checked explicitly.
    if let Some(e) = alphabet_error(token) {
        return Err(e);
    }
    let object = |bytes: Vec<u8>, what: &'static str| -> Result<serde_json::Value> {
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v @ serde_json::Value::Object(_)) => Ok(v),
            _ => Err(malformed(what)),
        }
    };
    Ok(Unverified {
        header: object(decode_segment(seg.header)?, "header is not a JSON object")?,
        claims: object(decode_segment(seg.payload)?, "claims are not a JSON object")?,
    })
}

/// Upper bound of the decoded length of a base64url segment.
pub(crate) fn decoded_len_bound(seg_len: usize) -> usize {
    seg_len / 4 * 3 + 3
}

/// The parts of a header the verifier looks at.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Header<'de> {
    pub alg: std::borrow::Cow<'de, str>,
    pub kid: Option<std::borrow::Cow<'de, str>>,
    /// The first parameter that changes processing, if any.
    pub unsupported: Option<&'static str>,
    /// `typ` present and not `JWT` (any case).
    pub bad_typ: bool,
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = std::result::Result<Header<'de>, &'static str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut seen = SeenKeys::default();
        let (mut alg, mut kid, mut typ) = (None, None, None);
        let mut unsupported = None;
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            match &*key {
                "alg" => {
                    seen.insert_known(0).map_err(de::Error::custom)?;
                    alg = Some(map.next_value::<Loose<'de>>()?);
                }
                "kid" => {
                    seen.insert_known(1).map_err(de::Error::custom)?;
                    kid = Some(map.next_value::<Loose<'de>>()?);
                }
                "typ" => {
                    seen.insert_known(2).map_err(de::Error::custom)?;
                    typ = Some(map.next_value::<Loose<'de>>()?);
                }
                other => {
                    if unsupported.is_none() {
                        unsupported = UNSUPPORTED_HEADERS.iter().copied().find(|h| *h == other);
                    }
                    seen.insert_other(key).map_err(de::Error::custom)?;
                    map.next_value_seed(crate::json::Skip(1))?;
                }
            }
        }
        let alg = match alg {
            Some(Loose::Str(s)) => s,
            Some(_) => return Ok(Err("header `alg` must be a string")),
            None => return Ok(Err("header has no `alg`")),
        };
        let kid = match kid {
            None => None,
            Some(Loose::Str(s)) => Some(s),
            Some(_) => return Ok(Err("header `kid` must be a string")),
        };
        let bad_typ = match typ {
            None => false,
            Some(Loose::Str(s)) => !s.eq_ignore_ascii_case("JWT"),
            Some(_) => true,
        };
        Ok(Ok(Header {
            alg,
            kid,
            unsupported,
            bad_typ,
        }))
    }
}

/// Parses a decoded header strictly. Structural problems → `malformed_token`.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header<'_>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(malformed("header is not UTF-8"));
    };
    match parse_strict_str(text, |de| de.deserialize_map(HeaderVisitor)) {
        Ok(Ok(h)) => Ok(h),
        Ok(Err(msg)) => Err(malformed(msg)),
        Err(e) => Err(Error::with_message(
            ErrorCode::MalformedToken,
            format!(
                "header is not a strict JSON object: {}",
                crate::claims::json_error_kind(&e)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_requires_three_nonempty_segments() {
        assert!(split(b"a.b.c").is_ok());
        assert!(
            split(b"a.b.").is_ok(),
            "empty signature is a bad signature, not malformed"
        );
        for bad in [&b"a.b"[..], b"a.b.c.d", b".b.c", b"a..c", b""] {
            assert_eq!(split(bad).unwrap_err().code(), ErrorCode::MalformedToken);
        }
    }

    #[test]
    fn inspect_refuses_what_verify_calls_malformed() {
        assert!(
            inspect_unverified(b"e30.e30.", 100).is_ok(),
            "unsigned: shown"
        );
        for bad in [
            &b"e30.e30.$$"[..],
            b"e30.e30.a b",
            b"e30.e30.a.b",
            b"e3=.e30.x",
        ] {
            assert_eq!(
                inspect_unverified(bad, 100).unwrap_err().code(),
                ErrorCode::MalformedToken,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn stray_characters_are_found_after_a_failure() {
        for bad in [
            &b"a.b.c="[..],
            b"a.b.c ",
            b"a b.c.d",
            b"a.b\0.c",
            b"a.b.c.d",
        ] {
            let e = alphabet_error(bad).expect("stray byte or dot count found");
            assert_eq!(e.code(), ErrorCode::MalformedToken);
        }
        assert!(alphabet_error(b"aZ09-_.b.c").is_none());
    }

    #[test]
    fn base64url_alphabet_is_exact() {
        for b in 0..=255u8 {
            let want = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            assert_eq!(is_base64url(b), want, "byte {b:#04x}");
        }
    }

    #[test]
    fn split_reports_the_first_problem() {
        let msg = |t: &[u8]| split(t).unwrap_err().message().to_owned();
        assert_eq!(msg(b"a.b.c.d+"), "token must have exactly three segments");
        assert_eq!(msg(b"a+.b.c.d"), "token has a character outside base64url");
        assert_eq!(msg(b"a.b"), "token must have exactly three segments");
        assert_eq!(msg(b"a..c"), "token has an empty header or payload segment");
    }

    #[test]
    fn segments_decode_like_the_strict_engine() {
        // Every segment of up to 3 characters, and longer ones around each vector width:
        // the fast decoder accepts exactly what the strict engine accepts, with the same bytes.
        let alphabet = b"AQgw_-9zZaB=+/.";
        let check = |seg: &[u8]| {
            let mut buf = [0u8; 200];
            let fast = decode_segment_into(seg, &mut buf)
                .ok()
                .map(|n| buf[..n].to_vec());
            assert_eq!(
                fast,
                B64.decode(seg).ok(),
                "{}",
                String::from_utf8_lossy(seg)
            );
        };
        for a in alphabet {
            check(&[*a]);
            for b in alphabet {
                check(&[*a, *b]);
                for c in alphabet {
                    check(&[*a, *b, *c]);
                }
            }
        }
        let long: Vec<u8> = (0..240u32)
            .map(|i| b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo-_"[i as usize % 36])
            .collect();
        for len in 0..long.len() {
            for (pos, bad) in [
                (len / 2, b'='),
                (len / 3, b'+'),
                (len.saturating_sub(1), b'R'),
            ] {
                check(&long[..len]);
                let mut damaged = long[..len].to_vec();
                if pos < len {
                    damaged[pos] = bad;
                    check(&damaged);
                }
            }
        }
    }

    #[test]
    fn base64_must_be_canonical() {
        // "QQ" is canonical for "A"; "QR" has non-zero trailing bits.
        assert_eq!(decode_segment(b"QQ").unwrap(), b"A");
        assert!(decode_segment(b"QR").is_err());
        assert!(decode_segment(b"QQ==").is_err());
        assert!(decode_segment(b"Q").is_err());
    }

    #[test]
    fn header_rules() {
        let h = parse_header(br#"{"alg":"HS256","typ":"jwt","kid":"a"}"#).unwrap();
        assert_eq!(h.alg, "HS256");
        assert_eq!(h.kid.as_deref(), Some("a"));
        assert!(!h.bad_typ && h.unsupported.is_none());
        let h = parse_header(br#"{"alg":"HS256","crit":["exp"]}"#).unwrap();
        assert_eq!(h.unsupported, Some("crit"));
        assert!(
            parse_header(br#"{"alg":"HS256","typ":"JOSE+JSON"}"#)
                .unwrap()
                .bad_typ
        );
        for bad in [
            &br#"{"alg":"HS256","alg":"HS256"}"#[..],
            br#"{"alg":"HS256","x":1,"x":2}"#,
            br#"{"alg":"HS256","k\u0069d":"a","kid":"a"}"#,
            br#"{"alg":1}"#,
            br#"{"kid":"a"}"#,
            br#"["alg"]"#,
            br#"{"alg":"HS256"} x"#,
            br#"{"alg":"HS256",}"#,
            b"{\"alg\":\"HS256\"}\xff",
        ] {
            assert_eq!(
                parse_header(bad).unwrap_err().code(),
                ErrorCode::MalformedToken,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
