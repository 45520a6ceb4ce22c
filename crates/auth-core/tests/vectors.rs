//! Runs the shared test vectors (`tests/vectors/*.json`), the same ones the C and
//! Python suites run. Each test reports every failing case, not just the first.

use std::net::IpAddr;
use std::path::PathBuf;

use auth_core::MemoryRevocationStore;
use auth_core::*;
use auth_core::{IpAllowList, IpRegex, RegexMode};
use base64::Engine as _;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn ring(spec: &Value) -> KeyRing {
    let mut ring = KeyRing::new();
    for k in spec["keys"].as_array().unwrap() {
        let alg = Algorithm::parse(k["alg"].as_str().unwrap()).unwrap();
        ring.add(
            Key::new(
                k["kid"].as_str().unwrap(),
                alg,
                &b64(k["secret"].as_str().unwrap()),
            )
            .unwrap(),
        )
        .unwrap();
    }
    if let Some(kid) = spec["default_kid"].as_str() {
        ring.set_default_kid(Some(kid)).unwrap();
    }
    ring
}

fn verdict<T>(r: &Result<T>) -> String {
    match r {
        Ok(_) => "valid".into(),
        Err(e) => e.code().as_str().into(),
    }
}

fn report(failures: Vec<String>, total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total > 0, "no vectors ran");
}

fn principal(v: &Value) -> Principal {
    let id = v["id"].as_u64().unwrap();
    match v["type"].as_str().unwrap() {
        "user" => Principal::user(id),
        "reseller" => Principal::reseller(id),
        other => panic!("bad principal type {other}"),
    }
}

#[test]
fn token_vectors() {
    let v = load("tokens.json");
    // `cases_audience` needs the `audience` and `issuer` options; the Rust runner reads
    // them, so it runs both lists as one.
    let cases: Vec<&Value> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["cases_audience"].as_array().unwrap())
        .collect();
    assert!(!v["cases_audience"].as_array().unwrap().is_empty());
    let mut failures = Vec::new();
    for c in cases.iter().copied() {
        let name = c["name"].as_str().unwrap();
        let ring = ring(&v["rings"][c["ring"].as_str().unwrap()]);
        let mut options = VerifyOptions::default();
        if let Some(o) = c.get("options") {
            if let Some(x) = o["leeway"].as_u64() {
                options.leeway = x;
            }
            if let Some(x) = o["max_clock_skew"].as_u64() {
                options.max_clock_skew = x;
            }
            if let Some(x) = o["max_token_size"].as_u64() {
                options.max_token_size = x as usize;
            }
            if let Some(list) = o["audience"].as_array() {
                for a in list {
                    options.add_audience(a.as_str().unwrap());
                }
            }
            if let Some(x) = o["issuer"].as_str() {
                options.set_issuer(Some(x.to_owned()));
            }
        }
        let now = c["now"].as_u64().unwrap();
        let verifier = Verifier::with_options(ring, options);
        let store = MemoryRevocationStore::new();
        let mut req = VerifyRequest::at(now);
        if let Some(r) = c.get("revoked") {
            // A revoked jti is kept until the token's exp; use a far expiry so the
            // vector does not depend on which token the jti belongs to.
            for jti in r["jtis"].as_array().unwrap() {
                store
                    .revoke(jti.as_str().unwrap(), None, Some(now))
                    .unwrap();
            }
            for p in r["principals"].as_array().unwrap() {
                store
                    .revoke_principal_before(principal(p), p["before"].as_u64().unwrap(), Some(now))
                    .unwrap();
            }
            req.revocation = Some(&store);
        }
        if let Some(ip) = c["client_ip"].as_str() {
            req.client_ip = Some(parse_client_ip(ip).unwrap());
        }
        let got = verifier.verify_with(c["token"].as_str().unwrap(), &req);
        let want = c["expect"].as_str().unwrap();
        if verdict(&got) != want {
            failures.push(format!(
                "{name}: expected {want}, got {:?}",
                got.map(|c| c.to_json())
            ));
            continue;
        }
        if let Ok(claims) = got {
            if claims.to_json_value() != c["claims"] {
                failures.push(format!(
                    "{name}: claims differ: got {}, want {}",
                    claims.to_json_value(),
                    c["claims"]
                ));
            }
        }
    }
    report(failures, cases.len());
}

