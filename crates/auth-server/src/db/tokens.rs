//! Issued named tokens and revocations: what must survive a restart.

use auth_core::Claims;
use rusqlite::{params, OptionalExtension};

use super::{Db, DbError, DbResult};

/// A token issued at `POST /token` or `POST /token/account/:id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedTokenRow {
    /// Its id (`jti`).
    pub jti: String,
    /// Its name (`token_name`).
    pub name: String,
    /// Whom it speaks for: `"user"` or `"reseller"`, and the id.
    pub subject: (String, u64),
    /// Who made it (its `parent`, else its subject).
    pub owner: (String, u64),
    /// `iat`.
    pub issued_at: u64,
    /// `exp` (`None`: static).
    pub expires_at: Option<u64>,
    /// Whether it was revoked.
    pub revoked: bool,
}

fn to_i64(v: u64) -> DbResult<i64> {
    i64::try_from(v).map_err(|_| DbError(format!("{v} is too large for the database")))
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Db {
    /// Records a token minted at `POST /token` (its claims have a `token_name`).
    pub fn record_named_token(&self, claims: &Claims) -> DbResult<()> {
        let subject = claims.principal();
        let owner = claims.parent.unwrap_or(subject);
        self.conn().execute(
            "INSERT INTO named_tokens (jti, name, subject_type, subject_id, owner_type, owner_id, issued_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                claims.jti,
                claims.token_name.as_deref().unwrap_or(""),
                subject.kind.as_str(),
                to_i64(subject.id)?,
                owner.kind.as_str(),
                to_i64(owner.id)?,
                to_i64(claims.iat)?,
                claims.exp.map(to_i64).transpose()?,
            ],
        )?;
        Ok(())
    }

    /// A named token by id.
    pub fn named_token(&self, jti: &str) -> DbResult<Option<NamedTokenRow>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT jti, name, subject_type, subject_id, owner_type, owner_id, issued_at, expires_at, revoked
                 FROM named_tokens WHERE jti = ?1",
                [jti],
                |r| {
                    Ok(NamedTokenRow {
                        jti: r.get(0)?,
                        name: r.get(1)?,
                        subject: (r.get(2)?, to_u64(r.get(3)?)),
                        owner: (r.get(4)?, to_u64(r.get(5)?)),
                        issued_at: to_u64(r.get(6)?),
                        expires_at: r.get::<_, Option<i64>>(7)?.map(to_u64),
                        revoked: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records a revocation (logout) of token `jti` expiring at `exp` (`None`: static), and
    /// marks the named token of that id revoked, in one transaction.
    pub fn record_revocation(&self, jti: &str, exp: Option<u64>, now: u64) -> DbResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO revocations (jti, expires_at, revoked_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (jti) DO UPDATE SET revoked_at = excluded.revoked_at",
            params![jti, exp.map(to_i64).transpose()?, to_i64(now)?],
        )?;
        tx.execute("UPDATE named_tokens SET revoked = 1 WHERE jti = ?1", [jti])?;
        super::revocations::log_token(&tx, jti, exp, now)?;
        tx.commit()?;
        Ok(())
    }

    /// The revocations still needed at `now` (static, or not expired by `now - grace`), and
    /// forgets the others.
    pub fn live_revocations(&self, now: u64, grace: u64) -> DbResult<Vec<(String, Option<u64>)>> {
        let conn = self.conn();
        let horizon = to_i64(now.saturating_sub(grace))?;
        conn.execute(
            "DELETE FROM revocations WHERE expires_at IS NOT NULL AND expires_at < ?1",
            [horizon],
        )?;
        let mut stmt = conn.prepare("SELECT jti, expires_at FROM revocations ORDER BY jti")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?.map(to_u64),
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}
