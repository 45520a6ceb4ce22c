//! UNIX seconds as ISO-8601 UTC text (`2026-12-07T05:00:00Z`), for messages and `inspect`.
//!
//! The core has no date library: this is Howard Hinnant's `civil_from_days` (the proleptic
//! Gregorian calendar, exact for every `u64` second up to the year 584 554 051 223), a few
//! lines that need no time zone data because the output is always UTC.

/// `secs` (UNIX seconds) as `YYYY-MM-DDTHH:MM:SSZ` in UTC. Years past 9999 get more digits.
///
/// ```
/// assert_eq!(auth_core::utc_text(0), "1970-01-01T00:00:00Z");
/// assert_eq!(auth_core::utc_text(1_700_000_000), "2023-11-14T22:13:20Z");
/// ```
pub fn utc_text(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month 1–12, day 1–31), proleptic Gregorian.
///
/// Hinnant's algorithm shifted to 0000-03-01 so that every 400-year era starts on a
/// March 1st and the leap day is the era-year's last day; unsigned because UNIX seconds
/// here never precede 1970.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let doe = z % 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(86_399), "1970-01-01T23:59:59Z");
        assert_eq!(utc_text(951_782_400), "2000-02-29T00:00:00Z"); // leap day of a 400-year
        assert_eq!(utc_text(951_868_800), "2000-03-01T00:00:00Z");
        assert_eq!(utc_text(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(utc_text(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(utc_text(2_147_483_647), "2038-01-19T03:14:07Z");
        assert_eq!(utc_text(4_107_542_400), "2100-03-01T00:00:00Z"); // 2100 is not leap
        assert_eq!(utc_text(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(utc_text(253_402_300_800), "10000-01-01T00:00:00Z");
        // MAX_TIME (2^53 - 1) and u64::MAX do not overflow.
        assert!(utc_text((1 << 53) - 1).ends_with('Z'));
        assert!(utc_text(u64::MAX).ends_with("Z"));
    }

    /// Day by day from 1970 to 2400, the date advances like a calendar does.
    #[test]
    fn every_day_follows_the_previous_one() {
        let leap =
            |y: u64| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let month_len = |y: u64, m: u64| match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let (mut y, mut m, mut d) = (1970, 1, 1);
        for days in 0..(430 * 366) {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            d += 1;
            if d > month_len(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
