//! Token management in the token API (docs/apis.md, "Managing tokens"): `GET /token`,
//! `GET /token/account/:accountID` and `DELETE /token/:token_id` — who may see or revoke
//! which tokens, and the bodies of the answers.
//!
//! The host keeps the list of issued tokens (it never stores their text) and looks them up;
//! the rules here decide. A token the caller may not see is answered exactly like a token
//! that does not exist, so ids cannot be probed.

use serde::Serialize;

use crate::claims::{Claims, Principal, PrincipalType};
use crate::error::{Error, ErrorCode, Result};
use crate::token_api::{TokenCreationPolicy, TokenTarget};
use crate::wire::{response_json, xml_element, Format};

/// What kind of token an issued token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A login token (no `token_name`): `POST /session.json`, the reseller login, a console
    /// session.
    Login,
    /// A named token with an expiry (`POST /token` with a `ttl`).
    Named,
    /// A named token without an expiry: the static tokens "obtained from the user interface".
    Static,
}

impl TokenKind {
    /// The kind of a token from its claims.
    pub fn of(claims: &Claims) -> TokenKind {
        match (&claims.token_name, claims.exp) {
            (None, _) => TokenKind::Login,
            (Some(_), Some(_)) => TokenKind::Named,
            (Some(_), None) => TokenKind::Static,
        }
    }

    /// `login`, `named` or `static`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenKind::Login => "login",
            TokenKind::Named => "named",
            TokenKind::Static => "static",
        }
    }

    /// The kind of its name.
    pub fn from_name(name: &str) -> Option<TokenKind> {
        [TokenKind::Login, TokenKind::Named, TokenKind::Static]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// The one answer for a token the caller may not manage, or that does not exist.
pub fn unknown_token() -> Error {
    Error::with_message(
        ErrorCode::NotPermitted,
        "the caller has no token with this id",
    )
}

fn not_owned() -> Error {
    Error::with_message(
        ErrorCode::NotPermitted,
        "the caller does not own this account",
    )
}

/// Whether `caller` may manage tokens at all: the callers that may create tokens
/// ([`TokenCreationPolicy`]: login tokens, and named or delegated ones only when allowed).
fn caller_may_manage(caller: &Claims, policy: &TokenCreationPolicy) -> Result<()> {
    if caller.token_name.is_some() && !policy.allow_named_callers {
        return Err(Error::with_message(
            ErrorCode::NotPermitted,
            "a named API token cannot manage tokens: only login tokens may, unless the host's token creation policy allows named callers",
        ));
    }
    if caller.parent.is_some() && !policy.allow_delegated_callers {
        return Err(Error::with_message(
            ErrorCode::NotPermitted,
            "a token delegated to a sub-account cannot manage tokens, unless the host's token creation policy allows delegated callers",
        ));
    }
    Ok(())
}

/// Whose tokens `GET /token` ([`TokenTarget::SelfAccount`]) or `GET /token/account/:id`
/// ([`TokenTarget::SubAccount`]) lists: the caller's own principal, or a sub-account it owns
/// (blocked or not: its tokens can still be seen and revoked). An account that is not the
/// caller's, or unknown, is one answer (`not_permitted`); a user never owns a reseller.
pub fn token_list_owner(
    caller: &Claims,
    target: &TokenTarget,
    policy: &TokenCreationPolicy,
) -> Result<Principal> {
    caller_may_manage(caller, policy)?;
    match target {
        TokenTarget::SelfAccount => Ok(caller.principal()),
        TokenTarget::UnknownAccount => Err(not_owned()),
        TokenTarget::SubAccount {
            subject,
            owned_by_caller,
            ..
        } => {
            let user_for_reseller = caller.principal().kind == PrincipalType::User
                && subject.kind() == PrincipalType::Reseller;
            if !owned_by_caller || user_for_reseller {
                return Err(not_owned());
            }
            Ok(subject.principal())
        }
    }
}

/// An issued token as the host's records know it, for [`check_token_revocation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    /// Whom it speaks for.
    pub subject: Principal,
    /// Who made it: its `parent`, else its subject.
    pub owner: Principal,
    /// The host's answer to "does the caller own the subject's account?" (a sub-account).
    pub subject_owned_by_caller: bool,
}

