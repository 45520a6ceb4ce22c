//! A Redis Cluster for real: three primaries and three replicas on loopback
//! (`redis-server --cluster-enabled yes`, `redis-cli --cluster create`). The store's keys
//! share one slot; a resharding moves that slot to another primary under the store, then a
//! SIGKILL of that primary promotes its replica. Nothing acknowledged is lost: a verifier that
//! lived through both and a process started afterwards see every revocation.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auth_core::{Principal, RevocationQuery, RevocationStatus, RevocationStore, RevocationWriter};
use auth_redis::{RedisRevocationStore, RedisStoreOptions};

const KEY: &str = "{auth:rev:}stream";

struct Nodes(Vec<(u16, Child)>, PathBuf);

impl Drop for Nodes {
    fn drop(&mut self) {
        for (_, c) in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

/// A free port for a cluster node: at most 55535, with its cluster bus port (+10000) free too.
fn cluster_port() -> u16 {
    loop {
        let p = free_port();
        if p <= 55535 && TcpListener::bind(("127.0.0.1", p + 10000)).is_ok() {
            return p;
        }
    }
}

fn cli(args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(args)
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn node_cli(port: u16, args: &[&str]) -> String {
    let mut all = vec!["-p".to_owned(), port.to_string()];
    all.extend(args.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    cli(&refs)
}

/// The port of the primary serving the store's slot, as node `port` sees it.
fn owner(port: u16) -> Option<u16> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).ok()?;
    let mut con = client.get_connection().ok()?;
    let slot: i64 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg(KEY)
        .query(&mut con)
        .ok()?;
    let ranges: Vec<(i64, i64, (String, i64))> = {
        let raw: Vec<redis::Value> = redis::cmd("CLUSTER").arg("SLOTS").query(&mut con).ok()?;
        raw.into_iter()
            .filter_map(|r| match r {
                redis::Value::Array(p) => match (p.first(), p.get(1), p.get(2)) {
                    (
                        Some(redis::Value::Int(a)),
                        Some(redis::Value::Int(b)),
                        Some(redis::Value::Array(n)),
                    ) => match (n.first(), n.get(1)) {
                        (Some(redis::Value::BulkString(h)), Some(redis::Value::Int(port))) => {
                            Some((*a, *b, (String::from_utf8_lossy(h).into_owned(), *port)))
                        }
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            })
            .collect()
    };
    ranges
        .into_iter()
        .find(|(a, b, _)| (*a..=*b).contains(&slot))
        .map(|(_, _, (_, p))| p as u16)
}

fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn query(jti: &str) -> RevocationQuery<'_> {
    RevocationQuery::new(jti, Principal::user(1), 1, None)
}

#[test]
fn a_resharding_and_a_failover_lose_nothing_acknowledged() {
    let dir = std::env::temp_dir().join(format!("auth-redis-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut nodes = Nodes(Vec::new(), dir.clone());
    for _ in 0..6 {
        let port = cluster_port();
        let d = dir.join(port.to_string());
        std::fs::create_dir_all(&d).unwrap();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "1000"])
            .args(["--appendonly", "no", "--protected-mode", "no"])
            .arg("--dir")
            .arg(&d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is needed (scripts/test-all.sh installs it)");
        nodes.0.push((port, child));
    }
    let ports: Vec<u16> = nodes.0.iter().map(|(p, _)| *p).collect();
    for p in &ports {
        wait_for("a node listens", 10, || {
            node_cli(*p, &["ping"]).contains("PONG")
        });
    }
    let mut create = vec!["--cluster".to_owned(), "create".to_owned()];
    create.extend(ports.iter().map(|p| format!("127.0.0.1:{p}")));
    create.extend(["--cluster-replicas", "1", "--cluster-yes"].map(str::to_owned));
    let refs: Vec<&str> = create.iter().map(String::as_str).collect();
    cli(&refs);
    for p in &ports {
        wait_for("cluster_state:ok", 30, || {
            node_cli(*p, &["cluster", "info"]).contains("cluster_state:ok")
        });
    }
    let replicas_up = |primary: u16| {
        // At least one replica in sync (after a resharding, the emptied primary's replica may
        // migrate to the primary that took its slots).
        let info = node_cli(primary, &["info", "replication"]);
        !info.contains("connected_slaves:0") && info.contains("state=online")
    };
    let first = owner(ports[0]).expect("an owner for the slot");
    wait_for("the owner's replica is in sync", 30, || replicas_up(first));

    let options = || {
        let mut o = RedisStoreOptions::default();
        o.cluster = Some(ports.iter().map(|p| format!("127.0.0.1:{p}")).collect());
        o.io_timeout = Duration::from_millis(500);
        o.max_staleness = Duration::from_millis(300);
        o
    };
    let writer = RedisRevocationStore::connect("redis://unused", options()).unwrap();
    let verifier = RedisRevocationStore::connect("redis://unused", options()).unwrap();
    let mut acknowledged = Vec::new();
    let mut write_until = |label: &str, count: usize, secs: u64| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let start = Instant::now();
        let mut first_ok = None;
        let mut done = 0;
        let mut i = 0;
        while done < count && Instant::now() < deadline {
            let jti = format!("{label}-{i}");
            i += 1;
            match writer.revoke(&jti, None, None) {
                Ok(()) => {
                    first_ok.get_or_insert(start.elapsed());
                    acknowledged.push(jti);
                    done += 1;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        assert_eq!(
            done, count,
            "{label}: writes did not resume within {secs} s"
        );
        first_ok.unwrap_or_default()
    };
    write_until("before", 30, 10);

    // Move the owner's slots, the store's among them, to another primary.
    let target = ports
        .iter()
        .copied()
        .find(|p| *p != first && node_cli(*p, &["role"]).starts_with("master"))
        .expect("another primary");
    let id = |p: u16| node_cli(p, &["cluster", "myid"]).trim().to_owned();
    let slots = node_cli(first, &["cluster", "countkeysinslot", "0"]); // warm the connection
    drop(slots);
    let owned: usize = {
        let nodes = node_cli(first, &["cluster", "nodes"]);
        let line = nodes
            .lines()
            .find(|l| l.contains("myself"))
            .unwrap_or("")
            .to_owned();
        line.split_whitespace()
            .skip(8)
            .map(|r| match r.split_once('-') {
                Some((a, b)) => {
                    b.parse::<usize>().unwrap_or(0) - a.parse::<usize>().unwrap_or(0) + 1
                }
                None => 1,
            })
            .sum()
    };
    let seed = format!("127.0.0.1:{first}");
    // All but one slot: the store's (not the owner's last) moves, and the old owner keeps a
    // slot, so it still votes in the failover below (only primaries serving slots vote).
    let (from, to, count) = (id(first), id(target), (owned - 1).to_string());
    cli(&[
        "--cluster",
        "reshard",
        &seed,
        "--cluster-from",
        &from,
        "--cluster-to",
        &to,
        "--cluster-slots",
        &count,
        "--cluster-yes",
        "--cluster-pipeline",
        "100",
    ]);
    wait_for("the slot moved", 30, || owner(target) == Some(target));
    write_until("after-reshard", 30, 15);

    // SIGKILL the new owner: its replica is promoted.
    wait_for("the new owner's replica is in sync", 30, || {
        replicas_up(target)
    });
    let pos = nodes.0.iter().position(|(p, _)| *p == target).unwrap();
    nodes.0[pos].1.kill().unwrap();
    nodes.0[pos].1.wait().unwrap();
    let resumed = write_until("after-failover", 30, 30);
    eprintln!(
        "cluster failover: writes resumed {:.2} s after SIGKILL",
        resumed.as_secs_f64()
    );

    let late = RedisRevocationStore::connect("redis://unused", options()).unwrap();
    for store in [&verifier, &late] {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut missing: Vec<&String> = acknowledged.iter().collect();
        while !missing.is_empty() && Instant::now() < deadline {
            missing.retain(|j| store.revocation_status(&query(j)) != RevocationStatus::Revoked);
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            missing.is_empty(),
            "acknowledged revocations lost: {} of {}",
            missing.len(),
            acknowledged.len()
        );
    }
}
