//! A failover under Redis Sentinel, for real: a primary, a replica and three sentinels on
//! loopback (`redis-server --sentinel`, the program Debian's redis-sentinel runs); a writer
//! revoking continuously with `WAIT 1`, a verifier following the stream; SIGKILL of the
//! primary. After the promotion every acknowledged revocation is still there — for the
//! verifier and for a process that starts afterwards — and writes resume within the
//! sentinels' failover time.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auth_core::{Principal, RevocationQuery, RevocationStatus, RevocationStore, RevocationWriter};
use auth_redis::{RedisRevocationStore, RedisStoreOptions, SentinelConfig};

const DOWN_AFTER_MS: u64 = 1000;
const FAILOVER_TIMEOUT_MS: u64 = 3000;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

struct Procs(Vec<Child>, PathBuf);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn spawn(args: &[String]) -> Child {
    Command::new("redis-server")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server is needed (scripts/test-all.sh installs it)")
}

fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn query(jti: &str) -> RevocationQuery<'_> {
    RevocationQuery::new(jti, Principal::user(1), 1, None)
}

#[test]
fn a_failover_loses_no_acknowledged_revocation() {
    let dir = std::env::temp_dir().join(format!("auth-redis-sentinel-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (primary, replica) = (free_port(), free_port());
    let node = |port: u16, extra: &[String]| {
        let d = dir.join(format!("node-{port}"));
        std::fs::create_dir_all(&d).unwrap();
        let mut a: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend([
            "--appendonly".into(),
            "no".into(),
            "--dir".into(),
            d.display().to_string(),
        ]);
        a.extend_from_slice(extra);
        a
    };
    let mut procs = Procs(vec![spawn(&node(primary, &[]))], dir.clone());
    wait_port(primary);
    procs.0.push(spawn(&node(
        replica,
        &[
            "--replicaof".into(),
            "127.0.0.1".into(),
            primary.to_string(),
        ],
    )));
    wait_port(replica);
    let sentinels: Vec<u16> = (0..3).map(|_| free_port()).collect();
    for port in &sentinels {
        let conf = dir.join(format!("sentinel-{port}.conf"));
        std::fs::write(
            &conf,
            format!(
                "port {port}\nbind 127.0.0.1\ndir {}\nsentinel monitor auth 127.0.0.1 {primary} 2\n\
                 sentinel down-after-milliseconds auth {DOWN_AFTER_MS}\n\
                 sentinel failover-timeout auth {FAILOVER_TIMEOUT_MS}\nsentinel parallel-syncs auth 1\n",
                dir.display()
            ),
        )
        .unwrap();
        procs
            .0
            .push(spawn(&[conf.display().to_string(), "--sentinel".into()]));
        wait_port(*port);
    }
    // The replica is in sync, and the sentinels know it, before anything else happens.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !redis_cli(replica, &["info", "replication"]).contains("master_link_status:up") {
        assert!(Instant::now() < deadline, "the replica never synced");
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !redis_cli(sentinels[0], &["sentinel", "replicas", "auth"]).contains(&replica.to_string())
    {
        assert!(
            Instant::now() < deadline,
            "the sentinels never saw the replica"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let options = || {
        let mut o = RedisStoreOptions::default();
        o.sentinel = Some(SentinelConfig::new(
            sentinels.iter().map(|p| format!("127.0.0.1:{p}")).collect(),
            "auth",
        ));
        o.io_timeout = Duration::from_millis(500);
        o.max_staleness = Duration::from_millis(300);
        o
    };
    let writer = RedisRevocationStore::connect("redis://unused", options()).unwrap();
    let verifier = RedisRevocationStore::connect("redis://unused", options()).unwrap();
    assert_eq!(
        options().required_replicas(),
        1,
        "WAIT 1 by default under Sentinel"
    );

    let mut acknowledged = Vec::new();
    for i in 0..50 {
        let jti = format!("before-{i}");
        writer
            .revoke(&jti, None, None)
            .expect("writes before the failover");
        acknowledged.push(jti);
    }
    // SIGKILL the primary; keep writing: refusals while there is no primary, then success.
    procs.0[0].kill().unwrap();
    procs.0[0].wait().unwrap();
    let killed = Instant::now();
    let mut refused = 0;
    let mut resumed = None;
    let mut i = 0;
    while Instant::now() < killed + Duration::from_secs(30) {
        let jti = format!("during-{i}");
        i += 1;
        match writer.revoke(&jti, None, None) {
            Ok(()) => {
                acknowledged.push(jti);
                if resumed.is_none() {
                    resumed = Some(killed.elapsed());
                }
                if acknowledged.len() >= 80 {
                    break;
                }
            }
            Err(e) => {
                assert_eq!(e.code(), auth_core::ErrorCode::RevocationUnavailable, "{e}");
                refused += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let resumed = resumed.expect("writes never resumed after the failover");
    eprintln!(
        "failover: writes resumed {:.2} s after SIGKILL ({refused} writes refused meanwhile)",
        resumed.as_secs_f64()
    );
    let bound = Duration::from_millis(2 * DOWN_AFTER_MS + FAILOVER_TIMEOUT_MS);
    assert!(
        resumed <= bound + Duration::from_secs(3),
        "writes came back after {resumed:?}, the bound is {bound:?} (+3 s for a loaded machine)"
    );
    // Every acknowledged revocation: seen by the verifier that lived through the failover,
    // and by a process that starts now.
    let late = RedisRevocationStore::connect("redis://unused", options()).unwrap();
    for store in [&verifier, &late] {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut missing: Vec<&String> = acknowledged.iter().collect();
        while !missing.is_empty() && Instant::now() < deadline {
            missing.retain(|j| store.revocation_status(&query(j)) != RevocationStatus::Revoked);
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            missing.is_empty(),
            "acknowledged revocations lost: {missing:?}"
        );
    }
}
