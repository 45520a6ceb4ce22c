//! The replica's reader thread: catch up (from the stream, or from a full snapshot of the
//! keys), then follow the stream with blocking `XREAD`s, confirming after each answer that
//! the replica is current; reconnect on any error.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use redis::streams::{self, StreamInfoStreamReply, StreamReadOptions, StreamReadReply};
use redis::{Commands, Connection, FromRedisValue, RedisResult, Value};

use crate::layout::{decode_exp, decode_principal, StreamId};
use crate::store::Shared;

/// Most entries one `XREAD` returns.
const BATCH: usize = 10_000;
/// Keys per `SCAN`/`MGET` round trip during a snapshot.
const SCAN_COUNT: usize = 5_000;
/// How often the replica forgets revocations of tokens that have expired.
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// The thread's body: runs until the store is dropped.
pub(crate) fn run(shared: &Shared) {
    let mut position: Option<Position> = None;
    let mut backoff = Duration::from_millis(10);
    let mut last_purge = Instant::now();
    while !shared.stop.load(Ordering::Acquire) {
        let result = connect(shared).and_then(|mut con| {
            follow(
                shared,
                &mut con,
                &mut position,
                &mut last_purge,
                &mut backoff,
            )
        });
        shared.connected.store(false, Ordering::Release);
        if let Err(e) = result {
            shared.set_error(format!("redis replica: {e}"));
        }
        // Sleep in small steps so a dropped store stops promptly.
        let until = Instant::now() + backoff;
        while Instant::now() < until && !shared.stop.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(5));
        }
        backoff = (backoff * 2).min(Duration::from_millis(250));
    }
}

fn connect(shared: &Shared) -> RedisResult<Connection> {
    let io = shared.options.io_timeout;
    let con = shared.client.get_connection_with_timeout(io)?;
    // A blocking read answers within `block`; a paused or unreachable server must not hold
    // the reader for longer than `block + io_timeout`.
    con.set_read_timeout(Some(shared.options.block() + io))?;
    con.set_write_timeout(Some(io))?;
    Ok(con)
}

/// Where the replica is in the stream: the last id applied and, on Redis 7 and later, how
/// many entries the stream had ever received up to it (`entries-added`), which tells
/// whether entries after it were trimmed before they were read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Position {
    id: StreamId,
    added: Option<u64>,
}

/// Catch up, then follow the stream until an error or the store is dropped.
fn follow(
    shared: &Shared,
    con: &mut Connection,
    position: &mut Option<Position>,
    last_purge: &mut Instant,
    backoff: &mut Duration,
) -> RedisResult<()> {
    // Resume from the stream when nothing after our position was trimmed; else snapshot.
    let mut pos = match *position {
        Some(pos) if !trimmed_past(con, shared, pos)? => pos,
        // Everything written before the snapshot is in it; the stream from the position
        // taken before it brings the rest (applying an entry twice changes nothing).
        _ => snapshot(shared, con)?,
    };
    *position = Some(pos);
    shared.connected.store(true, Ordering::Release);
    *backoff = Duration::from_millis(10);
    let block_ms = usize::try_from(shared.options.block().as_millis()).unwrap_or(500);
    let read = StreamReadOptions::default().count(BATCH).block(block_ms);
    while !shared.stop.load(Ordering::Acquire) {
        let sent = Instant::now();
        // Nil (nothing new within `block`) is `None`.
        let reply: Option<StreamReadReply> =
            con.xread_options(&[&shared.layout.stream], &[pos.id.to_string()], &read)?;
        let entries = reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .collect::<Vec<_>>();
        let n = entries.len();
        let mut healthy = true;
        for entry in &entries {
            let id = StreamId::parse(&entry.id).ok_or_else(|| bad_reply("XREAD entry id"))?;
            healthy &= apply(shared, entry);
            pos.id = pos.id.max(id);
        }
        pos.added = pos.added.map(|a| a + n as u64);
        shared.applied.fetch_add(n as u64, Ordering::Relaxed);
        // Entries after the position that were trimmed before they were read would be
        // lost: rebuild from the keys instead.
        if trimmed_past(con, shared, pos)? {
            pos = snapshot(shared, con)?;
            *position = Some(pos);
            continue;
        }
        *position = Some(pos);
        // A short batch means the replica holds everything written before `sent`.
        if n < BATCH && healthy {
            shared.confirm(sent);
        }
        if last_purge.elapsed() >= PURGE_EVERY {
            shared.replica.purge_expired(None);
            *last_purge = Instant::now();
        }
    }
    Ok(())
}

/// Applies one stream entry; `false` if the replica refused it (full) or it is malformed.
fn apply(shared: &Shared, entry: &streams::StreamId) -> bool {
    let (Some(t), Some(v), Some(e)) = (
        entry.get::<String>("t"),
        entry.get::<String>("v"),
        entry.get::<String>("e"),
    ) else {
        shared.set_error("redis replica: malformed stream entry");
        return false;
    };
    let result = match t.as_str() {
        "j" => match decode_exp(&e) {
            Some(exp) => shared.replica.revoke(&v, exp, None),
            None => {
                shared.set_error("redis replica: malformed stream entry");
                return false;
            }
        },
        "p" => match (decode_principal(&v), e.parse::<u64>().ok()) {
            (Some(p), Some(before)) => shared.replica.revoke_principal_before(p, before, None),
            _ => {
                shared.set_error("redis replica: malformed stream entry");
                return false;
            }
        },
        _ => return true,
    };
    match result {
        Ok(()) => true,
        Err(err) => {
            shared.set_error(format!("redis replica: {}", err.message()));
            false
        }
    }
}

