//! The Redis key layout against a real `redis-server`: prefixes that extend one another do
//! not share keys, and keys of the layout before hash tags are not silently ignored.

mod common;

use std::time::Duration;

use auth_core::{ErrorCode, RevocationWriter};
use auth_redis::{RedisRevocationStore, RedisStoreOptions};
use common::{eventually, RedisServer};

const EXP: u64 = 4_000_000_000;

fn options(prefix: &str) -> RedisStoreOptions {
    let mut o = RedisStoreOptions::default();
    o.key_prefix = prefix.to_owned();
    o.max_staleness = Duration::from_millis(300);
    o.io_timeout = Duration::from_millis(500);
    o.start_timeout = Some(Duration::from_secs(2));
    o
}

#[test]
fn a_prefix_and_the_same_prefix_plus_j_colon_do_not_interfere() {
    let server = RedisServer::start();
    let first = RedisRevocationStore::connect(&server.url(), options("P")).unwrap();
    // jti `stream` under `P` was the key `Pj:stream`: the stream of the prefix `Pj:`.
    RevocationWriter::revoke(&first, "stream", Some(EXP), None).unwrap();
    RevocationWriter::revoke(&first, "cutoffs", None, None).unwrap();

    let second = RedisRevocationStore::connect(&server.url(), options("Pj:")).unwrap();
    assert!(second.status().current);
    assert!(!second.is_jti_revoked("stream", None));
    RevocationWriter::revoke(&second, "only-second", Some(EXP), None).unwrap();
    RevocationWriter::revoke(&first, "only-first", Some(EXP), None).unwrap();

    let first_b = RedisRevocationStore::connect(&server.url(), options("P")).unwrap();
    let second_b = RedisRevocationStore::connect(&server.url(), options("Pj:")).unwrap();
    eventually(Duration::from_secs(1), || {
        first_b.is_jti_revoked("only-first", None) && second_b.is_jti_revoked("only-second", None)
    })
    .expect("revocations did not propagate within their own prefix");
    assert!(first_b.is_jti_revoked("stream", None));
    assert!(first_b.is_jti_revoked("cutoffs", Some(u64::MAX - 1)));
    for s in [&first, &first_b] {
        assert!(!s.is_jti_revoked("only-second", None));
    }
    for s in [&second, &second_b] {
        assert!(!s.is_jti_revoked("only-first", None));
        assert!(!s.is_jti_revoked("stream", None));
    }
    for s in [&first, &second, &first_b, &second_b] {
        let status = s.status();
        assert!(status.current && status.connected, "{status:?}");
    }

    // Every key of one application shares one hash tag, so one cluster slot.
    let mut con = server.con();
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "{Pj:}j:only-second",
            "{Pj:}stream",
            "{P}j:cutoffs",
            "{P}j:only-first",
            "{P}j:stream",
            "{P}stream",
        ]
    );
}

#[test]
fn a_prefix_with_braces_is_refused() {
    for prefix in ["a{b", "a}b", "{app}"] {
        let err =
            RedisRevocationStore::connect("redis://127.0.0.1:1/0", options(prefix)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidRequest, "{prefix}");
    }
}

#[test]
fn keys_of_the_previous_layout_stop_the_store_from_starting() {
    let server = RedisServer::start();
    let mut con = server.con();
    // What the previous version left under `old:`: one revoked jti, and separately a stream.
    let _: () = redis::cmd("SET")
        .arg(&["old:j:revoked-before", "00000000004000000000"])
        .query(&mut con)
        .unwrap();
    let _: String = redis::cmd("XADD")
        .arg(&["older:stream", "*", "t", "j", "v", "x", "e", "s"])
        .query(&mut con)
        .unwrap();
    for prefix in ["old:", "older:"] {
        let err = RedisRevocationStore::connect(&server.url(), options(prefix)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RevocationUnavailable);
        assert!(
            err.message().contains("previous layout"),
            "{}",
            err.message()
        );
    }
    // Without waiting, the store starts but stays closed and says why.
    let mut o = options("old:");
    o.start_timeout = None;
    let store = RedisRevocationStore::connect(&server.url(), o).unwrap();
    eventually(Duration::from_secs(2), || {
        store
            .status()
            .last_error
            .is_some_and(|e| e.contains("previous layout"))
    })
    .expect("no error about the previous layout");
    assert!(!store.status().current);

    // Once they are gone (migrated or deleted), a new store starts.
    let _: i64 = redis::cmd("DEL")
        .arg("old:j:revoked-before")
        .query(&mut con)
        .unwrap();
    RedisRevocationStore::connect(&server.url(), options("old:")).unwrap();
}
