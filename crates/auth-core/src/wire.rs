//! The login and token APIs' request and response shapes (SPEC §1), as pure functions.
//!
//! The library serves no HTTP and checks no passwords: the host does that, then hands the
//! account data it looked up to these functions, which make every token decision (IP
//! restrictions, blocked accounts, sub-account ownership, TTLs) and give back the exact
//! bodies to send.
//!
//! | endpoint (host side) | here |
//! |---|---|
//! | `POST /session.json` (dialer user login) | [`login_user`] → [`UserLogin::to_json`], errors [`login_error_json`] |
//! | `POST /v1/resellers/login.json` | [`login_reseller`] → [`ResellerLogin::to_json`], errors [`login_error_json`] |
//! | `DELETE /session.json`, `GET /v1/resellers/user/logout.json` | [`logout`] |
//! | `POST /token` (SMS API), JSON or XML | [`TokenRequest::parse`] + [`create_token`] with [`TokenTarget::SelfAccount`] → [`CreatedToken::render`], errors [`sms_error_body`] |
//! | `POST /token/account/:accountID` | the same with [`TokenTarget::SubAccount`] |
//!
//! Content negotiation: [`Format::from_media_type`] reads a `Content-Type` or `Accept` value.
//!
//! ## Output text
//! JSON bodies are written in the seeds' own layout — `", "` between members and `": "`
//! after keys, keys in the documented order — so a host can compare them byte for byte
//! with the API documentation; any JSON reader sees the same values. XML bodies have no
//! XML declaration and no whitespace between elements; text is escaped with quick-xml's
//! `escape`, and characters that XML 1.0 cannot carry at all (control characters other
//! than tab, newline and carriage return) are written as U+FFFD.
//!
//! ## Request bodies
//! Bodies are at most [`MAX_BODY_BYTES`] and must be UTF-8. JSON is read strictly (no
//! duplicate keys, no trailing data, nesting bounded); XML is read strictly with quick-xml
//! (no DOCTYPE, no entities other than the five predefined ones and character references,
//! no processing instructions, one root, matching tags, no duplicate elements, depth at
//! most [`MAX_XML_DEPTH`]). Error messages describe the problem and its position; they
//! never quote the body.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::IpAddr;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Serialize;

use crate::claims::{valid_token_name, Claims, Subject};
use crate::error::{Error, ErrorCode, Result};
use crate::ip::{IpAllowList, IpRegex, IpRule};
use crate::issue::{Issuer, MintRequest, Minted};
use crate::json::{parse_strict, SeenKeys, Skip, Str, DUPLICATE_KEY};
use crate::revocation::MemoryRevocationStore;
use crate::ttl::Lifetime;

/// The largest request body [`TokenRequest::from_json`] and [`TokenRequest::from_xml`] read (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The deepest element nesting [`TokenRequest::from_xml`] accepts (the root is depth 1).
pub const MAX_XML_DEPTH: usize = 16;

// ---------------------------------------------------------------------------
// Dialer user login
// ---------------------------------------------------------------------------

/// A dialer-platform user as the host found it, after checking the password.
#[derive(Clone, Debug)]
pub struct UserAccount {
    /// The user's id (`id` claim).
    pub id: u64,
    /// The user's name (`name` claim).
    pub name: String,
    /// Whether the user is an administrator (`admin` claim).
    pub admin: bool,
    /// Whether the account is blocked. A blocked account gets no token (see [`login_user`]).
    pub blocked: bool,
    /// The user's SMS sender (`sms_from` claim).
    pub sms_from: Option<String>,
    /// The user's group (`user_group_id` claim).
    pub user_group_id: Option<u64>,
    /// The user group's `allowed_regex` on the client IP, if it has one.
    pub allowed_regex: Option<IpRegex>,
}

/// A successful dialer user login: the token and the `user` object of the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserLogin {
    /// The minted token and its claims.
    pub minted: Minted,
    /// The user's id (`user.id`).
    pub user_id: u64,
    /// `user.blocked`: always `false` for a login [`login_user`] produced, since blocked
    /// accounts are refused; kept so the response has the seed's shape.
    pub blocked: bool,
}

impl UserLogin {
    /// The token (the compact JWS).
    pub fn token(&self) -> &str {
        &self.minted.token
    }

    /// The response body of `POST /session.json`:
    /// `{"user": {"id": 123, "blocked": false}, "token": "<jwt>"}`.
    pub fn to_json(&self) -> String {
        let mut user = JsonObject::new();
        user.raw("id", &self.user_id.to_string());
        user.raw("blocked", bool_text(self.blocked));
        let mut o = JsonObject::new();
        o.raw("user", &user.finish());
        o.str("token", &self.minted.token);
        o.finish()
    }
}