/// Whether entries after `pos` were trimmed from the stream before the replica read them.
///
/// Trimming removes the oldest entries. If the stream's first entry is at or before `pos`,
/// nothing after it was trimmed. Otherwise every entry after `pos` ever added
/// (`entries-added` now minus then) must still be there (`length`). Before Redis 7 (no
/// `entries-added`), a first entry past `pos` is taken as a loss.
fn trimmed_past(con: &mut Connection, shared: &Shared, pos: Position) -> RedisResult<bool> {
    let Some(info) = stream_info(con, shared)? else {
        // No stream at all: if we had read entries, it was deleted under us.
        return Ok(pos.id != StreamId::default());
    };
    let head_past = info
        .first
        .map_or(info.last_generated > pos.id, |f| f > pos.id);
    Ok(match (info.added, pos.added) {
        (Some(now), Some(then)) => now < then || (head_past && info.length < now - then),
        _ => head_past && pos.id != StreamId::default(),
    })
}

fn bad_reply(what: &str) -> redis::RedisError {
    redis::RedisError::from((
        redis::ErrorKind::TypeError,
        "unexpected reply",
        what.to_owned(),
    ))
}

/// What the replica needs of `XINFO STREAM`: the client's typed reply
/// ([`StreamInfoStreamReply`]), plus `entries-added` (Redis 7), which it does not carry.
struct StreamInfo {
    /// The oldest entry still in the stream (`None`: the stream is empty).
    first: Option<StreamId>,
    last_generated: StreamId,
    length: u64,
    /// Entries ever added (`None` before Redis 7).
    added: Option<u64>,
}

impl FromRedisValue for StreamInfo {
    fn from_redis_value(v: &Value) -> RedisResult<Self> {
        let reply = StreamInfoStreamReply::from_redis_value(v)?;
        let fields: HashMap<String, Value> = redis::from_redis_value(v)?;
        let added = fields
            .get("entries-added")
            .map(redis::from_redis_value::<u64>)
            .transpose()?;
        Ok(StreamInfo {
            first: StreamId::parse(&reply.first_entry.id),
            last_generated: StreamId::parse(&reply.last_generated_id)
                .ok_or_else(|| bad_reply("XINFO STREAM last-generated-id"))?,
            length: reply.length as u64,
            added,
        })
    }
}

/// `XINFO STREAM`, or `None` when the stream does not exist.
fn stream_info(con: &mut Connection, shared: &Shared) -> RedisResult<Option<StreamInfo>> {
    match redis::cmd("XINFO")
        .arg("STREAM")
        .arg(&shared.layout.stream)
        .query::<StreamInfo>(con)
    {
        Ok(info) => Ok(Some(info)),
        Err(e) if e.kind() == redis::ErrorKind::ResponseError => Ok(None),
        Err(e) => Err(e),
    }
}

/// Rebuilds the replica from the keys; returns the stream position to follow from.
fn snapshot(shared: &Shared, con: &mut Connection) -> RedisResult<Position> {
    // The position first: whatever is written after it comes through the stream (applying
    // an entry twice changes nothing).
    let position = match stream_info(con, shared)? {
        Some(info) => Position {
            id: info.last_generated,
            added: info.added,
        },
        None => Position {
            id: StreamId::default(),
            added: Some(0),
        },
    };
    let mut healthy = true;
    let pattern = shared.layout.jti_pattern();
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(SCAN_COUNT)
            .query(con)?;
        if !keys.is_empty() {
            let values: Vec<Option<String>> = redis::cmd("MGET").arg(&keys).query(con)?;
            for (key, value) in keys.iter().zip(values) {
                let (Some(jti), Some(value)) = (shared.layout.jti_of(key), value) else {
                    continue; // expired between SCAN and MGET
                };
                let Some(exp) = decode_exp(&value) else {
                    continue;
                };
                if let Err(e) = shared.replica.revoke(jti, exp, None) {
                    shared.set_error(format!("redis replica: {}", e.message()));
                    healthy = false;
                }
            }
        }
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    let cutoffs: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg(&shared.layout.cutoffs)
        .query(con)?;
    for (p, before) in cutoffs {
        if let (Some(p), Ok(before)) = (decode_principal(&p), before.parse::<u64>()) {
            if let Err(e) = shared.replica.revoke_principal_before(p, before, None) {
                shared.set_error(format!("redis replica: {}", e.message()));
                healthy = false;
            }
        }
    }
    shared.snapshots.fetch_add(1, Ordering::Relaxed);
    if !healthy {
        return Err(redis::RedisError::from((
            redis::ErrorKind::ClientError,
            "local replica full",
        )));
    }
    Ok(position)
}
