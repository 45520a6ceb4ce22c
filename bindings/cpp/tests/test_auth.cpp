// The C++ suite of auth-core: include/auth_core.hpp over libauth_core.
//
//   test_auth_cpp VECTORS_TXT
//
// VECTORS_TXT is tests/vectors flattened by bindings/c/tests/flatten_vectors.py; every
// tokens.json case is verified through the C API and through the wrapper, which must
// agree with each other and with the expected verdict. Prints "N passed, M failed".
#include "auth_core.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

// Defined in second_tu.cpp: the header included in a second translation unit links
// (everything in it is inline; no duplicate symbols).
std::string second_tu_header_json(std::string_view token);
// Defined in test_http.cpp: the HTTP edge (auth::Authenticator, auth::Answer) and scopes
// (auth::ScopeVocabulary, auth::RequiredScopes, scoped verification and token creation).
void test_http(const char *vectors_path, int &passed, int &failed);
void test_scopes(const char *vectors_path, int &passed, int &failed);
// Defined in test_algorithms.cpp: asymmetric keys from PEM (RSA pinned to PS256, ES384).
void test_algorithms(int &passed, int &failed);

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const std::string &what, int line) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::printf("FAIL line %d: %s\n", line, what.c_str());
    }
}
#define CHECK(cond) check((cond), #cond, __LINE__)

// Runs f, expecting an auth::Error with `code`; checks name and status too.
template <class F> void expect_error(auth_result code, F &&f, int line) {
    try {
        f();
        check(false, std::string("no exception, expected ") + auth_result_name(code), line);
    } catch (const auth::Error &e) {
        check(e.code() == code, std::string("code ") + e.name() + " == " + auth_result_name(code), line);
        check(std::string(e.name()) == auth_result_name(code), "name", line);
        check(e.http_status() == auth_result_http_status(code), "http status", line);
        check(std::strlen(e.what()) > 0, "message", line);
    } catch (...) {
        check(false, "an exception that is not auth::Error", line);
    }
}
#define EXPECT_ERROR(code, body) expect_error((code), [&] { body; }, __LINE__)

const std::string kSecret = "0123456789abcdef0123456789abcdef";     // 32 bytes
const std::string kSecret2 = "fedcba9876543210fedcba9876543210fedcba9876543210!!"; // 50 bytes (HS384 needs 48)
const std::uint64_t kNow = 1700000000;

void test_version_and_names() {
    std::string v = std::to_string(AUTH_CORE_VERSION_MAJOR) + "." + std::to_string(AUTH_CORE_VERSION_MINOR) + "." +
                    std::to_string(AUTH_CORE_VERSION_PATCH);
    CHECK(auth::version() == v);
    CHECK(auth::result_name(AUTH_TOKEN_EXPIRED) == "token_expired");
    CHECK(auth::result_http_status(AUTH_LOGIN_IP_DENIED) == 406);
    CHECK(auth::algorithm_from_name("HS512") == auth::Algorithm::HS512);
    EXPECT_ERROR(AUTH_INVALID_KEY, auth::algorithm_from_name("none"));
    std::string s = auth::generate_secret();
    CHECK(s.size() >= 43);
    CHECK(auth::generate_secret() != s);
}

void test_handles_are_move_only() {
    static_assert(!std::is_copy_constructible_v<auth::KeyRing>, "KeyRing is move-only");
    static_assert(!std::is_copy_constructible_v<auth::Verifier>, "Verifier is move-only");
    static_assert(!std::is_copy_constructible_v<auth::Claims>, "Claims is move-only");
    static_assert(!std::is_copy_assignable_v<auth::Minted>, "Minted is move-only");
    static_assert(std::is_nothrow_move_constructible_v<auth::Claims>, "Claims moves without throwing");
    static_assert(std::is_nothrow_move_constructible_v<auth::KeyRing>, "KeyRing moves without throwing");
    static_assert(std::is_base_of_v<std::runtime_error, auth::Error>, "Error is a runtime_error");
    static_assert(std::is_copy_constructible_v<auth::Error>, "Error is copyable (an exception)");
    CHECK(true);
}

