//! Accounts: user groups, users, resellers, sub-accounts and their owners.

use auth_core::{Principal, PrincipalType};
use rusqlite::{params, OptionalExtension, Row};
use serde_json::{json, Value};

use super::{Db, DbError, DbResult};

/// A user group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    /// Its id (`user_group_id` of its users' tokens).
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The regular expression a member's login address must match in full, if any.
    pub allowed_regex: Option<String>,
}

/// A dialer user, with its group's regex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    /// Its id.
    pub id: u64,
    /// Its login (`POST /a/session.json`'s `login`).
    pub login: String,
    /// Its name (the `name` claim).
    pub name: String,
    /// Its Argon2id PHC string.
    pub password_hash: String,
    /// Whether it is an administrator.
    pub admin: bool,
    /// Its SMS sender.
    pub sms_from: Option<String>,
    /// Its group.
    pub user_group_id: Option<u64>,
    /// Its group's `allowed_regex`.
    pub allowed_regex: Option<String>,
    /// Whether it is blocked.
    pub blocked: bool,
}

/// A reseller, with the user groups its login answers with.
#[derive(Clone, Debug, PartialEq)]
pub struct ResellerRow {
    /// Its id.
    pub id: u64,
    /// Its name (`POST /a/v1/resellers/login.json`'s `name`).
    pub name: String,
    /// Its Argon2id PHC string.
    pub password_hash: String,
    /// `settings.allowedIPs`: `None` for no restriction.
    pub allowed_ips: Option<Vec<String>>,
    /// Its balance (`user_balance`).
    pub balance: f64,
    /// Whether it is blocked.
    pub blocked: bool,
    /// Its user groups (`user_groups`).
    pub user_groups: Vec<GroupRow>,
}

/// A new user for [`Db::add_user`].
#[derive(Clone, Debug, Default)]
pub struct NewUser<'a> {
    /// Its id; `None` picks the next free one.
    pub id: Option<u64>,
    /// Its login.
    pub login: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its Argon2id PHC string.
    pub password_hash: &'a str,
    /// Whether it is an administrator.
    pub admin: bool,
    /// Its SMS sender.
    pub sms_from: Option<&'a str>,
    /// Its group's id.
    pub user_group_id: Option<u64>,
}

fn id_out(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn id_in(v: u64) -> DbResult<i64> {
    i64::try_from(v).map_err(|_| DbError(format!("id {v} is too large for the database")))
}

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: id_out(r.get(0)?),
        login: r.get(1)?,
        name: r.get(2)?,
        password_hash: r.get(3)?,
        admin: r.get(4)?,
        sms_from: r.get(5)?,
        user_group_id: r.get::<_, Option<i64>>(6)?.map(id_out),
        allowed_regex: r.get(7)?,
        blocked: r.get(8)?,
    })
}

const USER_SELECT: &str = "SELECT u.id, u.login, u.name, u.password_hash, u.admin, u.sms_from,
    u.user_group_id, g.allowed_regex, u.blocked
    FROM users u LEFT JOIN user_groups g ON g.id = u.user_group_id";

