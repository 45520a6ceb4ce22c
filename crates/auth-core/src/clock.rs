//! Time: every operation that needs the current time takes an optional explicit `now`
//! (UNIX seconds); the system clock is only the default (docs/ttl.md).

use crate::error::{Error, ErrorCode, Result};

/// The system clock in UNIX seconds (the default `now`).
///
/// Errors: `invalid_request` when the clock reads before 1970.
pub fn system_now() -> Result<u64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::with_message(ErrorCode::InvalidRequest, "system clock is before 1970"))
}

/// `now` when given, else the system clock.
pub(crate) fn now_or_system(now: Option<u64>) -> Result<u64> {
    match now {
        Some(n) => Ok(n),
        None => system_now(),
    }
}
