//! `authctl demo`: a narrated, self-checking walk through every feature of auth-core
//! with fresh random keys. Each step states what should happen and checks that it
//! did; any surprise is printed as `UNEXPECTED` and makes the demo exit 1.

use std::fmt::Display;
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::sync::Arc;

use auth_core::ip::{IpAllowList, IpRegex, RegexMode};
use auth_core::revocation::MemoryRevocationStore;
use auth_core::{
    create_token, error_status, login_error_json, login_reseller, login_user, logout,
    sms_error_body, sms_error_json, CreateTokenRequest, Format, ResellerAccount, TokenTarget,
    UserAccount,
};
use auth_core::{
    inspect_unverified, parse_client_ip, Algorithm, Claims, ErrorCode, Issuer, Key, KeyRing,
    Lifetime, MintRequest, Principal, Result, SharedKeyRing, Subject, Verifier, VerifyOptions,
    VerifyRequest,
};
use auth_core::{system_now, verify::DEFAULT_MAX_TOKEN_SIZE};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::{secret, Failure};

/// The transcript and the tally of surprises.
struct Demo<'w> {
    out: &'w mut dyn Write,
    io_error: Option<io::Error>,
    step: usize,
    checks: usize,
    surprises: Vec<String>,
}

impl Demo<'_> {
    fn line(&mut self, text: impl Display) {
        if self.io_error.is_none() {
            if let Err(e) = writeln!(self.out, "{text}") {
                self.io_error = Some(e);
            }
        }
    }

    fn section(&mut self, title: &str) {
        self.step += 1;
        let n = self.step;
        self.line(format_args!("\n== {n}. {title}"));
    }

    fn say(&mut self, text: impl Display) {
        self.line(format_args!("   {text}"));
    }

    fn surprise(&mut self, what: &str, detail: impl Display) {
        self.line(format_args!("   UNEXPECTED  {what}: {detail}"));
        let step = self.step;
        self.surprises
            .push(format!("step {step}: {what}: {detail}"));
    }

    /// Checks a condition.
    fn check(&mut self, what: &str, ok: bool, detail: impl Display) -> bool {
        self.checks += 1;
        if ok {
            self.line(format_args!("   ok  {what}"));
        } else {
            self.surprise(what, detail);
        }
        ok
    }

    /// Expects success and hands the value on.
    fn ok<T>(&mut self, what: &str, r: Result<T>) -> Option<T> {
        self.checks += 1;
        match r {
            Ok(v) => {
                self.line(format_args!("   ok  {what}"));
                Some(v)
            }
            Err(e) => {
                self.surprise(what, format_args!("failed with {e}"));
                None
            }
        }
    }

    /// Expects a failure with exactly `code`.
    fn rejects<T>(&mut self, what: &str, r: Result<T>, code: ErrorCode) {
        self.checks += 1;
        match r {
            Err(e) if e.code() == code => {
                let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
                self.line(format_args!("   ok  {what} -> {code} ({message})"))
            }
            Err(e) => self.surprise(what, format_args!("expected {code}, got {e}")),
            Ok(_) => self.surprise(what, format_args!("expected {code}, but it succeeded")),
        }
    }
}

/// Runs the demo on stdout: `Ok(true)` when every step behaved as expected.
pub(crate) fn run() -> std::result::Result<bool, Failure> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    transcript(&mut out, system_now()).map_err(|e| {
        Failure::usage(
            ErrorCode::InvalidRequest,
            format!("cannot write to standard output: {e}"),
        )
    })
}

/// Writes the whole narrated demo to `out`, at the clock `now`, and says whether
/// every check behaved as expected.
fn transcript(out: &mut dyn Write, now: Result<u64>) -> io::Result<bool> {
    let mut d = Demo {
        out,
        io_error: None,
        step: 0,
        checks: 0,
        surprises: Vec::new(),
    };
    d.line("authctl demo: every feature of auth-core, with fresh random keys.");
    d.line(
        "Each `ok` line is a checked outcome; any surprise is reported and makes the demo exit 1.",
    );
    match now {
        Ok(now) => steps(&mut d, now),
        Err(e) => d.surprise("reading the system clock", e),
    }
    d.finish()
}

