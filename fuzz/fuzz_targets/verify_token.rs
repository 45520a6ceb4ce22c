//! Arbitrary bytes as a token, verified with the fixed ring at a fixed time, without and
//! with a client address. Accepted claims must re-mint with the active key to a token
//! that verifies to the same claims (see `auth_core_fuzz::verify_and_check`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _verdicts = auth_core_fuzz::verify_and_check(data);
});