/// Logs a dialer user in: decides whether the account may have a token and mints it.
///
/// The host has checked the password and filled `account`. Decisions, in order:
/// 1. a blocked account → `invalid_credentials` (401). The seed API answered a blocked
///    account with `"blocked": true` next to a token; a security library does not mint a
///    working token for an account that must not be used, and the same answer as a wrong
///    password tells the client nothing about the account;
/// 2. the user group has an `allowed_regex` and `client_ip` is absent or does not match
///    it (full match on the canonical address text, SPEC §5) → `login_ip_denied` (406);
/// 3. the token is minted for [`Subject::User`] with `lifetime` (normally
///    [`Lifetime::Dynamic`], 24 hours) at `now` (`None`: the system clock); minting errors
///    (`invalid_ttl`, `static_not_allowed`, `invalid_key`, ...) are passed on.
///
/// ```
/// use auth_core::ip::{IpRegex, RegexMode};
/// use auth_core::wire::{login_error_json, login_user, UserAccount};
/// use auth_core::{Algorithm, ErrorCode, Issuer, Key, KeyRing, Lifetime, Verifier, VerifyRequest};
///
/// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, &[7u8; 32]).unwrap());
/// let issuer = Issuer::new(ring.clone());
/// let account = UserAccount {
///     id: 123,
///     name: "alice".into(),
///     admin: false,
///     blocked: false,
///     sms_from: Some("ACME".into()),
///     user_group_id: Some(7),
///     allowed_regex: Some(IpRegex::new(r"192\.168\.1\.\d+", RegexMode::FullMatch).unwrap()),
/// };
/// let ip = "192.168.1.20".parse().unwrap();
/// let login = login_user(&issuer, &account, Some(ip), Lifetime::Dynamic, Some(1_700_000_000)).unwrap();
/// let body: serde_json::Value = serde_json::from_str(&login.to_json()).unwrap();
/// assert_eq!(body["user"]["id"], 123);
/// assert_eq!(body["user"]["blocked"], false);
///
/// let claims = Verifier::new(ring).verify_with(login.token(), &VerifyRequest::at(1_700_000_001)).unwrap();
/// assert_eq!(claims.exp, Some(1_700_000_000 + 86_400));
///
/// // Outside the group's regex: 406 with the seed's message.
/// let err = login_user(&issuer, &account, Some("10.0.0.1".parse().unwrap()), Lifetime::Dynamic, None)
///     .unwrap_err();
/// assert_eq!(err.code(), ErrorCode::LoginIpDenied);
/// assert_eq!(err.http_status(), Some(406));
/// assert!(login_error_json(&err).contains("Login denied due to IP restriction"));
/// ```
pub fn login_user(
    issuer: &Issuer,
    account: &UserAccount,
    client_ip: Option<IpAddr>,
    lifetime: Lifetime,
    now: Option<u64>,
) -> Result<UserLogin> {
    if account.blocked {
        return Err(Error::new(ErrorCode::InvalidCredentials));
    }
    if let Some(regex) = &account.allowed_regex {
        if !client_ip.is_some_and(|ip| regex.is_match(ip)) {
            return Err(Error::new(ErrorCode::LoginIpDenied));
        }
    }
    let mut req = MintRequest::new(Subject::User {
        id: account.id,
        name: account.name.clone(),
        admin: account.admin,
        sms_from: account.sms_from.clone(),
        user_group_id: account.user_group_id,
    });
    req.lifetime = lifetime;
    req.now = now;
    let minted = issuer.mint(&req)?;
    Ok(UserLogin {
        minted,
        user_id: account.id,
        blocked: false,
    })
}

// ---------------------------------------------------------------------------
// Reseller login
// ---------------------------------------------------------------------------

/// A reseller as the host found it, after checking the password.
#[derive(Clone, Debug)]
pub struct ResellerAccount {
    /// The reseller's id (`id` claim, `reseller.id`).
    pub id: u64,
    /// The reseller's name (`name` claim, `reseller.name`).
    pub name: String,
    /// `settings.allowedIPs`: when present, logins are accepted only from these addresses
    /// and the rules are copied into the token's `allowed_ips`. An empty list allows nothing.
    pub allowed_ips: Option<IpAllowList>,
    /// The response's `user_groups`, passed through as they are.
    pub user_groups: Vec<serde_json::Value>,
    /// The response's `user_balance`; must be finite.
    pub user_balance: f64,
    /// The response's `version`.
    pub version: String,
}

/// A successful reseller login: the token and the other members of the response.
///
/// Built only by [`login_reseller`], which has checked the data, so [`to_json`](Self::to_json)
/// cannot fail.
#[derive(Clone, Debug, PartialEq)]
pub struct ResellerLogin {
    minted: Minted,
    reseller_id: u64,
    reseller_name: String,
    user_groups: Vec<serde_json::Value>,
    user_groups_json: String,
    user_balance: f64,
    version: String,
}

impl ResellerLogin {
    /// The minted token and its claims.
    pub fn minted(&self) -> &Minted {
        &self.minted
    }

    /// The token (the compact JWS).
    pub fn token(&self) -> &str {
        &self.minted.token
    }

    /// `reseller.id`.
    pub fn reseller_id(&self) -> u64 {
        self.reseller_id
    }

    /// `reseller.name`.
    pub fn reseller_name(&self) -> &str {
        &self.reseller_name
    }

    /// `user_groups`.
    pub fn user_groups(&self) -> &[serde_json::Value] {
        &self.user_groups
    }

    /// `user_balance` (finite).
    pub fn user_balance(&self) -> f64 {
        self.user_balance
    }

    /// `version`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The response body of `POST /v1/resellers/login.json`:
    /// `{"token": "<jwt>", "reseller": {"id": 1, "name": "reseller_name"}, "user_groups": [], "user_balance": 1000.00, "version": "1.0.0"}`.
    ///
    /// `user_balance` is written with exactly two decimals, as the seed does.
    pub fn to_json(&self) -> String {
        let mut reseller = JsonObject::new();
        reseller.raw("id", &self.reseller_id.to_string());
        reseller.str("name", &self.reseller_name);
        let mut o = JsonObject::new();
        o.str("token", &self.minted.token);
        o.raw("reseller", &reseller.finish());
        o.raw("user_groups", &self.user_groups_json);
        o.raw("user_balance", &format!("{:.2}", self.user_balance));
        o.str("version", &self.version);
        o.finish()
    }
}