impl Demo<'_> {
    /// The summary line (and every surprise again), then the verdict.
    fn finish(mut self) -> io::Result<bool> {
        self.line("");
        let (checks, surprises) = (self.checks, self.surprises.len());
        if surprises == 0 {
            self.line(format_args!(
                "demo complete: all {checks} checks behaved as expected."
            ));
        } else {
            self.line(format_args!(
                "demo FAILED: {surprises} of {checks} checks did not behave as expected:"
            ));
            for s in std::mem::take(&mut self.surprises) {
                self.line(format_args!("  - {s}"));
            }
        }
        match self.io_error.take() {
            Some(e) => Err(e),
            None => self.out.flush().map(|()| surprises == 0),
        }
    }
}

fn steps(d: &mut Demo, now: u64) {
    d.say(format_args!("The demo's clock is fixed at now = {now} (UNIX seconds); every mint and verify below passes it explicitly."));
    let Some((issuer, verifier)) = keys_and_rotation(d, now) else {
        d.surprise("key set-up", "cannot continue without keys");
        return;
    };
    let alice = user_login(d, &issuer, &verifier, now);
    reseller_allowed_ips(d, &issuer, &verifier, now);
    static_and_ttl(d, &issuer, &verifier, now);
    time_claims(d, &issuer, &verifier, now);
    if let Some(alice) = alice {
        hostile_tokens(d, &verifier, &alice, now);
    }
    ip_lists_and_regex(d);
    revocation(d, &issuer, &verifier, now);
    login_apis(d, &issuer, &verifier, now);
    token_api(d, &issuer, &verifier, now);
    error_table(d);
}

/// The `kid` in a token's (unverified) header.
fn header_kid(token: &str) -> Option<String> {
    let u = inspect_unverified(token.as_bytes(), DEFAULT_MAX_TOKEN_SIZE).ok()?;
    u.header.get("kid")?.as_str().map(String::from)
}

/// A token's segments, for the tampering steps.
fn segments(token: &str) -> Option<(&str, &str, &str)> {
    let mut it = token.split('.');
    Some((it.next()?, it.next()?, it.next()?))
}

fn keys_and_rotation(d: &mut Demo, now: u64) -> Option<(Issuer, Verifier)> {
    d.section("keygen: fresh secrets from the OS CSPRNG");
    let s1 = d.ok("generate a secret (`authctl keygen`)", secret::keygen())?;
    let s2 = d.ok("generate a second secret", secret::keygen())?;
    d.check(
        "each is 43 base64url characters (256 random bits)",
        [&s1, &s2].iter().all(|s| {
            s.len() == 43
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }),
        "wrong length or alphabet",
    );
    d.check(
        "two secrets differ",
        s1 != s2,
        "the generator repeated itself",
    );
    d.say("(secrets are never printed, not even here)");
    d.rejects(
        "a 31-byte secret is refused at configuration",
        Key::new("k", Algorithm::HS256, &[b'x'; 31]),
        ErrorCode::WeakKey,
    );
    d.rejects(
        "a kid with a space is refused",
        Key::new("bad kid", Algorithm::HS256, s1.as_bytes()),
        ErrorCode::InvalidKey,
    );

    d.section("key ring with rotation");
    let old = d.ok(
        "key `2024-01` (HS256) from the first secret",
        Key::new("2024-01", Algorithm::HS256, s1.as_bytes()),
    )?;
    let new = d.ok(
        "key `2024-07` (HS256) from the second secret",
        Key::new("2024-07", Algorithm::HS256, s2.as_bytes()),
    )?;
    let ring = SharedKeyRing::from(KeyRing::single(old));
    let issuer = Issuer::new(ring.clone());
    let verifier = Verifier::new(ring.clone());
    let mut req = MintRequest::new(Subject::user(7, "rotating-rita", false));
    req.now = Some(now);
    let before = d.ok(
        "mint a token with the active key `2024-01`",
        issuer.mint(&req),
    )?;
    d.ok("add `2024-07` to the ring", ring.add(new))?;
    d.ok(
        "rotate: `2024-07` becomes the active key",
        ring.set_active("2024-07"),
    )?;
    let after = d.ok("mint a token with the new active key", issuer.mint(&req))?;
    d.check(
        "the new token names kid `2024-07` in its header",
        header_kid(&after.token).as_deref() == Some("2024-07"),
        "wrong kid",
    );
    let at = VerifyRequest::at(now);
    d.ok(
        "the token minted before the rotation still verifies",
        verifier.verify_with(&before.token, &at),
    );
    d.ok(
        "the new token verifies",
        verifier.verify_with(&after.token, &at),
    );
    d.ok(
        "retire the old key `2024-01`",
        ring.remove("2024-01").map(|_| ()),
    )?;
    d.rejects(
        "the old key's token after retirement",
        verifier.verify_with(&before.token, &at),
        ErrorCode::UnknownKey,
    );
    d.ok(
        "the new key's token is unaffected",
        verifier.verify_with(&after.token, &at),
    );
    Some((issuer, verifier))
}