void test_mint_verify_claims() {
    auth::KeyRing ring;
    ring.add("k1", kSecret);
    CHECK(ring.size() == 1);
    auth::Issuer issuer(ring);
    auth::Verifier verifier(ring);
    std::string long_name(255, 'n');
    auto req = auth::MintRequest::user(123, "alice", true, std::string_view("ACME"), 7);
    req.set_now(kNow).set_ttl(3600).set_token_id("tok-1").set_token_name(long_name).add_allowed_ip("192.168.2.0/24");
    req.set_parent(auth::Principal{auth::PrincipalType::Reseller, 9});
    auth::Minted minted = issuer.mint(req);
    std::string token = minted.token();
    CHECK(token.size() > 256); // the text read retries past the first buffer
    CHECK(minted.token_id() == "tok-1");
    CHECK(minted.claims().exp() == kNow + 3600);

    auth::Claims c = verifier.verify(token, "192.168.2.77", kNow + 10);
    CHECK(c.type() == auth::PrincipalType::User);
    CHECK(c.id() == 123);
    CHECK(c.name() == "alice");
    CHECK(c.admin() == true);
    CHECK(c.sms_from() == std::string("ACME"));
    CHECK(c.user_group_id() == 7u);
    CHECK(c.iat() == kNow);
    CHECK(c.exp() == kNow + 3600);
    CHECK(!c.nbf());
    CHECK(c.jti() == "tok-1");
    CHECK(c.token_name() == long_name);
    auto ips = c.allowed_ips();
    CHECK(ips && ips->size() == 1 && (*ips)[0] == "192.168.2.0/24");
    CHECK((c.parent() == auth::Principal{auth::PrincipalType::Reseller, 9}));
    CHECK((c.principal() == auth::Principal{auth::PrincipalType::User, 123}));
    std::string json = c.to_json();
    CHECK(json.size() > 256 && json.find("\"name\":\"alice\"") != std::string::npos);
    CHECK(json == minted.claims().to_json());
    auth::Unverified u = auth::inspect_unverified(token);
    CHECK(u.header_json.find("\"kid\":\"k1\"") != std::string::npos);
    CHECK(u.claims_json.find("\"jti\":\"tok-1\"") != std::string::npos);
    CHECK(second_tu_header_json(token) == u.header_json);
    EXPECT_ERROR(AUTH_TOKEN_TOO_LARGE, auth::inspect_unverified(token, 10));
    EXPECT_ERROR(AUTH_MALFORMED_TOKEN, auth::inspect_unverified("a.b"));

    // A reseller token: no admin, no sms_from, static.
    auto rreq = auth::MintRequest::reseller(5, "bob");
    rreq.set_static().set_now(kNow);
    auth::Claims r = verifier.verify(issuer.mint(rreq).token(), std::nullopt, kNow + 1000000000);
    CHECK(r.type() == auth::PrincipalType::Reseller);
    CHECK(!r.admin() && !r.sms_from() && !r.user_group_id() && !r.exp() && !r.allowed_ips());
    CHECK(r.jti().size() > 0);

    // Inputs are pointer + length: a NUL inside a string_view is data.
    std::string with_nul = token;
    with_nul.insert(10, 1, '\0');
    EXPECT_ERROR(AUTH_MALFORMED_TOKEN, verifier.verify(with_nul, "192.168.2.77", kNow));
    // A name with a NUL round-trips through std::string.
    auto nreq = auth::MintRequest::reseller(6, std::string_view("a\0b", 3));
    nreq.set_now(kNow);
    CHECK(verifier.verify(issuer.mint(nreq).token(), std::nullopt, kNow).name() == std::string("a\0b", 3));
}