/// Logs a reseller in: decides whether the reseller may have a token and mints it.
///
/// The host has checked the name and password and filled `account`. Decisions, in order:
/// 1. a non-finite `user_balance`, or `user_groups` that cannot be written → `invalid_request`
///    (host data that cannot become a response; no token is minted);
/// 2. the account has an allow-list and `client_ip` is absent or outside it →
///    `reseller_ip_denied` (401, "Your IP is not allowed"); an empty list allows nothing;
/// 3. the token is minted for [`Subject::Reseller`] with `lifetime` at `now`, carrying the
///    allow-list's rules as `allowed_ips`, so later requests are checked without a lookup.
///    A very long list makes a long token: raise the verifier's `max_token_size` to match.
pub fn login_reseller(
    issuer: &Issuer,
    account: &ResellerAccount,
    client_ip: Option<IpAddr>,
    lifetime: Lifetime,
    now: Option<u64>,
) -> Result<ResellerLogin> {
    if !account.user_balance.is_finite() {
        return Err(Error::with_message(
            ErrorCode::InvalidRequest,
            "user_balance must be a finite number",
        ));
    }
    let user_groups_json = to_seed_json(&account.user_groups)?;
    let mut req = MintRequest::new(Subject::reseller(account.id, account.name.clone()));
    if let Some(list) = &account.allowed_ips {
        if !client_ip.is_some_and(|ip| list.contains(ip)) {
            return Err(Error::new(ErrorCode::ResellerIpDenied));
        }
        req.allowed_ips = list.rules().to_vec();
    }
    req.lifetime = lifetime;
    req.now = now;
    let minted = issuer.mint(&req)?;
    Ok(ResellerLogin {
        minted,
        reseller_id: account.id,
        reseller_name: account.name.clone(),
        user_groups: account.user_groups.clone(),
        user_groups_json,
        user_balance: account.user_balance,
        version: account.version.clone(),
    })
}

/// Logout (both APIs): revokes the token these verified claims describe.
///
/// The `jti` is revoked until the token's `exp` (after which it could not verify anyway and
/// the store may forget it); a static token's revocation is kept for good.
/// Errors: those of [`MemoryRevocationStore::revoke_claims`] (`revocation_store_full`).
///
/// `now` is UNIX seconds; `None` reads the system clock.
pub fn logout(store: &MemoryRevocationStore, claims: &Claims, now: Option<u64>) -> Result<()> {
    store.revoke_claims(claims, now)
}

// ---------------------------------------------------------------------------
// Error bodies
// ---------------------------------------------------------------------------

/// The HTTP status a host answers `err` with: its code's status, or 500 for configuration
/// errors (`weak_key`, `invalid_key`) that are the server's fault.
pub fn error_status(err: &Error) -> u16 {
    err.http_status().unwrap_or(500)
}

/// The message shown to a client: the error's own message, or the code's generic message
/// for configuration errors (details of the server's set-up are not the client's business).
fn client_message(err: &Error) -> &str {
    if err.http_status().is_some() {
        err.message()
    } else {
        err.code().default_message()
    }
}

/// The dialer API's error body (login and logout endpoints):
/// `{"error": {"code": "login_ip_denied", "message": "Login denied due to IP restriction", "status": 406}}`.
///
/// `code` is the stable SPEC §7 code, `message` the error's message, `status` the HTTP
/// status to answer with ([`error_status`]: 500 for configuration errors, whose message is
/// then the generic one).
pub fn login_error_json(err: &Error) -> String {
    let mut inner = JsonObject::new();
    inner.str("code", err.code().as_str());
    inner.str("message", client_message(err));
    inner.raw("status", &error_status(err).to_string());
    let mut o = JsonObject::new();
    o.raw("error", &inner.finish());
    o.finish()
}

/// The SMS API's error body in JSON: `{"status": 0, "message": "...", "error": "<code>"}`.
///
/// `message` is the error's message (the generic one for configuration errors), `error`
/// the stable SPEC §7 code. Answer with [`error_status`].
pub fn sms_error_json(err: &Error) -> String {
    let mut o = JsonObject::new();
    o.raw("status", "0");
    o.str("message", client_message(err));
    o.str("error", err.code().as_str());
    o.finish()
}

/// The SMS API's error body in XML:
/// `<response><status>0</status><message>…</message><error>code</error></response>`.
pub fn sms_error_xml(err: &Error) -> String {
    let mut out = String::from("<response><status>0</status>");
    xml_element(&mut out, "message", client_message(err));
    xml_element(&mut out, "error", err.code().as_str());
    out.push_str("</response>");
    out
}

/// The SMS API's error body in `format` ([`sms_error_json`] or [`sms_error_xml`]).
pub fn sms_error_body(err: &Error, format: Format) -> String {
    match format {
        Format::Json => sms_error_json(err),
        Format::Xml => sms_error_xml(err),
    }
}

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

/// A body format of the SMS API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// `application/json` (the default).
    #[default]
    Json,
    /// `application/xml` or `text/xml`.
    Xml,
}

impl Format {
    /// The format a `Content-Type` or `Accept` header value asks for, or `None` if it names
    /// neither JSON nor XML (the host answers 415/406, or uses the default [`Format::Json`]
    /// when the header is absent).
    ///
    /// Recognized media types (case-insensitive, parameters such as `charset` allowed):
    /// `application/json` → JSON; `application/xml`, `text/xml` → XML; the wildcards `*/*`
    /// and `application/*` → JSON, `text/*` → XML. An `Accept` list is read with its `q`
    /// weights: the highest weight wins, an exact type beats a wildcard of the same weight,
    /// then the earlier entry; `q=0` excludes an entry, and an entry whose `q` is not a
    /// number in `0..=1` is ignored.
    ///
    /// ```
    /// use auth_core::wire::Format;
    /// assert_eq!(Format::from_media_type("application/json; charset=utf-8"), Some(Format::Json));
    /// assert_eq!(Format::from_media_type("text/xml"), Some(Format::Xml));
    /// assert_eq!(Format::from_media_type("application/json;q=0.5, application/xml"), Some(Format::Xml));
    /// assert_eq!(Format::from_media_type("*/*"), Some(Format::Json));
    /// assert_eq!(Format::from_media_type("text/html"), None);
    /// ```
    pub fn from_media_type(value: &str) -> Option<Format> {
        // (weight in thousandths, exact type, -index) → format; the largest key wins.
        let mut best: Option<((u16, bool, i64), Format)> = None;
        for (index, range) in value.split(',').enumerate() {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let (format, exact) = match media.as_str() {
                "application/json" => (Format::Json, true),
                "application/xml" | "text/xml" => (Format::Xml, true),
                "*/*" | "application/*" => (Format::Json, false),
                "text/*" => (Format::Xml, false),
                _ => continue,
            };
            let mut weight = Some(1000u16);
            for param in parts {
                let Some((k, v)) = param.split_once('=') else {
                    continue;
                };
                if k.trim().eq_ignore_ascii_case("q") {
                    weight = parse_qvalue(v.trim());
                }
            }
            let Some(weight) = weight.filter(|&w| w > 0) else {
                continue;
            };
            let key = (weight, exact, -(index as i64));
            if best.map_or(true, |(k, _)| key > k) {
                best = Some((key, format));
            }
        }
        best.map(|(_, f)| f)
    }

