//! The replica's reader thread: catch up (from the stream, or from a full snapshot of the
//! keys), then follow the stream with blocking `XREAD`s, confirming after each answer that
//! the replica is current; reconnect on any error.
//!
//! A revocation the replica cannot hold (it is full) is kept aside and retried; until every
//! one of them is applied the replica is incomplete: it confirms nothing and verification
//! fails closed (`Shared::incomplete`).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use redis::streams::{self, StreamInfoStreamReply, StreamReadOptions, StreamReadReply};
use redis::{Commands, Connection, FromRedisValue, RedisResult, Value};

use auth_core::{ErrorCode, Principal};

use crate::layout::{decode_exp, decode_principal, StreamId};
use crate::store::Shared;

/// Most entries one `XREAD` returns.
const BATCH: usize = 10_000;
/// Keys per `SCAN`/`MGET` round trip during a snapshot.
const SCAN_COUNT: usize = 5_000;
/// How often the replica forgets revocations of tokens that have expired.
const PURGE_EVERY: Duration = Duration::from_secs(60);
/// Most revocations kept aside for a retry; past it, the retry is a full snapshot.
const MISSING_MAX: usize = 100_000;
/// First and longest wait between two retries of the revocations the replica could not hold.
const RETRY_FIRST: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(10);

/// The thread's body: runs until the store is dropped.
pub(crate) fn run(shared: &Shared) {
    let mut position: Option<Position> = None;
    let mut backoff = Duration::from_millis(10);
    let mut last_purge = Instant::now();
    let mut missing = Missing::default();
    let mut layout_checked = false;
    while !shared.stop.load(Ordering::Acquire) {
        let result = connect(shared).and_then(|mut con| {
            let mut state = State {
                position: &mut position,
                missing: &mut missing,
                last_purge: &mut last_purge,
                backoff: &mut backoff,
                layout_checked: &mut layout_checked,
            };
            follow(shared, &mut con, &mut state)
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
    let con = shared.client.connect(io)?;
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

/// A revocation read from Redis (a stream entry or a key).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Revocation {
    Jti(String, Option<u64>),
    Principal(Principal, u64),
}

/// Why a revocation was not applied.
enum Refused {
    /// The replica is full: the revocation is kept aside and retried.
    Full,
    /// The replica rejects it for good (e.g. a jti over 128 characters): skipped.
    Invalid(String),
}

/// Applies one revocation to the replica. Applying one twice, or in any order, changes
/// nothing: a jti keeps its latest expiry and a principal its latest cutoff.
fn apply(shared: &Shared, r: &Revocation) -> Result<(), Refused> {
    let result = match r {
        Revocation::Jti(jti, exp) => shared.replica.revoke(jti, *exp, None),
        Revocation::Principal(p, before) => {
            shared.replica.revoke_principal_before(*p, *before, None)
        }
    };
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.code() == ErrorCode::RevocationStoreFull => Err(Refused::Full),
        Err(e) => Err(Refused::Invalid(e.message().to_owned())),
    }
}

/// The revocations in Redis that the replica could not hold because it was full.
///
/// While there is any, the replica is incomplete. They are retried with a growing pause
/// (the periodic purge, and the one the replica runs itself when full, make room as tokens
/// expire); when there were too many to keep, the retry is a full snapshot instead.
#[derive(Debug, Default)]
struct Missing {
    list: Vec<Revocation>,
    /// More than [`MISSING_MAX`] were refused: only a snapshot can tell which.
    overflowed: bool,
    pause: Duration,
    next_retry: Option<Instant>,
}

impl Missing {
    fn is_empty(&self) -> bool {
        self.list.is_empty() && !self.overflowed
    }

    fn count(&self) -> String {
        if self.overflowed {
            format!("more than {MISSING_MAX}")
        } else {
            self.list.len().to_string()
        }
    }

    fn push(&mut self, r: Revocation) {
        if self.overflowed {
            return;
        }
        if self.list.len() >= MISSING_MAX {
            self.list = Vec::new();
            self.overflowed = true;
        } else {
            self.list.push(r);
        }
        if self.next_retry.is_none() {
            self.pause = RETRY_FIRST;
            self.next_retry = Some(Instant::now() + RETRY_FIRST);
        }
    }

    fn retry_due(&self) -> bool {
        self.next_retry.is_some_and(|at| Instant::now() >= at)
    }

    /// After a retry: pause twice as long before the next one, or stop retrying when none
    /// is left.
    fn retried(&mut self) {
        if self.is_empty() {
            *self = Missing::default();
        } else {
            self.pause = (self.pause * 2).clamp(RETRY_FIRST, RETRY_MAX);
            self.next_retry = Some(Instant::now() + self.pause);
        }
    }

    /// Applies the list again; keeps what still does not fit. A token's revocation that is
    /// past its `exp + grace` is no longer needed and is dropped.
    fn retry_list(&mut self, shared: &Shared) {
        let grace = shared.options.expiry_grace;
        let now = auth_core::system_now().ok();
        self.list.retain(|r| {
            if let (Revocation::Jti(_, Some(exp)), Some(now)) = (r, now) {
                if exp.saturating_add(grace) <= now {
                    return false;
                }
            }
            match apply(shared, r) {
                Ok(()) | Err(Refused::Invalid(_)) => false,
                Err(Refused::Full) => true,
            }
        });
    }
}

/// Publishes whether the replica is incomplete, and why.
fn report(shared: &Shared, missing: &Missing) {
    let incomplete = !missing.is_empty();
    if incomplete {
        shared.set_error(format!(
            "redis replica: local replica full (replica_capacity {}): {} revocation(s) in Redis \
             not held locally; verification fails closed until they fit",
            shared.replica.capacity_limit(),
            missing.count()
        ));
    }
    shared.incomplete.store(incomplete, Ordering::Release);
}

/// The reader's state that outlives a connection.
struct State<'a> {
    position: &'a mut Option<Position>,
    missing: &'a mut Missing,
    last_purge: &'a mut Instant,
    backoff: &'a mut Duration,
    /// No key of the previous layout was found (checked once per store).
    layout_checked: &'a mut bool,
}

/// Catch up, then follow the stream until an error or the store is dropped.
fn follow(shared: &Shared, con: &mut Connection, state: &mut State<'_>) -> RedisResult<()> {
    if !*state.layout_checked {
        if let Some(key) = previous_layout_key(con, shared)? {
            let bare = &shared.options.key_prefix;
            let why = format!(
                "found `{key}`, a key of the previous layout (bare prefix, before `{{prefix}}` \
                 keys): refusing to start rather than ignore the revocations it holds; migrate \
                 or delete `{bare}stream`, `{bare}cutoffs` and `{bare}j:*` (docs/revocation.md)"
            );
            // The reason first: `wait_current` reports it as soon as the flag is up.
            shared.set_error(format!("redis replica: {why}"));
            shared.previous_layout.store(true, Ordering::Release);
            // Looked for again after a pause, not in a tight loop: it scans the keyspace.
            *state.backoff = Duration::from_secs(5);
            return Err(redis::RedisError::from((
                redis::ErrorKind::ClientError,
                "keys of the previous layout",
                why,
            )));
        }
        shared.previous_layout.store(false, Ordering::Release);
        *state.layout_checked = true;
    }
    // Resume from the stream when nothing after our position was trimmed; else snapshot.
    let mut pos = match *state.position {
        Some(pos) if !trimmed_past(con, shared, pos)? => pos,
        // Everything written before the snapshot is in it; the stream from the position
        // taken before it brings the rest (applying an entry twice changes nothing).
        _ => snapshot(shared, con, state.missing)?,
    };
    *state.position = Some(pos);
    shared.connected.store(true, Ordering::Release);
    *state.backoff = Duration::from_millis(10);
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
            match decode_entry(entry) {
                Ok(Some(r)) => match apply(shared, &r) {
                    Ok(()) => {}
                    Err(Refused::Full) => state.missing.push(r),
                    Err(Refused::Invalid(why)) => {
                        shared.set_error(format!("redis replica: stream entry {id}: {why}"));
                        healthy = false;
                    }
                },
                Ok(None) => {}
                Err(()) => {
                    shared.set_error(format!("redis replica: malformed stream entry {id}"));
                    healthy = false;
                }
            }
            pos.id = pos.id.max(id);
        }
        pos.added = pos.added.map(|a| a + n as u64);
        shared.applied.fetch_add(n as u64, Ordering::Relaxed);
        report(shared, state.missing);
        if state.last_purge.elapsed() >= PURGE_EVERY {
            shared.replica.purge_expired(None);
            *state.last_purge = Instant::now();
        }
        // Entries after the position that were trimmed before they were read would be
        // lost: rebuild from the keys instead.
        if trimmed_past(con, shared, pos)? {
            pos = snapshot(shared, con, state.missing)?;
            *state.position = Some(pos);
            continue;
        }
        *state.position = Some(pos);
        if state.missing.retry_due() {
            if state.missing.overflowed {
                let pause = state.missing.pause;
                pos = snapshot(shared, con, state.missing)?;
                *state.position = Some(pos);
                state.missing.pause = state.missing.pause.max(pause);
            } else {
                state.missing.retry_list(shared);
            }
            state.missing.retried();
            report(shared, state.missing);
        }
        // A short batch means the replica holds everything written before `sent` — unless
        // it could not hold some of it.
        if n < BATCH && healthy && state.missing.is_empty() {
            shared.confirm(sent);
        }
    }
    Ok(())
}

