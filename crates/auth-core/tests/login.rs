//! The login API's decisions (docs/apis.md (the login API), §5): which accounts get a token, what it carries,
//! every refusal, and logout.

mod common;

use auth_core::{
    create_token, login_reseller, login_user, logout, ErrorCode, IpRegex, Issuer, Lifetime,
    MemoryRevocationStore, RegexMode, ResellerAccount, Subject, TokenTarget, TtlPolicy,
    UserAccount, Verifier, VerifyRequest, DEFAULT_RESELLER_VERSION,
};
use common::*;

// --- user login --------------------------------------------------------------

fn with_regex(pattern: &str) -> UserAccount {
    let mut account = alice();
    account.allowed_regex = Some(IpRegex::new(pattern, RegexMode::FullMatch).unwrap());
    account
}

#[test]
fn user_login_token_carries_the_user_claims_and_lives_24_hours() {
    let login = login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let claims = verify_at(login.token(), NOW + 10, None).unwrap();
    assert_eq!(
        claims.subject,
        Subject::User {
            id: 123,
            name: "alice".into(),
            admin: true,
            sms_from: Some("ACME".into()),
            user_group_id: Some(7),
        }
    );
    assert_eq!(claims.iat, NOW);
    assert_eq!(claims.exp, Some(NOW + 86_400));
    assert_eq!(claims.allowed_ips, None);
    assert_eq!(claims.parent, None);
    assert_eq!(
        code(verify_at(login.token(), NOW + 86_400, None)),
        ErrorCode::TokenExpired
    );
    let wire = claims.to_json_value();
    assert_eq!(wire["type"], "user");
    assert_eq!(wire["sms_from"], "ACME");
    assert_eq!(wire["user_group_id"], 7);
}

#[test]
fn user_login_static_lifetime_has_no_exp() {
    let login = login_user(&issuer(), &alice(), None, Lifetime::Static, Some(NOW)).unwrap();
    let claims = verify_at(login.token(), NOW + 100 * 365 * 86_400, None).unwrap();
    assert!(claims.is_static());
}

#[test]
fn user_login_regex_admits_matching_ip_including_mapped_ipv6() {
    let acct = with_regex(r"192\.168\.1\.\d{1,3}");
    for client in ["192.168.1.20", "::ffff:192.168.1.20"] {
        let login = login_user(&issuer(), &acct, ip(client), Lifetime::Dynamic, Some(NOW));
        assert!(login.is_ok(), "{client}");
    }
}

#[test]
fn user_login_regex_denies_other_ips_with_406() {
    let acct = with_regex(r"192\.168\.1\.1");
    for client in ["192.168.1.10", "10.0.0.1", "::1"] {
        let err =
            login_user(&issuer(), &acct, ip(client), Lifetime::Dynamic, Some(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::LoginIpDenied, "{client}");
        assert_eq!(err.http_status(), Some(406));
        assert_eq!(err.message(), "Login denied due to IP restriction");
    }
}

#[test]
fn user_login_regex_without_client_ip_is_denied() {
    let acct = with_regex(r".*");
    assert_eq!(
        code(login_user(
            &issuer(),
            &acct,
            None,
            Lifetime::Dynamic,
            Some(NOW)
        )),
        ErrorCode::LoginIpDenied
    );
}

#[test]
fn user_login_without_regex_needs_no_client_ip() {
    assert!(login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).is_ok());
}

#[test]
fn blocked_user_gets_no_token_even_from_an_allowed_ip() {
    let acct = {
        let mut account = with_regex(r"10\.0\.0\.1");
        account.blocked = true;
        account
    };
    for client in [ip("10.0.0.1"), ip("10.0.0.2"), None] {
        let err = login_user(&issuer(), &acct, client, Lifetime::Dynamic, Some(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidCredentials);
        assert_eq!(err.http_status(), Some(401));
    }
}

#[test]
fn user_login_passes_minting_errors_on() {
    let strict = Issuer::with_policy(ring(), {
        let mut policy = TtlPolicy::default();
        policy.allow_static = false;
        policy
    })
    .unwrap();
    assert_eq!(
        code(login_user(
            &strict,
            &alice(),
            None,
            Lifetime::Static,
            Some(NOW)
        )),
        ErrorCode::StaticNotAllowed
    );
    assert_eq!(
        code(login_user(
            &issuer(),
            &alice(),
            None,
            Lifetime::Ttl(0),
            Some(NOW)
        )),
        ErrorCode::InvalidTtl
    );
}

// --- reseller login ----------------------------------------------------------

#[test]
fn reseller_login_refuses_non_finite_balance_before_minting() {
    for balance in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let acct = {
            let mut account = reseller(None);
            account.user_balance = balance;
            account
        };
        assert_eq!(
            code(login_reseller(
                &issuer(),
                &acct,
                None,
                Lifetime::Dynamic,
                Some(NOW)
            )),
            ErrorCode::InvalidRequest
        );
    }
}