fn user_login(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) -> Option<String> {
    d.section("user login token (dynamic, 24 hours)");
    d.say("POST /session.json succeeded for user 123 (the host checked the password);");
    d.say("the host mints the login token:");
    let mut req = MintRequest::new(Subject::User {
        id: 123,
        name: "alice".into(),
        admin: false,
        sms_from: Some("ACME".into()),
        user_group_id: Some(7),
    });
    req.now = Some(now);
    let minted = d.ok("mint a dynamic user token", issuer.mint(&req))?;
    d.say(format_args!("claims: {}", minted.claims.to_json()));
    d.check(
        "exp = iat + 86400",
        minted.expires_at() == Some(now + 86_400),
        format_args!("exp is {:?}", minted.expires_at()),
    );
    let claims = d.ok(
        "verify one minute later",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now + 60)),
    )?;
    d.check(
        "the verified claims are the minted ones",
        claims == minted.claims,
        "claims differ",
    );
    d.ok(
        "still valid one second before expiry",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now + 86_399)),
    );
    d.rejects(
        "verify 24 hours later",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now + 86_400)),
        ErrorCode::TokenExpired,
    );
    Some(minted.token)
}

fn reseller_allowed_ips(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section("reseller token restricted to allowed_ips");
    d.say("reseller 1's settings.allowedIPs are copied into its token's allowed_ips:");
    let mut req = MintRequest::new(Subject::reseller(1, "reseller_name"));
    req.now = Some(now);
    let rules = ["192.168.2.0/24", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"];
    if d.ok(
        &format!("set allowed_ips {rules:?}"),
        req.set_allowed_ips(&rules),
    )
    .is_none()
    {
        return;
    }
    let Some(minted) = d.ok("mint the reseller token", issuer.mint(&req)) else {
        return;
    };
    d.say(format_args!("claims: {}", minted.claims.to_json()));
    let from = |ip: &str| -> Result<Claims> {
        let addr = parse_client_ip(ip)?;
        verifier.verify_with(&minted.token, &VerifyRequest::at(now).client_ip(addr))
    };
    d.ok(
        "verify from 192.168.2.2 (inside 192.168.2.0/24)",
        from("192.168.2.2"),
    );
    d.ok(
        "verify from ::ffff:192.168.2.77 (IPv4-mapped: the IPv4 address)",
        from("::ffff:192.168.2.77"),
    );
    d.ok(
        "verify from the listed IPv6 address",
        from("2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"),
    );
    d.rejects(
        "verify from 10.0.0.1",
        from("10.0.0.1"),
        ErrorCode::IpNotAllowed,
    );
    d.rejects(
        "verify without a client address",
        verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
        ErrorCode::IpNotAllowed,
    );
    d.rejects(
        "a client address with a leading zero (010.0.0.1)",
        from("010.0.0.1"),
        ErrorCode::InvalidIpAddress,
    );
    d.rejects(
        "minting with the rule 192.168.2.5/24 (host bits set)",
        req.set_allowed_ips(&["192.168.2.5/24"]),
        ErrorCode::InvalidIpRule,
    );
}

fn static_and_ttl(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section("static token (admin UI, never expires)");
    let mut req = MintRequest::new(Subject::reseller(1, "reseller_name"));
    req.lifetime = Lifetime::Static;
    req.token_name = Some("CRM integration".into());
    req.now = Some(now);
    if let Some(minted) = d.ok("mint a static reseller token", issuer.mint(&req)) {
        d.check(
            "it has no exp claim",
            minted.claims.is_static() && !minted.claims.to_json().contains("\"exp\""),
            minted.claims.to_json(),
        );
        d.ok(
            "it verifies ten years later",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 315_360_000)),
        );
    }

    d.section("token with an explicit TTL");
    let mut req = MintRequest::new(Subject::user(42, "bob", true));
    req.now = Some(now);
    if let Some(lifetime) = d.ok(
        "read the TTL text \"3600\"",
        Lifetime::from_seconds_text("3600"),
    ) {
        req.lifetime = lifetime;
    }
    if let Some(minted) = d.ok("mint a one-hour token", issuer.mint(&req)) {
        d.ok(
            "valid at iat + 3599",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 3599)),
        );
        d.rejects(
            "an explicit now at iat + 3600",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 3600)),
            ErrorCode::TokenExpired,
        );
        let lenient = Verifier::with_options(
            verifier.keys().clone(),
            VerifyOptions {
                leeway: 30,
                ..VerifyOptions::default()
            },
        );
        d.ok(
            "with 30 s of leeway it is still accepted at iat + 3610",
            lenient.verify_with(&minted.token, &VerifyRequest::at(now + 3610)),
        );
    }
    for bad in ["0", "-5", "1.5", "abc"] {
        d.rejects(
            &format!("TTL text {bad:?}"),
            Lifetime::from_seconds_text(bad).and_then(|l| issuer.policy().expiry(l, now)),
            ErrorCode::InvalidTtl,
        );
    }
    d.rejects(
        "a TTL over the 10-year maximum",
        issuer
            .policy()
            .expiry(Lifetime::Ttl(10 * 366 * 86_400), now),
        ErrorCode::InvalidTtl,
    );
}