/// `DELETE /token/:token_id`: the caller may revoke a token of its own principal, one it made
/// for a sub-account, or any token of a sub-account it owns. `record` is `None` when the host
/// has no token with that id; that, and every token the caller may not revoke, is
/// [`unknown_token`] (`not_permitted`, the same message).
pub fn check_token_revocation(
    caller: &Claims,
    record: Option<IssuedToken>,
    policy: &TokenCreationPolicy,
) -> Result<()> {
    caller_may_manage(caller, policy)?;
    let own = caller.principal();
    match record {
        Some(t) if t.subject == own || t.owner == own || t.subject_owned_by_caller => Ok(()),
        _ => Err(unknown_token()),
    }
}

/// When and from where a token was last used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LastUse {
    /// UNIX seconds.
    pub at: u64,
    /// The client address, canonical text (`None`: unknown).
    pub ip: Option<String>,
}

/// One token of a listing (never its text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The token id (`jti`).
    pub token_id: String,
    /// `token_name` (`None` for a login token).
    pub name: Option<String>,
    /// Its kind.
    #[serde(serialize_with = "kind_name")]
    pub kind: TokenKind,
    /// `iat`.
    pub created: u64,
    /// `exp` (`None`: never).
    pub expires: Option<u64>,
    /// `allowed_ips`, canonical text (empty: no restriction).
    pub allowed_ips: Vec<String>,
    /// The `scope` claim's names (`None`: unscoped).
    pub scopes: Option<Vec<String>>,
    /// Whether it was revoked.
    pub revoked: bool,
    /// The last use recorded (`None`: never used, as far as the host knows).
    pub last_used: Option<LastUse>,
}

fn kind_name<S: serde::Serializer>(k: &TokenKind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

#[derive(Serialize)]
struct ListBody<'a> {
    status: u8,
    message: &'a str,
    tokens: &'a [TokenInfo],
}

/// The answer of `GET /token` and `GET /token/account/:id`: JSON
/// `{"status": 1, "message": "OK", "tokens": [{"token_id", "name", "kind", "created",
/// "expires", "allowed_ips", "scopes", "revoked", "last_used": {"at", "ip"} | null}]}`, or
/// XML `<response><status>1</status><message>OK</message><tokens><token>…</token></tokens></response>`
/// with one element per member (absent when null, `<allowed_ips><ip>`, `<scopes><scope>`).
pub fn render_token_list(tokens: &[TokenInfo], format: Format) -> String {
    match format {
        Format::Json => response_json(&ListBody {
            status: 1,
            message: "OK",
            tokens,
        }),
        Format::Xml => {
            let mut out = String::from("<response><status>1</status><message>OK</message><tokens>");
            for t in tokens {
                out.push_str("<token>");
                xml_element(&mut out, "token_id", &t.token_id);
                if let Some(name) = &t.name {
                    xml_element(&mut out, "name", name);
                }
                xml_element(&mut out, "kind", t.kind.as_str());
                xml_element(&mut out, "created", &t.created.to_string());
                if let Some(exp) = t.expires {
                    xml_element(&mut out, "expires", &exp.to_string());
                }
                out.push_str("<allowed_ips>");
                for ip in &t.allowed_ips {
                    xml_element(&mut out, "ip", ip);
                }
                out.push_str("</allowed_ips>");
                if let Some(scopes) = &t.scopes {
                    out.push_str("<scopes>");
                    for s in scopes {
                        xml_element(&mut out, "scope", s);
                    }
                    out.push_str("</scopes>");
                }
                xml_element(&mut out, "revoked", if t.revoked { "1" } else { "0" });
                if let Some(used) = &t.last_used {
                    out.push_str("<last_used>");
                    xml_element(&mut out, "at", &used.at.to_string());
                    if let Some(ip) = &used.ip {
                        xml_element(&mut out, "ip", ip);
                    }
                    out.push_str("</last_used>");
                }
                out.push_str("</token>");
            }
            out.push_str("</tokens></response>");
            out
        }
    }
}

#[derive(Serialize)]
struct RevokedBody<'a> {
    status: u8,
    message: &'a str,
    token_id: &'a str,
}