/// The revocation a stream entry carries (`None`: a type this version does not know, which
/// it skips); `Err` if the entry is malformed.
fn decode_entry(entry: &streams::StreamId) -> Result<Option<Revocation>, ()> {
    let (Some(t), Some(v), Some(e)) = (
        entry.get::<String>("t"),
        entry.get::<String>("v"),
        entry.get::<String>("e"),
    ) else {
        return Err(());
    };
    match t.as_str() {
        "j" => Ok(Some(Revocation::Jti(v, decode_exp(&e).ok_or(())?))),
        "p" => Ok(Some(Revocation::Principal(
            decode_principal(&v).ok_or(())?,
            e.parse().map_err(|_| ())?,
        ))),
        _ => Ok(None),
    }
}

/// A key of the layout before `{prefix}` keys (`{bare}stream`, `{bare}cutoffs`,
/// `{bare}j:*`), if there is one: its revocations would not be read.
fn previous_layout_key(con: &mut Connection, shared: &Shared) -> RedisResult<Option<String>> {
    // The previous layout never ran on a cluster (its keys had no hash tag and sat in other
    // slots, on other nodes): nothing to look for there.
    if matches!(shared.client, crate::endpoint::Endpoint::Cluster { .. }) {
        return Ok(None);
    }
    for key in shared.layout.previous_keys() {
        let exists: bool = redis::cmd("EXISTS").arg(&key).query(con)?;
        if exists {
            return Ok(Some(key));
        }
    }
    let pattern = shared.layout.previous_jti_pattern();
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(SCAN_COUNT)
            .query(con)?;
        if let Some(key) = keys.into_iter().next() {
            return Ok(Some(key));
        }
        cursor = next;
        if cursor == 0 {
            return Ok(None);
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
///
/// Once it has read every key, what did not fit replaces `missing`: the keys hold every
/// revocation written before the snapshot (one gone from them has expired).
fn snapshot(shared: &Shared, con: &mut Connection, missing: &mut Missing) -> RedisResult<Position> {
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
    let mut refused = Missing::default();
    let mut keep = |r: Revocation| match apply(shared, &r) {
        Ok(()) => {}
        Err(Refused::Full) => refused.push(r),
        Err(Refused::Invalid(why)) => shared.set_error(format!("redis replica: {why}")),
    };
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
                keep(Revocation::Jti(jti.to_owned(), exp));
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
            keep(Revocation::Principal(p, before));
        }
    }
    shared.snapshots.fetch_add(1, Ordering::Relaxed);
    *missing = refused;
    report(shared, missing);
    Ok(position)
}