fn time_claims(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section("nbf and iat checks");
    let mut req = MintRequest::new(Subject::user(5, "carol", false));
    req.now = Some(now);
    req.not_before = Some(now + 300);
    if let Some(minted) = d.ok("mint a token not valid before now + 300", issuer.mint(&req)) {
        d.rejects(
            "verify it now",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
            ErrorCode::TokenNotYetValid,
        );
        d.ok(
            "verify it at now + 300",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now + 300)),
        );
    }
    let mut req = MintRequest::new(Subject::user(5, "carol", false));
    req.now = Some(now + 3600);
    if let Some(minted) = d.ok("mint a token whose iat is an hour ahead", issuer.mint(&req)) {
        d.rejects(
            "verify it now (clock skew allowance 60 s)",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
            ErrorCode::IssuedInFuture,
        );
    }
    req.now = Some(now + 30);
    if let Some(minted) = d.ok("mint a token whose iat is 30 s ahead", issuer.mint(&req)) {
        d.ok(
            "it is within the allowed clock skew",
            verifier.verify_with(&minted.token, &VerifyRequest::at(now)),
        );
    }
}

fn hostile_tokens(d: &mut Demo, verifier: &Verifier, token: &str, now: u64) {
    d.section("tampered, unsigned and oversized tokens");
    let at = VerifyRequest::at(now);
    let Some((header, payload, signature)) = segments(token) else {
        d.surprise("splitting alice's token", "not three segments");
        return;
    };
    let claims = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let forged = claims.replace("\"admin\":false", "\"admin\":true");
    d.check(
        "alice's claims edited to make her an admin",
        forged != claims,
        "no admin claim found",
    );
    let tampered = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(forged.as_bytes())
    );
    d.rejects(
        "the tampered token",
        verifier.verify_with(&tampered, &at),
        ErrorCode::BadSignature,
    );
    let kid = header_kid(token).unwrap_or_default();
    let none_header = serde_json::json!({ "alg": "none", "typ": "JWT", "kid": kid }).to_string();
    let unsigned = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(none_header));
    d.rejects(
        "the same claims with alg none and no signature",
        verifier.verify_with(&unsigned, &at),
        ErrorCode::AlgorithmNotAllowed,
    );
    let hs512 = serde_json::json!({ "alg": "HS512", "typ": "JWT", "kid": kid }).to_string();
    let switched = format!("{}.{payload}.{signature}", URL_SAFE_NO_PAD.encode(hs512));
    d.rejects(
        "a header claiming HS512 for the HS256 key",
        verifier.verify_with(&switched, &at),
        ErrorCode::AlgorithmNotAllowed,
    );
    let crit = serde_json::json!({ "alg": "HS256", "kid": kid, "crit": ["exp"] }).to_string();
    let critical = format!("{}.{payload}.{signature}", URL_SAFE_NO_PAD.encode(crit));
    d.rejects(
        "a header with `crit`",
        verifier.verify_with(&critical, &at),
        ErrorCode::UnsupportedHeader,
    );
    let huge = format!("{header}.{}.{signature}", "A".repeat(9000));
    d.rejects(
        "a 9 KiB token (limit 8 KiB, checked before decoding)",
        verifier.verify_with(&huge, &at),
        ErrorCode::TokenTooLarge,
    );
    d.rejects(
        "a token that is not three segments",
        verifier.verify_with("not-a-token", &at),
        ErrorCode::MalformedToken,
    );
}

