//! `authctl accounts`: the reference service's account database (docs/server.md, docs/cli.md).

use std::io::Read;
use std::path::PathBuf;

use auth_core::{ErrorCode, IpAllowList, IpRegex, Principal, PrincipalType, RegexMode};
use auth_server::db::NewUser;
use auth_server::Db;
use clap::{Args, Subcommand, ValueEnum};
use zeroize::Zeroizing;

use crate::server::{open_db, usage, HashArgs};
use crate::{emit, Failure, Success};

/// `authctl accounts`.
#[derive(Debug, Args)]
pub(crate) struct AccountsArgs {
    /// The SQLite account database (created and migrated if needed).
    #[arg(long, value_name = "PATH")]
    db: PathBuf,
    #[command(flatten)]
    hash: HashArgs,
    #[command(subcommand)]
    command: AccountsCommand,
}

/// Which kind of account.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Kind {
    /// A dialer user (by login).
    User,
    /// A reseller (by name).
    Reseller,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccountsCommand {
    /// Print every account as JSON (no password hashes).
    List,
    /// Add a user group, optionally with an `allowed_regex` on its members' login address.
    AddGroup {
        /// The group's name.
        name: String,
        /// The regular expression a member's address must match in full (docs/ip-rules.md).
        #[arg(long, value_name = "REGEX")]
        allowed_regex: Option<String>,
    },
    /// Set (or, without --allowed-regex, remove) a group's `allowed_regex`.
    SetGroupRegex {
        /// The group's name.
        name: String,
        /// The new regular expression.
        #[arg(long, value_name = "REGEX")]
        allowed_regex: Option<String>,
    },
    /// Add a user; the password is read from stdin.
    AddUser {
        /// The login (`POST /a/session.json`'s `login`).
        #[arg(long)]
        login: String,
        /// The name (the token's `name`).
        #[arg(long)]
        name: String,
        /// The id (default: the next free one).
        #[arg(long)]
        id: Option<u64>,
        /// An administrator.
        #[arg(long)]
        admin: bool,
        /// The SMS sender.
        #[arg(long, value_name = "TEXT")]
        sms_from: Option<String>,
        /// The user group, by name.
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
        /// Read the password from stdin (one trailing newline removed). Required.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Put a user in a group (or, without --group, in none).
    SetUserGroup {
        /// The user's login.
        login: String,
        /// The group, by name.
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
    },
    /// Add a reseller; the password is read from stdin.
    AddReseller {
        /// The name (`POST /a/v1/resellers/login.json`'s `name`).
        #[arg(long)]
        name: String,
        /// The id (default: the next free one).
        #[arg(long)]
        id: Option<u64>,
        /// An address or network logins are allowed from (repeatable; none: no restriction).
        #[arg(long, value_name = "RULE")]
        allowed_ip: Vec<String>,
        /// The balance (`user_balance`).
        #[arg(long, default_value_t = 0.0)]
        balance: f64,
        /// A user group the login answers with (repeatable), by name.
        #[arg(long, value_name = "NAME")]
        group: Vec<String>,
        /// Read the password from stdin (one trailing newline removed). Required.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Replace a reseller's allow-list (`settings.allowedIPs`).
    SetResellerIps {
        /// The reseller's name.
        name: String,
        /// An address or network (repeatable).
        #[arg(long, value_name = "RULE", required_unless_present = "unrestricted")]
        allowed_ip: Vec<String>,
        /// Remove the restriction instead.
        #[arg(long, conflicts_with = "allowed_ip")]
        unrestricted: bool,
    },
    /// Set a password, read from stdin; every token the account holds or delegated is revoked.
    SetPassword {
        /// user or reseller.
        kind: Kind,
        /// The login (user) or name (reseller).
        account: String,
        /// Read the password from stdin (one trailing newline removed). Required.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Revoke every token an account holds or delegated (its logins still work). A running
    /// `authctl serve` on the same database applies it within its poll interval.
    Revoke {
        /// user or reseller.
        kind: Kind,
        /// The login (user) or name (reseller).
        account: String,
    },
    /// Revoke one named token by its id (`token_id`): for good if static, else until it
    /// expires. A running `authctl serve` on the same database applies it within its poll
    /// interval.
    RevokeToken {
        /// The token's id (`token_id` of `POST /token`, its `jti`).
        id: String,
    },
    /// Print an account's unexpired tokens as JSON (never their text): id, name, kind,
    /// times, allowed IPs, scopes, revoked, last use.
    Tokens {
        /// user or reseller.
        kind: Kind,
        /// The login (user) or name (reseller).
        account: String,
    },
    /// Block an account: its logins are refused like a wrong password, and every token it
    /// holds or delegated is revoked.
    Block {
        /// user or reseller.
        kind: Kind,
        /// The login (user) or name (reseller).
        account: String,
    },
    /// Unblock an account.
    Unblock {
        /// user or reseller.
        kind: Kind,
        /// The login (user) or name (reseller).
        account: String,
    },
    /// Record that a user or reseller owns a user account (`POST /token/account/ID`).
    AddSubAccount {
        /// The owned user account's id.
        account_id: u64,
        /// The owner: `user:ID` or `reseller:ID`.
        #[arg(long, value_name = "KIND:ID")]
        owner: String,
    },
}

/// The password on stdin, one trailing newline (`\n` or `\r\n`) removed; empty is refused.
fn password_from_stdin() -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut buf = Zeroizing::new(Vec::with_capacity(4096));
    std::io::stdin()
        .take(4096)
        .read_to_end(&mut buf)
        .map_err(|e| usage(format!("cannot read the password from stdin: {e}")))?;
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.is_empty() {
        return Err(usage("the password on stdin is empty"));
    }
    Ok(buf)
}

fn group_id(db: &Db, name: Option<&str>) -> Result<Option<u64>, Failure> {
    name.map(|n| {
        db.group_by_name(n)
            .map_err(|e| usage(e.to_string()))?
            .map(|g| g.id)
            .ok_or_else(|| usage(format!("no user group named {n:?}")))
    })
    .transpose()
}

fn check_regex(re: Option<&str>) -> Result<(), Failure> {
    if let Some(re) = re {
        IpRegex::new(re, RegexMode::FullMatch).map_err(Failure::Usage)?;
    }
    Ok(())
}

fn found(changed: bool, what: &str) -> Result<Success, Failure> {
    if changed {
        emit(&serde_json::json!({"ok": true}).to_string())?;
        Ok(Success::Zero)
    } else {
        Err(missing(format!("no such {what}")))
    }
}

/// An account (or group, or token) the command names does not exist: exit 1.
fn missing(sentence: String) -> Failure {
    Failure::Rejected(auth_core::Error::with_message(
        ErrorCode::InvalidRequest,
        sentence,
    ))
}

/// A database failure: a constraint the change broke (a name or id already taken, a
/// reference to a row that does not exist) is the request's fault, exit 1 with a sentence;
/// anything else (I/O, a corrupt file) is a configuration error, exit 2.
fn db_failure(e: auth_server::DbError) -> Failure {
    let text = e.0.as_str();
    if let Some(columns) = text.strip_prefix("UNIQUE constraint failed: ") {
        missing(format!(
            "already exists: another record has the same {columns}"
        ))
    } else if text.contains("FOREIGN KEY constraint failed") {
        missing("refused: the change refers to an account or group that does not exist".into())
    } else if text.contains("constraint failed") {
        missing(format!("refused by the database: {text}"))
    } else {
        usage(e.to_string())
    }
}

fn created(id: u64) -> Result<Success, Failure> {
    emit(&serde_json::json!({"ok": true, "id": id}).to_string())?;
    Ok(Success::Zero)
}

pub(crate) fn accounts(args: AccountsArgs) -> Result<Success, Failure> {
    let db = open_db(Some(&args.db))?;
    let e = db_failure;
    match args.command {
        AccountsCommand::List => {
            emit(&db.accounts_json().map_err(e)?.to_string())?;
            Ok(Success::Zero)
        }
        AccountsCommand::AddGroup {
            name,
            allowed_regex,
        } => {
            check_regex(allowed_regex.as_deref())?;
            created(db.add_group(&name, allowed_regex.as_deref()).map_err(e)?)
        }
        AccountsCommand::SetGroupRegex {
            name,
            allowed_regex,
        } => {
            check_regex(allowed_regex.as_deref())?;
            found(
                db.set_group_regex(&name, allowed_regex.as_deref())
                    .map_err(e)?,
                "group",
            )
        }
        AccountsCommand::AddUser {
            login,
            name,
            id,
            admin,
            sms_from,
            group,
            ..
        } => {
            let group = group_id(&db, group.as_deref())?;
            let hash = args
                .hash
                .passwords()?
                .hash(&password_from_stdin()?)
                .map_err(Failure::Usage)?;
            let user = NewUser {
                id,
                login: &login,
                name: &name,
                password_hash: &hash,
                admin,
                sms_from: sms_from.as_deref(),
                user_group_id: group,
            };
            created(db.add_user(&user).map_err(e)?)
        }
        AccountsCommand::SetUserGroup { login, group } => {
            let group = group_id(&db, group.as_deref())?;
            found(db.set_user_group(&login, group).map_err(e)?, "user")
        }
        AccountsCommand::AddReseller {
            name,
            id,
            allowed_ip,
            balance,
            group,
            ..
        } => {
            let ips = (!allowed_ip.is_empty()).then_some(allowed_ip);
            if let Some(ips) = &ips {
                IpAllowList::parse(ips).map_err(Failure::Usage)?;
            }
            if !balance.is_finite() {
                return Err(usage("--balance must be a finite number"));
            }
            let groups = group
                .iter()
                .map(|g| group_id(&db, Some(g)).map(|id| id.unwrap_or(0)))
                .collect::<Result<Vec<_>, _>>()?;
            let hash = args
                .hash
                .passwords()?
                .hash(&password_from_stdin()?)
                .map_err(Failure::Usage)?;
            let id = db
                .add_reseller(id, &name, &hash, ips.as_deref(), balance)
                .map_err(e)?;
            for g in groups {
                db.add_reseller_group(id, g).map_err(e)?;
            }
            created(id)
        }
        AccountsCommand::SetResellerIps {
            name,
            allowed_ip,
            unrestricted,
        } => {
            let ips = (!unrestricted).then_some(allowed_ip);
            if let Some(ips) = &ips {
                IpAllowList::parse(ips).map_err(Failure::Usage)?;
            }
            found(
                db.set_reseller_allowed_ips(&name, ips.as_deref())
                    .map_err(e)?,
                "reseller",
            )
        }
        AccountsCommand::SetPassword { kind, account, .. } => {
            let hash = args
                .hash
                .passwords()?
                .hash(&password_from_stdin()?)
                .map_err(Failure::Usage)?;
            match kind {
                Kind::User => found(db.set_user_password(&account, &hash).map_err(e)?, "user"),
                Kind::Reseller => found(
                    db.set_reseller_password(&account, &hash).map_err(e)?,
                    "reseller",
                ),
            }
        }
        AccountsCommand::Revoke { kind, account } => {
            let kind = match kind {
                Kind::User => PrincipalType::User,
                Kind::Reseller => PrincipalType::Reseller,
            };
            found(db.revoke_account(kind, &account).map_err(e)?, "account")
        }
        AccountsCommand::Tokens { kind, account } => {
            let id = match kind {
                Kind::User => db
                    .user_by_login(&account)
                    .map_err(e)?
                    .map(|r| Principal::user(r.id)),
                Kind::Reseller => db
                    .reseller_by_name(&account)
                    .map_err(e)?
                    .map(|r| Principal::reseller(r.id)),
            };
            let Some(principal) = id else {
                return found(false, "account");
            };
            let now = auth_core::system_now().map_err(Failure::Usage)?;
            let tokens = db.tokens_of(principal, now, 10_000).map_err(e)?;
            emit(&serde_json::json!({ "tokens": tokens }).to_string())?;
            Ok(Success::Zero)
        }
        AccountsCommand::RevokeToken { id } => {
            let Some(row) = db.named_token(&id).map_err(e)? else {
                return found(false, "named token");
            };
            let now = auth_core::system_now().map_err(Failure::Usage)?;
            db.record_revocation(&row.jti, row.expires_at, now)
                .map_err(e)?;
            found(true, "named token")
        }
        AccountsCommand::Block { kind, account } => set_blocked(&db, kind, &account, true),
        AccountsCommand::Unblock { kind, account } => set_blocked(&db, kind, &account, false),
        AccountsCommand::AddSubAccount { account_id, owner } => {
            let (kind, id) = owner
                .split_once(':')
                .and_then(|(k, id)| Some((PrincipalType::from_claim(k)?, id.parse::<u64>().ok()?)))
                .ok_or_else(|| usage("--owner must be user:ID or reseller:ID"))?;
            let owner = Principal { kind, id };
            let account = Principal {
                kind: PrincipalType::User,
                id: account_id,
            };
            if !db.principal_exists(account).map_err(e)? {
                return Err(missing(format!("no user account {account_id}")));
            }
            if !db.principal_exists(owner).map_err(e)? {
                return Err(missing(format!("no {} {id}", kind.as_str())));
            }
            db.add_sub_account(account_id, owner).map_err(e)?;
            emit(&serde_json::json!({"ok": true}).to_string())?;
            Ok(Success::Zero)
        }
    }
}

fn set_blocked(db: &Db, kind: Kind, account: &str, blocked: bool) -> Result<Success, Failure> {
    let e = db_failure;
    match kind {
        Kind::User => found(db.set_user_blocked(account, blocked).map_err(e)?, "user"),
        Kind::Reseller => found(
            db.set_reseller_blocked(account, blocked).map_err(e)?,
            "reseller",
        ),
    }
}
