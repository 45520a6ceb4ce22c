//! The failed-login limiter seen from outside: simultaneous guesses through the real route,
//! and IPv6 clients counted per /64.

mod common;

use std::sync::Arc;

use auth_server::LoginLimits;
use common::{service_with, short_window, Answer, Svc};
use http::StatusCode;
use tokio::sync::Barrier;

const WRONG: &str = r#"{"login": "user@example.com", "password": "not the password"}"#;
const RIGHT: &str = r#"{"login": "user@example.com", "password": "your_password"}"#;

/// 5 failures per account, 20 per address, and enough password-check slots for every
/// request (the default is the number of CPUs, which would answer some with 429 for another
/// reason).
fn limits() -> LoginLimits {
    LoginLimits {
        max_concurrent_checks: 64,
        ..short_window(5, 20)
    }
}

fn retry_after(a: &Answer) -> u64 {
    let value = a.headers.get("retry-after").unwrap_or_else(|| {
        panic!("429 without Retry-After: {}", a.body);
    });
    value.to_str().unwrap().parse().unwrap()
}

async fn login(svc: &Svc, peer: &str, body: &str) -> Answer {
    svc.call("POST", "/a/session.json", peer, &[], body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_wrong_passwords_get_only_the_accounts_limit_of_checks() {
    let svc = Arc::new(service_with(&[], limits()));
    let n = 40;
    let barrier = Arc::new(Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (svc, barrier) = (svc.clone(), barrier.clone());
            tokio::spawn(async move {
                // Every request is under way before any is sent, so none has finished.
                barrier.wait().await;
                login(&svc, "192.0.2.50", WRONG).await
            })
        })
        .collect();
    let mut refused = 0;
    let mut limited = 0;
    for task in tasks {
        let a = task.await.unwrap();
        match a.status {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let secs = retry_after(&a);
                assert!((1..=60).contains(&secs), "Retry-After {secs}");
                assert_eq!(a.json()["error"]["code"], "rate_limited", "{}", a.body);
                limited += 1;
            }
            other => panic!("{other}: {}", a.body),
        }
    }
    assert_eq!(
        (refused, limited),
        (5, 35),
        "only the account's 5 attempts may reach a password check"
    );

    // The account is locked: the right password is refused too, before it is checked.
    let a = login(&svc, "192.0.2.51", RIGHT).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
    assert!(retry_after(&a) >= 1);
}

#[tokio::test]
async fn ipv6_addresses_of_one_64_share_the_address_limit() {
    let svc = service_with(&[], limits());
    for i in 1..=30u32 {
        // Another account each time (the per-account limit stays out of the way), another
        // address of 2001:db8:7:7::/64 each time.
        let body = format!(r#"{{"login": "nobody{i}@example.com", "password": "x"}}"#);
        let peer = format!("2001:db8:7:7:{i:x}::{i:x}");
        let a = login(&svc, &peer, &body).await;
        if i <= 20 {
            assert_eq!(
                a.status,
                StatusCode::UNAUTHORIZED,
                "attempt {i}: {}",
                a.body
            );
        } else {
            assert_eq!(
                a.status,
                StatusCode::TOO_MANY_REQUESTS,
                "attempt {i}: {}",
                a.body
            );
            assert!(retry_after(&a) >= 1);
        }
    }
    // Another /64 is counted apart.
    let a = login(&svc, "2001:db8:7:8::1", RIGHT).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn right_passwords_wait_for_a_check_slot_instead_of_being_refused() {
    // One password check at a time: simultaneous right passwords queue for the slot (no
    // memory is held while waiting) and all log in; none is told to retry.
    let svc = Arc::new(service_with(
        &[],
        LoginLimits {
            max_concurrent_checks: 1,
            ..short_window(5, 100)
        },
    ));
    let n = 12;
    let barrier = Arc::new(Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (svc, barrier) = (svc.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                login(&svc, &format!("192.0.2.{}", 100 + i), RIGHT).await
            })
        })
        .collect();
    for task in tasks {
        let a = task.await.unwrap();
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
}
