//! `--demo-accounts`: the accounts the API examples use, so that every example succeeds as
//! written (docs/server.md). Created only when missing: a restart keeps changes made since.

use auth_core::{Error, Principal, PrincipalType};

use crate::db::accounts::NewUser;
use crate::db::{Db, DbError};
use crate::password::Passwords;

/// The demo password of every demo account.
pub const DEMO_PASSWORD: &str = "your_password";

/// The demo scope vocabulary (`crates/auth-server/api/demo-scopes.json`, the format of
/// `authctl serve --scopes FILE`): `sms` ⊇ `sms:send`, `sms:read`; `tokens`; `account`;
/// `introspect`. The demo accounts' login tokens carry no `scope` claim, so they hold all of
/// them.
pub const DEMO_SCOPES_JSON: &str = include_str!("../api/demo-scopes.json");

/// [`DEMO_SCOPES_JSON`] read.
pub fn demo_scopes() -> auth_core::ScopeVocabulary {
    auth_core::ScopeVocabulary::from_json(DEMO_SCOPES_JSON).unwrap_or_default()
}

/// Why the demo accounts could not be created.
#[derive(Debug)]
pub enum DemoError {
    /// The database.
    Db(DbError),
    /// Hashing.
    Hash(Error),
}

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DemoError::Db(e) => e.fmt(f),
            DemoError::Hash(e) => f.write_str(e.message()),
        }
    }
}

impl std::error::Error for DemoError {}

impl From<DbError> for DemoError {
    fn from(e: DbError) -> Self {
        DemoError::Db(e)
    }
}

impl From<Error> for DemoError {
    fn from(e: Error) -> Self {
        DemoError::Hash(e)
    }
}

/// Creates what is missing of: group `default` (no regex); user 123 `user@example.com`
/// ("John Doe", sender `ACME`, group `default`); reseller 1 `reseller_name` (balance 1000,
/// no address restriction); user 12542 `sub-account@example.com` ("Sub Account"), owned by
/// user 123 and reseller 1. Every password is [`DEMO_PASSWORD`]. Returns whether anything
/// was created.
pub fn create_demo_accounts(db: &Db, passwords: &Passwords) -> Result<bool, DemoError> {
    let mut created = false;
    let group = match db.group_by_name("default")? {
        Some(g) => g.id,
        None => {
            created = true;
            db.add_group("default", None)?
        }
    };
    let users = [
        (123, "user@example.com", "John Doe", Some("ACME")),
        (12542, "sub-account@example.com", "Sub Account", None),
    ];
    for (id, login, name, sms_from) in users {
        if db.user_by_id(id)?.is_none() && db.user_by_login(login)?.is_none() {
            let hash = passwords.hash(DEMO_PASSWORD.as_bytes())?;
            db.add_user(&NewUser {
                id: Some(id),
                login,
                name,
                password_hash: &hash,
                admin: false,
                sms_from,
                user_group_id: Some(group),
            })?;
            created = true;
        }
    }
    if db.reseller_by_name("reseller_name")?.is_none() {
        let hash = passwords.hash(DEMO_PASSWORD.as_bytes())?;
        db.add_reseller(Some(1), "reseller_name", &hash, None, 1000.0)?;
        created = true;
    }
    for kind in [PrincipalType::User, PrincipalType::Reseller] {
        let id = if kind == PrincipalType::User { 123 } else { 1 };
        db.add_sub_account(12542, Principal { kind, id })?;
    }
    Ok(created)
}
