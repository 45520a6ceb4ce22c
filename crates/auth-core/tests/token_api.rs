//! Token creation in the token API (docs/apis.md (the token API)): for the caller or a sub-account, the
//! caller-restriction rule, TTL and static-token policy.

mod common;

use auth_core::{
    create_token, create_token_with_policy, Claims, CreateTokenRequest, ErrorCode, Issuer,
    Lifetime, MintRequest, Principal, Subject, TokenCreationPolicy, TokenTarget, TtlPolicy,
};
use common::*;

// --- for the caller ----------------------------------------------------------

#[test]
fn created_token_for_self_carries_name_ttl_and_ips() {
    let req = request(API_DOC_JSON);
    let created = create_token(
        &issuer(),
        &user_caller(),
        &req,
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    let claims = verify_at(created.token(), NOW + 5, Some("192.168.2.77")).unwrap();
    assert_eq!(claims.subject, Subject::user(123, "alice", false));
    assert_eq!(claims.token_name.as_deref(), Some("Best token ever"));
    assert_eq!(claims.iat, NOW);
    assert_eq!(claims.exp, Some(NOW + 2_678_400));
    assert_eq!(claims.allowed_ips, Some(rules(&API_DOC_IPS)));
    assert_eq!(claims.parent, None);
    assert_eq!(claims.jti, created.token_id());
    assert_eq!(created.allowed_ips, API_DOC_IPS.to_vec());
    assert_eq!(
        code(verify_at(created.token(), NOW + 5, Some("192.168.3.1"))),
        ErrorCode::IpNotAllowed
    );
    assert_eq!(
        code(verify_at(
            created.token(),
            NOW + 2_678_400,
            Some("192.168.2.2")
        )),
        ErrorCode::TokenExpired
    );
}

#[test]
fn created_token_without_ttl_is_static_and_unrestricted() {
    let req = request(r#"{"token": {"name": "forever"}}"#);
    let created = create_token(
        &issuer(),
        &user_caller(),
        &req,
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    let claims = verify_at(created.token(), u64::from(u32::MAX), None).unwrap();
    assert!(claims.is_static());
    assert_eq!(claims.allowed_ips, None);
    assert!(created.allowed_ips.is_empty());
}

#[test]
fn created_token_ip_rules_are_written_canonically() {
    let req = request(
        r#"{"token": {"name": "n", "allowed_ips": ["::ffff:10.0.0.0/104", "2001:DB8::1"]}}"#,
    );
    let created = create_token(
        &issuer(),
        &user_caller(),
        &req,
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(created.allowed_ips, vec!["10.0.0.0/8", "2001:db8::1"]);
}

#[test]
fn self_token_keeps_the_callers_parent() {
    let mut m = MintRequest::new(Subject::user(42, "customer", false));
    m.parent = Some(Principal::reseller(1));
    m.now = Some(NOW);
    let caller = verify_at(&issuer().mint(&m).unwrap().token, NOW, None).unwrap();
    let mut policy = TokenCreationPolicy::default();
    policy.allow_delegated_callers = true;
    let created = create_token_with_policy(
        &issuer(),
        &caller,
        &request(r#"{"token": {"name": "n", "ttl": 3600}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
        &policy,
    )
    .unwrap();
    assert_eq!(created.minted.claims.parent, Some(Principal::reseller(1)));
}

// --- for a sub-account -------------------------------------------------------

#[test]
fn sub_account_token_names_the_caller_as_parent() {
    let caller = caller_claims(
        Subject::reseller(1, "reseller_name"),
        Some(&["10.0.0.0/8", "10.1.1.1"]),
    );
    let sub = Subject::User {
        id: 42,
        name: "customer".into(),
        admin: false,
        sms_from: Some("SHOP".into()),
        user_group_id: None,
    };
    let req = request(r#"{"token": {"name": "for the shop", "ttl": 3600}}"#);
    let created = create_token(
        &issuer(),
        &caller,
        &req,
        TokenTarget::SubAccount {
            subject: sub.clone(),
            owned_by_caller: true,
            blocked: false,
        },
        Some(NOW),
    )
    .unwrap();
    // The reseller's own restriction follows to the customer's token (an empty request
    // inherits it): a caller's restriction bounds every token it mints.
    let claims = verify_at(created.token(), NOW, Some("10.1.1.1")).unwrap();
    assert_eq!(claims.subject, sub);
    assert_eq!(claims.parent, Some(Principal::reseller(1)));
    assert_eq!(claims.token_name.as_deref(), Some("for the shop"));
    assert_eq!(claims.exp, Some(NOW + 3600));
    assert_eq!(claims.allowed_ips, Some(rules(&["10.0.0.0/8", "10.1.1.1"])));
    assert_eq!(
        code(verify_at(created.token(), NOW, None)),
        ErrorCode::IpNotAllowed
    );
}

#[test]
fn unknown_blocked_and_foreign_sub_accounts_get_one_answer() {
    let refuse = |target: TokenTarget| {
        create_token(
            &issuer(),
            &user_caller(),
            &request(API_DOC_JSON),
            target,
            Some(NOW),
        )
        .unwrap_err()
    };
    let sub = || Subject::user(999, "someone", false);
    let answers = [
        refuse(TokenTarget::UnknownAccount),
        refuse(TokenTarget::SubAccount {
            subject: sub(),
            owned_by_caller: true,
            blocked: true,
        }),
        refuse(TokenTarget::SubAccount {
            subject: sub(),
            owned_by_caller: false,
            blocked: false,
        }),
        refuse(TokenTarget::SubAccount {
            subject: sub(),
            owned_by_caller: false,
            blocked: true,
        }),
    ];
    for err in &answers {
        assert_eq!(err.code(), ErrorCode::NotPermitted);
        assert_eq!(err.http_status(), Some(403));
        assert_eq!(err.message(), "the caller does not own this account");
    }
    // A blocked account is refused even when it is the caller itself.
    let me = user_caller();
    let err = create_token(
        &issuer(),
        &me,
        &request(API_DOC_JSON),
        TokenTarget::SubAccount {
            subject: me.subject.clone(),
            owned_by_caller: true,
            blocked: true,
        },
        Some(NOW),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
}

#[test]
fn sub_account_not_owned_is_not_permitted() {
    let err = create_token(
        &issuer(),
        &user_caller(),
        &request(API_DOC_JSON),
        TokenTarget::SubAccount {
            subject: Subject::user(999, "someone else", true),
            owned_by_caller: false,
            blocked: false,
        },
        Some(NOW),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
    assert_eq!(err.http_status(), Some(403));
}

// --- the caller-restriction rule ---------------------------------------------

#[test]
fn restricted_caller_cannot_widen_its_own_restriction() {
    let caller = caller_claims(
        Subject::reseller(1, "r"),
        Some(&["10.0.0.0/8", "2001:db8::/32"]),
    );
    let mint = |body: &str| {
        create_token(
            &issuer(),
            &caller,
            &request(body),
            TokenTarget::SelfAccount,
            Some(NOW),
        )
    };
    // No list asked: the caller's list is inherited.
    let inherited = mint(r#"{"token": {"name": "n"}}"#).unwrap();
    assert_eq!(inherited.allowed_ips, vec!["10.0.0.0/8", "2001:db8::/32"]);
    // Narrower rules are fine.
    let narrow = mint(
        r#"{"token": {"name": "n", "allowed_ips": ["10.1.0.0/16", "2001:db8::5", "10.0.0.0/8"]}}"#,
    )
    .unwrap();
    assert_eq!(
        narrow.allowed_ips,
        vec!["10.1.0.0/16", "2001:db8::5", "10.0.0.0/8"]
    );
    // Wider or elsewhere: refused.
    for ips in [
        r#"["0.0.0.0/0"]"#,
        r#"["10.0.0.0/7"]"#,
        r#"["10.0.0.1", "11.0.0.1"]"#,
        r#"["::/0"]"#,
    ] {
        let body = format!(r#"{{"token": {{"name": "n", "allowed_ips": {ips}}}}}"#);
        assert_eq!(code(mint(&body)), ErrorCode::NotPermitted, "{ips}");
    }
}

#[test]
fn caller_whose_token_allows_nothing_cannot_mint_an_unrestricted_self_token() {
    let mut caller = user_caller();
    caller.allowed_ips = Some(vec![]);
    assert_eq!(
        code(create_token(
            &issuer(),
            &caller,
            &request(r#"{"token": {"name": "n"}}"#),
            TokenTarget::SelfAccount,
            Some(NOW)
        )),
        ErrorCode::NotPermitted
    );
}

// --- lifetime and name checks at creation ------------------------------------

#[test]
fn ttl_out_of_range_is_refused_at_creation() {
    for ttl in [
        "0",
        "-1",
        "-9223372036854775808",
        "9223372036854775807",
        "315360001",
    ] {
        let body = format!(r#"{{"token": {{"name": "n", "ttl": {ttl}}}}}"#);
        let err = create_token(
            &issuer(),
            &user_caller(),
            &request(&body),
            TokenTarget::SelfAccount,
            Some(NOW),
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidTtl, "{ttl}");
        assert_eq!(err.http_status(), Some(400));
    }
    // The largest TTL allowed by the default policy works.
    let body = r#"{"token": {"name": "n", "ttl": 315360000}}"#;
    let created = create_token(
        &issuer(),
        &user_caller(),
        &request(body),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(created.minted.expires_at(), Some(NOW + 315_360_000));
}

#[test]
fn static_request_honours_an_issuer_that_forbids_static_tokens() {
    let strict = Issuer::with_policy(ring(), {
        let mut policy = TtlPolicy::default();
        policy.allow_static = false;
        policy
    })
    .unwrap();
    assert_eq!(
        code(create_token(
            &strict,
            &user_caller(),
            &request(r#"{"token": {"name": "n"}}"#),
            TokenTarget::SelfAccount,
            Some(NOW)
        )),
        ErrorCode::StaticNotAllowed
    );
}

#[test]
fn hand_built_request_with_a_bad_name_is_refused_at_creation() {
    let req = CreateTokenRequest {
        name: String::new(),
        lifetime: Lifetime::Ttl(60),
        allowed_ips: vec![],
        scopes: None,
    };
    assert_eq!(
        code(create_token(
            &issuer(),
            &user_caller(),
            &req,
            TokenTarget::SelfAccount,
            Some(NOW)
        )),
        ErrorCode::InvalidRequest
    );
}

// --- delegation hardening ----------------------------------------------------

fn one_hour_caller(subject: Subject, allowed: Option<&[&str]>, name: Option<&str>) -> Claims {
    let mut m = MintRequest::new(subject);
    m.now = Some(NOW);
    m.lifetime = Lifetime::Ttl(3600);
    m.token_name = name.map(str::to_owned);
    if let Some(a) = allowed {
        m.set_allowed_ips(a).unwrap();
    }
    verify_at(&issuer().mint(&m).unwrap().token, NOW, Some("10.1.1.1")).unwrap()
}

fn delegated_caller() -> Claims {
    let mut m = MintRequest::new(Subject::user(42, "customer", false));
    m.parent = Some(Principal::reseller(1));
    m.now = Some(NOW);
    m.lifetime = Lifetime::Ttl(3600);
    verify_at(&issuer().mint(&m).unwrap().token, NOW, None).unwrap()
}

fn sub(subject: Subject) -> TokenTarget {
    TokenTarget::SubAccount {
        subject,
        owned_by_caller: true,
        blocked: false,
    }
}

/// `POST /token/account/<own id>` on a host whose ownership check is "the account or one of
/// its children": the caller's restriction still applies.
#[test]
fn sub_account_target_that_is_the_caller_keeps_its_ip_restriction() {
    let me = Subject::reseller(1, "reseller_name");
    let caller = one_hour_caller(me.clone(), Some(&["10.1.0.0/16"]), None);
    let created = create_token(
        &issuer(),
        &caller,
        &request(r#"{"token": {"name": "escape"}}"#),
        sub(me.clone()),
        Some(NOW),
    )
    .unwrap();
    let claims = verify_at(created.token(), NOW, Some("10.1.2.3")).unwrap();
    assert_eq!(claims.allowed_ips, Some(rules(&["10.1.0.0/16"])));
    assert_eq!(created.allowed_ips, vec!["10.1.0.0/16".to_string()]);
    // The caller is not its own delegator.
    assert_eq!(claims.parent, None);
    let wide = request(r#"{"token": {"name": "escape", "allowed_ips": ["0.0.0.0/0"]}}"#);
    assert_eq!(
        code(create_token(&issuer(), &caller, &wide, sub(me), Some(NOW))),
        ErrorCode::NotPermitted
    );
}

#[test]
fn restricted_reseller_cannot_mint_wider_tokens_for_sub_accounts() {
    let caller = one_hour_caller(
        Subject::reseller(1, "reseller_name"),
        Some(&["10.1.0.0/16"]),
        None,
    );
    let wide = request(r#"{"token": {"name": "x", "allowed_ips": ["10.0.0.0/8"]}}"#);
    let err = create_token(
        &issuer(),
        &caller,
        &wide,
        sub(Subject::user(55, "sub", false)),
        Some(NOW),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
    assert_eq!(err.http_status(), Some(403));
    let narrow = request(r#"{"token": {"name": "x", "allowed_ips": ["10.1.2.0/24"]}}"#);
    let created = create_token(
        &issuer(),
        &caller,
        &narrow,
        sub(Subject::user(55, "sub", false)),
        Some(NOW),
    )
    .unwrap();
    assert_eq!(
        created.minted.claims.allowed_ips,
        Some(rules(&["10.1.2.0/24"]))
    );
}

#[test]
fn named_token_cannot_create_tokens_by_default() {
    let caller = one_hour_caller(Subject::user(123, "alice", false), None, Some("api"));
    let err = create_token(
        &issuer(),
        &caller,
        &request(r#"{"token": {"name": "forever"}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
    assert!(err.message().contains("named"), "{}", err.message());
}

#[test]
fn delegated_token_cannot_create_tokens_by_default() {
    let err = create_token(
        &issuer(),
        &delegated_caller(),
        &request(r#"{"token": {"name": "n", "ttl": 60}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
    assert!(err.message().contains("delegated"), "{}", err.message());
}

#[test]
fn named_caller_allowed_by_policy_cannot_outlive_itself() {
    let caller = one_hour_caller(Subject::user(123, "alice", false), None, Some("api"));
    let mut policy = TokenCreationPolicy::default();
    policy.allow_named_callers = true;
    let make = |body: &str| {
        create_token_with_policy(
            &issuer(),
            &caller,
            &request(body),
            TokenTarget::SelfAccount,
            Some(NOW),
            &policy,
        )
    };
    assert_eq!(
        code(make(r#"{"token": {"name": "n"}}"#)),
        ErrorCode::NotPermitted
    );
    assert_eq!(
        code(make(r#"{"token": {"name": "n", "ttl": 3601}}"#)),
        ErrorCode::NotPermitted
    );
    let ok = make(r#"{"token": {"name": "n", "ttl": 3600}}"#).unwrap();
    assert_eq!(ok.minted.claims.exp, Some(NOW + 3600));
}

#[test]
fn delegated_caller_allowed_by_policy_keeps_the_original_delegator() {
    let mut policy = TokenCreationPolicy::default();
    policy.allow_delegated_callers = true;
    let created = create_token_with_policy(
        &issuer(),
        &delegated_caller(),
        &request(r#"{"token": {"name": "n", "ttl": 60}}"#),
        sub(Subject::user(77, "grandchild", false)),
        Some(NOW),
        &policy,
    )
    .unwrap();
    assert_eq!(created.minted.claims.parent, Some(Principal::reseller(1)));
    let static_child = create_token_with_policy(
        &issuer(),
        &delegated_caller(),
        &request(r#"{"token": {"name": "n"}}"#),
        TokenTarget::SelfAccount,
        Some(NOW),
        &policy,
    );
    assert_eq!(code(static_child), ErrorCode::NotPermitted);
}

#[test]
fn login_token_may_outlive_itself_unless_the_host_turns_it_off() {
    let caller = one_hour_caller(Subject::user(123, "alice", false), None, None);
    let forever = request(r#"{"token": {"name": "forever"}}"#);
    let created = create_token(
        &issuer(),
        &caller,
        &forever,
        TokenTarget::SelfAccount,
        Some(NOW),
    )
    .unwrap();
    assert_eq!(created.minted.claims.exp, None);

    let mut policy = TokenCreationPolicy::default();
    policy.login_children_may_outlive = false;
    let make = |req: &CreateTokenRequest| {
        create_token_with_policy(
            &issuer(),
            &caller,
            req,
            TokenTarget::SelfAccount,
            Some(NOW),
            &policy,
        )
    };
    assert_eq!(code(make(&forever)), ErrorCode::NotPermitted);
    assert_eq!(
        code(make(&request(r#"{"token": {"name": "n", "ttl": 7200}}"#))),
        ErrorCode::NotPermitted
    );
    assert!(make(&request(r#"{"token": {"name": "n", "ttl": 3600}}"#)).is_ok());
}

#[test]
fn default_policy_is_login_tokens_only_children_may_outlive() {
    let policy = TokenCreationPolicy::default();
    assert!(!policy.allow_named_callers);
    assert!(!policy.allow_delegated_callers);
    assert!(policy.login_children_may_outlive);
    assert_eq!(TokenCreationPolicy::new(), policy);
}

#[test]
fn user_cannot_mint_a_reseller_token() {
    let err = create_token(
        &issuer(),
        &user_caller(),
        &request(r#"{"token": {"name": "n", "ttl": 60}}"#),
        sub(Subject::reseller(9, "shop")),
        Some(NOW),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotPermitted);
    assert!(err.message().contains("reseller"), "{}", err.message());
}
