//! Where the store's connections go: one Redis server (a URL), the primary that Redis
//! Sentinel names, or the Redis Cluster primary that serves the store's one slot — asked at
//! every connection, so a failover or a resharding is followed by the next reconnect, without
//! a restart.

use std::sync::Mutex;
use std::time::Duration;

use redis::sentinel::{Sentinel, SentinelNodeConnectionInfo};
use redis::{Connection, RedisResult};

/// A connection target.
pub(crate) enum Endpoint {
    /// One server.
    Direct(redis::Client),
    /// The primary `master` of these sentinels.
    Sentinel {
        sentinel: Mutex<Sentinel>,
        master: String,
    },
    /// The primary of a Redis Cluster that holds `key`'s slot (every key of the store shares
    /// one slot), found through any of these seed nodes.
    Cluster {
        seeds: Vec<redis::Client>,
        key: String,
    },
}

impl Endpoint {
    /// A sentinel endpoint: sentinels at `HOST:PORT` addresses, primary set `master`.
    pub(crate) fn sentinel(addresses: &[String], master: &str) -> RedisResult<Endpoint> {
        let urls: Vec<String> = addresses.iter().map(|a| format!("redis://{a}")).collect();
        Ok(Endpoint::Sentinel {
            sentinel: Mutex::new(Sentinel::build(urls)?),
            master: master.to_owned(),
        })
    }

    /// A new connection to the server (for Sentinel: the primary it names now, checked to be
    /// a primary; for a cluster: the primary serving the slot now), within `timeout`.
    pub(crate) fn connect(&self, timeout: Duration) -> RedisResult<Connection> {
        match self {
            Endpoint::Direct(client) => client.get_connection_with_timeout(timeout),
            Endpoint::Cluster { seeds, key } => {
                let mut last = None;
                for seed in seeds {
                    match slot_owner(seed, key, timeout) {
                        Ok(owner) => return owner.get_connection_with_timeout(timeout),
                        Err(e) => last = Some(e),
                    }
                }
                Err(last.unwrap_or_else(|| {
                    redis::RedisError::from((redis::ErrorKind::ClientError, "no cluster seed"))
                }))
            }
            Endpoint::Sentinel { sentinel, master } => {
                let client = sentinel
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .master_for(master, Some(&SentinelNodeConnectionInfo::default()))?;
                client.get_connection_with_timeout(timeout)
            }
        }
    }
}

/// The primary that serves `key`'s slot, as `seed` sees the cluster now (`CLUSTER KEYSLOT`,
/// `CLUSTER SLOTS`).
fn slot_owner(seed: &redis::Client, key: &str, timeout: Duration) -> RedisResult<redis::Client> {
    let mut con = seed.get_connection_with_timeout(timeout)?;
    con.set_read_timeout(Some(timeout))?;
    let slot: i64 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg(key)
        .query(&mut con)?;
    let ranges: Vec<redis::Value> = redis::cmd("CLUSTER").arg("SLOTS").query(&mut con)?;
    for range in ranges {
        let redis::Value::Array(parts) = range else {
            continue;
        };
        let (
            Some(redis::Value::Int(lo)),
            Some(redis::Value::Int(hi)),
            Some(redis::Value::Array(primary)),
        ) = (parts.first(), parts.get(1), parts.get(2))
        else {
            continue;
        };
        if (*lo..=*hi).contains(&slot) {
            let host = match primary.first() {
                Some(redis::Value::BulkString(b)) => String::from_utf8_lossy(b).into_owned(),
                Some(redis::Value::SimpleString(s)) => s.clone(),
                _ => continue,
            };
            let Some(redis::Value::Int(port)) = primary.get(1) else {
                continue;
            };
            let mut info = seed.get_connection_info().clone();
            info.addr = redis::ConnectionAddr::Tcp(host, u16::try_from(*port).unwrap_or(0));
            return redis::Client::open(info);
        }
    }
    Err(redis::RedisError::from((
        redis::ErrorKind::ClusterDown,
        "no primary serves the store's slot",
    )))
}
