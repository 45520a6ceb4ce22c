//! Password hashes across both account tables: reading every stored hash (the parameter
//! sets the dummy hashes mimic) and replacing one after a login (a rehash).

use rusqlite::params;

use super::{Db, DbError, DbResult};

fn id_in(v: u64) -> DbResult<i64> {
    i64::try_from(v).map_err(|_| DbError(format!("id {v} is too large for the database")))
}

impl Db {
    /// Calls `f` with every stored password hash, users' then resellers', one row at a time.
    pub fn for_each_password_hash(&self, mut f: impl FnMut(&str)) -> DbResult<()> {
        let conn = self.conn();
        for sql in [
            "SELECT password_hash FROM users",
            "SELECT password_hash FROM resellers",
        ] {
            let mut stmt = conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                f(row.get_ref(0)?.as_str().unwrap_or_default());
            }
        }
        Ok(())
    }

    /// Replaces user `id`'s password hash by `new` if it is still `old`; `false` if it is not
    /// (the password was changed meanwhile, and the change is kept) or there is no such user.
    pub fn replace_user_password_hash(&self, id: u64, old: &str, new: &str) -> DbResult<bool> {
        let n = self.conn().execute(
            "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2",
            params![id_in(id)?, old, new],
        )?;
        Ok(n == 1)
    }

    /// Replaces reseller `id`'s password hash by `new` if it is still `old` (as
    /// [`replace_user_password_hash`](Db::replace_user_password_hash)).
    pub fn replace_reseller_password_hash(&self, id: u64, old: &str, new: &str) -> DbResult<bool> {
        let n = self.conn().execute(
            "UPDATE resellers SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2",
            params![id_in(id)?, old, new],
        )?;
        Ok(n == 1)
    }
}