#[test]
fn blocked_reseller_is_refused_like_a_wrong_password_even_from_an_allowed_ip() {
    let acct = {
        let mut account = reseller(Some(&["10.0.0.0/8"]));
        account.blocked = true;
        account
    };
    for client in [ip("10.0.0.1"), ip("11.0.0.1"), None] {
        let err =
            login_reseller(&issuer(), &acct, client, Lifetime::Dynamic, Some(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ResellerInvalidCredentials);
        assert_eq!(err.http_status(), Some(401));
        assert_eq!(
            err.message(),
            auth_core::Error::new(ErrorCode::ResellerInvalidCredentials).message()
        );
    }
    // Blocked wins over data that could not become a response, too.
    let mut broken = acct.clone();
    broken.user_balance = f64::NAN;
    assert_eq!(
        code(login_reseller(
            &issuer(),
            &broken,
            None,
            Lifetime::Dynamic,
            Some(NOW)
        )),
        ErrorCode::ResellerInvalidCredentials
    );
    // A new account is not blocked.
    assert!(!ResellerAccount::new(1, "r").blocked);
}

#[test]
fn reseller_version_defaults_to_the_one_core_constant() {
    let fresh = ResellerAccount::new(1, "r");
    assert_eq!(fresh.version, DEFAULT_RESELLER_VERSION);
    assert_eq!(DEFAULT_RESELLER_VERSION, "1.0.0");
    let login = login_reseller(&issuer(), &fresh, None, Lifetime::Dynamic, Some(NOW)).unwrap();
    assert_eq!(login.version(), DEFAULT_RESELLER_VERSION);
    let mut account = ResellerAccount::new(1, "r");
    account.set_version(Some("2.0"));
    assert_eq!(account.version, "2.0");
    for missing in [None, Some("")] {
        account.set_version(missing);
        assert_eq!(account.version, DEFAULT_RESELLER_VERSION, "{missing:?}");
    }
}

#[test]
fn reseller_login_copies_allow_list_into_the_token() {
    let acct = reseller(Some(&["10.0.0.0/8", "2001:db8::/32", "192.168.1.7"]));
    let login = login_reseller(
        &issuer(),
        &acct,
        ip("10.1.2.3"),
        Lifetime::Dynamic,
        Some(NOW),
    )
    .unwrap();
    let claims = verify_at(login.token(), NOW, Some("10.9.9.9")).unwrap();
    assert_eq!(claims.subject, Subject::reseller(1, "reseller_name"));
    assert_eq!(
        claims.allowed_ips,
        Some(rules(&["10.0.0.0/8", "2001:db8::/32", "192.168.1.7"]))
    );
    assert_eq!(claims.exp, Some(NOW + 86_400));
    // Later requests are checked from the token alone.
    assert_eq!(
        code(verify_at(login.token(), NOW, Some("11.0.0.1"))),
        ErrorCode::IpNotAllowed
    );
    assert_eq!(
        code(verify_at(login.token(), NOW, None)),
        ErrorCode::IpNotAllowed
    );
    assert!(verify_at(login.token(), NOW, Some("2001:db8::5")).is_ok());
}

#[test]
fn reseller_without_allow_list_gets_an_unrestricted_token() {
    let login = login_reseller(
        &issuer(),
        &reseller(None),
        None,
        Lifetime::Dynamic,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(
        verify_at(login.token(), NOW, None).unwrap().allowed_ips,
        None
    );
}

#[test]
fn reseller_outside_allow_list_or_without_ip_is_denied_with_401() {
    let acct = reseller(Some(&["10.0.0.0/8"]));
    for client in [ip("11.0.0.1"), ip("::1"), None] {
        let err =
            login_reseller(&issuer(), &acct, client, Lifetime::Dynamic, Some(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ResellerIpDenied);
        assert_eq!(err.http_status(), Some(401));
        assert_eq!(err.message(), "Your IP is not allowed");
    }
    // An empty allow-list allows nothing.
    let empty = reseller(Some(&[]));
    assert_eq!(
        code(login_reseller(
            &issuer(),
            &empty,
            ip("10.0.0.1"),
            Lifetime::Dynamic,
            Some(NOW)
        )),
        ErrorCode::ResellerIpDenied
    );
}

// --- logout ------------------------------------------------------------------

#[test]
fn logout_revokes_the_token() {
    let store = MemoryRevocationStore::new();
    let login = login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let other = login_user(&issuer(), &alice(), None, Lifetime::Dynamic, Some(NOW)).unwrap();
    let claims = verify_at(login.token(), NOW, None).unwrap();
    logout(&store, &claims, Some(NOW + 1)).unwrap();

    let verifier = Verifier::new(ring());
    let req = VerifyRequest::at(NOW + 2).revocation(&store);
    assert_eq!(
        code(verifier.verify_with(login.token(), &req)),
        ErrorCode::TokenRevoked
    );
    assert!(verifier.verify_with(other.token(), &req).is_ok());
}

#[test]
fn logout_of_a_static_token_is_kept() {
    let store = MemoryRevocationStore::new();
    let created = create_token(
        &issuer(),
        &user_caller(),
        &request(r#"{"token": {"name": "n"}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    logout(&store, &created.minted.claims, Some(NOW)).unwrap();
    let far = NOW + 50 * 365 * 86_400;
    assert_eq!(store.purge_expired(Some(far)), 0);
    let req = VerifyRequest::at(far).revocation(&store);
    assert_eq!(
        code(Verifier::new(ring()).verify_with(created.token(), &req)),
        ErrorCode::TokenRevoked
    );
}