    /// The media type to answer with: `application/json` or `application/xml`.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }
}

/// An HTTP `qvalue` (`0`, `1`, `0.5`, `1.000`, at most three decimals) in thousandths.
fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    let w = whole + thousandths;
    (w <= 1000).then_some(w)
}

// ---------------------------------------------------------------------------
// Token creation: the request
// ---------------------------------------------------------------------------

/// A token-creation request of the SMS API (`POST /token`, `POST /token/account/:id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    /// `name`: 1–255 characters, becomes the token's `token_name`.
    pub name: String,
    /// From `ttl`: absent or null → [`Lifetime::Static`] (unlimited); an integer →
    /// [`Lifetime::Ttl`], whose range the issuer's policy checks when minting (`invalid_ttl`).
    pub lifetime: Lifetime,
    /// From `allowed_ips`, parsed strictly; empty means no restriction.
    pub allowed_ips: Vec<IpRule>,
}

impl TokenRequest {
    /// Reads a JSON body:
    /// `{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["192.168.2.0/24"]}}`.
    ///
    /// The body is at most [`MAX_BODY_BYTES`] of UTF-8 holding one JSON object with a
    /// `token` object; other members at either level are ignored. Errors:
    /// - `invalid_request`: too large, not UTF-8, not strict JSON (trailing data, nesting
    ///   deeper than 32 levels in an ignored member),
    ///   a duplicate key in the top-level or `token` object, no `token` object, `name`
    ///   missing or not a string of 1–255 characters, `allowed_ips` not an array (`null`
    ///   included) or an entry that is not a string;
    /// - `invalid_ttl`: `ttl` neither null nor a JSON integer, or above `i64::MAX`;
    /// - `invalid_ip_rule`: an `allowed_ips` entry that is not a strict IP/CIDR rule (the
    ///   message names its index).
    ///
    /// Fields are checked in the order `name`, `ttl`, `allowed_ips`. A TTL of 0 or less, or
    /// above the issuer's maximum, is refused by [`create_token`] (`invalid_ttl`).
    ///
    /// ```
    /// use auth_core::wire::TokenRequest;
    /// use auth_core::{ErrorCode, Lifetime};
    ///
    /// let req = TokenRequest::from_json(
    ///     br#"{"token": {"name": "Best token ever", "ttl": 2678400,
    ///          "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}"#,
    /// ).unwrap();
    /// assert_eq!(req.name, "Best token ever");
    /// assert_eq!(req.lifetime, Lifetime::Ttl(2_678_400));
    /// assert_eq!(req.allowed_ips.len(), 3);
    ///
    /// // No ttl: a static (unlimited) token.
    /// let req = TokenRequest::from_json(br#"{"token": {"name": "forever"}}"#).unwrap();
    /// assert_eq!(req.lifetime, Lifetime::Static);
    ///
    /// let err = TokenRequest::from_json(br#"{"token": {"name": "x", "allowed_ips": ["192.168.2.5/24"]}}"#)
    ///     .unwrap_err();
    /// assert_eq!(err.code(), ErrorCode::InvalidIpRule);
    /// ```
    pub fn from_json(body: &[u8]) -> Result<TokenRequest> {
        check_body(body)?;
        let top = parse_strict(body, |de| de.deserialize_any(ObjectOr(TopReader)))
            .map_err(|e| invalid_request(format!("invalid JSON body: {}", json_problem(&e))))?;
        let fields = match top {
            None => return Err(invalid_request("the body must be a JSON object")),
            Some(None) => return Err(invalid_request("the body has no \"token\" object")),
            Some(Some(None)) => return Err(invalid_request("\"token\" must be a JSON object")),
            Some(Some(Some(fields))) => fields,
        };
        let name = match fields.name {
            None => None,
            Some(serde_json::Value::String(s)) => Some(s),
            Some(_) => return Err(invalid_request("token name must be a string")),
        };
        let name = check_name(name)?;
        let lifetime = Lifetime::from_json_ttl(fields.ttl.as_ref())?;
        let allowed_ips = match fields.allowed_ips {
            None => Vec::new(),
            Some(serde_json::Value::Array(items)) => {
                let mut texts = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        serde_json::Value::String(s) => texts.push(s),
                        _ => {
                            return Err(invalid_request(format!(
                                "allowed_ips[{i}] must be a string"
                            )))
                        }
                    }
                }
                parse_rules(&texts)?
            }
            Some(_) => {
                return Err(invalid_request(
                    "allowed_ips must be an array of IP/CIDR strings",
                ))
            }
        };
        Ok(TokenRequest {
            name,
            lifetime,
            allowed_ips,
        })
    }

    /// Reads an XML body:
    /// `<token><name>…</name><ttl>…</ttl><allowed_ips><ip>…</ip><ip>…</ip></allowed_ips></token>`.
    ///
    /// At most [`MAX_BODY_BYTES`] of UTF-8 (a leading byte-order mark is allowed), an
    /// optional `<?xml …?>` declaration (UTF-8 only), exactly one root element `<token>`.
    /// Comments, whitespace between elements, CDATA inside `<name>`, `<ttl>` and `<ip>`,
    /// attributes and unknown child elements of `<token>` are allowed and ignored. Refused
    /// with `invalid_request`: a DOCTYPE, an entity other than `&lt; &gt; &amp; &apos; &quot;`
    /// and character references, processing instructions, mismatched or unclosed tags, a
    /// second root, text outside the root or directly in `<token>`/`<allowed_ips>`, a
    /// repeated child of `<token>`, an element inside `<name>`, `<ttl>` or `<ip>`, anything
    /// but `<ip>` inside `<allowed_ips>`, nesting deeper than [`MAX_XML_DEPTH`], characters
    /// XML 1.0 forbids. The field rules are those of [`from_json`](Self::from_json):
    /// `<ttl>` text goes through [`Lifetime::from_text_ttl`] (surrounding whitespace
    /// trimmed; empty or absent → static; otherwise decimal digits with an optional `-`,
    /// else `invalid_ttl`); `<name>` and `<ip>` text is taken exactly as written (no
    /// trimming), so `<ip> 10.0.0.1 </ip>` is an `invalid_ip_rule`.
    pub fn from_xml(body: &[u8]) -> Result<TokenRequest> {
        check_body(body)?;
        let text = std::str::from_utf8(body)
            .map_err(|_| invalid_request("the body is not valid UTF-8"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(pos) = text.find(|c: char| !xml_char_allowed(c)) {
            return Err(invalid_request(format!(
                "invalid XML body: a character XML does not allow at byte {pos}"
            )));
        }
        let fields = XmlParser::new(text).document()?;
        let name = check_name(fields.name)?;
        let lifetime = match &fields.ttl {
            None => Lifetime::Static,
            Some(t) => Lifetime::from_text_ttl(t)?,
        };
        let allowed_ips = parse_rules(&fields.ips.unwrap_or_default())?;
        Ok(TokenRequest {
            name,
            lifetime,
            allowed_ips,
        })
    }

    /// Reads a body in `format` ([`from_json`](Self::from_json) or [`from_xml`](Self::from_xml)).
    pub fn parse(body: &[u8], format: Format) -> Result<TokenRequest> {
        match format {
            Format::Json => TokenRequest::from_json(body),
            Format::Xml => TokenRequest::from_xml(body),
        }
    }
}

fn invalid_request(msg: impl Into<Cow<'static, str>>) -> Error {
    Error::with_message(ErrorCode::InvalidRequest, msg)
}

fn check_body(body: &[u8]) -> Result<()> {
    if body.len() > MAX_BODY_BYTES {
        return Err(invalid_request(format!(
            "the body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(invalid_request("the body is not valid UTF-8"));
    }
    Ok(())
}

fn check_name(name: Option<String>) -> Result<String> {
    match name {
        None => Err(invalid_request("token name is required")),
        Some(n) if valid_token_name(&n) => Ok(n),
        Some(_) => Err(invalid_request("token name must be 1-255 characters")),
    }
}

fn parse_rules<S: AsRef<str>>(texts: &[S]) -> Result<Vec<IpRule>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            IpRule::parse(t.as_ref()).map_err(|e| {
                Error::with_message(
                    ErrorCode::InvalidIpRule,
                    format!("allowed_ips[{i}]: {}", e.message()),
                )
            })
        })
        .collect()
}

/// A description of a JSON error that never quotes the body.
fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = if text.contains(DUPLICATE_KEY) {
        "duplicate key"
    } else if text.contains("nesting too deep") || text.contains("recursion limit") {
        "nesting too deep"
    } else {
        match e.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Io => "read error",
        }
    };
    format!("{what} at line {}, column {}", e.line(), e.column())
}

