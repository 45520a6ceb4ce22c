//! `authctl demo`: a narrated, self-checking walk through every feature of auth-core
//! with fresh random keys. Each step states what should happen and checks that it
//! did; any surprise is printed as `UNEXPECTED` and makes the demo exit 1.

mod error_table;
mod hostile_tokens;
mod ip_rules;
mod keys_and_rotation;
mod lifetimes;
mod login_apis;
mod login_tokens;
mod revocation;
mod token_api;

use std::fmt::Display;
use std::io::{self, Write};

use auth_core::DEFAULT_MAX_TOKEN_SIZE;
use auth_core::{inspect_unverified, system_now, ErrorCode, Result};

use auth_core::{Algorithm, Key};
use zeroize::Zeroizing;

use crate::{secret, Failure};

/// The kid of the key that mints every token after the rotation step.
const PASTE_KID: &str = "2024-07";

/// Which API a section goes through.
#[derive(Clone, Copy)]
enum Via {
    /// The Rust library's own calls (`Issuer`, `Verifier`, `KeyRing`, ...).
    Library,
    /// The dialer platform's login API shapes (`POST /session.json`, reseller login).
    LoginApi,
    /// The SMS platform's token API shapes (`POST /token`).
    TokenApi,
}

impl Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Via::Library => "the library",
            Via::LoginApi => "the login API (dialer platform)",
            Via::TokenApi => "the token API (SMS platform)",
        })
    }
}

/// The transcript and the tally of surprises.
struct Demo<'w> {
    out: &'w mut dyn Write,
    io_error: Option<io::Error>,
    /// The secret from `AUTHCTL_SECRET`, used for the key `2024-07`, so that the tokens
    /// the demo prints verify with `authctl verify --kid 2024-07`.
    own_secret: Option<Zeroizing<Vec<u8>>>,
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

    /// A numbered section, and one line naming the API it goes through.
    fn section(&mut self, title: &str, via: Via, calls: &str) {
        self.step += 1;
        let n = self.step;
        self.line(format_args!("\n== {n}. {title}"));
        self.line(format_args!("   via: {via} — {calls}"));
    }

    /// Prints a real token, and with the caller's own key, the `authctl verify` command
    /// that accepts it (`extra`: options such as `--ip ADDR`).
    fn token(&mut self, label: &str, token: &str, extra: &str) {
        self.say(format_args!("{label}: {token}"));
        if self.own_secret.is_some() {
            self.say(format_args!(
                "try: authctl verify --kid {PASTE_KID}{extra} {token}"
            ));
        }
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

/// Runs the demo on stdout: `Ok(true)` when every step behaved as expected. A secret in
/// `AUTHCTL_SECRET` becomes the demo's second key, so that its tokens can be pasted into
/// `authctl verify`; a weak one is a configuration error (exit 2) before anything runs.
pub(crate) fn run() -> std::result::Result<bool, Failure> {
    let own_secret = secret::optional_env_secret()?;
    if let Some(s) = &own_secret {
        Key::new(PASTE_KID, Algorithm::HS256, s).map_err(Failure::Usage)?;
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    transcript(&mut out, system_now(), own_secret).map_err(|e| {
        Failure::usage(
            ErrorCode::InvalidRequest,
            format!("cannot write to standard output: {e}"),
        )
    })
}

/// Writes the whole narrated demo to `out`, at the clock `now`, and says whether
/// every check behaved as expected.
fn transcript(
    out: &mut dyn Write,
    now: Result<u64>,
    own_secret: Option<Zeroizing<Vec<u8>>>,
) -> io::Result<bool> {
    let mut d = Demo {
        out,
        io_error: None,
        own_secret,
        step: 0,
        checks: 0,
        surprises: Vec::new(),
    };
    d.line("authctl demo: every feature of auth-core, with fresh random keys.");
    d.line(
        "Each `ok` line is a checked outcome; any surprise is reported and makes the demo exit 1.",
    );
    if d.own_secret.is_some() {
        d.line(format_args!(
            "The key `{PASTE_KID}` is AUTHCTL_SECRET: paste any `try:` line below into a shell with it set."
        ));
    } else {
        d.line(format_args!(
            "Tokens are printed in full; to verify them yourself, give the demo your key: \
             export AUTHCTL_SECRET=\"$(authctl keygen)\"; authctl demo"
        ));
    }
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
    let Some((issuer, verifier)) = keys_and_rotation::keys_and_rotation(d, now) else {
        d.surprise("key set-up", "cannot continue without keys");
        return;
    };
    let alice = login_tokens::user_login(d, &issuer, &verifier, now);
    login_tokens::reseller_allowed_ips(d, &issuer, &verifier, now);
    lifetimes::static_and_ttl(d, &issuer, &verifier, now);
    lifetimes::time_claims(d, &issuer, &verifier, now);
    if let Some(alice) = alice {
        hostile_tokens::hostile_tokens(d, &verifier, &alice, now);
    }
    ip_rules::ip_lists_and_regex(d);
    revocation::revocation(d, &issuer, &verifier, now);
    login_apis::login_apis(d, &issuer, &verifier, now);
    token_api::token_api(d, &issuer, &verifier, now);
    error_table::error_table(d);
}

/// The `kid` in a token's (unverified) header.
fn header_kid(token: &str) -> Option<String> {
    let u = inspect_unverified(token.as_bytes(), DEFAULT_MAX_TOKEN_SIZE).ok()?;
    u.header.get("kid")?.as_str().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(out: &mut Vec<u8>) -> Demo<'_> {
        Demo {
            out,
            io_error: None,
            own_secret: None,
            step: 0,
            checks: 0,
            surprises: Vec::new(),
        }
    }

    #[test]
    fn a_full_run_passes_at_a_fixed_clock() {
        let mut out = Vec::new();
        assert!(transcript(&mut out, Ok(1_700_000_000), None).unwrap());
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
            d.section("a step", Via::Library, "nothing");
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
        assert!(!transcript(&mut out, Err(ErrorCode::InvalidRequest.into()), None).unwrap());
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
        assert!(transcript(&mut Broken, Ok(1_700_000_000), None).is_err());
    }
}