void test_errors_carry_codes() {
    auth::KeyRing ring;
    EXPECT_ERROR(AUTH_WEAK_KEY, ring.add("k1", "short"));
    EXPECT_ERROR(AUTH_INVALID_KEY, ring.add("bad kid!", kSecret));
    ring.add("k1", kSecret);
    EXPECT_ERROR(AUTH_INVALID_KEY, ring.add("k1", kSecret2));
    EXPECT_ERROR(AUTH_UNKNOWN_KEY, ring.set_active("nope"));
    auth::Issuer issuer(ring);
    auth::Verifier verifier(ring);
    auto req = auth::MintRequest::user(1, "u");
    req.set_now(kNow).add_allowed_ip("10.0.0.0/8");
    std::string token = issuer.mint(req).token();

    EXPECT_ERROR(AUTH_IP_NOT_ALLOWED, verifier.verify(token, "192.168.0.1", kNow));
    EXPECT_ERROR(AUTH_IP_NOT_ALLOWED, verifier.verify(token, std::nullopt, kNow));
    EXPECT_ERROR(AUTH_INVALID_IP_ADDRESS, verifier.verify(token, "010.0.0.1", kNow));
    EXPECT_ERROR(AUTH_TOKEN_EXPIRED, verifier.verify(token, "10.1.2.3", kNow + 86400));
    EXPECT_ERROR(AUTH_ISSUED_IN_FUTURE, verifier.verify(token, "10.1.2.3", kNow - 3600));
    std::string tampered = token;
    // A character inside the signature (all six bits significant; the last one is not).
    char &sig = tampered[tampered.size() - 10];
    sig = sig == 'A' ? 'B' : 'A';
    EXPECT_ERROR(AUTH_BAD_SIGNATURE, verifier.verify(tampered, "10.1.2.3", kNow));
    EXPECT_ERROR(AUTH_MALFORMED_TOKEN, verifier.verify("not a token", "10.1.2.3", kNow));
    EXPECT_ERROR(AUTH_INVALID_IP_RULE, req.add_allowed_ip("192.168.2.5/24"));
    EXPECT_ERROR(AUTH_INVALID_REQUEST, req.set_token_id(""));
    req.set_ttl(0);
    EXPECT_ERROR(AUTH_INVALID_TTL, issuer.mint(req));
    auth::TtlPolicy no_static;
    no_static.allow_static = false;
    auth::Issuer strict(ring, no_static);
    req.set_static();
    EXPECT_ERROR(AUTH_STATIC_NOT_ALLOWED, strict.mint(req));

    // The thrown error's details.
    try {
        verifier.verify(token, "192.168.0.1", kNow);
        CHECK(false);
    } catch (const auth::Error &e) {
        CHECK(e.code() == AUTH_IP_NOT_ALLOWED);
        CHECK(std::string(e.name()) == "ip_not_allowed");
        CHECK(e.http_status() == 401);
        CHECK(e.response_status() == 401);
        CHECK(e.login_json().find("\"code\": \"ip_not_allowed\"") != std::string::npos);
        auth::Error copy = e; // copies share the C error
        CHECK(std::string(copy.what()) == e.what());
        CHECK(copy.sms_body(auth::Format::Xml).find("<response>") != std::string::npos);
    }
    // Caught as a std::runtime_error too.
    try {
        verifier.verify("", std::nullopt, kNow);
        CHECK(false);
    } catch (const std::runtime_error &e) {
        CHECK(std::strlen(e.what()) > 0);
    }
    // The non-throwing form.
    auth::Verdict v = verifier.check(token, "192.168.0.1", kNow);
    CHECK(!v.ok() && v.error() && v.error()->code() == AUTH_IP_NOT_ALLOWED);
    EXPECT_ERROR(AUTH_IP_NOT_ALLOWED, v.claims());
    auth::Verdict good = verifier.check(token, "10.9.9.9", kNow);
    CHECK(good && !good.error() && good.claims().id() == 1);
    // A binding-only code has no API body.
    EXPECT_ERROR(AUTH_NOT_CORE_ERROR, auth::Error(AUTH_INSUFFICIENT_SIZE).login_json());
    EXPECT_ERROR(AUTH_INVALID_ENUM, auth::Error::from_code(AUTH_PANIC));
}