#[test]
fn ip_rule_vectors() {
    let v = load("ip_rules.json");
    let mut failures = Vec::new();
    let mut total = 0;
    for c in v["rules"].as_array().unwrap() {
        total += 1;
        let text = c["rule"].as_str().unwrap();
        let got = IpRule::parse(text);
        if verdict(&got) != c["expect"].as_str().unwrap() {
            failures.push(format!(
                "rule {text:?}: expected {}, got {got:?}",
                c["expect"]
            ));
        } else if let Ok(rule) = got {
            if rule.to_string() != c["canonical"].as_str().unwrap() {
                failures.push(format!(
                    "rule {text:?}: canonical {rule} != {}",
                    c["canonical"]
                ));
            }
        }
    }
    for c in v["addresses"].as_array().unwrap() {
        total += 1;
        let text = c["ip"].as_str().unwrap();
        let got = parse_client_ip(text);
        if verdict(&got) != c["expect"].as_str().unwrap() {
            failures.push(format!(
                "address {text:?}: expected {}, got {got:?}",
                c["expect"]
            ));
        } else if let Ok(addr) = got {
            if auth_core::canonical_ip_text(addr) != c["canonical"].as_str().unwrap() {
                failures.push(format!(
                    "address {text:?}: canonical {addr} != {}",
                    c["canonical"]
                ));
            }
        }
    }
    for c in v["matches"].as_array().unwrap() {
        total += 1;
        let rules: Vec<&str> = c["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let got = IpAllowList::parse(&rules).and_then(|list| {
            let ip = parse_client_ip(c["ip"].as_str().unwrap())?;
            Ok(if list.contains(ip) { "allow" } else { "deny" })
        });
        let got = got.unwrap_or_else(|e| e.code().as_str());
        if got != c["expect"].as_str().unwrap() {
            failures.push(format!("match {c}: got {got}"));
        }
    }
    for c in v["regex"].as_array().unwrap() {
        total += 1;
        let mode = match c["mode"].as_str().unwrap() {
            "search" => RegexMode::Search,
            _ => RegexMode::FullMatch,
        };
        let got = IpRegex::new(c["pattern"].as_str().unwrap(), mode)
            .and_then(|re| re.is_match_str(c["ip"].as_str().unwrap()))
            .map(|m| if m { "allow" } else { "deny" });
        let got = got.unwrap_or_else(|e| e.code().as_str());
        if got != c["expect"].as_str().unwrap() {
            let pat: String = c["pattern"].as_str().unwrap().chars().take(40).collect();
            failures.push(format!(
                "regex {pat:?} on {}: expected {}, got {got}",
                c["ip"], c["expect"]
            ));
        }
    }
    report(failures, total);
}

fn subject(r: &Value) -> Subject {
    let id = r["id"].as_u64().unwrap();
    let name = r["name"].as_str().unwrap();
    match r["type"].as_str().unwrap() {
        "user" => Subject::User {
            id,
            name: name.into(),
            admin: r["admin"].as_bool().unwrap_or(false),
            sms_from: r["sms_from"].as_str().map(str::to_owned),
            user_group_id: r["user_group_id"].as_u64(),
        },
        _ => Subject::reseller(id, name),
    }
}