/// The answer of `DELETE /token/:token_id`: `{"status": 1, "message": "OK", "token_id": …}`
/// or `<response><status>1</status><message>OK</message><token_id>…</token_id></response>`.
pub fn render_token_revoked(token_id: &str, format: Format) -> String {
    match format {
        Format::Json => response_json(&RevokedBody {
            status: 1,
            message: "OK",
            token_id,
        }),
        Format::Xml => {
            let mut out = String::from("<response><status>1</status><message>OK</message>");
            xml_element(&mut out, "token_id", token_id);
            out.push_str("</response>");
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Subject;

    fn claims(subject: Subject) -> Claims {
        Claims::new(subject, 1, "j")
    }

    #[test]
    fn kinds() {
        let mut c = claims(Subject::user(1, "u", false));
        assert_eq!(TokenKind::of(&c), TokenKind::Login);
        c.token_name = Some("n".into());
        assert_eq!(TokenKind::of(&c), TokenKind::Static);
        c.exp = Some(9);
        assert_eq!(TokenKind::of(&c), TokenKind::Named);
        for k in [TokenKind::Login, TokenKind::Named, TokenKind::Static] {
            assert_eq!(TokenKind::from_name(k.as_str()), Some(k));
        }
    }

    #[test]
    fn who_may_see_and_revoke() {
        let policy = TokenCreationPolicy::default();
        let reseller = claims(Subject::reseller(1, "r"));
        let user = claims(Subject::user(5, "u", false));
        let sub = TokenTarget::SubAccount {
            subject: Subject::user(9, "s", false),
            owned_by_caller: true,
            blocked: true,
        };
        assert_eq!(
            token_list_owner(&reseller, &sub, &policy).unwrap(),
            Principal::user(9)
        );
        let foreign = TokenTarget::SubAccount {
            subject: Subject::user(9, "s", false),
            owned_by_caller: false,
            blocked: false,
        };
        let a = token_list_owner(&reseller, &foreign, &policy).unwrap_err();
        let b = token_list_owner(&reseller, &TokenTarget::UnknownAccount, &policy).unwrap_err();
        assert_eq!(a, b, "a foreign account is answered like an unknown one");
        let for_reseller = TokenTarget::SubAccount {
            subject: Subject::reseller(1, "r"),
            owned_by_caller: true,
            blocked: false,
        };
        assert!(token_list_owner(&user, &for_reseller, &policy).is_err());
        let mut named = user.clone();
        named.token_name = Some("ci".into());
        assert!(token_list_owner(&named, &TokenTarget::SelfAccount, &policy).is_err());

        let own = IssuedToken {
            subject: Principal::user(5),
            owner: Principal::user(5),
            subject_owned_by_caller: false,
        };
        assert!(check_token_revocation(&user, Some(own), &policy).is_ok());
        let made_by_reseller = IssuedToken {
            subject: Principal::user(9),
            owner: Principal::reseller(1),
            subject_owned_by_caller: false,
        };
        assert!(check_token_revocation(&reseller, Some(made_by_reseller), &policy).is_ok());
        let unknown = check_token_revocation(&user, None, &policy).unwrap_err();
        let foreign = check_token_revocation(&user, Some(made_by_reseller), &policy).unwrap_err();
        assert_eq!(unknown, foreign);
    }

    #[test]
    fn listings_render_in_both_formats() {
        let t = TokenInfo {
            token_id: "abc".into(),
            name: Some("CI <1>".into()),
            kind: TokenKind::Named,
            created: 10,
            expires: Some(20),
            allowed_ips: vec!["10.0.0.0/8".into()],
            scopes: Some(vec!["sms:send".into()]),
            revoked: false,
            last_used: Some(LastUse {
                at: 15,
                ip: Some("10.1.2.3".into()),
            }),
        };
        let json: serde_json::Value =
            serde_json::from_str(&render_token_list(std::slice::from_ref(&t), Format::Json))
                .unwrap();
        assert_eq!(json["tokens"][0]["kind"], "named");
        assert_eq!(json["tokens"][0]["last_used"]["ip"], "10.1.2.3");
        assert_eq!(json["tokens"][0]["scopes"][0], "sms:send");
        let xml = render_token_list(&[t], Format::Xml);
        assert!(xml.contains("<name>CI &lt;1&gt;</name>"), "{xml}");
        assert!(xml.contains("<last_used><at>15</at><ip>10.1.2.3</ip></last_used>"));
        assert_eq!(
            render_token_revoked("abc", Format::Json),
            r#"{"status": 1, "message": "OK", "token_id": "abc"}"#
        );
    }
}