void test_move_semantics() {
    auth::KeyRing ring;
    ring.add("k1", kSecret);
    auth::KeyRing moved(std::move(ring));
    CHECK(moved.size() == 1);
    EXPECT_ERROR(AUTH_NULL_ARGUMENT, (void)ring.size()); // moved-from: no handle, no crash
    auth::Verifier verifier(moved);
    auth::Issuer issuer(moved);
    auth::Verifier v2(std::move(verifier));
    auto req = auth::MintRequest::user(42, "m");
    req.set_now(kNow);
    auth::Minted m1 = issuer.mint(req);
    auth::Minted m2 = std::move(m1);
    EXPECT_ERROR(AUTH_NULL_ARGUMENT, (void)m1.token());
    auth::Claims c = v2.verify(m2.token(), std::nullopt, kNow);
    auth::Claims c2 = std::move(c);
    CHECK(c2.id() == 42);
    EXPECT_ERROR(AUTH_NULL_ARGUMENT, (void)c.id());
    // Move assignment frees what the target held (leaks show under ASan / valgrind).
    auth::Claims c3 = v2.verify(m2.token(), std::nullopt, kNow);
    c3 = std::move(c2);
    CHECK(c3.id() == 42);
    auth::MintRequest r2 = auth::MintRequest::reseller(1, "x");
    r2 = std::move(req);
    CHECK(issuer.mint(r2).claims().id() == 42);
    // The ring's handle may go: issuers and verifiers keep its last state.
    { auth::KeyRing gone(std::move(moved)); }
    CHECK(v2.verify(issuer.mint(r2).token(), std::nullopt, kNow).id() == 42);
    std::vector<auth::Claims> many;
    for (int i = 0; i < 20; ++i) many.push_back(v2.verify(m2.token(), std::nullopt, kNow));
    CHECK(many.back().id() == 42 && many.front().id() == 42);
}

void test_rotation_follows_ring() {
    auth::KeyRing ring;
    ring.add("k1", kSecret);
    auth::Issuer issuer(ring);
    auth::Verifier verifier(ring);
    auto req = auth::MintRequest::user(7, "r");
    req.set_now(kNow);
    std::string old_token = issuer.mint(req).token();
    EXPECT_ERROR(AUTH_UNKNOWN_KEY, verifier.verify(
        [&] { auth::KeyRing other; other.add("k2", kSecret2); auth::Issuer i2(other); return i2.mint(req).token(); }(),
        std::nullopt, kNow));
    ring.rotate("k2", kSecret2, auth::Algorithm::HS384);
    CHECK(ring.size() == 2);
    std::string new_token = issuer.mint(req).token();
    CHECK(new_token.find('.') != std::string::npos);
    CHECK(verifier.verify(new_token, std::nullopt, kNow).id() == 7); // no rebuild
    CHECK(verifier.verify(old_token, std::nullopt, kNow).id() == 7); // old key still verifies
    ring.remove("k1");
    EXPECT_ERROR(AUTH_UNKNOWN_KEY, verifier.verify(old_token, std::nullopt, kNow));
    CHECK(verifier.verify(new_token, std::nullopt, kNow).id() == 7);
    ring.set_active("k2").set_default_kid(std::string_view("k2")).set_default_kid(std::nullopt);
    EXPECT_ERROR(AUTH_UNKNOWN_KEY, ring.remove("k1"));
}