fn ip_lists_and_regex(d: &mut Demo) {
    d.section("CIDR allow-lists and regex rules");
    let rules = ["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"];
    if let Some(list) = d.ok(
        &format!("parse the allow-list {rules:?}"),
        IpAllowList::parse(rules),
    ) {
        for (addr, expect) in [
            ("10.200.0.1", true),
            ("192.168.1.7", true),
            ("192.168.1.8", false),
            ("2001:db8::42", true),
            ("2001:db9::1", false),
        ] {
            match parse_client_ip(addr) {
                Ok(ip) => {
                    let got = list.contains(ip);
                    d.check(
                        &format!("{addr} -> {}", if expect { "allow" } else { "deny" }),
                        got == expect,
                        format_args!("got {}", if got { "allow" } else { "deny" }),
                    );
                }
                Err(e) => d.surprise(&format!("parsing {addr}"), e),
            }
        }
    }
    for bad in ["192.168.2.5/24", "010.1.1.1", "10.0.0.0/33", "10.0.0.1:80"] {
        d.rejects(
            &format!("the rule {bad:?}"),
            IpAllowList::parse([bad]),
            ErrorCode::InvalidIpRule,
        );
    }
    let big: Vec<String> = (0..100_000u32)
        .map(|i| format!("10.{}.{}.0/24", i >> 8 & 0xff, i & 0xff))
        .chain(std::iter::once("172.16.0.0/12".to_string()))
        .collect();
    if let Some(list) = d.ok("build a 100,001-rule allow-list", IpAllowList::parse(&big)) {
        let inside = parse_client_ip("172.20.1.1").map(|ip| list.contains(ip));
        let outside = parse_client_ip("11.0.0.1").map(|ip| list.contains(ip));
        d.check(
            "it allows 172.20.1.1 and denies 11.0.0.1",
            inside == Ok(true) && outside == Ok(false),
            format_args!("got {inside:?} and {outside:?}"),
        );
    }

    let pattern = r"192\.168\.1\.1";
    d.say(format_args!("a user group's allowed_regex: {pattern}"));
    if let Some(full) = d.ok(
        "compile it (full match, the default)",
        IpRegex::new(pattern, RegexMode::FullMatch),
    ) {
        d.check(
            "192.168.1.1 matches",
            full.is_match_str("192.168.1.1") == Ok(true),
            "no match",
        );
        d.check(
            "192.168.1.10 does not (the pattern must match the whole address)",
            full.is_match_str("192.168.1.10") == Ok(false),
            "it matched",
        );
        d.rejects(
            "a malformed address never reaches the regex",
            full.is_match_str("192.168.1.1x"),
            ErrorCode::InvalidIpAddress,
        );
    }
    if let Some(search) = d.ok(
        "compile it in search mode (explicit choice)",
        IpRegex::new(pattern, RegexMode::Search),
    ) {
        d.check(
            "in search mode 192.168.1.10 matches",
            search.is_match_str("192.168.1.10") == Ok(true),
            "no match",
        );
    }
    for bad in ["", "(", "[z-a]"] {
        d.rejects(
            &format!("the pattern {bad:?}"),
            IpRegex::new(bad, RegexMode::FullMatch),
            ErrorCode::InvalidRegex,
        );
    }
}

