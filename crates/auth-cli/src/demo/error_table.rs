//! The error code table: every code, its number, HTTP status and message.

use auth_core::ErrorCode;

use super::{Demo, Via};

pub(super) fn error_table(d: &mut Demo) {
    d.section(
        "error code table (the same codes in Rust, C and Python)",
        Via::Library,
        "ErrorCode::ALL, ErrorCode::http_status",
    );
    d.say(format_args!(
        "{:>3}  {:<30} {:<5} message",
        "#", "code", "HTTP"
    ));
    let mut consistent = true;
    for &code in ErrorCode::ALL {
        let status = code
            .http_status()
            .map_or_else(|| "-".to_string(), |s| s.to_string());
        d.say(format_args!(
            "{:>3}  {:<30} {:<5} {}",
            code.as_u32(),
            code.as_str(),
            status,
            code.default_message()
        ));
        consistent &= ErrorCode::from_name(code.as_str()) == Some(code)
            && ErrorCode::from_u32(code.as_u32()) == Some(code);
    }
    d.check(
        "every code round-trips by name and by number",
        consistent,
        "a code does not round-trip",
    );
}