// --- strict JSON reading -----------------------------------------------------

/// Reads one JSON object's members.
trait MapReader<'de> {
    type Out;
    fn read<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Out, A::Error>;
}

/// Any JSON value: `Some(out)` for an object read by `R`, `None` for anything else
/// (consumed without quoting it in an error). Skipped values may nest at most
/// 32 levels deep, like the claims decoder's.
struct ObjectOr<R>(R);

impl<'de, R: MapReader<'de>> DeserializeSeed<'de> for ObjectOr<R> {
    type Value = Option<R::Out>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, R: MapReader<'de>> Visitor<'de> for ObjectOr<R> {
    type Value = Option<R::Out>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Self::Value, A::Error> {
        Skip(1).visit_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
        self.0.read(map).map(Some)
    }
}

/// The top-level object: its `token` member (`None` absent, `Some(None)` not an object).
struct TopReader;

impl<'de> MapReader<'de> for TopReader {
    type Out = Option<Option<JsonTokenFields>>;
    fn read<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Out, A::Error> {
        let mut seen = SeenKeys::default();
        let mut token = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if key.0 == "token" {
                seen.insert_known(0).map_err(de::Error::custom)?;
                token = Some(map.next_value_seed(ObjectOr(TokenReader))?);
            } else {
                seen.insert_other(key.0).map_err(de::Error::custom)?;
                map.next_value_seed(Skip(1))?;
            }
        }
        Ok(token)
    }
}

/// The raw members of the `token` object, checked after parsing.
#[derive(Default)]
struct JsonTokenFields {
    name: Option<serde_json::Value>,
    ttl: Option<serde_json::Value>,
    allowed_ips: Option<serde_json::Value>,
}

struct TokenReader;

impl<'de> MapReader<'de> for TokenReader {
    type Out = JsonTokenFields;
    fn read<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Out, A::Error> {
        let mut seen = SeenKeys::default();
        let mut out = JsonTokenFields::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let (bit, slot) = match key.0.as_ref() {
                "name" => (0, &mut out.name),
                "ttl" => (1, &mut out.ttl),
                "allowed_ips" => (2, &mut out.allowed_ips),
                _ => {
                    seen.insert_other(key.0).map_err(de::Error::custom)?;
                    map.next_value_seed(Skip(2))?;
                    continue;
                }
            };
            seen.insert_known(bit).map_err(de::Error::custom)?;
            *slot = Some(map.next_value::<serde_json::Value>()?);
        }
        Ok(out)
    }
}