void test_revocation() {
    auth::KeyRing ring;
    ring.add("k1", kSecret);
    auth::Issuer issuer(ring);
    auth::MemoryStore store;
    auth::Verifier verifier(ring, auth::VerifyOptions(), store.revocation());
    auto req = auth::MintRequest::user(11, "x");
    req.set_now(kNow);
    auth::Minted a = issuer.mint(req);
    auth::Minted b = issuer.mint(req);
    auth::Claims ca = verifier.verify(a.token(), std::nullopt, kNow);
    auth::logout(store, ca, kNow);
    CHECK(store.is_revoked(ca.jti(), kNow));
    CHECK(store.size() == 1);
    EXPECT_ERROR(AUTH_TOKEN_REVOKED, verifier.verify(a.token(), std::nullopt, kNow));
    CHECK(verifier.verify(b.token(), std::nullopt, kNow).id() == 11);
    store.revoke_principal_before({auth::PrincipalType::User, 11}, kNow);
    EXPECT_ERROR(AUTH_TOKEN_REVOKED, verifier.verify(b.token(), std::nullopt, kNow));
    CHECK(store.purge_expired(kNow + 2 * 86400) == 1);
    store.revoke("static-jti", std::nullopt, kNow);
    CHECK(store.is_revoked("static-jti", kNow + 1000000));
    EXPECT_ERROR(AUTH_INVALID_REQUEST, store.revoke("", std::nullopt, kNow));
    auth::MemoryStore full(0, 0);
    EXPECT_ERROR(AUTH_REVOCATION_STORE_FULL, full.revoke("j", std::nullopt, kNow));

    // A per-call store is consulted in addition to the verifier's own.
    auth::MemoryStore other;
    auth::Revocation other_rev = other.revocation();
    auth::Minted c = issuer.mint(auth::MintRequest::reseller(3, "c").set_now(kNow));
    other.revoke(c.token_id(), kNow + 86400, kNow);
    EXPECT_ERROR(AUTH_TOKEN_REVOKED, verifier.verify(c.token(), std::nullopt, kNow, &other_rev));
    CHECK(verifier.verify(c.token(), std::nullopt, kNow).id() == 3);

    // A host callback (std::function); a throwing one cannot answer: 503, not "revoked".
    std::atomic<int> calls{0};
    std::string seen;
    auth::Revocation cb = auth::Revocation::from_callback([&](const auth::RevocationQuery &q) {
        ++calls;
        seen = std::string(q.jti);
        return q.principal.id == 3 && q.exp.has_value();
    });
    auth::Verifier with_cb(ring, auth::VerifyOptions(), cb);
    EXPECT_ERROR(AUTH_TOKEN_REVOKED, with_cb.verify(c.token(), std::nullopt, kNow));
    CHECK(seen == c.token_id());
    CHECK(with_cb.verify(b.token(), std::nullopt, kNow).id() == 11);
    CHECK(calls == 2);
    auth::Revocation throwing = auth::Revocation::from_callback(
        [](const auth::RevocationQuery &) -> bool { throw std::runtime_error("store down"); });
    EXPECT_ERROR(AUTH_REVOCATION_UNAVAILABLE, with_cb.verify(b.token(), std::nullopt, kNow, &throwing));
    // A store that knows the token is revoked still wins.
    EXPECT_ERROR(AUTH_TOKEN_REVOKED, verifier.verify(b.token(), std::nullopt, kNow, &throwing));
}

void test_threads() {
    auth::KeyRing ring;
    ring.add("k1", kSecret);
    auth::Issuer issuer(ring);
    auth::Verifier verifier(ring);
    auto req = auth::MintRequest::user(99, "t");
    req.set_now(kNow).add_allowed_ip("2001:db8::/32");
    std::string token = issuer.mint(req).token();
    std::atomic<int> ok{0}, bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100; ++i) {
                try {
                    auth::Claims c = verifier.verify(token, "2001:db8::1", kNow);
                    if (c.id() == 99 && c.name() == "t") ++ok; else ++bad;
                } catch (const auth::Error &) {
                    ++bad;
                }
                if (t == 0 && i % 10 == 0) {
                    try {
                        verifier.verify(token, "10.0.0.1", kNow);
                        ++bad;
                    } catch (const auth::Error &e) {
                        if (e.code() != AUTH_IP_NOT_ALLOWED) ++bad;
                    }
                }
            }
        });
    // The ring changes while the threads verify: k1 stays, so every verify passes.
    for (int i = 0; i < 10; ++i) ring.add("extra-" + std::to_string(i), kSecret2);
    for (auto &th : threads) th.join();
    CHECK(ok == 400);
    CHECK(bad == 0);
    CHECK(ring.size() == 11);
}

void test_ip_policies() {
    CHECK(auth::ip_rule_canonical("192.168.2.0/24") == "192.168.2.0/24");
    CHECK(auth::ip_address_canonical("::ffff:192.168.2.5") == "192.168.2.5");
    CHECK(auth::ip_address_canonical("2001:DB8::1") == "2001:db8::1");
    EXPECT_ERROR(AUTH_INVALID_IP_RULE, auth::ip_rule_canonical("192.168.2.5/24"));
    EXPECT_ERROR(AUTH_INVALID_IP_ADDRESS, auth::ip_address_canonical("010.1.1.1"));
    auth::IpAllowList list{"192.168.2.0/24", "2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae"};
    CHECK(list.size() == 2);
    CHECK(list.contains("192.168.2.9"));
    CHECK(list.contains("::ffff:192.168.2.9"));
    CHECK(!list.contains("192.168.3.1"));
    EXPECT_ERROR(AUTH_INVALID_IP_ADDRESS, (void)list.contains("1.2.3"));
    std::vector<std::string> rules;
    for (int i = 0; i < 1000; ++i) rules.push_back("10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24");
    auth::IpAllowList big(rules);
    CHECK(big.size() == 1000 && big.contains("10.3.231.5") && !big.contains("10.4.0.1"));
    auth::IpAllowList empty(std::vector<std::string>{});
    CHECK(empty.size() == 0 && !empty.contains("1.1.1.1"));
    EXPECT_ERROR(AUTH_INVALID_IP_RULE, auth::IpAllowList({"1.2.3.4", "nope"}));
    auth::IpRegex re("192\\.168\\.1\\.1");
    CHECK(re.is_match("192.168.1.1"));
    CHECK(!re.is_match("192.168.1.10"));
    auth::IpRegex search("192\\.168\\.1\\.1", auth::RegexMode::Search);
    CHECK(search.is_match("192.168.1.10"));
    EXPECT_ERROR(AUTH_INVALID_REGEX, auth::IpRegex(""));
    EXPECT_ERROR(AUTH_INVALID_IP_ADDRESS, (void)re.is_match("192.168.01.1"));
}

