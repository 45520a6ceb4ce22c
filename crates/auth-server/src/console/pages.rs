//! The console's pages: askama templates (`crates/auth-server/templates/console/`), checked
//! when the crate compiles and HTML-escaped by default, and the values they show.

use askama::Template;
use auth_core::{utc_text, TokenInfo};

/// `login.html`.
#[derive(Template)]
#[template(path = "console/login.html")]
pub(crate) struct LoginPage {
    pub(crate) csrf: String,
    pub(crate) error: Option<String>,
    pub(crate) account: String,
    pub(crate) reseller: bool,
}

/// `message.html`: a refusal a person reads.
#[derive(Template)]
#[template(path = "console/message.html")]
pub(crate) struct MessagePage {
    pub(crate) title: String,
    pub(crate) message: String,
}

/// One row of the token table.
pub(crate) struct TokenRow {
    pub(crate) token_id: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) created: String,
    pub(crate) expires: String,
    pub(crate) allowed_ips: String,
    pub(crate) scopes: String,
    pub(crate) last_used: String,
    pub(crate) revoked: bool,
    /// The session this page is shown in.
    pub(crate) current: bool,
}

impl TokenRow {
    pub(crate) fn of(t: &TokenInfo, session_jti: &str) -> TokenRow {
        let name = match (&t.name, t.kind) {
            (Some(n), _) => n.clone(),
            (None, _) if t.token_id == session_jti => "Console session".to_owned(),
            (None, _) => "Login".to_owned(),
        };
        TokenRow {
            token_id: t.token_id.clone(),
            name,
            kind: t.kind.as_str(),
            created: utc_text(t.created),
            expires: t.expires.map_or_else(|| "never".to_owned(), utc_text),
            allowed_ips: if t.allowed_ips.is_empty() {
                "anywhere".to_owned()
            } else {
                t.allowed_ips.join(", ")
            },
            scopes: t
                .scopes
                .as_ref()
                .map_or_else(|| "all".to_owned(), |s| s.join(" ")),
            last_used: match &t.last_used {
                None => "never".to_owned(),
                Some(u) => match &u.ip {
                    Some(ip) => format!("{} from {ip}", utc_text(u.at)),
                    None => utc_text(u.at),
                },
            },
            revoked: t.revoked,
            current: t.token_id == session_jti,
        }
    }
}

/// The create form's values and the library's messages next to each field.
#[derive(Default)]
pub(crate) struct CreateForm {
    pub(crate) name: String,
    pub(crate) ttl: String,
    pub(crate) allowed_ips: String,
    pub(crate) name_error: Option<String>,
    pub(crate) ttl_error: Option<String>,
    pub(crate) ips_error: Option<String>,
    pub(crate) scopes_error: Option<String>,
    pub(crate) error: Option<String>,
}

/// A token just created: shown once.
pub(crate) struct Created {
    pub(crate) name: String,
    pub(crate) token: String,
    pub(crate) token_id: String,
}

/// `tokens.html`: an account's tokens, the create form, the static token, the sub-accounts.
#[derive(Template)]
#[template(path = "console/tokens.html")]
pub(crate) struct TokensPage {
    pub(crate) heading: String,
    pub(crate) me: String,
    pub(crate) csrf: String,
    /// This page's path (where a revoke comes back to).
    pub(crate) here: String,
    /// The sub-account shown (`""`: the signed-in account).
    pub(crate) account_id: String,
    pub(crate) back: Option<String>,
    pub(crate) notice: Option<String>,
    pub(crate) created: Option<Created>,
    pub(crate) tokens: Vec<TokenRow>,
    pub(crate) form: CreateForm,
    /// Declared scopes and their descriptions.
    pub(crate) scopes: Vec<(String, String)>,
    pub(crate) static_allowed: bool,
    pub(crate) static_for: String,
    /// `(id, name)` of the sub-accounts (on the signed-in account's page only).
    pub(crate) sub_accounts: Vec<(u64, String)>,
}
