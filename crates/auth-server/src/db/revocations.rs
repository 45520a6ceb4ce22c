//! Principal cutoffs and the revocation log: how a block, a password change or a revocation
//! made by one process (`authctl accounts`, another service process) reaches every service
//! process that shares the database.
//!
//! Every revocation and cutoff is written to its table (what a restart loads) and appended to
//! `revocation_log` in the same transaction. A service process reads the log from the last
//! sequence number it saw ([`Db::revocation_log_after`]); the log is pruned after an hour, and
//! a process that fell further behind than that reloads everything.

use auth_core::{Principal, PrincipalType};
use rusqlite::{params, Transaction};

use super::{Db, DbError, DbResult};

/// How long log entries are kept, in seconds.
pub const LOG_RETENTION: u64 = 3600;

/// One entry of the revocation log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogEntry {
    /// A token id revoked until `exp` (`None`: for good).
    Token {
        /// The token id.
        jti: String,
        /// Its expiry.
        exp: Option<u64>,
    },
    /// Every token of a principal issued at or before `before`.
    Principal {
        /// The principal.
        principal: Principal,
        /// The cutoff (UNIX seconds, inclusive).
        before: u64,
    },
}

/// What [`Db::revocation_log_after`] read.
#[derive(Debug)]
pub struct LogRead {
    /// The entries after the sequence number asked for, in order, with their numbers.
    pub entries: Vec<(i64, LogEntry)>,
    /// Entries after that number were pruned: reload everything.
    pub gap: bool,
}

pub(super) fn to_i64(v: u64) -> DbResult<i64> {
    i64::try_from(v).map_err(|_| DbError(format!("{v} is too large for the database")))
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn principal_of(kind: &str, id: i64) -> Option<Principal> {
    match kind {
        "user" => Some(Principal::user(to_u64(id))),
        "reseller" => Some(Principal::reseller(to_u64(id))),
        _ => None,
    }
}

/// Appends a token revocation to the log (inside the caller's transaction).
pub(super) fn log_token(
    tx: &Transaction<'_>,
    jti: &str,
    exp: Option<u64>,
    now: u64,
) -> DbResult<()> {
    tx.execute(
        "INSERT INTO revocation_log (jti, expires_at, logged_at) VALUES (?1, ?2, ?3)",
        params![jti, exp.map(to_i64).transpose()?, to_i64(now)?],
    )?;
    Ok(())
}

/// Records a cutoff for `principal` at `before` (a later one is kept) and logs it (inside the
/// caller's transaction).
pub(super) fn cut_off(
    tx: &Transaction<'_>,
    principal: Principal,
    before: u64,
    now: u64,
) -> DbResult<()> {
    let (kind, id, before) = (
        principal.kind.as_str(),
        to_i64(principal.id)?,
        to_i64(before)?,
    );
    tx.execute(
        "INSERT INTO principal_cutoffs (principal_type, principal_id, before) VALUES (?1, ?2, ?3)
         ON CONFLICT (principal_type, principal_id) DO UPDATE SET before = max(before, excluded.before)",
        params![kind, id, before],
    )?;
    tx.execute(
        "INSERT INTO revocation_log (principal_type, principal_id, before, logged_at) VALUES (?1, ?2, ?3, ?4)",
        params![kind, id, before, to_i64(now)?],
    )?;
    Ok(())
}

impl Db {
    /// Revokes every token of `principal` (and the tokens it delegated) issued at or before
    /// `before`: recorded, logged for the other processes, loaded at every start.
    pub fn record_cutoff(&self, principal: Principal, before: u64, now: u64) -> DbResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        cut_off(&tx, principal, before, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Every principal cutoff.
    pub fn cutoffs(&self) -> DbResult<Vec<(Principal, u64)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT principal_type, principal_id, before FROM principal_cutoffs")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, id, before)| principal_of(&k, id).map(|p| (p, to_u64(before))))
            .collect())
    }

    /// The newest log sequence number (0 when the log is empty).
    pub fn latest_log_seq(&self) -> DbResult<i64> {
        Ok(self.conn().query_row(
            "SELECT coalesce(max(seq), 0) FROM revocation_log",
            [],
            |r| r.get(0),
        )?)
    }

    /// The log entries after `seq` (at most `limit`), and whether some were pruned.
    pub fn revocation_log_after(&self, seq: i64, limit: usize) -> DbResult<LogRead> {
        let conn = self.conn();
        let oldest: Option<i64> =
            conn.query_row("SELECT min(seq) FROM revocation_log", [], |r| r.get(0))?;
        let gap = seq > 0 && oldest.is_some_and(|o| o > seq + 1);
        let mut stmt = conn.prepare(
            "SELECT seq, jti, expires_at, principal_type, principal_id, before FROM revocation_log
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let entries = stmt
            .query_map(params![seq, limit], |r| {
                let seq: i64 = r.get(0)?;
                let jti: Option<String> = r.get(1)?;
                let exp: Option<i64> = r.get(2)?;
                let kind: Option<String> = r.get(3)?;
                let id: Option<i64> = r.get(4)?;
                let before: Option<i64> = r.get(5)?;
                Ok((seq, jti, exp, kind, id, before))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter_map(|(seq, jti, exp, kind, id, before)| {
                let entry = match (jti, kind, id, before) {
                    (Some(jti), ..) => LogEntry::Token {
                        jti,
                        exp: exp.map(to_u64),
                    },
                    (None, Some(kind), Some(id), Some(before)) => LogEntry::Principal {
                        principal: principal_of(&kind, id)?,
                        before: to_u64(before),
                    },
                    _ => return None,
                };
                Some((seq, entry))
            })
            .collect();
        Ok(LogRead { entries, gap })
    }

    /// Forgets log entries logged before `horizon` (UNIX seconds).
    pub fn prune_revocation_log(&self, horizon: u64) -> DbResult<usize> {
        Ok(self.conn().execute(
            "DELETE FROM revocation_log WHERE logged_at < ?1",
            [to_i64(horizon)?],
        )?)
    }

    /// The named tokens `owner` created (for itself or a sub-account) that have not expired
    /// at `now`, revoked or not: what the quota counts.
    pub fn count_named_tokens(&self, owner: Principal, now: u64) -> DbResult<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM named_tokens WHERE owner_type = ?1 AND owner_id = ?2
             AND kind != 'login' AND (expires_at IS NULL OR expires_at > ?3)",
            params![owner.kind.as_str(), to_i64(owner.id)?, to_i64(now)?],
            |r| r.get(0),
        )?;
        Ok(to_u64(n))
    }

    /// Whether the account of `principal` is blocked; an account that does not exist counts
    /// as blocked (a token for it creates nothing).
    pub fn principal_blocked(&self, principal: Principal) -> DbResult<bool> {
        let sql = match principal.kind {
            PrincipalType::User => "SELECT blocked FROM users WHERE id = ?1",
            PrincipalType::Reseller => "SELECT blocked FROM resellers WHERE id = ?1",
        };
        let blocked: Option<bool> = rusqlite::OptionalExtension::optional(self.conn().query_row(
            sql,
            [to_i64(principal.id)?],
            |r| r.get(0),
        ))?;
        Ok(blocked.unwrap_or(true))
    }
}
