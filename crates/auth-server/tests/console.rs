//! The console's rules over HTTP, without a browser (scripts/test-console.sh drives a real
//! Chromium through the same pages): sign-in, the session cookie, CSRF, other origins,
//! oversized forms, security headers, and cookie sessions and bearer tokens kept apart.

mod common;

use common::*;
use http::StatusCode;

const ORIGIN: &str = "http://console.test";
const HOST: &str = "console.test";

fn cookie_of(a: &common::Answer, name: &str) -> Option<String> {
    a.headers.get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().unwrap();
        v.strip_prefix(&format!("{name}="))
            .map(|rest| rest.split(';').next().unwrap().to_owned())
    })
}

fn field(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .expect("field");
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Signs in as the demo user: (session cookie value, the page's CSRF token).
async fn sign_in(s: &Svc) -> (String, String) {
    let page = s
        .call("GET", "/console/login", "127.0.0.1", &[("host", HOST)], "")
        .await;
    let pre = cookie_of(&page, "auth_console_login").unwrap();
    let csrf = field(&page.body, "csrf");
    let a = s
        .call(
            "POST",
            "/console/login",
            "127.0.0.1",
            &[
                ("host", HOST),
                ("origin", ORIGIN),
                ("cookie", &format!("auth_console_login={pre}")),
            ],
            &format!("csrf={csrf}&kind=user&account=user%40example.com&password=your_password"),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let session = cookie_of(&a, "auth_console").unwrap();
    let home = s
        .call(
            "GET",
            "/console/",
            "127.0.0.1",
            &[
                ("host", HOST),
                ("cookie", &format!("auth_console={session}")),
            ],
            "",
        )
        .await;
    assert_eq!(home.status, StatusCode::OK);
    let csrf = field(&home.body, "csrf");
    (session, csrf)
}

async fn post(
    s: &Svc,
    path: &str,
    session: &str,
    origin: Option<&str>,
    body: &str,
) -> common::Answer {
    let cookie = format!("auth_console={session}");
    let mut headers = vec![("host", HOST), ("cookie", cookie.as_str())];
    if let Some(o) = origin {
        headers.push(("origin", o));
    }
    s.call("POST", path, "127.0.0.1", &headers, body).await
}

async fn token_rows(s: &Svc, session: &str) -> usize {
    let home = s
        .call(
            "GET",
            "/console/",
            "127.0.0.1",
            &[
                ("host", HOST),
                ("cookie", &format!("auth_console={session}")),
            ],
            "",
        )
        .await;
    home.body.matches("<tr id=\"token-").count()
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_no_inline_script() {
    let s = service();
    let page = s
        .call("GET", "/console/login", "127.0.0.1", &[("host", HOST)], "")
        .await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(page.headers["referrer-policy"], "same-origin");
    assert_eq!(page.headers["cache-control"], "no-store");
    assert!(
        !page.body.contains("<script>") && !page.body.contains(" style="),
        "nothing inline"
    );
    let pre = page.headers["set-cookie"].to_str().unwrap();
    assert!(pre.contains("HttpOnly") && pre.contains("SameSite=Strict"));
    // Without a session every page leads to the sign-in form.
    let home = s.call("GET", "/console/", "127.0.0.1", &[], "").await;
    assert_eq!(
        (home.status, home.headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/console/login")
    );
}

#[tokio::test]
async fn state_changes_need_the_session_the_csrf_token_and_the_same_origin() {
    let s = service();
    let (session, csrf) = sign_in(&s).await;
    let before = token_rows(&s, &session).await;
    let create = |csrf: &str| format!("csrf={csrf}&account=&name=CI&ttl=1h&allowed_ips=");
    // Missing or wrong CSRF token, another origin, another site: 403, nothing created.
    for (origin, body) in [
        (Some(ORIGIN), "account=&name=CI".to_owned()),
        (Some(ORIGIN), create("forged")),
        (Some("http://evil.example"), create(&csrf)),
    ] {
        let a = post(&s, "/console/tokens", &session, origin, &body).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{origin:?} {body}");
    }
    let cross_site = s
        .call(
            "POST",
            "/console/tokens",
            "127.0.0.1",
            &[
                ("host", HOST),
                ("cookie", &format!("auth_console={session}")),
                ("sec-fetch-site", "cross-site"),
            ],
            &create(&csrf),
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    // An oversized form: 413, nothing created.
    let big = format!("{}&name={}", create(&csrf), "x".repeat(20_000));
    assert_eq!(
        post(&s, "/console/tokens", &session, Some(ORIGIN), &big)
            .await
            .status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(token_rows(&s, &session).await, before);
    // The right form creates one, shown once.
    let a = post(
        &s,
        "/console/tokens",
        &session,
        Some(ORIGIN),
        &create(&csrf),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains("id=\"new-token\""));
    assert_eq!(token_rows(&s, &session).await, before + 1);
    assert!(
        !s.call(
            "GET",
            "/console/",
            "127.0.0.1",
            &[
                ("host", HOST),
                ("cookie", &format!("auth_console={session}"))
            ],
            ""
        )
        .await
        .body
        .contains("id=\"new-token\""),
        "a token is shown once"
    );
}

#[tokio::test]
async fn the_library_refuses_bad_fields_next_to_them() {
    let s = service();
    let (session, csrf) = sign_in(&s).await;
    let a = post(
        &s,
        "/console/tokens",
        &session,
        Some(ORIGIN),
        &format!("csrf={csrf}&account=&name=&ttl=0&allowed_ips=10.0.0.1%2F40"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.body
            .contains("id=\"name-error\">token name must be 1-255 characters"),
        "{}",
        a.body
    );
    assert!(a.body.contains("id=\"ips-error\">line 1: invalid IP rule"));
    let a = post(
        &s,
        "/console/tokens",
        &session,
        Some(ORIGIN),
        &format!("csrf={csrf}&account=&name=x&ttl=0"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("id=\"ttl-error\">"), "{}", a.body);
}

#[tokio::test]
async fn sessions_and_bearer_tokens_are_not_interchangeable_and_sign_out_ends_one() {
    let s = service();
    let (session, csrf) = sign_in(&s).await;
    // The session token is not a bearer token.
    let a = s
        .authed("GET", "/a/some-endpoint", &bearer(&session), "")
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.json()["error"]["code"], "invalid_claims");
    // A bearer token is not a session.
    let api = s.user_token().await;
    let home = s
        .call(
            "GET",
            "/console/",
            "127.0.0.1",
            &[("cookie", &format!("auth_console={api}"))],
            "",
        )
        .await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    // Signing out revokes the session: the same cookie no longer works.
    let out = post(
        &s,
        "/console/logout",
        &session,
        Some(ORIGIN),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let home = s
        .call(
            "GET",
            "/console/",
            "127.0.0.1",
            &[("cookie", &format!("auth_console={session}"))],
            "",
        )
        .await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    let a = post(
        &s,
        "/console/tokens",
        &session,
        Some(ORIGIN),
        &format!("csrf={csrf}&name=x"),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::UNAUTHORIZED,
        "an ended session changes nothing"
    );
}

#[tokio::test]
async fn sign_in_follows_the_login_rules() {
    let s = service();
    let page = s
        .call("GET", "/console/login", "127.0.0.1", &[("host", HOST)], "")
        .await;
    let pre = cookie_of(&page, "auth_console_login").unwrap();
    let csrf = field(&page.body, "csrf");
    let try_login = |body: String, cookie: String| {
        let s = &s;
        async move {
            s.call(
                "POST",
                "/console/login",
                "127.0.0.1",
                &[("host", HOST), ("origin", ORIGIN), ("cookie", &cookie)],
                &body,
            )
            .await
        }
    };
    let good_cookie = format!("auth_console_login={pre}");
    let a = try_login(
        format!("csrf={csrf}&kind=user&account=blocked%40example.com&password=your_password"),
        good_cookie.clone(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("Invalid login credentials"));
    let a = try_login(
        format!("csrf={csrf}&kind=reseller&account=restricted&password=your_password"),
        good_cookie.clone(),
    )
    .await;
    assert!(a.body.contains("Your IP is not allowed"), "{}", a.body);
    // Without the pre-session cookie (a form posted from elsewhere): refused.
    let a = try_login(
        format!("csrf={csrf}&kind=user&account=user%40example.com&password=your_password"),
        String::new(),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = try_login(
        format!("csrf={csrf}&kind=reseller&account=reseller_name&password=your_password"),
        good_cookie,
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
}
