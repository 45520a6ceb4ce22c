//! Differential test of the verifier against an independent reference.
//!
//! The verifier parses JWS and checks the HMAC itself (for speed). This module holds a
//! second verifier, written plainly from docs/ (token format, keys, TTL, IP rules) on top of `jsonwebtoken` (the MAC,
//! through its `rust_crypto` provider chosen explicitly), the `base64` crate's standard
//! engine with a decode/re-encode equality check for canonical encoding, and
//! `serde_json` with a duplicate-refusing object reader. Both verifiers get the same
//! inputs: every case of `tests/vectors/tokens.json` and a few thousand generated
//! tokens (byte mutations, and re-signed mutations of header and claims JSON so that
//! the signature is valid and the strict parsing is what decides). They must agree on
//! accept/reject, on the error code, and on the claims when both accept.
//!
//! Where the reference is written to match a choice the contract in docs/ leaves open, it says so
//! (search for "Chosen"):
//! - duplicate keys are refused in the header and claims objects and in every object
//!   the verifier interprets (the value of a known header parameter or claim, e.g.
//!   `parent`); objects inside ignored values are only required to be JSON;
//! - nesting is bounded: the generator uses depths well inside (≤ 8) or well beyond
//!   (≥ 40) the verifier's limit of 32 levels, which counts slightly differently for
//!   known and ignored values;
//! - a signature segment of 88 characters or more is longer than any MAC's encoding and
//!   is a `bad_signature` without being decoded.
//!
//! The module is shared by two test targets: `differential_vectors.rs` (the shared
//! vectors) and `differential_generated.rs` (tokens drawn from proptest's
//! deterministic generator, see `generate.rs`).

pub mod agreement;
pub mod reference;
