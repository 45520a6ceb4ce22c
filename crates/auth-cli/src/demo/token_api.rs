//! The SMS token API: `POST /token` from JSON and XML bodies, and `POST /token/account/:accountID`.

use std::net::Ipv4Addr;

use auth_core::{
    create_token, sms_error_body, CreateTokenRequest, ErrorCode, Format, Issuer, MintRequest,
    Principal, Subject, TokenTarget, Verifier, VerifyRequest,
};
use auth_core::{error_status, sms_error_json};

use super::{Demo, Via};

pub(super) fn token_api(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section(
        "SMS API: POST /token from JSON and XML bodies",
        Via::TokenApi,
        "CreateTokenRequest::parse, create_token, CreatedToken::render",
    );
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
        d.say(format_args!("200 {response}"));
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

    d.section(
        "sub-accounts: POST /token/account/:accountID",
        Via::TokenApi,
        "create_token with TokenTarget::SubAccount",
    );
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
        blocked: false,
    };
    if let Some(created) = d.ok(
        "POST /token/account/42 for a sub-account the reseller owns",
        create_token(issuer, &reseller, &req, own, Some(now)),
    ) {
        d.say(format_args!("200 {}", created.to_json()));
        d.token("the sub-account's token", created.token(), "");
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
        blocked: false,
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
