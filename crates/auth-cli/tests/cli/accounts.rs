//! `authctl accounts`: the reference service's account database (docs/server.md).

use crate::support::authctl;

struct Db(std::path::PathBuf);

impl Db {
    fn new(name: &str) -> Db {
        let dir =
            std::env::temp_dir().join(format!("authctl-accounts-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("accounts.sqlite");
        let _ = std::fs::remove_file(&path);
        Db(path)
    }

    fn args<'a>(&'a self, rest: &[&'a str]) -> Vec<&'a str> {
        let mut v = vec![
            "accounts",
            "--db",
            self.0.to_str().unwrap(),
            "--argon2-memory-kib",
            "64",
            "--argon2-iterations",
            "1",
        ];
        v.extend_from_slice(rest);
        v
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

#[test]
fn accounts_are_added_changed_and_listed_without_hashes() {
    let db = Db::new("list");
    let out = authctl(&db.args(&[
        "add-group",
        "office",
        "--allowed-regex",
        r"192\.168\.1\.\d+",
    ]))
    .run();
    assert_eq!(out.json()["ok"], true);
    let out = authctl(&db.args(&[
        "add-user",
        "--login",
        "ann@example.com",
        "--name",
        "Ann",
        "--id",
        "42",
        "--group",
        "office",
        "--password-stdin",
    ]))
    .stdin(b"secret words\n")
    .run();
    assert_eq!(out.json()["id"], 42);
    let out = authctl(&db.args(&[
        "add-reseller",
        "--name",
        "acme",
        "--allowed-ip",
        "10.0.0.0/8",
        "--balance",
        "2.5",
        "--password-stdin",
    ]))
    .stdin(b"pw")
    .run();
    assert!(out.json()["id"].is_u64());
    authctl(&db.args(&["block", "user", "ann@example.com"]))
        .run()
        .ok();
    authctl(&db.args(&["add-sub-account", "42", "--owner", "reseller:1"]))
        .run()
        .ok();
    let list = authctl(&db.args(&["list"])).run().json();
    assert_eq!(list["users"][0]["login"], "ann@example.com");
    assert_eq!(list["users"][0]["blocked"], 1);
    assert_eq!(list["resellers"][0]["allowed_ips"], r#"["10.0.0.0/8"]"#);
    assert_eq!(list["sub_accounts"][0]["owner_type"], "reseller");
    assert!(
        !list.to_string().contains("argon2"),
        "no hash in the listing: {list}"
    );
}

#[test]
fn bad_input_and_unknown_accounts_are_refused() {
    let db = Db::new("bad");
    // The password never comes from the command line.
    authctl(&db.args(&["add-user", "--login", "a", "--name", "A"]))
        .run()
        .fails(2, "invalid_request");
    authctl(&db.args(&[
        "add-user",
        "--login",
        "a",
        "--name",
        "A",
        "--password-stdin",
    ]))
    .stdin(b"\n")
    .run()
    .fails(2, "invalid_request");
    authctl(&db.args(&["add-group", "g", "--allowed-regex", "("]))
        .run()
        .fails(2, "invalid_regex");
    authctl(&db.args(&[
        "add-reseller",
        "--name",
        "r",
        "--allowed-ip",
        "10.0.0.1/8",
        "--password-stdin",
    ]))
    .stdin(b"pw")
    .run()
    .fails(2, "invalid_ip_rule");
    authctl(&db.args(&["set-password", "user", "nobody", "--password-stdin"]))
        .stdin(b"pw")
        .run()
        .fails(1, "invalid_request");
    authctl(&db.args(&["block", "reseller", "nobody"]))
        .run()
        .fails(1, "invalid_request");
    authctl(&db.args(&["add-sub-account", "1", "--owner", "admin:1"]))
        .run()
        .fails(2, "invalid_request");
    // A duplicate login is a database constraint: refused, nothing changed.
    for _ in 0..2 {
        authctl(&db.args(&[
            "add-user",
            "--login",
            "dup",
            "--name",
            "D",
            "--password-stdin",
        ]))
        .stdin(b"pw")
        .run();
    }
    let list = authctl(&db.args(&["list"])).run().json();
    assert_eq!(list["users"].as_array().unwrap().len(), 1);
}

/// `add-sub-account` checks both ends: a missing account or owner is exit 1 with a
/// sentence naming it, never a raw SQLite constraint message, and nothing is recorded.
#[test]
fn sub_accounts_of_missing_accounts_or_owners_are_refused_with_a_sentence() {
    let db = Db::new("sub");
    let out = authctl(&db.args(&[
        "add-user",
        "--login",
        "u",
        "--name",
        "U",
        "--id",
        "5",
        "--password-stdin",
    ]))
    .stdin(b"pw")
    .run();
    assert_eq!(out.json()["id"], 5);
    let message = |args: &[&str]| {
        let out = authctl(&db.args(args)).run();
        out.fails(1, "invalid_request");
        out.error()["message"].as_str().unwrap().to_string()
    };
    assert_eq!(
        message(&["add-sub-account", "124", "--owner", "reseller:1"]),
        "no user account 124"
    );
    assert_eq!(
        message(&["add-sub-account", "5", "--owner", "reseller:9"]),
        "no reseller 9"
    );
    assert_eq!(
        message(&["add-sub-account", "5", "--owner", "user:7"]),
        "no user 7"
    );
    let list = authctl(&db.args(&["list"])).run().json();
    assert_eq!(list["sub_accounts"].as_array().unwrap().len(), 0);
    // a duplicate login: exit 1, a sentence, no raw `UNIQUE constraint failed`
    let m = {
        let out = authctl(&db.args(&[
            "add-user",
            "--login",
            "u",
            "--name",
            "V",
            "--password-stdin",
        ]))
        .stdin(b"pw")
        .run();
        out.fails(1, "invalid_request");
        out.error()["message"].as_str().unwrap().to_string()
    };
    assert!(m.starts_with("already exists"), "{m}");
}
