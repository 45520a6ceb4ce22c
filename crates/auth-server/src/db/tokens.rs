//! Issued tokens (never their text), their last use, and revocations: what must survive a
//! restart.

use auth_core::{Claims, LastUse, Principal, TokenInfo, TokenKind};
use rusqlite::{params, OptionalExtension};

use super::{Db, DbError, DbResult};

/// A recorded token: a login, a console session, or a token of `POST /token`.
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
    /// Records an issued token: a login or console session (`kind` login), or a token minted
    /// at `POST /token` (named, or static without `exp`). Never its text.
    pub fn record_issued_token(&self, claims: &Claims) -> DbResult<()> {
        let subject = claims.principal();
        let owner = claims.parent.unwrap_or(subject);
        let allowed_ips = claims.allowed_ips.as_ref().map(|rules| {
            serde_json::Value::from(rules.iter().map(ToString::to_string).collect::<Vec<_>>())
                .to_string()
        });
        self.conn().execute(
            "INSERT INTO named_tokens (jti, name, subject_type, subject_id, owner_type, owner_id,
                 issued_at, expires_at, kind, allowed_ips, scope)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                claims.jti,
                claims.token_name.as_deref().unwrap_or(""),
                subject.kind.as_str(),
                to_i64(subject.id)?,
                owner.kind.as_str(),
                to_i64(owner.id)?,
                to_i64(claims.iat)?,
                claims.exp.map(to_i64).transpose()?,
                TokenKind::of(claims).as_str(),
                allowed_ips,
                claims.scope.as_ref().map(|s| s.as_str().to_owned()),
            ],
        )?;
        Ok(())
    }

    /// A recorded token by id.
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

    /// The tokens of `subject`'s account not expired at `now` (revoked ones included), newest
    /// first, at most `limit`.
    pub fn tokens_of(
        &self,
        subject: Principal,
        now: u64,
        limit: usize,
    ) -> DbResult<Vec<TokenInfo>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT jti, name, kind, issued_at, expires_at, allowed_ips, scope, revoked,
                    last_used_at, last_used_ip
             FROM named_tokens
             WHERE subject_type = ?1 AND subject_id = ?2 AND (expires_at IS NULL OR expires_at > ?3)
             ORDER BY issued_at DESC, jti LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![
                subject.kind.as_str(),
                to_i64(subject.id)?,
                to_i64(now)?,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| {
                let kind: String = r.get(2)?;
                let ips: Option<String> = r.get(5)?;
                let scope: Option<String> = r.get(6)?;
                let name: String = r.get(1)?;
                Ok(TokenInfo {
                    token_id: r.get(0)?,
                    name: (!name.is_empty()).then_some(name),
                    kind: TokenKind::from_name(&kind).unwrap_or(TokenKind::Named),
                    created: to_u64(r.get(3)?),
                    expires: r.get::<_, Option<i64>>(4)?.map(to_u64),
                    allowed_ips: ips
                        .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
                        .unwrap_or_default(),
                    scopes: scope.map(|s| s.split(' ').map(str::to_owned).collect()),
                    revoked: r.get(7)?,
                    last_used: r.get::<_, Option<i64>>(8)?.map(|at| LastUse {
                        at: to_u64(at),
                        ip: r.get::<_, Option<String>>(9).ok().flatten(),
                    }),
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records last uses in one transaction: each token's time and address, unless a later
    /// use is already recorded (several processes share the database).
    pub fn record_last_uses(&self, uses: &[(String, u64, Option<String>)]) -> DbResult<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE named_tokens SET last_used_at = ?2, last_used_ip = ?3
                 WHERE jti = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)",
            )?;
            for (jti, at, ip) in uses {
                stmt.execute(params![jti, to_i64(*at)?, ip])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets recorded tokens expired before `horizon` (their revocations are forgotten by
    /// then too); returns how many.
    pub fn prune_issued_tokens(&self, horizon: u64) -> DbResult<usize> {
        Ok(self.conn().execute(
            "DELETE FROM named_tokens WHERE expires_at IS NOT NULL AND expires_at < ?1",
            [to_i64(horizon)?],
        )?)
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