void test_api_shapes() {
    auth::KeyRing ring;
    ring.add("k1", kSecret);
    auth::Issuer issuer(ring);
    auth::Verifier verifier(ring);
    CHECK(auth::format_from_media_type("application/xml; charset=utf-8") == auth::Format::Xml);
    CHECK(!auth::format_from_media_type("text/plain"));
    CHECK(auth::content_type(auth::Format::Json) == "application/json");

    // POST /session.json
    auth::IpRegex group("10\\.0\\.0\\.\\d+");
    auth::UserAccount alice;
    alice.id = 123;
    alice.name = "alice";
    alice.allowed_regex = &group;
    auth::UserLogin login = auth::login_user(issuer, alice, std::string_view("10.0.0.7"), auth::Lifetime::dynamic(), kNow);
    CHECK(login.to_json().find("\"user\": {\"id\": 123, \"blocked\": false}") != std::string::npos);
    auth::Claims caller = verifier.verify(login.minted().token(), std::nullopt, kNow);
    CHECK(caller.exp() == kNow + 86400);
    EXPECT_ERROR(AUTH_LOGIN_IP_DENIED, auth::login_user(issuer, alice, std::string_view("10.0.1.7"), auth::Lifetime::dynamic(), kNow));
    alice.blocked = true;
    EXPECT_ERROR(AUTH_INVALID_CREDENTIALS, auth::login_user(issuer, alice, std::nullopt));
    auth::Error wrong_password = auth::Error::from_code(AUTH_INVALID_CREDENTIALS);
    CHECK(wrong_password.response_status() == 401);
    CHECK(wrong_password.login_json().find("Invalid login credentials") != std::string::npos);

    // POST /v1/resellers/login.json
    auth::IpAllowList allowed{"192.168.2.0/24"};
    auth::ResellerAccount reseller;
    reseller.id = 1;
    reseller.name = "reseller_name";
    reseller.allowed_ips = &allowed;
    reseller.user_balance = 1000.0;
    reseller.version = "1.0.0";
    auth::ResellerLogin rl = auth::login_reseller(issuer, reseller, std::string_view("192.168.2.2"), auth::Lifetime::dynamic(), kNow);
    CHECK(rl.to_json().find("\"version\": \"1.0.0\"") != std::string::npos);
    auto rips = rl.minted().claims().allowed_ips();
    CHECK(rips && rips->size() == 1);
    EXPECT_ERROR(AUTH_RESELLER_IP_DENIED, auth::login_reseller(issuer, reseller, std::string_view("10.0.0.1"), auth::Lifetime::dynamic(), kNow));
    {
        auth::ResellerAccount plain;
        plain.id = 2;
        plain.name = "r";
        CHECK(auth::login_reseller(issuer, plain, std::nullopt, auth::Lifetime::dynamic(), kNow)
                  .to_json()
                  .find("\"version\": \"1.0.0\"") != std::string::npos);
        plain.blocked = true;
        EXPECT_ERROR(AUTH_RESELLER_INVALID_CREDENTIALS,
                     auth::login_reseller(issuer, plain, std::nullopt, auth::Lifetime::dynamic(), kNow));
    }

    // POST /token (JSON and XML)
    auth::TokenRequest tr = auth::TokenRequest::parse(
        R"({"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["192.168.2.0/24"]}})", auth::Format::Json);
    CHECK(tr.name() == "Best token ever");
    CHECK(tr.lifetime().kind == AUTH_LIFETIME_TTL && tr.lifetime().ttl == 2678400);
    CHECK(tr.allowed_ips() == std::vector<std::string>{"192.168.2.0/24"});
    auth::CreatedToken created = auth::create_token_self(issuer, caller, tr, kNow);
    CHECK(created.render(auth::Format::Json).find("\"message\": \"OK\"") != std::string::npos);
    CHECK(created.render(auth::Format::Xml).find("<status>1</status>") != std::string::npos);
    CHECK(created.minted().claims().token_name() == std::string("Best token ever"));
    auth::TokenRequest xml = auth::TokenRequest::parse("<token><name>x</name></token>", auth::Format::Xml);
    CHECK(xml.lifetime().kind == AUTH_LIFETIME_STATIC);
    EXPECT_ERROR(AUTH_INVALID_REQUEST, auth::TokenRequest::parse("{}", auth::Format::Json));
    auth::Subject sub;
    sub.id = 77;
    sub.name = "sub";
    auth::CreatedToken forsub = auth::create_token_sub_account(issuer, caller, xml, sub, true, kNow);
    CHECK(forsub.minted().claims().id() == 77);
    CHECK((forsub.minted().claims().parent() == auth::Principal{auth::PrincipalType::User, 123}));
    EXPECT_ERROR(AUTH_NOT_PERMITTED, auth::create_token_sub_account(issuer, caller, xml, sub, false, kNow));

    // A named token may not create tokens by default; a host may allow it, and then the
    // child stays inside the named token's lifetime.
    auth::ClaimsView named = created.minted().claims();
    EXPECT_ERROR(AUTH_NOT_PERMITTED, auth::create_token_self(issuer, named, tr, kNow));
    auth::TokenCreationPolicy lenient;
    lenient.allow_named_callers = true;
    auth::TokenRequest shorter =
        auth::TokenRequest::parse(R"({"token": {"name": "child", "ttl": 60}})", auth::Format::Json);
    CHECK(auth::create_token_self(issuer, named, shorter, kNow, lenient).minted().claims().token_name() ==
          std::string("child"));
    EXPECT_ERROR(AUTH_NOT_PERMITTED, auth::create_token_self(issuer, named, xml, kNow, lenient));
}

