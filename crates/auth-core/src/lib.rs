//! placeholder
#![forbid(unsafe_code)]
pub mod claims;
pub mod error;
pub mod ip;
pub mod revocation;
