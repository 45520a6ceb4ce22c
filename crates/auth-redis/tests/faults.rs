//! Faults against a real `redis-server`: SIGKILL and restart from the AOF, a paused server
//! (SIGSTOP), and a stream trimmed under a replica that could not read.

mod common;

use std::time::Duration;

use auth_core::{
    ErrorCode, Principal, RevocationQuery, RevocationStatus, RevocationStore, RevocationWriter,
};
use auth_redis::{RedisRevocationStore, RedisStoreOptions};
use common::{eventually, RedisServer};

const EXP: u64 = 4_000_000_000;

fn options(prefix: &str) -> RedisStoreOptions {
    let mut o = RedisStoreOptions::default();
    o.key_prefix = prefix.to_owned();
    o.max_staleness = Duration::from_millis(300);
    o.io_timeout = Duration::from_millis(500);
    o
}

fn query(jti: &str) -> RevocationQuery<'_> {
    RevocationQuery::new(jti, Principal::user(1), 1_700_000_000, Some(EXP))
}

#[test]
fn sigkill_and_restart_from_the_aof_loses_no_acknowledged_revocation() {
    let mut server = RedisServer::start();
    let writer = RedisRevocationStore::connect(&server.url(), options("k:")).unwrap();
    let reader = RedisRevocationStore::connect(&server.url(), options("k:")).unwrap();
    for i in 0..500 {
        RevocationWriter::revoke(&writer, &format!("jti-{i}"), Some(EXP), None).unwrap();
    }
    writer
        .revoke_principal_before(Principal::reseller(9), 1_800_000_000, None)
        .unwrap();
    // Killed right after the last acknowledgement.
    server.kill_and_restart();

    // A fresh process sees every acknowledged revocation.
    let fresh = RedisRevocationStore::connect(&server.url(), options("k:")).unwrap();
    for i in 0..500 {
        assert!(
            fresh.is_jti_revoked(&format!("jti-{i}"), None),
            "jti-{i} lost"
        );
    }
    assert_eq!(
        fresh.principal_cutoff(Principal::reseller(9)),
        Some(1_800_000_000)
    );

    // The running reader reconnects by itself and keeps following; the writer too.
    reader.wait_current(Duration::from_secs(5)).unwrap();
    RevocationWriter::revoke(&writer, "after-restart", Some(EXP), None).unwrap();
    eventually(Duration::from_secs(2), || {
        reader.is_jti_revoked("after-restart", None)
    })
    .expect("reader did not recover after the restart");
    assert!(reader.status().connected);
}

#[test]
fn a_paused_server_fails_closed_after_max_staleness_and_recovers() {
    let server = RedisServer::start();
    let store = RedisRevocationStore::connect(&server.url(), options("p:")).unwrap();
    let mut open = options("p:");
    open.fail_open_for = Some(Duration::from_secs(60));
    let lenient = RedisRevocationStore::connect(&server.url(), open).unwrap();
    RevocationWriter::revoke(&store, "known", Some(EXP), None).unwrap();
    eventually(Duration::from_secs(1), || {
        lenient.is_jti_revoked("known", None)
    })
    .unwrap();
    assert_eq!(
        store.revocation_status(&query("fine")),
        RevocationStatus::NotRevoked
    );

    server.pause();
    let took = eventually(Duration::from_secs(3), || {
        store.revocation_status(&query("fine")) == RevocationStatus::Unavailable
    })
    .expect("did not fail closed while Redis was paused");
    assert!(
        took >= Duration::from_millis(100),
        "failed closed too early: {took:?}"
    );
    assert!(!store.status().current);
    // Known revocations stay revoked in every mode; fail-open answers within its bound.
    assert_eq!(
        store.revocation_status(&query("known")),
        RevocationStatus::Revoked
    );
    assert_eq!(
        lenient.revocation_status(&query("known")),
        RevocationStatus::Revoked
    );
    assert_eq!(
        lenient.revocation_status(&query("fine")),
        RevocationStatus::NotRevoked
    );
    // A write cannot be acknowledged: an error, but the revocation holds locally.
    let err = RevocationWriter::revoke(&store, "during-pause", Some(EXP), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RevocationUnavailable);
    assert_eq!(
        store.revocation_status(&query("during-pause")),
        RevocationStatus::Revoked
    );

    server.resume();
    eventually(Duration::from_secs(5), || {
        store.revocation_status(&query("fine")) == RevocationStatus::NotRevoked
    })
    .expect("did not recover after Redis resumed");
    assert!(store.status().connected);
    RevocationWriter::revoke(&store, "after-pause", Some(EXP), None).unwrap();
    eventually(Duration::from_secs(1), || {
        lenient.is_jti_revoked("after-pause", None)
    })
    .expect("propagation did not resume");
}

#[test]
fn a_replica_that_fell_behind_a_trimmed_stream_rebuilds_from_the_keys() {
    let server = RedisServer::start();
    let mut admin = server.con();
    // The lagging replica reads as its own ACL user, which is then cut off from the data.
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "replica", "on", ">pw", "~*", "+@all"])
        .query(&mut admin)
        .unwrap();
    let url = format!("redis://replica:pw@127.0.0.1:{}/0", server.port);
    let lagging = RedisRevocationStore::connect(&url, options("tr:")).unwrap();
    let writer = RedisRevocationStore::connect(&server.url(), options("tr:")).unwrap();
    RevocationWriter::revoke(&writer, "before", Some(EXP), None).unwrap();
    eventually(Duration::from_secs(1), || {
        lagging.is_jti_revoked("before", None)
    })
    .unwrap();
    let snapshots = lagging.status().snapshots;

    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "replica", "-@all"])
        .query(&mut admin)
        .unwrap();
    // Its blocked read may still return; once it is cut off, the writes begin.
    eventually(Duration::from_secs(3), || !lagging.status().connected)
        .expect("the replica was not cut off");
    for i in 0..300 {
        RevocationWriter::revoke(&writer, &format!("missed-{i}"), Some(EXP), None).unwrap();
    }
    writer
        .revoke_principal_before(Principal::user(44), 1_900_000_000, None)
        .unwrap();
    // Everything the replica has not read is trimmed away.
    let _: i64 = redis::cmd("XTRIM")
        .arg(&["{tr:}stream", "MAXLEN", "0"])
        .query(&mut admin)
        .unwrap();
    eventually(Duration::from_secs(3), || !lagging.status().current)
        .expect("the cut-off replica still claims to be current");
    assert!(lagging.status().last_error.is_some());

    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "replica", "+@all"])
        .query(&mut admin)
        .unwrap();
    eventually(Duration::from_secs(5), || lagging.status().current).expect("no recovery");
    assert!(
        lagging.status().snapshots > snapshots,
        "no snapshot rebuild"
    );
    for i in 0..300 {
        assert!(
            lagging.is_jti_revoked(&format!("missed-{i}"), None),
            "missed-{i}"
        );
    }
    assert_eq!(
        lagging.principal_cutoff(Principal::user(44)),
        Some(1_900_000_000)
    );
    assert!(lagging.is_jti_revoked("before", None));
}