fn revocation(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section("revocation: logout and revoke-all-before");
    let store = Arc::new(MemoryRevocationStore::new());
    let mut verifier = verifier.clone();
    verifier.set_revocation_store(Some(store.clone()));
    let mint = |id: u64, iat: u64| {
        let mut req = MintRequest::new(Subject::user(id, "dave", false));
        req.now = Some(iat);
        issuer.mint(&req)
    };
    let at = VerifyRequest::at(now + 100);
    let (Some(phone), Some(laptop), Some(other)) = (
        d.ok("dave logs in from his phone", mint(9, now)),
        d.ok("dave logs in from his laptop", mint(9, now + 10)),
        d.ok("erin logs in", mint(10, now)),
    ) else {
        return;
    };
    d.ok(
        "the phone token verifies",
        verifier.verify_with(&phone.token, &at),
    );
    d.ok(
        "logout on the phone (DELETE /session.json): revoke its jti",
        logout(&store, &phone.claims, Some(now + 50)),
    );
    d.rejects(
        "the phone token after logout",
        verifier.verify_with(&phone.token, &at),
        ErrorCode::TokenRevoked,
    );
    d.ok(
        "the laptop token is unaffected",
        verifier.verify_with(&laptop.token, &at),
    );
    d.ok(
        "dave changes his password: revoke every dave token issued before now + 20",
        store.revoke_principal_before(Principal::user(9), now + 20),
    );
    d.rejects(
        "the laptop token (issued at now + 10)",
        verifier.verify_with(&laptop.token, &at),
        ErrorCode::TokenRevoked,
    );
    if let Some(fresh) = d.ok("dave logs in again at now + 30", mint(9, now + 30)) {
        d.ok(
            "the new token verifies",
            verifier.verify_with(&fresh.token, &at),
        );
    }
    d.ok(
        "erin's token is unaffected",
        verifier.verify_with(&other.token, &at),
    );
    d.check(
        "at the phone token's exp its revocation is still kept (an hour of grace covers any leeway)",
        store.purge_expired(Some(now + 86_400)) == 0,
        "it was purged too early",
    );
    d.check(
        "an hour after that it can be forgotten",
        store.purge_expired(Some(
            now + 86_400 + auth_core::revocation::DEFAULT_EXPIRY_GRACE,
        )) == 1,
        "nothing was purged",
    );
}

/// `body` with `token` written as `<jwt>`, as the API documentation shows it.
fn shown(body: &str, token: &str) -> String {
    body.replace(token, "<jwt>")
}

fn login_apis(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section("login APIs: POST /session.json and POST /v1/resellers/login.json");
    d.say("the host checked the password and hands the account to the library:");
    let group_regex = r"192\.168\.1\.\d{1,3}";
    let Some(regex) = d.ok(
        &format!("user group allowed_regex {group_regex}"),
        IpRegex::new(group_regex, RegexMode::FullMatch),
    ) else {
        return;
    };
    let alice = UserAccount {
        id: 123,
        name: "alice".into(),
        admin: false,
        blocked: false,
        sms_from: Some("ACME".into()),
        user_group_id: Some(7),
        allowed_regex: Some(regex),
    };
    let ip = |text: &str| parse_client_ip(text).ok();
    let login = |from: &str| login_user(issuer, &alice, ip(from), Lifetime::Dynamic, Some(now));
    if let Some(ok) = d.ok("alice logs in from 192.168.1.20", login("192.168.1.20")) {
        d.say(format_args!("200 {}", shown(&ok.to_json(), ok.token())));
        d.ok(
            "her token verifies",
            verifier.verify_with(ok.token(), &VerifyRequest::at(now)),
        );
    }
    let denied = login("10.0.0.1");
    if let Err(e) = &denied {
        d.say(format_args!("{} {}", error_status(e), login_error_json(e)));
    }
    d.rejects(
        "alice logs in from 10.0.0.1 (outside her group's regex)",
        denied,
        ErrorCode::LoginIpDenied,
    );

    let allow_list = ["192.168.2.0/24", "2a01:cb1d:2b9:ef02::/64"];
    let Some(list) = d.ok(
        &format!("reseller settings.allowedIPs {allow_list:?}"),
        IpAllowList::parse(allow_list),
    ) else {
        return;
    };
    let reseller = ResellerAccount {
        id: 1,
        name: "reseller_name".into(),
        allowed_ips: Some(list),
        user_groups: Vec::new(),
        user_balance: 1000.0,
        version: "1.0.0".into(),
    };
    let login =
        |from: &str| login_reseller(issuer, &reseller, ip(from), Lifetime::Dynamic, Some(now));
    if let Some(ok) = d.ok(
        "the reseller logs in from 192.168.2.2",
        login("192.168.2.2"),
    ) {
        d.say(format_args!("200 {}", shown(&ok.to_json(), ok.token())));
        let later = |from: &str| {
            verifier.verify_with(
                ok.token(),
                &VerifyRequest::at(now).client_ip(ip(from).unwrap_or(Ipv4Addr::UNSPECIFIED.into())),
            )
        };
        d.ok(
            "a later request from 192.168.2.50 (allowed_ips copied into the token)",
            later("192.168.2.50"),
        );
        d.rejects(
            "a later request from 10.0.0.1",
            later("10.0.0.1"),
            ErrorCode::IpNotAllowed,
        );
    }
    let denied = login("10.0.0.1");
    if let Err(e) = &denied {
        d.say(format_args!("{} {}", error_status(e), login_error_json(e)));
    }
    d.rejects(
        "the reseller logs in from 10.0.0.1",
        denied,
        ErrorCode::ResellerIpDenied,
    );
}