// ---- shared vectors: the C API and the wrapper agree on every tokens.json case ----

std::string unhex(const std::string &f) {
    if (f == "-") return std::string();
    std::string out;
    for (std::size_t i = 1; i + 1 < f.size(); i += 2) out.push_back(static_cast<char>(std::stoi(f.substr(i, 2), nullptr, 16)));
    return out;
}

struct KeySpec {
    std::string kid, alg, secret;
};

void test_vectors(const char *path) {
    std::ifstream in(path);
    CHECK(in.good());
    std::map<std::string, std::vector<KeySpec>> rings;
    std::map<std::string, std::string> default_kids;
    std::string line;
    int cases = 0, agreed = 0;
    std::vector<std::string> tok;          // the current TOKEN record
    std::vector<std::string> revj;         // REVJ jtis
    std::vector<std::vector<std::string>> revp;
    bool revstore = false;
    std::vector<std::string> audiences;    // AUDOPT: expected audiences...
    std::optional<std::string> issuer;     // ...and issuer (cases_audience)
    auto run_case = [&] {
        const std::string ring_name = unhex(tok[3]), token = unhex(tok[4]), ip = unhex(tok[6]), expect = unhex(tok[10]);
        const std::uint64_t now = std::stoull(tok[5]);
        auth::KeyRing ring;
        for (const auto &k : rings[ring_name]) ring.add(k.kid, k.secret, auth::algorithm_from_name(k.alg));
        if (default_kids.count(ring_name)) ring.set_default_kid(std::string_view(default_kids[ring_name]));
        auth::VerifyOptions options;
        options.leeway = std::stoull(tok[7]);
        options.max_clock_skew = std::stoull(tok[8]);
        options.max_token_size = std::stoull(tok[9]);
        std::vector<auth_str> aud_strs;
        for (const auto &a : audiences) aud_strs.push_back(auth_str{a.data(), a.size()});
        options.audiences = aud_strs.empty() ? nullptr : aud_strs.data();
        options.audiences_len = aud_strs.size();
        options.issuer = issuer ? issuer->data() : nullptr;
        options.issuer_len = issuer ? issuer->size() : 0;
        auth::MemoryStore store;
        for (const auto &j : revj) store.revoke(j, std::nullopt, now);
        for (const auto &p : revp)
            store.revoke_principal_before(
                {unhex(p[1]) == "user" ? auth::PrincipalType::User : auth::PrincipalType::Reseller, std::stoull(p[2])},
                std::stoull(p[3]));
        auth::Revocation rev = store.revocation();
        auth::Verifier verifier = revstore ? auth::Verifier(ring, options, rev) : auth::Verifier(ring, options);
        std::optional<std::string_view> client_ip;
        if (tok[6] != "-") client_ip = ip;

        // The C API, directly.
        auth_claims *c_claims = nullptr;
        auth_result c_rc = auth_verifier_verify(verifier.get(), token.data(), token.size(), &now,
                                                client_ip ? ip.data() : nullptr, ip.size(), nullptr, &c_claims, nullptr);
        std::string c_json;
        if (c_rc == AUTH_OK) {
            char buf[4096];
            std::size_t len = 0;
            if (auth_claims_to_json(c_claims, buf, sizeof buf, &len) == AUTH_OK) c_json.assign(buf, len);
            auth_claims_free(c_claims);
        }
        // The wrapper.
        std::string cpp_name = "valid", cpp_json;
        auth_result cpp_rc = AUTH_OK;
        try {
            cpp_json = verifier.verify(token, client_ip, now).to_json();
        } catch (const auth::Error &e) {
            cpp_rc = e.code();
            cpp_name = e.name();
        }
        ++cases;
        bool same = c_rc == cpp_rc && c_json == cpp_json &&
                    (expect == "valid" ? cpp_rc == AUTH_OK : cpp_name == expect);
        if (same) ++agreed;
        else std::printf("FAIL vector %s (%s): expected %s, C %s, C++ %s\n", tok[1].c_str(), unhex(tok[2]).c_str(),
                         expect.c_str(), auth_result_name(c_rc), cpp_name.c_str());
    };
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::vector<std::string> f;
        for (std::string w; ss >> w;) f.push_back(w);
        if (f.empty()) continue;
        if (f[0] == "RING") {
            if (f[2] != "-") default_kids[unhex(f[1])] = unhex(f[2]);
        } else if (f[0] == "KEY") {
            rings[unhex(f[1])].push_back({unhex(f[2]), unhex(f[3]), unhex(f[4])});
        } else if (f[0] == "TOKEN") {
            tok = f;
            revj.clear();
            revp.clear();
            revstore = false;
            audiences.clear();
            issuer.reset();
        } else if (f[0] == "AUDOPT") {
            if (f[1] != "-") issuer = unhex(f[1]);
            const std::size_t n = std::stoull(f[2]);
            for (std::size_t i = 0; i < n && 3 + i < f.size(); ++i) audiences.push_back(unhex(f[3 + i]));
        } else if (f[0] == "REVSTORE") {
            revstore = true;
        } else if (f[0] == "REVJ") {
            revj.push_back(unhex(f[1]));
        } else if (f[0] == "REVP") {
            revp.push_back(f);
        } else if (f[0] == "END" && !tok.empty()) {
            run_case();
            tok.clear();
        }
    }
    std::printf("vectors: %d tokens.json cases, %d agree (C API == C++ wrapper == expected)\n", cases, agreed);
    CHECK(cases > 50);
    CHECK(agreed == cases);
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s VECTORS_TXT\n", argv[0]);
        return 2;
    }
    try {
        test_version_and_names();
        test_handles_are_move_only();
        test_mint_verify_claims();
        test_errors_carry_codes();
        test_move_semantics();
        test_rotation_follows_ring();
        test_revocation();
        test_threads();
        test_ip_policies();
        test_api_shapes();
        test_vectors(argv[1]);
        test_http(argv[1], passed, failed);
        test_scopes(argv[1], passed, failed);
        test_algorithms(passed, failed);
    } catch (const auth::Error &e) {
        std::printf("FAIL uncaught auth::Error %s: %s\n", e.name(), e.what());
        ++failed;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