fn mint_case(v: &Value, c: &Value) -> Result<Claims> {
    let ring = ring(&v["rings"][c["ring"].as_str().unwrap()]);
    let p = &c["policy"];
    let d = TtlPolicy::default();
    let policy = {
        let mut policy = TtlPolicy::default();
        policy.dynamic_ttl = p["dynamic_ttl"].as_u64().unwrap_or(d.dynamic_ttl);
        policy.max_ttl = p["max_ttl"].as_u64().unwrap_or(d.max_ttl);
        policy.allow_static = p["allow_static"].as_bool().unwrap_or(d.allow_static);
        policy
    };
    let issuer = Issuer::with_policy(ring.clone(), policy)?;
    let r = &c["request"];
    let mut req = MintRequest::new(subject(r));
    req.lifetime = match &r["lifetime"] {
        Value::String(s) if s == "static" => Lifetime::Static,
        Value::String(s) if s == "dynamic" => Lifetime::Dynamic,
        n => Lifetime::Ttl(n.as_i64().unwrap()),
    };
    req.now = r["now"].as_u64();
    req.token_id = r["token_id"].as_str().map(str::to_owned);
    req.token_name = r["token_name"].as_str().map(str::to_owned);
    if let Some(ips) = r["allowed_ips"].as_array() {
        let ips: Vec<&str> = ips.iter().map(|x| x.as_str().unwrap()).collect();
        req.set_allowed_ips(&ips)?;
    }
    if r["parent"].is_object() {
        req.parent = Some(principal(&r["parent"]));
    }
    let minted = issuer.mint(&req)?;
    let mut vreq = VerifyRequest::at(req.now.unwrap());
    if let Some(ip) = c["client_ip"].as_str() {
        vreq.client_ip = Some(parse_client_ip(ip)?);
    }
    Verifier::new(ring).verify_with(&minted.token, &vreq)
}

#[test]
fn mint_vectors() {
    let v = load("mint.json");
    let tokens = load("tokens.json");
    let mut failures = Vec::new();
    let cases = v["cases"].as_array().unwrap();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let got = mint_case(&tokens, c);
        let want = c["expect"].as_str().unwrap();
        if verdict(&got) != want {
            failures.push(format!("{name}: expected {want}, got {got:?}"));
            continue;
        }
        if let Ok(claims) = got {
            let mut want = c["claims"].clone();
            let mut have = claims.to_json_value();
            if want.get("jti").is_none() {
                let jti = have["jti"].as_str().unwrap().to_owned();
                if jti.len() != 22 || b64(&jti).len() != 16 {
                    failures.push(format!(
                        "{name}: generated jti {jti:?} is not 128 bits of base64url"
                    ));
                }
                have.as_object_mut().unwrap().remove("jti");
            }
            // Users always render sms_from/user_group_id; the vectors list them when set.
            if want["type"] == "user" {
                for k in ["sms_from", "user_group_id"] {
                    want.as_object_mut()
                        .unwrap()
                        .entry(k)
                        .or_insert(Value::Null);
                }
            }
            if have != want {
                failures.push(format!("{name}: claims {have} != {want}"));
            }
        }
    }
    let keys = v["keys"].as_array().unwrap();
    for k in keys {
        let got = Algorithm::parse(k["alg"].as_str().unwrap()).and_then(|alg| {
            Key::new(
                k["kid"].as_str().unwrap(),
                alg,
                &b64(k["secret"].as_str().unwrap()),
            )
        });
        if verdict(&got) != k["expect"].as_str().unwrap() {
            failures.push(format!("key {k}: got {:?}", got.map(|_| ())));
        }
    }
    report(failures, cases.len() + keys.len());
}

#[test]
fn error_code_table() {
    let v = load("errors.json");
    let codes = v["codes"].as_array().unwrap();
    assert_eq!(
        codes.len(),
        ErrorCode::ALL.len(),
        "every code has a vector and vice versa"
    );
    for c in codes {
        let code = ErrorCode::from_name(c["code"].as_str().unwrap())
            .unwrap_or_else(|| panic!("unknown code {c}"));
        assert_eq!(
            u64::from(code.as_u32()),
            c["number"].as_u64().unwrap(),
            "{c}"
        );
        assert_eq!(
            code.http_status().map(u64::from),
            c["http_status"].as_u64(),
            "{c}"
        );
        if let Some(msg) = c["message"].as_str() {
            assert_eq!(code.default_message(), msg, "{c}");
        }
    }
}

