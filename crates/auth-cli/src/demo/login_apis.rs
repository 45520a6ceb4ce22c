//! The login APIs: `POST /session.json` and `POST /v1/resellers/login.json`, with their IP denials.

use std::net::Ipv4Addr;

use auth_core::error_status;
use auth_core::{
    login_error_json, login_reseller, login_user, parse_client_ip, ErrorCode, IpAllowList, IpRegex,
    Issuer, Lifetime, RegexMode, ResellerAccount, UserAccount, Verifier, VerifyRequest,
};

use super::{Demo, Via};

pub(super) fn login_apis(d: &mut Demo, issuer: &Issuer, verifier: &Verifier, now: u64) {
    d.section(
        "login APIs: POST /session.json and POST /v1/resellers/login.json",
        Via::LoginApi,
        "login_user, login_reseller, UserLogin::to_json, ResellerLogin::to_json",
    );
    d.say("the host checked the password and hands the account to the library:");
    let group_regex = r"192\.168\.1\.\d{1,3}";
    let Some(regex) = d.ok(
        &format!("user group allowed_regex {group_regex}"),
        IpRegex::new(group_regex, RegexMode::FullMatch),
    ) else {
        return;
    };
    let alice = {
        let mut account = UserAccount::new(123, "alice");
        account.admin = false;
        account.blocked = false;
        account.sms_from = Some("ACME".into());
        account.user_group_id = Some(7);
        account.allowed_regex = Some(regex);
        account
    };
    let ip = |text: &str| parse_client_ip(text).ok();
    let login = |from: &str| login_user(issuer, &alice, ip(from), Lifetime::Dynamic, Some(now));
    if let Some(ok) = d.ok("alice logs in from 192.168.1.20", login("192.168.1.20")) {
        d.say(format_args!("200 {}", ok.to_json()));
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
    let reseller = {
        let mut account = ResellerAccount::new(1, "reseller_name");
        account.allowed_ips = Some(list);
        account.user_groups = Vec::new();
        account.user_balance = 1000.0;
        account.version = "1.0.0".into();
        account
    };
    let login =
        |from: &str| login_reseller(issuer, &reseller, ip(from), Lifetime::Dynamic, Some(now));
    if let Some(ok) = d.ok(
        "the reseller logs in from 192.168.2.2",
        login("192.168.2.2"),
    ) {
        d.say(format_args!("200 {}", ok.to_json()));
        d.token("its token", ok.token(), " --ip 192.168.2.50");
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
