//! Arbitrary bytes as a login body, read for both logins (`LoginRequest::from_json` with
//! `LoginKind::User` and `LoginKind::Reseller`).
//!
//! A refusal is `invalid_request`, HTTP 400, and its message never contains a password
//! the body sent (every string the body gives the password member, duplicates included,
//! as serde_json reads them). An accepted body is at most `MAX_BODY_BYTES`, has no
//! byte-order mark, is an object whose two members serde_json reads to the same strings
//! (a differential check of the strict reader), and has an account name of 1 to 255
//! characters; `{"login", "password"}` and `{"name", "pass"}` written back with
//! serde_json read back to the same request, and its `Debug` never shows the password.
#![no_main]

use std::fmt;

use auth_core::{ErrorCode, LoginKind, LoginRequest, MAX_ACCOUNT_NAME_CHARS, MAX_BODY_BYTES};
use auth_core_fuzz::assert_error_in;
use libfuzzer_sys::fuzz_target;
use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};

fuzz_target!(|data: &[u8]| {
    for kind in [LoginKind::User, LoginKind::Reseller] {
        let r = LoginRequest::from_json(kind, data);
        let what = kind.as_str();
        match r {
            Err(e) => {
                assert_error_in(&e, &[ErrorCode::InvalidRequest], what);
                assert_eq!(e.http_status(), Some(400), "{what}: status");
                for password in passwords(data, kind) {
                    if quotable(&password) {
                        assert!(
                            !e.message().contains(&password),
                            "{what}: the message {:?} quotes the password",
                            e.message()
                        );
                    }
                }
            }
            Ok(req) => check(kind, data, &req),
        }
    }
});

fn check(kind: LoginKind, data: &[u8], req: &LoginRequest) {
    let what = kind.as_str();
    let (account_key, password_key) = kind.members();
    assert!(
        data.len() <= MAX_BODY_BYTES,
        "{what}: accepted a large body"
    );
    assert!(
        !data.starts_with("\u{feff}".as_bytes()),
        "{what}: accepted a BOM"
    );
    let chars = req.account.chars().count();
    assert!(
        (1..=MAX_ACCOUNT_NAME_CHARS).contains(&chars),
        "{what}: accepted an account name of {chars} chars"
    );

    // serde_json reads the same two strings (it keeps the last of duplicate members,
    // which the strict reader must have refused).
    let value: serde_json::Value =
        serde_json::from_slice(data).unwrap_or_else(|e| panic!("{what}: serde_json refuses: {e}"));
    let object = value
        .as_object()
        .expect("accepted a body that is not an object");
    assert_eq!(
        object.get(account_key).and_then(|v| v.as_str()),
        Some(req.account.as_str()),
        "{what}: account differs from serde_json's"
    );
    assert_eq!(
        object.get(password_key).and_then(|v| v.as_str()),
        Some(req.password.as_str()),
        "{what}: password differs from serde_json's"
    );
    let all = passwords(data, kind);
    assert_eq!(
        all,
        vec![req.password.clone()],
        "{what}: duplicate password members"
    );

    // Written back for either login, the request reads back the same.
    for back_kind in [LoginKind::User, LoginKind::Reseller] {
        let (a, p) = back_kind.members();
        let body = serde_json::json!({ a: req.account, p: req.password }).to_string();
        let back = LoginRequest::from_json(back_kind, body.as_bytes())
            .unwrap_or_else(|e| panic!("{what} → {body:?} does not read back: {e:?}"));
        assert_eq!(&back, req, "{what} → {body:?} reads back differently");
    }

    let debug = format!("{req:?}");
    if !req.password.is_empty()
        && !format!("{:?}", req.account).contains(&req.password)
        && !"LoginRequest { account: , .. }".contains(&req.password)
    {
        assert!(
            !debug.contains(&req.password),
            "Debug shows the password: {debug}"
        );
    }
}

/// Whether finding `password` in a message would mean the message quotes it: it has a
/// character none of the reader's own messages uses, or it is long and none of them
/// contains it (a short word such as `login` may be the reader's wording).
fn quotable(password: &str) -> bool {
    let wording = |c: char| c.is_ascii_alphanumeric() || " \"'.,:;()-".contains(c);
    !password.is_empty()
        && (password.chars().any(|c| !wording(c))
            || (password.chars().count() >= 6 && !WORDING.iter().any(|w| w.contains(password))))
}

/// The reader's own messages (docs/errors.md: they name the members, never the body).
const WORDING: [&str; 7] = [
    "the body must be a JSON object with \"login\" and \"password\" as strings",
    "the body must be a JSON object with \"name\" and \"pass\" as strings",
    "\"login\" must be 1 to 255 characters",
    "\"name\" must be 1 to 255 characters",
    "the body is not valid UTF-8",
    "a byte-order mark is not allowed",
    "the body is larger than 65536 bytes",
];

/// Every string value the body's top-level object gives the password member of `kind`,
/// in order, duplicates included, as far as serde_json reads (it stops at the first
/// error; a strict reader keeps only one of duplicates).
fn passwords(data: &[u8], kind: LoginKind) -> Vec<String> {
    struct Collect<'a>(&'static str, &'a mut Vec<String>);
    impl<'de> Visitor<'de> for Collect<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == self.0 {
                    if let serde_json::Value::String(s) = map.next_value()? {
                        self.1.push(s);
                    }
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(data);
    let _: Result<(), serde_json::Error> = de.deserialize_map(Collect(kind.members().1, &mut out));
    out
}