fn token_api(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section("SMS API: POST /token from JSON and XML bodies");
    let mut login = MintRequest::new(Subject::user(500, "sms-customer", false));
    login.now = Some(now);
    let Some(caller) = d.ok(
        "the caller's bearer token verifies",
        issuer
            .mint(&login)
            .and_then(|m| verifier.verify_with(&m.token, &VerifyRequest::at(now))),
    ) else {
        return;
    };
    let json_body = r#"{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}"#;
    let xml_body = "<token><name>Best token ever</name><ttl>2678400</ttl></token>";
    for (content_type, accept, body) in [
        ("application/json", "application/json", json_body),
        ("application/xml", "text/xml", xml_body),
    ] {
        d.say(format_args!(
            "POST /token  Content-Type: {content_type}  Accept: {accept}"
        ));
        d.say(format_args!("{body}"));
        let (Some(input), Some(output)) = (
            Format::from_media_type(content_type),
            Format::from_media_type(accept),
        ) else {
            d.surprise("content negotiation", "a media type was not recognized");
            continue;
        };
        let Some(req) = d.ok(
            "parse the body",
            CreateTokenRequest::parse(body.as_bytes(), input),
        ) else {
            continue;
        };
        let created = create_token(issuer, &caller, &req, TokenTarget::SelfAccount, Some(now));
        let Some(created) = d.ok("create the token", created) else {
            continue;
        };
        let response = created.render(output);
        d.say(format_args!("200 {}", shown(&response, created.token())));
        let prefix = match output {
            Format::Json => r#"{"status": 1, "message": "OK", "token": ""#,
            Format::Xml => "<response><status>1</status><message>OK</message><token>",
        };
        d.check(
            "the response has the documented shape",
            response.starts_with(prefix),
            &response,
        );
        if let Some(claims) = d.ok(
            "the new token verifies from 192.168.2.2",
            verifier.verify_with(
                created.token(),
                &VerifyRequest::at(now).client_ip(Ipv4Addr::new(192, 168, 2, 2).into()),
            ),
        ) {
            if !created.allowed_ips.is_empty() {
                d.rejects(
                    "and not from 10.0.0.1 (outside its allowed_ips)",
                    verifier.verify_with(
                        created.token(),
                        &VerifyRequest::at(now).client_ip(Ipv4Addr::new(10, 0, 0, 1).into()),
                    ),
                    ErrorCode::IpNotAllowed,
                );
            }
            d.check(
                "token_name and a 31-day exp",
                claims.token_name.as_deref() == Some("Best token ever")
                    && claims.exp == Some(now + 2_678_400),
                claims.to_json(),
            );
        }
    }
    let bad = CreateTokenRequest::parse(br#"{"token": {"name": "x", "ttl": 0}}"#, Format::Json)
        .and_then(|req| create_token(issuer, &caller, &req, TokenTarget::SelfAccount, Some(now)));
    if let Err(e) = &bad {
        d.say(format_args!(
            "{} {}",
            error_status(e),
            sms_error_body(e, Format::Json)
        ));
        d.say(format_args!(
            "{} {}",
            error_status(e),
            sms_error_body(e, Format::Xml)
        ));
    }
    d.rejects("a body with ttl 0", bad, ErrorCode::InvalidTtl);
    d.rejects(
        "a body without a name",
        CreateTokenRequest::parse(b"<token><ttl>60</ttl></token>", Format::Xml),
        ErrorCode::InvalidRequest,
    );

    d.section("sub-accounts: POST /token/account/:accountID");
    let mut login = MintRequest::new(Subject::reseller(1, "reseller_name"));
    login.now = Some(now);
    let Some(reseller) = d.ok(
        "the reseller's bearer token verifies",
        issuer
            .mint(&login)
            .and_then(|m| verifier.verify_with(&m.token, &VerifyRequest::at(now))),
    ) else {
        return;
    };
    let Some(req) = d.ok(
        "parse the body",
        CreateTokenRequest::parse(
            br#"{"token": {"name": "customer key", "ttl": 3600}}"#,
            Format::Json,
        ),
    ) else {
        return;
    };
    let own = TokenTarget::SubAccount {
        subject: Subject::user(42, "customer", false),
        owned_by_caller: true,
    };
    if let Some(created) = d.ok(
        "POST /token/account/42 for a sub-account the reseller owns",
        create_token(issuer, &reseller, &req, own, Some(now)),
    ) {
        d.say(format_args!(
            "200 {}",
            shown(&created.to_json(), created.token())
        ));
        if let Some(claims) = d.ok(
            "the sub-account token verifies",
            verifier.verify_with(created.token(), &VerifyRequest::at(now)),
        ) {
            d.check(
                "it speaks for user 42 and names the reseller as parent",
                claims.subject.id() == 42 && claims.parent == Some(Principal::reseller(1)),
                claims.to_json(),
            );
        }
    }
    let foreign = TokenTarget::SubAccount {
        subject: Subject::user(43, "someone-else", false),
        owned_by_caller: false,
    };
    let refused = create_token(issuer, &reseller, &req, foreign, Some(now));
    if let Err(e) = &refused {
        d.say(format_args!("{} {}", error_status(e), sms_error_json(e)));
    }
    d.rejects(
        "POST /token/account/43 for an account it does not own",
        refused,
        ErrorCode::NotPermitted,
    );
}

fn error_table(d: &mut Demo) {
    d.section("error code table (the same codes in Rust, C and Python)");
    d.say(format_args!(
        "{:>3}  {:<30} {:<5} message",
        "#", "code", "HTTP"
    ));
    let mut consistent = true;
    for &code in ErrorCode::ALL {
        let status = code
            .http_status()
            .map_or_else(|| "-".to_string(), |s| s.to_string());
        d.say(format_args!(
            "{:>3}  {:<30} {:<5} {}",
            code.as_u32(),
            code.as_str(),
            status,
            code.default_message()
        ));
        consistent &= ErrorCode::from_name(code.as_str()) == Some(code)
            && ErrorCode::from_u32(code.as_u32()) == Some(code);
    }
    d.check(
        "every code round-trips by name and by number",
        consistent,
        "a code does not round-trip",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(out: &mut Vec<u8>) -> Demo<'_> {
        Demo {
            out,
            io_error: None,
            step: 0,
            checks: 0,
            surprises: Vec::new(),
        }
    }

    #[test]
    fn a_full_run_passes_at_a_fixed_clock() {
        let mut out = Vec::new();
        assert!(transcript(&mut out, Ok(1_700_000_000)).unwrap());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("now = 1700000000"));
        assert!(text.contains("demo complete"));
        assert!(!text.contains("UNEXPECTED"));
    }

    #[test]
    fn every_kind_of_surprise_fails_the_demo() {
        let outcomes: [fn(&mut Demo<'_>); 4] = [
            |d| {
                d.check("a false condition", false, "it was false");
            },
            |d| {
                d.ok::<()>("an error", Err(ErrorCode::BadSignature.into()));
            },
            |d| d.rejects("a success", Ok(()), ErrorCode::TokenExpired),
            |d| {
                d.rejects::<()>(
                    "the wrong code",
                    Err(ErrorCode::BadSignature.into()),
                    ErrorCode::TokenExpired,
                )
            },
        ];
        for outcome in outcomes {
            let mut out = Vec::new();
            let mut d = demo(&mut out);
            d.section("a step");
            outcome(&mut d);
            assert!(!d.finish().unwrap(), "a surprise must fail the demo");
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("UNEXPECTED"), "{text}");
            assert!(text.contains("demo FAILED: 1 of 1 checks"), "{text}");
        }
    }

    #[test]
    fn expected_outcomes_pass() {
        let mut out = Vec::new();
        let mut d = demo(&mut out);
        d.check("a true condition", true, "");
        assert_eq!(d.ok("a success", Ok(5)), Some(5));
        d.rejects::<()>(
            "the right code",
            Err(ErrorCode::TokenExpired.into()),
            ErrorCode::TokenExpired,
        );
        assert!(d.finish().unwrap());
    }

    #[test]
    fn a_clock_failure_fails_the_demo() {
        let mut out = Vec::new();
        assert!(!transcript(&mut out, Err(ErrorCode::InvalidRequest.into())).unwrap());
    }

    #[test]
    fn a_write_error_is_reported() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        assert!(transcript(&mut Broken, Ok(1_700_000_000)).is_err());
    }
}