impl Db {
    /// Adds a user group; returns its id.
    pub fn add_group(&self, name: &str, allowed_regex: Option<&str>) -> DbResult<u64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO user_groups (name, allowed_regex) VALUES (?1, ?2)",
            params![name, allowed_regex],
        )?;
        Ok(id_out(conn.last_insert_rowid()))
    }

    /// Sets or clears a group's `allowed_regex`; `false` if there is no such group.
    pub fn set_group_regex(&self, name: &str, allowed_regex: Option<&str>) -> DbResult<bool> {
        let n = self.conn().execute(
            "UPDATE user_groups SET allowed_regex = ?2 WHERE name = ?1",
            params![name, allowed_regex],
        )?;
        Ok(n == 1)
    }

    /// A group by name.
    pub fn group_by_name(&self, name: &str) -> DbResult<Option<GroupRow>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, name, allowed_regex FROM user_groups WHERE name = ?1",
                [name],
                |r| {
                    Ok(GroupRow {
                        id: id_out(r.get(0)?),
                        name: r.get(1)?,
                        allowed_regex: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Adds a user; returns its id.
    pub fn add_user(&self, user: &NewUser<'_>) -> DbResult<u64> {
        let conn = self.conn();
        let id = user.id.map(id_in).transpose()?;
        let group = user.user_group_id.map(id_in).transpose()?;
        conn.execute(
            "INSERT INTO users (id, login, name, password_hash, admin, sms_from, user_group_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                user.login,
                user.name,
                user.password_hash,
                user.admin,
                user.sms_from,
                group
            ],
        )?;
        Ok(id_out(conn.last_insert_rowid()))
    }

    /// A user by login.
    pub fn user_by_login(&self, login: &str) -> DbResult<Option<UserRow>> {
        let sql = format!("{USER_SELECT} WHERE u.login = ?1");
        Ok(self.conn().query_row(&sql, [login], user_row).optional()?)
    }

    /// A user by id.
    pub fn user_by_id(&self, id: u64) -> DbResult<Option<UserRow>> {
        let sql = format!("{USER_SELECT} WHERE u.id = ?1");
        Ok(self
            .conn()
            .query_row(&sql, [id_in(id)?], user_row)
            .optional()?)
    }

    fn update_one(&self, sql: &str, key: &str, value: &dyn rusqlite::ToSql) -> DbResult<bool> {
        Ok(self.conn().execute(sql, params![key, value])? == 1)
    }

    /// Changes one column of the account `key` (a user's login, a reseller's name) and, with
    /// `cut_off`, revokes every token the account holds or delegated — in one transaction, so
    /// a block or a password change never lands without its revocation. `false` if there is
    /// no such account.
    fn update_account(
        &self,
        kind: PrincipalType,
        key: &str,
        set: Option<(&str, &dyn rusqlite::ToSql)>,
        cut_off: bool,
    ) -> DbResult<bool> {
        let (table, key_column) = match kind {
            PrincipalType::User => ("users", "login"),
            PrincipalType::Reseller => ("resellers", "name"),
        };
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let id: Option<i64> = tx
            .query_row(
                &format!("SELECT id FROM {table} WHERE {key_column} = ?1"),
                [key],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else {
            return Ok(false);
        };
        if let Some((column, value)) = set {
            tx.execute(
                &format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
        if cut_off {
            let now = auth_core::system_now().map_err(|e| DbError(e.to_string()))?;
            let principal = Principal {
                kind,
                id: id_out(id),
            };
            super::revocations::cut_off(&tx, principal, now, now)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Sets a user's password hash and revokes every token the user holds (docs/server.md);
    /// `false` if there is no such user.
    pub fn set_user_password(&self, login: &str, hash: &str) -> DbResult<bool> {
        self.update_account(
            PrincipalType::User,
            login,
            Some(("password_hash", &hash)),
            true,
        )
    }

    /// Blocks (revoking every token the user holds) or unblocks a user; `false` if there is
    /// no such user.
    pub fn set_user_blocked(&self, login: &str, blocked: bool) -> DbResult<bool> {
        self.update_account(
            PrincipalType::User,
            login,
            Some(("blocked", &blocked)),
            blocked,
        )
    }

    /// Revokes every token an account (`kind` and login or name) holds or delegated, without
    /// blocking it; `false` if there is no such account.
    pub fn revoke_account(&self, kind: PrincipalType, key: &str) -> DbResult<bool> {
        self.update_account(kind, key, None, true)
    }

    /// Puts a user in a group (or none); `false` if there is no such user.
    pub fn set_user_group(&self, login: &str, group: Option<u64>) -> DbResult<bool> {
        let group = group.map(id_in).transpose()?;
        self.update_one(
            "UPDATE users SET user_group_id = ?2 WHERE login = ?1",
            login,
            &group,
        )
    }

    /// Adds a reseller; returns its id. `allowed_ips` is stored as a JSON array.
    pub fn add_reseller(
        &self,
        id: Option<u64>,
        name: &str,
        password_hash: &str,
        allowed_ips: Option<&[String]>,
        balance: f64,
    ) -> DbResult<u64> {
        let conn = self.conn();
        let ips = allowed_ips.map(|l| json!(l).to_string());
        conn.execute(
            "INSERT INTO resellers (id, name, password_hash, allowed_ips, balance) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.map(id_in).transpose()?, name, password_hash, ips, balance],
        )?;
        Ok(id_out(conn.last_insert_rowid()))
    }

    /// A reseller by name, with its user groups.
    pub fn reseller_by_name(&self, name: &str) -> DbResult<Option<ResellerRow>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT id, name, password_hash, allowed_ips, balance, blocked FROM resellers WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        id_out(r.get(0)?),
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, f64>(4)?,
                        r.get::<_, bool>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, name, password_hash, ips, balance, blocked)) = row else {
            return Ok(None);
        };
        let allowed_ips = ips
            .map(|text| serde_json::from_str::<Vec<String>>(&text))
            .transpose()
            .map_err(|_| {
                DbError(format!(
                    "reseller {id}: allowed_ips is not a JSON array of text"
                ))
            })?;
        let mut stmt = conn.prepare(
            "SELECT g.id, g.name, g.allowed_regex FROM reseller_user_groups rg
             JOIN user_groups g ON g.id = rg.user_group_id WHERE rg.reseller_id = ?1 ORDER BY g.id",
        )?;
        let user_groups = stmt
            .query_map([id_in(id)?], |r| {
                Ok(GroupRow {
                    id: id_out(r.get(0)?),
                    name: r.get(1)?,
                    allowed_regex: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(ResellerRow {
            id,
            name,
            password_hash,
            allowed_ips,
            balance,
            blocked,
            user_groups,
        }))
    }

    /// Sets a reseller's password hash and revokes every token the reseller holds or
    /// delegated to its sub-accounts; `false` if there is no such reseller.
    pub fn set_reseller_password(&self, name: &str, hash: &str) -> DbResult<bool> {
        self.update_account(
            PrincipalType::Reseller,
            name,
            Some(("password_hash", &hash)),
            true,
        )
    }

    /// Blocks (revoking every token the reseller holds or delegated) or unblocks a reseller;
    /// `false` if there is no such reseller.
    pub fn set_reseller_blocked(&self, name: &str, blocked: bool) -> DbResult<bool> {
        self.update_account(
            PrincipalType::Reseller,
            name,
            Some(("blocked", &blocked)),
            blocked,
        )
    }

    /// Sets (or clears, `None`) a reseller's `settings.allowedIPs`.
    pub fn set_reseller_allowed_ips(&self, name: &str, ips: Option<&[String]>) -> DbResult<bool> {
        let ips = ips.map(|l| json!(l).to_string());
        self.update_one(
            "UPDATE resellers SET allowed_ips = ?2 WHERE name = ?1",
            name,
            &ips,
        )
    }

    /// Adds a user group to the groups a reseller's login answers with.
    pub fn add_reseller_group(&self, reseller_id: u64, group_id: u64) -> DbResult<()> {
        self.conn().execute(
            "INSERT OR IGNORE INTO reseller_user_groups (reseller_id, user_group_id) VALUES (?1, ?2)",
            params![id_in(reseller_id)?, id_in(group_id)?],
        )?;
        Ok(())
    }

    /// Whether the user or reseller `p` exists (`authctl accounts add-sub-account` checks
    /// both ends before recording ownership).
    pub fn principal_exists(&self, p: Principal) -> DbResult<bool> {
        let sql = match p.kind {
            PrincipalType::User => "SELECT COUNT(*) FROM users WHERE id = ?1",
            PrincipalType::Reseller => "SELECT COUNT(*) FROM resellers WHERE id = ?1",
        };
        let n: i64 = self.conn().query_row(sql, [id_in(p.id)?], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// Records that `owner` owns user account `account_id`.
    pub fn add_sub_account(&self, account_id: u64, owner: Principal) -> DbResult<()> {
        self.conn().execute(
            "INSERT OR IGNORE INTO sub_accounts (account_id, owner_type, owner_id) VALUES (?1, ?2, ?3)",
            params![id_in(account_id)?, owner.kind.as_str(), id_in(owner.id)?],
        )?;
        Ok(())
    }

    /// Whether `owner` owns user account `account_id` (an account owns itself).
    pub fn owns(&self, owner: Principal, account_id: u64) -> DbResult<bool> {
        if owner.kind == PrincipalType::User && owner.id == account_id {
            return Ok(true);
        }
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM sub_accounts WHERE account_id = ?1 AND owner_type = ?2 AND owner_id = ?3",
            params![id_in(account_id)?, owner.kind.as_str(), id_in(owner.id)?],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// The user accounts `owner` owns (not itself), by id: `(id, name)`.
    pub fn sub_accounts_of(&self, owner: Principal) -> DbResult<Vec<(u64, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT u.id, u.name FROM sub_accounts s JOIN users u ON u.id = s.account_id
             WHERE s.owner_type = ?1 AND s.owner_id = ?2 AND NOT (s.owner_type = 'user' AND s.owner_id = u.id)
             ORDER BY u.id LIMIT 1000",
        )?;
        let rows = stmt
            .query_map(params![owner.kind.as_str(), id_in(owner.id)?], |r| {
                Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Every account as JSON, without password hashes (`authctl accounts list`).
    pub fn accounts_json(&self) -> DbResult<Value> {
        let conn = self.conn();
        let rows = |sql: &str, cols: &[&str]| -> DbResult<Vec<Value>> {
            let mut stmt = conn.prepare(sql)?;
            let out = stmt
                .query_map([], |r| {
                    let mut obj = serde_json::Map::new();
                    for (i, c) in cols.iter().enumerate() {
                        let v: rusqlite::types::Value = r.get(i)?;
                        let v = match v {
                            rusqlite::types::Value::Null => Value::Null,
                            rusqlite::types::Value::Integer(n) => json!(n),
                            rusqlite::types::Value::Real(f) => json!(f),
                            rusqlite::types::Value::Text(t) => json!(t),
                            rusqlite::types::Value::Blob(_) => Value::Null,
                        };
                        obj.insert((*c).to_owned(), v);
                    }
                    Ok(Value::Object(obj))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(out)
        };
        Ok(json!({
            "user_groups": rows("SELECT id, name, allowed_regex FROM user_groups ORDER BY id", &["id", "name", "allowed_regex"])?,
            "users": rows("SELECT id, login, name, admin, sms_from, user_group_id, blocked FROM users ORDER BY id",
                &["id", "login", "name", "admin", "sms_from", "user_group_id", "blocked"])?,
            "resellers": rows("SELECT id, name, allowed_ips, balance, blocked FROM resellers ORDER BY id",
                &["id", "name", "allowed_ips", "balance", "blocked"])?,
            "sub_accounts": rows("SELECT account_id, owner_type, owner_id FROM sub_accounts ORDER BY account_id, owner_type, owner_id",
                &["account_id", "owner_type", "owner_id"])?,
        }))
    }
}
