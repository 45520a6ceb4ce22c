//! The service's SQLite database: one file, its schema created and migrated at start.
//!
//! | table | what |
//! |---|---|
//! | `user_groups` | groups of users, with an optional `allowed_regex` on the login address |
//! | `users` | dialer users: login, name, Argon2id hash, admin, `sms_from`, group, blocked |
//! | `resellers` | resellers: name, hash, `settings.allowedIPs` (a JSON array or NULL), balance, blocked |
//! | `reseller_user_groups` | the `user_groups` a reseller's login answers with |
//! | `sub_accounts` | which user or reseller owns which user account (`POST /token/account/:id`) |
//! | `named_tokens` | every token issued — logins, console sessions, `POST /token` — never its text: id, kind, name, subject, owner, expiry, `allowed_ips`, scopes, revoked, last use |
//! | `revocations` | revoked token ids and their expiry, loaded into the revocation store at start |
//! | `principal_cutoffs` | "every token of this account issued up to then is revoked": blocks, password changes |
//! | `revocation_log` | every revocation and cutoff in order, which each service process follows |
//!
//! The connection sits behind a mutex; every query is short. The code is split by what it
//! stores: `accounts.rs` the accounts, `tokens.rs` the issued tokens and revocations.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub mod accounts;
pub mod password_hashes;
pub mod revocations;
pub mod tokens;

pub use accounts::{GroupRow, NewUser, ResellerRow, UserRow};
pub use revocations::{LogEntry, LogRead};
pub use tokens::NamedTokenRow;

/// A database failure (I/O, a constraint, a corrupt file), with SQLite's message.
#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "database: {}", self.0)
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(e.to_string())
    }
}

/// The result of a database call.
pub type DbResult<T> = Result<T, DbError>;

/// The migrations, in order; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: accounts, issued tokens, revocations.
    "CREATE TABLE user_groups (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        allowed_regex TEXT
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY CHECK (id >= 0),
        login TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        admin INTEGER NOT NULL DEFAULT 0,
        sms_from TEXT,
        user_group_id INTEGER REFERENCES user_groups(id),
        blocked INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE resellers (
        id INTEGER PRIMARY KEY CHECK (id >= 0),
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        allowed_ips TEXT,
        balance REAL NOT NULL DEFAULT 0,
        blocked INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE reseller_user_groups (
        reseller_id INTEGER NOT NULL REFERENCES resellers(id),
        user_group_id INTEGER NOT NULL REFERENCES user_groups(id),
        PRIMARY KEY (reseller_id, user_group_id)
    );
    CREATE TABLE sub_accounts (
        account_id INTEGER NOT NULL REFERENCES users(id),
        owner_type TEXT NOT NULL CHECK (owner_type IN ('user', 'reseller')),
        owner_id INTEGER NOT NULL,
        PRIMARY KEY (account_id, owner_type, owner_id)
    );
    CREATE TABLE named_tokens (
        jti TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subject_id INTEGER NOT NULL,
        owner_type TEXT NOT NULL,
        owner_id INTEGER NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE revocations (
        jti TEXT PRIMARY KEY,
        expires_at INTEGER,
        revoked_at INTEGER NOT NULL
    );",
    // 2: principal cutoffs (blocks, password changes, `accounts revoke`) and the log every
    // service process follows to learn what another process revoked.
    "CREATE TABLE principal_cutoffs (
        principal_type TEXT NOT NULL CHECK (principal_type IN ('user', 'reseller')),
        principal_id INTEGER NOT NULL,
        before INTEGER NOT NULL,
        PRIMARY KEY (principal_type, principal_id)
    );
    CREATE TABLE revocation_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        jti TEXT,
        expires_at INTEGER,
        principal_type TEXT,
        principal_id INTEGER,
        before INTEGER,
        logged_at INTEGER NOT NULL
    );",
    // 3: every issued token (logins and console sessions too), with what a listing shows,
    // and when and from where it was last used.
    "ALTER TABLE named_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'named'
        CHECK (kind IN ('login', 'named', 'static'));
    UPDATE named_tokens SET kind = 'static' WHERE expires_at IS NULL;
    ALTER TABLE named_tokens ADD COLUMN allowed_ips TEXT;
    ALTER TABLE named_tokens ADD COLUMN scope TEXT;
    ALTER TABLE named_tokens ADD COLUMN last_used_at INTEGER;
    ALTER TABLE named_tokens ADD COLUMN last_used_ip TEXT;
    CREATE INDEX named_tokens_subject ON named_tokens (subject_type, subject_id);
    CREATE INDEX named_tokens_owner ON named_tokens (owner_type, owner_id);",
];

/// The database of one service.
pub struct Db {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating if needed) the database file and applies the pending migrations.
    pub fn open(path: &Path) -> DbResult<Db> {
        Db::setup(Connection::open(path)?)
    }

    /// A database in memory (tests, `authctl serve` without `--db`): gone when dropped.
    pub fn open_in_memory() -> DbResult<Db> {
        Db::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> DbResult<Db> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Several processes may start on one new file at once: the version is read and the
        // migrations applied under one write lock (BEGIN IMMEDIATE), so only the first
        // applies them and the others find them applied.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if applied > MIGRATIONS.len() {
            return Err(DbError(format!(
                "the database is at schema version {applied}, newer than this program's {}",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
        }
        tx.commit()?;
        Ok(Db {
            conn: Mutex::new(conn),
        })
    }

    /// The schema version applied.
    pub fn schema_version(&self) -> DbResult<usize> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// A trivial query (`SELECT 1`): `Ok` when the database answers (`/readyz`).
    pub fn ping(&self) -> DbResult<()> {
        let one: i64 = self.conn().query_row("SELECT 1", [], |r| r.get(0))?;
        if one == 1 {
            Ok(())
        } else {
            Err(DbError(format!("SELECT 1 returned {one}")))
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_survive_a_reopen() {
        let dir = std::env::temp_dir().join(format!("auth-server-db-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.sqlite");
        let _ = std::fs::remove_file(&path);
        let db = Db::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len());
        db.add_group("g", None).unwrap();
        drop(db);
        let db = Db::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len());
        assert!(db.group_by_name("g").unwrap().is_some());
        drop(db);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn processes_starting_together_on_a_new_file_migrate_it_once() {
        let dir = std::env::temp_dir().join(format!("auth-server-db-race-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for round in 0..5 {
            let path = dir.join(format!("race-{round}.sqlite"));
            let _ = std::fs::remove_file(&path);
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
            let opened: Vec<_> = (0..6)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        Db::open(&path).map(|db| db.schema_version().unwrap())
                    })
                })
                .collect();
            for t in opened {
                assert_eq!(t.join().unwrap().unwrap(), MIGRATIONS.len());
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
