//! Where the store's connections go: one Redis server (a URL), or the primary that Redis
//! Sentinel names at the moment of each connection — so a failover is followed by the next
//! reconnect, without a restart.

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
    /// a primary), within `timeout`.
    pub(crate) fn connect(&self, timeout: Duration) -> RedisResult<Connection> {
        match self {
            Endpoint::Direct(client) => client.get_connection_with_timeout(timeout),
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