/// Every docs/errors.md code is produced by at least one vector (host-reported login codes
/// and a full store are produced by the wire and revocation vectors below).
#[test]
fn every_code_has_a_producing_vector() {
    let mut seen = std::collections::BTreeSet::new();
    for (file, lists) in [
        ("tokens.json", &["cases"][..]),
        (
            "ip_rules.json",
            &["rules", "addresses", "matches", "regex"][..],
        ),
        ("requests.json", &["cases"][..]),
        ("mint.json", &["cases", "keys"][..]),
        ("api.json", &["cases"][..]),
        (
            "scopes.json",
            &[
                "texts",
                "vocabularies",
                "narrowing",
                "required",
                "tokens",
                "delegation",
            ][..],
        ),
    ] {
        let v = load(file);
        for list in lists {
            for c in v[*list].as_array().unwrap() {
                seen.insert(c["expect"].as_str().unwrap().to_owned());
            }
        }
    }
    // The HTTP edge's requests (tests/vectors/http_edge.json) produce `missing_token`.
    for c in load("http_edge.json")["cases"].as_array().unwrap() {
        if let Some(code) = c["expect"]["code"].as_str() {
            seen.insert(code.to_owned());
        }
    }
    // Codes no input of these files can produce, each tested where it arises:
    // `revocation_unavailable` needs a store that can lose contact with its source (the
    // shared-store tests, crates/auth-redis/tests and tests/revocation_status.rs);
    // `rate_limited` and `server_error` are the host's answers (`Answer::rate_limited`,
    // `Answer::server_error`: src/http/answer.rs and every skin); `token_quota_exceeded` needs
    // the host's count of issued tokens (`check_caller_account`, crates/auth-server's
    // tests/account_changes.rs); `jwks_unavailable` needs a JWKS endpoint that fails
    // (crates/auth-jwks/tests).
    let not_from_vectors = [
        ErrorCode::RevocationUnavailable,
        ErrorCode::RateLimited,
        ErrorCode::ServerError,
        ErrorCode::TokenQuotaExceeded,
        ErrorCode::JwksUnavailable,
    ];
    let missing: Vec<_> = ErrorCode::ALL
        .iter()
        .filter(|c| !not_from_vectors.contains(c) && !seen.contains(c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a producing vector: {missing:?}"
    );
}

fn client_ip(v: &Value) -> Option<IpAddr> {
    v.as_str().map(|s| parse_client_ip(s).unwrap())
}

/// Claims equal to `want` once the generated `jti` is set aside.
fn claims_match(claims: &Claims, want: &Value) -> std::result::Result<(), String> {
    let mut have = claims.to_json_value();
    let jti = have.as_object_mut().unwrap().remove("jti");
    if !matches!(&jti, Some(Value::String(s)) if s.len() == 22) {
        return Err(format!("generated jti {jti:?}"));
    }
    if have != *want {
        return Err(format!("claims {have} != {want}"));
    }
    Ok(())
}

fn without(v: &str, keys: &[&str]) -> Value {
    let mut v: Value = serde_json::from_str(v).unwrap();
    for k in keys {
        v.as_object_mut().unwrap().remove(*k);
    }
    v
}

fn api_case(tokens: &Value, c: &Value) -> std::result::Result<(), String> {
    let ring = ring(&tokens["rings"]["main"]);
    let issuer = Issuer::new(ring.clone());
    let verifier = Verifier::new(ring);
    let now = c["now"].as_u64();
    let want = c["expect"].as_str().unwrap();
    let outcome = |r: Result<()>| -> std::result::Result<(), String> {
        let got = verdict(&r);
        if got == want {
            Ok(())
        } else {
            Err(format!("expected {want}, got {got} ({r:?})"))
        }
    };
    let check =
        |token: &str, ip: Option<IpAddr>, claims: &Value| -> std::result::Result<(), String> {
            let mut req = VerifyRequest::at(now.unwrap());
            req.client_ip = ip;
            let got = verifier
                .verify_with(token, &req)
                .map_err(|e| e.to_string())?;
            claims_match(&got, claims)
        };
    match c["kind"].as_str().unwrap() {
        "user_login" => {
            let a = &c["account"];
            let account = {
                let mut account =
                    UserAccount::new(a["id"].as_u64().unwrap(), a["name"].as_str().unwrap());
                account.admin = a["admin"].as_bool().unwrap();
                account.blocked = a["blocked"].as_bool().unwrap();
                account.sms_from = a["sms_from"].as_str().map(str::to_owned);
                account.user_group_id = a["user_group_id"].as_u64();
                account.allowed_regex = a["allowed_regex"].as_object().map(|r| {
                    let mode = if r["mode"] == "search" {
                        RegexMode::Search
                    } else {
                        RegexMode::FullMatch
                    };
                    IpRegex::new(r["pattern"].as_str().unwrap(), mode).unwrap()
                });
                account
            };
            let ip = client_ip(&c["client_ip"]);
            match login_user(&issuer, &account, ip, Lifetime::Dynamic, now) {
                Ok(login) => {
                    outcome(Ok(()))?;
                    if without(&login.to_json(), &["token"]) != c["response"] {
                        return Err(format!("response {}", login.to_json()));
                    }
                    check(login.token(), ip, &c["claims"])
                }
                Err(e) => outcome(Err(e)),
            }
        }
        "reseller_login" => {
            let a = &c["account"];
            let account = {
                let mut account =
                    ResellerAccount::new(a["id"].as_u64().unwrap(), a["name"].as_str().unwrap());
                account.allowed_ips = a["allowed_ips"].as_array().map(|rules| {
                    IpAllowList::parse(rules.iter().map(|r| r.as_str().unwrap())).unwrap()
                });
                account.user_groups = a["user_groups"].as_array().unwrap().clone();
                account.user_balance = a["user_balance"].as_f64().unwrap();
                account.version = a["version"].as_str().unwrap().into();
                account
            };
            let ip = client_ip(&c["client_ip"]);
            match login_reseller(&issuer, &account, ip, Lifetime::Dynamic, now) {
                Ok(login) => {
                    outcome(Ok(()))?;
                    if without(&login.to_json(), &["token"]) != c["response"] {
                        return Err(format!("response {}", login.to_json()));
                    }
                    check(login.token(), ip, &c["claims"])
                }
                Err(e) => outcome(Err(e)),
            }
        }
        "create_token" => {
            let mut req = VerifyRequest::at(now.unwrap());
            req.client_ip = client_ip(&c["caller_ip"]);
            let caller = verifier
                .verify_with(c["caller"].as_str().unwrap(), &req)
                .map_err(|e| format!("caller token: {e}"))?;
            let format = if c["format"] == "xml" {
                Format::Xml
            } else {
                Format::Json
            };
            // `policy` is optional: absent means the default policy.
            let mut policy = TokenCreationPolicy::default();
            if let Some(p) = c.get("policy").filter(|p| !p.is_null()) {
                policy.allow_named_callers = p["allow_named_callers"].as_bool().unwrap();
                policy.allow_delegated_callers = p["allow_delegated_callers"].as_bool().unwrap();
                policy.login_children_may_outlive =
                    p["login_children_may_outlive"].as_bool().unwrap();
            }
            let target = match c["target"].as_object() {
                None => TokenTarget::SelfAccount,
                Some(t) => TokenTarget::SubAccount {
                    subject: subject(&t["subject"]),
                    owned_by_caller: t["owned"].as_bool().unwrap(),
                    blocked: false,
                },
            };
            let created = CreateTokenRequest::parse(c["body"].as_str().unwrap().as_bytes(), format)
                .and_then(|r| create_token_with_policy(&issuer, &caller, &r, target, now, &policy));
            match created {
                Ok(created) => {
                    outcome(Ok(()))?;
                    let json = created.to_json();
                    if without(&json, &["token", "token_id"]) != c["response"] {
                        return Err(format!("response {json}"));
                    }
                    let rendered = created.render(format);
                    if format == Format::Xml
                        && !rendered.starts_with("<response><status>1</status>")
                    {
                        return Err(format!("xml response {rendered}"));
                    }
                    let v: Value = serde_json::from_str(&json).unwrap();
                    if v["token_id"] != created.minted.claims.jti.as_str() {
                        return Err("token_id is not the jti".into());
                    }
                    let ip = created
                        .minted
                        .claims
                        .allowed_ips
                        .as_ref()
                        .and_then(|r| r.first())
                        .map(|r| r.network().network());
                    check(created.token(), ip, &c["claims"])
                }
                Err(e) => outcome(Err(e)),
            }
        }
        "host_error" => {
            let code = ErrorCode::from_name(c["code"].as_str().unwrap()).unwrap();
            let body: Value = serde_json::from_str(&login_error_json(&Error::new(code))).unwrap();
            if body != c["body"] {
                return Err(format!("body {body}"));
            }
            outcome(Err(Error::new(code)))
        }
        "revocation_store" => {
            let store = MemoryRevocationStore::with_capacity_limit(
                c["capacity"].as_u64().unwrap() as usize
            );
            let mut last = Ok(());
            for r in c["revoke"].as_array().unwrap() {
                last = store.revoke(r["jti"].as_str().unwrap(), r["exp"].as_u64(), now);
            }
            outcome(last)
        }
        other => Err(format!("unknown kind {other}")),
    }
}

#[test]
fn api_vectors() {
    let v = load("api.json");
    let tokens = load("tokens.json");
    let cases = v["cases"].as_array().unwrap();
    let failures = cases
        .iter()
        .filter_map(|c| {
            api_case(&tokens, c)
                .err()
                .map(|e| format!("{}: {e}", c["name"]))
        })
        .collect();
    report(failures, cases.len());
}

/// `rotation.json`: the issuer and verifier are built on one shared ring before it has a
/// key, and every later change of the ring is seen on their next call.
#[test]
fn rotation_vectors() {
    let v = load("rotation.json");
    let now = v["now"].as_u64().unwrap();
    let subject = Subject::user(
        v["subject"]["id"].as_u64().unwrap(),
        v["subject"]["name"].as_str().unwrap(),
        v["subject"]["admin"].as_bool().unwrap(),
    );
    let mut failures = Vec::new();
    let mut total = 0;
    for s in v["sequences"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        let ring = SharedKeyRing::new();
        let issuer = Issuer::new(ring.clone());
        let verifier = Verifier::new(ring.clone());
        let mut saved: std::collections::HashMap<String, String> = v["tokens"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, t)| (k.clone(), t.as_str().unwrap().to_owned()))
            .collect();
        for (i, step) in s["steps"].as_array().unwrap().iter().enumerate() {
            total += 1;
            let kid = step["kid"].as_str();
            let (got, detail) = match step["op"].as_str().unwrap() {
                "add" => {
                    let k = &v["keys"][kid.unwrap()];
                    let key = Key::new(
                        kid.unwrap(),
                        Algorithm::parse(k["alg"].as_str().unwrap()).unwrap(),
                        &b64(k["secret"].as_str().unwrap()),
                    )
                    .unwrap();
                    (ring.add(key).map(|_| ()), None)
                }
                "remove" => (ring.remove(kid.unwrap()).map(|_| ()), None),
                "set_active" => (ring.set_active(kid.unwrap()), None),
                "set_default_kid" => (ring.set_default_kid(kid), None),
                "mint" => {
                    let mut req = MintRequest::new(subject.clone());
                    req.now = Some(now);
                    req.token_id = Some(format!("rot-{i}"));
                    match issuer.mint(&req) {
                        Ok(m) => {
                            let header =
                                inspect_unverified(m.token.as_bytes(), 8192).unwrap().header;
                            let minted_kid = header["kid"].as_str().map(str::to_owned);
                            saved.insert(step["save"].as_str().unwrap().to_owned(), m.token);
                            (Ok(()), minted_kid)
                        }
                        Err(e) => (Err(e), None),
                    }
                }
                "verify" => {
                    let token = &saved[step["token"].as_str().unwrap()];
                    let r = verifier.verify_with(token, &VerifyRequest::at(now));
                    (r.map(|_| ()), None)
                }
                other => panic!("unknown op {other}"),
            };
            let got = match (&got, step["op"].as_str()) {
                (Ok(()), Some("verify")) => "valid".to_owned(),
                (Ok(()), _) => "ok".to_owned(),
                (Err(e), _) => e.code().as_str().to_owned(),
            };
            if got != step["expect"].as_str().unwrap() {
                failures.push(format!(
                    "{name} step {i}: expected {}, got {got}",
                    step["expect"]
                ));
            }
            if step["op"] == "mint" && got == "ok" && detail.as_deref() != step["kid"].as_str() {
                failures.push(format!("{name} step {i}: minted with kid {detail:?}"));
            }
        }
    }
    report(failures, total);
}