// --- strict XML reading --------------------------------------------------------

/// Whether XML 1.0 allows the character in a document (`Char` production).
fn xml_char_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The fields of an XML `<token>`, checked after parsing.
#[derive(Default)]
struct XmlTokenFields {
    name: Option<String>,
    ttl: Option<String>,
    ips: Option<Vec<String>>,
}

struct XmlParser<'a> {
    reader: Reader<&'a [u8]>,
}

impl<'a> XmlParser<'a> {
    fn new(text: &'a str) -> Self {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = true;
        config.allow_unmatched_ends = false;
        config.trim_text(false);
        XmlParser { reader }
    }

    fn err(&self, what: &str) -> Error {
        invalid_request(format!(
            "invalid XML body: {what} (at byte {})",
            self.reader.buffer_position()
        ))
    }

    /// The next event; DOCTYPE and processing instructions are refused here.
    fn next(&mut self) -> Result<Event<'a>> {
        match self.reader.read_event() {
            Ok(Event::DocType(_)) => Err(self.err("DOCTYPE is not allowed")),
            Ok(Event::PI(_)) => Err(self.err("processing instructions are not allowed")),
            Ok(ev) => Ok(ev),
            Err(e) => {
                let what = match e {
                    quick_xml::Error::Syntax(_) => "syntax error",
                    quick_xml::Error::IllFormed(_) => {
                        "not well-formed (mismatched or unclosed tags)"
                    }
                    quick_xml::Error::InvalidAttr(_) => "malformed attribute",
                    quick_xml::Error::Escape(_) => "unknown entity or bad character reference",
                    _ => "unreadable XML",
                };
                Err(invalid_request(format!(
                    "invalid XML body: {what} (at byte {})",
                    self.reader.error_position()
                )))
            }
        }
    }

    /// Text content with the predefined entities and character references resolved.
    fn text(&self, t: &quick_xml::events::BytesText<'_>) -> Result<String> {
        let s = t
            .unescape()
            .map_err(|_| self.err("unknown entity or bad character reference"))?;
        if !s.chars().all(xml_char_allowed) {
            return Err(self.err("a character reference to a character XML does not allow"));
        }
        Ok(s.into_owned())
    }

    fn cdata(&self, c: quick_xml::events::BytesCData<'_>) -> Result<String> {
        String::from_utf8(c.into_inner().into_owned()).map_err(|_| self.err("CDATA is not UTF-8"))
    }

    /// Only whitespace (or comments) may stand between elements here.
    fn only_space(&self, text: &str, place: &str) -> Result<()> {
        if text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
            Ok(())
        } else {
            Err(self.err(&format!("text is not allowed {place}")))
        }
    }

    /// Attributes are ignored, but must be well formed and use only predefined entities.
    fn check_attributes(&self, e: &BytesStart<'_>) -> Result<()> {
        let mut names: Vec<Vec<u8>> = Vec::new();
        for attr in e.attributes().with_checks(true) {
            let attr = attr.map_err(|_| self.err("malformed attribute"))?;
            attr.unescape_value()
                .map_err(|_| self.err("unknown entity or bad character reference"))?;
            let key = attr.key.as_ref().to_vec();
            if names.contains(&key) {
                return Err(self.err("duplicate attribute"));
            }
            names.push(key);
        }
        Ok(())
    }

    /// The whole document: prolog, the `<token>` root, epilogue.
    fn document(mut self) -> Result<XmlTokenFields> {
        let mut first = true;
        let mut fields = None;
        loop {
            let ev = self.next()?;
            match ev {
                Event::Decl(d) if first => {
                    match d.encoding() {
                        None => {}
                        Some(Ok(enc)) if enc.eq_ignore_ascii_case(b"utf-8") => {}
                        Some(_) => return Err(self.err("only UTF-8 XML is accepted")),
                    }
                    if d.version().is_err() {
                        return Err(self.err("bad XML declaration"));
                    }
                }
                Event::Decl(_) => return Err(self.err("misplaced XML declaration")),
                Event::Comment(_) => {}
                Event::Text(t) => {
                    let t = self.text(&t)?;
                    self.only_space(&t, "outside the root element")?;
                }
                Event::CData(_) => {
                    return Err(self.err("text is not allowed outside the root element"))
                }
                Event::Start(e) => {
                    if fields.is_some() {
                        return Err(self.err("more than one root element"));
                    }
                    if e.name().as_ref() != b"token" {
                        return Err(self.err("the root element must be <token>"));
                    }
                    self.check_attributes(&e)?;
                    fields = Some(self.token()?);
                }
                Event::Eof => break,
                Event::End(_) | Event::Empty(_) | Event::DocType(_) | Event::PI(_) => {
                    return Err(self.err("unexpected markup"))
                }
            }
            first = false;
        }
        fields.ok_or_else(|| self.err("no <token> element"))
    }

    /// The children of `<token>` (depth 1), up to its end tag.
    fn token(&mut self) -> Result<XmlTokenFields> {
        let mut out = XmlTokenFields::default();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        loop {
            match self.next()? {
                Event::Start(e) => {
                    self.check_attributes(&e)?;
                    let name = e.name().as_ref().to_vec();
                    if !seen.insert(name.clone()) {
                        return Err(self.err("an element is repeated inside <token>"));
                    }
                    match name.as_slice() {
                        b"name" => out.name = Some(self.leaf("<name>")?),
                        b"ttl" => out.ttl = Some(self.leaf("<ttl>")?),
                        b"allowed_ips" => out.ips = Some(self.ip_list()?),
                        _ => self.skip(2)?,
                    }
                }
                Event::End(_) => return Ok(out),
                Event::Text(t) => {
                    let t = self.text(&t)?;
                    self.only_space(&t, "directly inside <token>")?;
                }
                Event::CData(_) => {
                    return Err(self.err("text is not allowed directly inside <token>"))
                }
                Event::Comment(_) => {}
                Event::Eof => return Err(self.err("unclosed <token>")),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }

    /// The text of an element that holds only text (CDATA and comments allowed).
    fn leaf(&mut self, what: &str) -> Result<String> {
        let mut out = String::new();
        loop {
            match self.next()? {
                Event::Text(t) => out.push_str(&self.text(&t)?),
                Event::CData(c) => out.push_str(&self.cdata(c)?),
                Event::Comment(_) => {}
                Event::End(_) => return Ok(out),
                Event::Start(_) | Event::Empty(_) => {
                    return Err(self.err(&format!("no element is allowed inside {what}")))
                }
                Event::Eof => return Err(self.err(&format!("unclosed {what}"))),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }

    /// The `<ip>` children of `<allowed_ips>` (depth 2).
    fn ip_list(&mut self) -> Result<Vec<String>> {
        let mut ips = Vec::new();
        loop {
            match self.next()? {
                Event::Start(e) if e.name().as_ref() == b"ip" => {
                    self.check_attributes(&e)?;
                    ips.push(self.leaf("<ip>")?);
                }
                Event::Start(_) | Event::Empty(_) => {
                    return Err(self.err("only <ip> elements are allowed inside <allowed_ips>"))
                }
                Event::Text(t) => {
                    let t = self.text(&t)?;
                    self.only_space(&t, "directly inside <allowed_ips>")?;
                }
                Event::CData(_) => {
                    return Err(self.err("text is not allowed directly inside <allowed_ips>"))
                }
                Event::Comment(_) => {}
                Event::End(_) => return Ok(ips),
                Event::Eof => return Err(self.err("unclosed <allowed_ips>")),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }

    /// Skips an unknown element whose start tag (at `depth`) was just read, checking it.
    fn skip(&mut self, depth: usize) -> Result<()> {
        let mut depth = depth;
        loop {
            if depth > MAX_XML_DEPTH {
                return Err(self.err("elements are nested too deeply"));
            }
            match self.next()? {
                Event::Start(e) => {
                    self.check_attributes(&e)?;
                    depth += 1;
                }
                Event::End(_) => {
                    depth -= 1;
                    if depth < 2 {
                        return Ok(());
                    }
                }
                Event::Text(t) => {
                    self.text(&t)?;
                }
                Event::CData(_) | Event::Comment(_) => {}
                Event::Eof => return Err(self.err("unclosed element")),
                _ => return Err(self.err("unexpected markup")),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Token creation: minting and the response
// ---------------------------------------------------------------------------

/// Whom a token-creation request mints for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenTarget {
    /// `POST /token`: a token for the caller's own subject.
    SelfAccount,
    /// `POST /token/account/:accountID`: a token for a sub-account.
    SubAccount {
        /// The sub-account, as the host looked it up.
        subject: Subject,
        /// The host's answer to "does the caller own this account?".
        owned_by_caller: bool,
    },
}

/// A created token and the response of `POST /token`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedToken {
    /// The minted token and its claims.
    pub minted: Minted,
    /// The token's `allowed_ips` in canonical text (empty: no restriction).
    pub allowed_ips: Vec<String>,
}

impl CreatedToken {
    /// The token (the compact JWS).
    pub fn token(&self) -> &str {
        &self.minted.token
    }

    /// The token id (`jti`).
    pub fn token_id(&self) -> &str {
        self.minted.token_id()
    }

    /// `{"status": 1, "message": "OK", "token": "<jwt>", "token_id": "<jti>", "allowed_ips": [...]}`
    /// (`allowed_ips` always present, `[]` for an unrestricted token).
    pub fn to_json(&self) -> String {
        let mut o = JsonObject::new();
        o.raw("status", "1");
        o.str("message", "OK");
        o.str("token", &self.minted.token);
        o.str("token_id", self.minted.token_id());
        let mut ips = String::from("[");
        for (i, ip) in self.allowed_ips.iter().enumerate() {
            if i > 0 {
                ips.push_str(", ");
            }
            ips.push_str(&json_string(ip));
        }
        ips.push(']');
        o.raw("allowed_ips", &ips);
        o.finish()
    }

    /// `<response><status>1</status><message>OK</message><token>…</token><token_id>…</token_id></response>`,
    /// with `<allowed_ips><ip>…</ip>…</allowed_ips>` before `</response>` only when the token
    /// is restricted (the seed's XML shows no list; an unrestricted token's response stays
    /// exactly the seed's).
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<response><status>1</status><message>OK</message>");
        xml_element(&mut out, "token", &self.minted.token);
        xml_element(&mut out, "token_id", self.minted.token_id());
        if !self.allowed_ips.is_empty() {
            out.push_str("<allowed_ips>");
            for ip in &self.allowed_ips {
                xml_element(&mut out, "ip", ip);
            }
            out.push_str("</allowed_ips>");
        }
        out.push_str("</response>");
        out
    }

    /// The response in `format` ([`to_json`](Self::to_json) or [`to_xml`](Self::to_xml)).
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Xml => self.to_xml(),
        }
    }
}

/// Creates a token for `POST /token` or `POST /token/account/:accountID`.
///
/// `caller` is the verified claims of the bearer token that authenticated the request. The
/// new token gets `token_name` = `req.name`, the lifetime `req.lifetime` (checked by the
/// issuer's policy: 0, negative or above the maximum → `invalid_ttl`; static when the
/// policy forbids them → `static_not_allowed`) and `allowed_ips` = `req.allowed_ips`.
///
/// - [`TokenTarget::SelfAccount`]: a token for `caller.subject`, keeping `caller.parent`
///   (a token made with a delegated token stays marked as delegated). A caller whose own
///   token is IP-restricted cannot shed the restriction: an empty request inherits the
///   caller's `allowed_ips`, and every requested rule must lie inside one of the caller's
///   rules, else `not_permitted` (403).
/// - [`TokenTarget::SubAccount`]: `owned_by_caller == false` → `not_permitted` (403);
///   otherwise a token for `subject` with `parent` = the caller's principal. The caller's
///   own IP restriction does not carry over (a reseller's allow-list is about where the
///   reseller works from, not its customers).
///
/// ```
/// use auth_core::wire::{create_token, Format, TokenRequest, TokenTarget};
/// use auth_core::{Algorithm, Issuer, Key, KeyRing, MintRequest, Principal, Subject, Verifier, VerifyRequest};
///
/// let ring = KeyRing::single(Key::new("k1", Algorithm::HS256, &[9u8; 32]).unwrap());
/// let issuer = Issuer::new(ring.clone());
/// let verifier = Verifier::new(ring);
/// let now = 1_700_000_000;
///
/// // The caller authenticated with a reseller token.
/// let mut login = MintRequest::new(Subject::reseller(1, "reseller_name"));
/// login.now = Some(now);
/// let caller = verifier.verify_with(issuer.mint(&login).unwrap().token, &VerifyRequest::at(now)).unwrap();
///
/// let req = TokenRequest::parse(br#"{"token": {"name": "Best token ever", "ttl": 2678400}}"#, Format::Json).unwrap();
/// let target = TokenTarget::SubAccount { subject: Subject::user(42, "customer", false), owned_by_caller: true };
/// let created = create_token(&issuer, &caller, &req, target, Some(now)).unwrap();
///
/// let claims = verifier.verify_with(created.token(), &VerifyRequest::at(now + 1)).unwrap();
/// assert_eq!(claims.subject.id(), 42);
/// assert_eq!(claims.parent, Some(Principal::reseller(1)));
/// assert_eq!(claims.token_name.as_deref(), Some("Best token ever"));
/// assert_eq!(claims.exp, Some(now + 2_678_400));
/// assert!(created.to_xml().starts_with("<response><status>1</status><message>OK</message><token>"));
/// ```
pub fn create_token(
    issuer: &Issuer,
    caller: &Claims,
    req: &TokenRequest,
    target: TokenTarget,
    now: Option<u64>,
) -> Result<CreatedToken> {
    let mut mint = match target {
        TokenTarget::SelfAccount => {
            let mut m = MintRequest::new(caller.subject.clone());
            m.parent = caller.parent;
            m.allowed_ips = within_caller_rules(caller, &req.allowed_ips)?;
            m
        }
        TokenTarget::SubAccount {
            subject,
            owned_by_caller,
        } => {
            if !owned_by_caller {
                return Err(Error::with_message(
                    ErrorCode::NotPermitted,
                    "the caller does not own this account",
                ));
            }
            let mut m = MintRequest::new(subject);
            m.parent = Some(caller.principal());
            m.allowed_ips = req.allowed_ips.clone();
            m
        }
    };
    mint.lifetime = req.lifetime;
    mint.token_name = Some(req.name.clone());
    mint.now = now;
    let minted = issuer.mint(&mint)?;
    let allowed_ips = minted
        .claims
        .allowed_ips
        .iter()
        .flatten()
        .map(ToString::to_string)
        .collect();
    Ok(CreatedToken {
        minted,
        allowed_ips,
    })
}

/// The `allowed_ips` of a token a caller mints for itself: never wider than its own.
fn within_caller_rules(caller: &Claims, requested: &[IpRule]) -> Result<Vec<IpRule>> {
    let Some(own) = &caller.allowed_ips else {
        return Ok(requested.to_vec());
    };
    if own.is_empty() {
        // The caller's token allows no address; an empty list here would mean "anywhere".
        return Err(Error::with_message(
            ErrorCode::NotPermitted,
            "the calling token allows no address",
        ));
    }
    if requested.is_empty() {
        return Ok(own.clone());
    }
    for (i, rule) in requested.iter().enumerate() {
        let net = rule.network();
        if !own.iter().any(|o| o.network().contains(&net)) {
            return Err(Error::with_message(
                ErrorCode::NotPermitted,
                format!("allowed_ips[{i}] is outside the calling token's allowed_ips"),
            ));
        }
    }
    Ok(requested.to_vec())
}

// ---------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------

/// serde_json formatting in the seeds' layout: `", "` between items, `": "` after keys.
struct SeedFormatter;

impl serde_json::ser::Formatter for SeedFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

fn to_seed_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SeedFormatter);
    value
        .serialize(&mut ser)
        .map_err(|_| invalid_request("a value cannot be written as JSON"))?;
    String::from_utf8(out).map_err(|_| invalid_request("a value cannot be written as JSON"))
}

/// A JSON string literal (quotes and escapes).
fn json_string(s: &str) -> String {
    // Serializing a str cannot fail; the fallback only keeps this function total.
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// A JSON object written member by member, in order, in the seeds' layout.
struct JsonObject {
    out: String,
    first: bool,
}

impl JsonObject {
    fn new() -> Self {
        JsonObject {
            out: String::from("{"),
            first: true,
        }
    }

    /// A member whose value is already JSON text.
    fn raw(&mut self, key: &str, value: &str) {
        if !self.first {
            self.out.push_str(", ");
        }
        self.first = false;
        self.out.push_str(&json_string(key));
        self.out.push_str(": ");
        self.out.push_str(value);
    }

    /// A string member.
    fn str(&mut self, key: &str, value: &str) {
        self.raw(key, &json_string(value));
    }

    fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Appends `<tag>text</tag>` with the text escaped (and XML-forbidden characters replaced).
fn xml_element(out: &mut String, tag: &str, text: &str) {
    let clean: Cow<'_, str> = if text.chars().all(xml_char_allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if xml_char_allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    };
    out.push('<');
    out.push_str(tag);
    out.push('>');
    out.push_str(&quick_xml::escape::escape(clean.as_ref()));
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}
