// The HTTP edge through auth_core.hpp: auth::Authenticator and auth::Answer on every case
// of tests/vectors/http_edge.json (records HTTPKEY, HTTPREVOKED, HTTPTOKEN, HTTP of the
// flattened vectors), plus ownership and the answers that do not come from a request; and
// scopes (test_scopes): every list of tests/vectors/scopes.json (the SCOPE* records) through
// auth::ScopeVocabulary, auth::RequiredScopes, scoped verification, authentication and token
// creation, then the wrapper's scope API.
#include "auth_core.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

void test_http(const char *vectors_path, int &passed, int &failed);
void test_scopes(const char *vectors_path, int &passed, int &failed);

namespace {

struct Tally {
    int &passed;
    int &failed;
    void check(bool ok, const std::string &what, int line) {
        if (ok) {
            ++passed;
        } else {
            ++failed;
            std::printf("FAIL test_http.cpp line %d: %s\n", line, what.c_str());
        }
    }
};
#define HCHECK(t, cond) (t).check((cond), #cond, __LINE__)

std::string unhex(const std::string &f) {
    std::string out;
    for (std::size_t i = 1; i + 1 < f.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(f.substr(i, 2), nullptr, 16)));
    return out;
}

std::vector<std::string_view> views(const std::vector<std::string> &v) { return {v.begin(), v.end()}; }

static_assert(!std::is_copy_constructible_v<auth::Authenticator>, "Authenticator is move-only");
static_assert(std::is_nothrow_move_constructible_v<auth::Authenticator>, "Authenticator moves");
static_assert(!std::is_copy_constructible_v<auth::Answer>, "Answer is move-only");
static_assert(std::is_nothrow_move_constructible_v<auth::Answer>, "Answer moves");

// HTTP name peer unix status code challenge nginx client_ip nproxies proxies... nauth ... nxff ...
void run_case(Tally &t, const auth::Verifier &verifier, const std::vector<std::string> &f, int &agreed) {
    const std::string name = unhex(f[1]);
    std::size_t i = 9;
    auto list = [&] {
        std::vector<std::string> out(std::stoul(f[i++]));
        for (auto &s : out) s = unhex(f[i++]);
        return out;
    };
    const std::vector<std::string> proxies = list(), authz = list(), xff = list();
    const std::string peer_text = unhex(f[2]);
    std::optional<std::string_view> peer;
    if (f[2] != "-") peer = peer_text;
    const int status = std::stoi(f[4]);
    auth::Authenticator authenticator(verifier, views(proxies), f[3] == "1");
    auth::Authentication got = authenticator.check(views(authz), peer, views(xff));
    bool same = false;
    if (status == 200) {
        const std::optional<std::string> want = f[8] == "-" ? std::nullopt : std::optional<std::string>(unhex(f[8]));
        same = got.ok() && got.value().client_ip == want && got.value().claims.id() == 123;
    } else if (!got.ok()) {
        const auth::Error &e = *got.error();
        const std::optional<std::string> challenge = f[6] == "-" ? std::nullopt : std::optional<std::string>(unhex(f[6]));
        auth::Answer plain = e.answer(auth::AnswerStyle::Plain);
        auth::Answer nginx = auth::Answer::refusal(e, auth::AnswerStyle::AuthRequest);
        auto challenge_of = [](const auth::Answer &a) {
            auto v = a.header("www-authenticate");
            return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
        };
        same = e.name() == unhex(f[5]) && plain.status() == status && nginx.status() == std::stoi(f[7]) &&
               challenge_of(plain) == challenge && challenge_of(nginx) == challenge &&
               plain.body().find("\"error\":\"" + unhex(f[5]) + "\"") != std::string_view::npos &&
               nginx.body().empty();
    }
    if (same) ++agreed;
    else t.check(false, "vector " + name, __LINE__);
}

void test_answers(Tally &t) {
    auth::Answer a = auth::Answer::rate_limited(0, auth::AnswerStyle::TokenApi, {"application/xml"});
    HCHECK(t, a.status() == 429);
    HCHECK(t, a.header("retry-after") == std::optional<std::string_view>("1"));
    HCHECK(t, a.header("content-type") == std::optional<std::string_view>("application/xml"));
    HCHECK(t, a.body().find("<error>rate_limited</error>") != std::string_view::npos);
    HCHECK(t, a.headers().size() == 3);
    auth::Answer s = auth::Answer::server_error(auth::AnswerStyle::LoginApi);
    HCHECK(t, s.status() == 500 && s.body().find("\"server_error\"") != std::string_view::npos);
    auth::Answer moved = std::move(s);
    HCHECK(t, moved.status() == 500);
    try {
        (void)s.status(); // NOLINT(bugprone-use-after-move): a moved-from answer throws
        HCHECK(t, false);
    } catch (const auth::Error &e) {
        HCHECK(t, e.code() == AUTH_NULL_ARGUMENT);
    }
    // A host's own refusal, from a code.
    auth::Answer m = auth::Error::from_code(AUTH_MISSING_TOKEN).answer(auth::AnswerStyle::AuthRequest);
    HCHECK(t, m.status() == 401 && m.header("www-authenticate") == std::optional<std::string_view>("Bearer"));
    // The binding's own codes have no answer.
    try {
        (void)auth::Error(AUTH_NULL_ARGUMENT).answer(auth::AnswerStyle::Plain);
        HCHECK(t, false);
    } catch (const auth::Error &e) {
        HCHECK(t, e.code() == AUTH_NOT_CORE_ERROR);
    }
}

} // namespace

void test_http(const char *vectors_path, int &passed, int &failed) {
    Tally t{passed, failed};
    std::ifstream in(vectors_path);
    std::map<std::string, std::string> tokens;
    std::vector<std::vector<std::string>> cases;
    std::string kid, alg, secret, line;
    std::vector<std::string> revoked;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::vector<std::string> f;
        for (std::string w; ss >> w;) f.push_back(w);
        if (f.empty()) continue;
        if (f[0] == "HTTPKEY") {
            kid = unhex(f[1]);
            alg = unhex(f[2]);
            secret = unhex(f[3]);
        } else if (f[0] == "HTTPREVOKED") {
            revoked.push_back(unhex(f[1]));
        } else if (f[0] == "HTTPTOKEN") {
            tokens[unhex(f[1])] = unhex(f[2]);
        } else if (f[0] == "HTTP") {
            cases.push_back(f);
        }
    }
    HCHECK(t, !cases.empty() && !kid.empty());
    if (cases.empty() || kid.empty()) return;
    auth::KeyRing ring;
    ring.add(kid, secret, auth::algorithm_from_name(alg));
    auth::MemoryStore store;
    for (const auto &j : revoked) store.revoke(j, std::nullopt);
    auth::Verifier verifier(ring, auth::VerifyOptions(), store.revocation());
    int agreed = 0;
    for (const auto &c : cases) run_case(t, verifier, c, agreed);
    std::printf("vectors: %zu http_edge.json cases, %d agree through auth::Authenticator\n", cases.size(), agreed);
    HCHECK(t, agreed == static_cast<int>(cases.size()));

    // authenticate() throws the refusal; its answer is the host's response.
    auth::Authenticator edge(verifier, {"127.0.0.1"});
    const std::string header = "Bearer " + tokens["ip_limited"];
    auth::Authenticated ok = edge.authenticate({header}, "127.0.0.1", {"203.0.113.9:8080"});
    HCHECK(t, ok.client_ip == std::optional<std::string>("203.0.113.9") && ok.claims.name() == "alice");
    try {
        edge.authenticate({}, "127.0.0.1");
        HCHECK(t, false);
    } catch (const auth::Error &e) {
        HCHECK(t, e.code() == AUTH_MISSING_TOKEN);
        HCHECK(t, e.answer(auth::AnswerStyle::Plain).header("www-authenticate") ==
                      std::optional<std::string_view>("Bearer"));
    }
    auth::Authenticator moved = std::move(edge);
    HCHECK(t, moved.check({header}, "203.0.113.1").ok());
    HCHECK(t, edge.check({header}, "203.0.113.1").error()->code() == AUTH_NULL_ARGUMENT); // NOLINT: moved-from
    try {
        auth::Authenticator bad(verifier, {"10.0.0.1/8"});
        HCHECK(t, false);
    } catch (const auth::Error &e) {
        HCHECK(t, e.code() == AUTH_INVALID_IP_RULE);
    }
    test_answers(t);
}

// ---- Scopes (docs/scopes.md) ----

namespace {

static_assert(!std::is_copy_constructible_v<auth::ScopeVocabulary>, "ScopeVocabulary is move-only");
static_assert(std::is_nothrow_move_constructible_v<auth::ScopeVocabulary>, "ScopeVocabulary moves");
static_assert(!std::is_copy_constructible_v<auth::RequiredScopes>, "RequiredScopes is move-only");
static_assert(std::is_nothrow_move_constructible_v<auth::RequiredScopes>, "RequiredScopes moves");

using Fields = std::vector<std::string>;

std::optional<std::string> opt_text(const std::string &f) {
    return f == "-" ? std::nullopt : std::optional<std::string>(unhex(f));
}
std::optional<std::string_view> view(const std::optional<std::string> &s) {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
}
std::vector<std::string> split(const std::string &names) {
    std::vector<std::string> out;
    std::istringstream ss(names);
    for (std::string n; std::getline(ss, n, ' ');) out.push_back(n);
    return out;
}

// "valid", or the name of the auth::Error `f` throws; the error goes to `*err`.
template <class F> std::string verdict(F &&f, std::optional<auth::Error> *err = nullptr) {
    try {
        f();
        return "valid";
    } catch (const auth::Error &e) {
        if (err) err->emplace(e);
        return e.name();
    }
}

bool mentions(const std::optional<auth::Error> &e, const std::string &field) {
    return field == "-" || (e && std::string(e->what()).find("`" + unhex(field) + "`") != std::string::npos);
}

std::optional<std::string> challenge(const auth::Error &e, auth::AnswerStyle style) {
    auth::Answer a = e.answer(style);
    auto v = a.header("www-authenticate");
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

struct ScopeRun {
    Tally &t;
    auth::ScopeVocabulary &vocab;
    const auth::Issuer &issuer;
    const auth::Verifier &verifier;
    int ran = 0, agreed = 0;

    void tally(bool same, const std::string &what) {
        ++ran;
        if (same) ++agreed;
        else t.check(false, "scopes.json " + what, __LINE__);
    }

    void text(const Fields &f) {
        std::string canonical;
        std::string got = verdict([&] { canonical = auth::scope_canonical(unhex(f[2])); });
        tally(got == unhex(f[3]) && (f[4] == "-" || canonical == unhex(f[4])), "texts " + unhex(f[1]));
    }
    void vocabulary(const Fields &f) {
        tally(verdict([&] { auth::ScopeVocabulary v(unhex(f[2])); }) == unhex(f[3]), "vocabularies " + unhex(f[1]));
    }
    void narrow(const Fields &f) {
        std::optional<std::string> result, caller = opt_text(f[2]), requested = opt_text(f[3]);
        std::optional<auth::Error> e;
        std::string got = verdict([&] { result = vocab.narrow(view(caller), view(requested)); }, &e);
        tally(got == unhex(f[4]) && mentions(e, f[6]) && (got != "valid" || result == opt_text(f[5])),
              "narrowing " + unhex(f[1]));
    }
    void required(const Fields &f) {
        const std::vector<std::string> names = split(unhex(f[3]));
        std::optional<std::string> held = opt_text(f[2]);
        std::optional<auth::Error> e;
        std::string got = verdict([&] { vocab.require(views(names)).check(view(held)); }, &e);
        bool same = got == unhex(f[4]) && mentions(e, f[5]);
        if (same && f[6] != "-") {
            const std::string want = unhex(f[6]);
            same = challenge(*e, auth::AnswerStyle::Plain) == want && challenge(*e, auth::AnswerStyle::OAuth) == want &&
                   e->answer(auth::AnswerStyle::AuthRequest).status() == 403 &&
                   want == "Bearer error=\"insufficient_scope\", scope=\"" + e->required_scope().value_or("?") + "\"";
        }
        tally(same, "required " + unhex(f[1]));
    }
    void token(const Fields &f) {
        std::optional<auth::RequiredScopes> need;
        if (f[5] != "-") need.emplace(vocab, views(split(unhex(f[5]))));
        const auth::RequiredScopes *req = need ? &*need : nullptr;
        const std::string tok = unhex(f[3]);
        const std::uint64_t now = std::stoull(f[4]);
        auth::Verdict v = verifier.check(tok, std::nullopt, now, nullptr, req);
        std::string got = v ? "valid" : v.error()->name();
        auth::Authenticator edge(verifier);
        auth::Authentication a = edge.check({"Bearer " + tok}, "::1", {}, now, req);
        std::string got2 = a ? "valid" : a.error()->name();
        bool same = got == unhex(f[6]) && got2 == got;
        if (same && got == "insufficient_scope") {
            const std::string want = "Bearer error=\"insufficient_scope\", scope=\"" + need->names() + "\"";
            same = challenge(*v.error(), auth::AnswerStyle::TokenApi) == want &&
                   challenge(*a.error(), auth::AnswerStyle::LoginApi) == want;
        }
        tally(same, "tokens " + unhex(f[2]));
    }
    void delegation(const Fields &f) {
        const std::uint64_t now = std::stoull(f[11]);
        std::optional<std::string> caller_ip = opt_text(f[3]);
        auth::Claims caller = verifier.verify(unhex(f[2]), view(caller_ip), now);
        const auth::Format format = unhex(f[9]) == "xml" ? auth::Format::Xml : auth::Format::Json;
        const std::string subname = unhex(f[6]);
        std::optional<auth::CreatedToken> created;
        std::string got = verdict([&] {
            auth::TokenRequest request = auth::TokenRequest::parse(unhex(f[10]), format);
            if (f[4] == "-") {
                created.emplace(auth::create_token_self(issuer, caller, request, now));
            } else {
                auth::Subject s;
                s.type = unhex(f[4]) == "user" ? auth::PrincipalType::User : auth::PrincipalType::Reseller;
                s.id = std::stoull(f[5]);
                s.name = subname;
                s.admin = f[7] == "1";
                created.emplace(auth::create_token_sub_account(issuer, caller, request, s, f[8] == "1", now));
            }
        });
        bool same = got == unhex(f[12]);
        if (same && created) {
            const std::optional<std::string> want = opt_text(f[13]);
            auth::Claims claims = verifier.verify(created->minted().token(), std::nullopt, now);
            const std::string json = created->render(auth::Format::Json), xml = created->render(auth::Format::Xml);
            auto ends = [](const std::string &s, const std::string &tail) {
                return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
            };
            same = claims.scope() == want && created->minted().claims().scope() == want &&
                   (want ? ends(json, unhex(f[14])) && ends(xml, unhex(f[15]))
                         : json.find("\"scopes\"") == std::string::npos && xml.find("<scopes>") == std::string::npos);
        }
        tally(same, "delegation " + unhex(f[1]));
    }
};

// The wrapper's own scope API: minting, requirements, errors and moves.
void scope_api(Tally &t, const auth::KeyRing &ring, const auth::ScopeVocabulary &vocab, const auth::Issuer &issuer,
               const auth::Verifier &verifier) {
    const std::uint64_t now = 1700000000;
    auto expect = [&](auth_result code, auto &&f, int line) {
        std::optional<auth::Error> e;
        verdict(f, &e);
        t.check(e && e->code() == code, std::string("want ") + auth_result_name(code), line);
    };
    auth::MintRequest req = auth::MintRequest::user(7, "alice");
    req.set_now(now).set_scopes({"sms", "account"});
    expect(AUTH_INVALID_SCOPE, [&] { auth::Issuer(ring).mint(req); }, __LINE__); // declares nothing
    auth::Minted m = issuer.mint(req);
    HCHECK(t, m.claims().scope() == std::optional<std::string>("account sms"));
    auth::Claims claims = verifier.verify(m.token(), std::nullopt, now);
    HCHECK(t, claims.scope() == std::optional<std::string>("account sms"));
    expect(AUTH_INVALID_SCOPE, [&] { req.set_scopes({}); }, __LINE__);
    expect(AUTH_INVALID_SCOPE, [&] { req.set_scopes({"sms", "sms"}); }, __LINE__);
    HCHECK(t, issuer.mint(req).claims().scope() == std::optional<std::string>("account sms")); // unchanged
    HCHECK(t, !issuer.mint(req.clear_scopes()).claims().scope());
    req.set_scopes({"billing"});
    expect(AUTH_INVALID_SCOPE, [&] { issuer.mint(req); }, __LINE__);

    // holds / requirements / exact
    HCHECK(t, vocab.holds(std::string_view("sms"), "sms:send") && !vocab.holds(std::string_view("sms:send"), "sms"));
    HCHECK(t, vocab.holds(std::nullopt, "account") && !vocab.holds(std::nullopt, "billing"));
    expect(AUTH_INVALID_SCOPE, [&] { vocab.holds(std::string_view("a  b"), "sms"); }, __LINE__);
    auth::RequiredScopes send = vocab.require({"sms:send", "account"});
    HCHECK(t, send.names() == "account sms:send");
    send.check(claims); // "account sms" holds both
    send.check(std::nullopt);
    std::optional<auth::Error> e;
    HCHECK(t, verdict([&] { send.check(std::string_view("sms")); }, &e) == "insufficient_scope");
    HCHECK(t, e && e->required_scope() == std::optional<std::string>("account sms:send") && e->http_status() == 403);
    HCHECK(t, e && std::string(e->what()).find("`account`") != std::string::npos);
    auth::RequiredScopes exact = auth::RequiredScopes::exact({"sms:send"});
    expect(AUTH_INSUFFICIENT_SCOPE, [&] { exact.check(claims); }, __LINE__); // no hierarchy without a vocabulary
    expect(AUTH_INVALID_SCOPE, [&] { auth::RequiredScopes::exact({"a b"}); }, __LINE__);
    expect(AUTH_INVALID_SCOPE, [&] { vocab.require({"billing"}); }, __LINE__);
    HCHECK(t, vocab.narrow(std::string_view("sms"), std::nullopt) == std::optional<std::string>("sms"));
    expect(AUTH_NOT_PERMITTED, [&] { vocab.narrow(std::string_view("sms"), std::string_view("account")); }, __LINE__);

    // verify and authenticate with a requirement; the error's answer names it
    auth::RequiredScopes tokens = vocab.require({"tokens"});
    auth::Verdict v = verifier.check(m.token(), std::nullopt, now, nullptr, &tokens);
    HCHECK(t, !v && v.error()->code() == AUTH_INSUFFICIENT_SCOPE);
    HCHECK(t, v.error()->required_scope() == std::optional<std::string>("tokens"));
    auth::Answer oauth = v.error()->answer(auth::AnswerStyle::OAuth);
    HCHECK(t, oauth.status() == 403 && oauth.body().find("\"error\":\"insufficient_scope\"") != std::string_view::npos);
    HCHECK(t, verifier.check(m.token(), std::nullopt, now, nullptr, &send).ok());
    auth::Authenticator edge(verifier);
    try {
        edge.authenticate({"Bearer " + m.token()}, "::1", {}, now, &tokens);
        HCHECK(t, false);
    } catch (const auth::Error &err) {
        HCHECK(t, err.code() == AUTH_INSUFFICIENT_SCOPE &&
                      challenge(err, auth::AnswerStyle::AuthRequest) ==
                          std::optional<std::string>("Bearer error=\"insufficient_scope\", scope=\"tokens\""));
    }
    HCHECK(t, edge.authenticate({"Bearer " + m.token()}, "::1", {}, now, &send).claims.scope().has_value());

    // errors: the new codes, errors without a requirement, OAuth's Basic challenge
    HCHECK(t, auth::result_name(AUTH_INSUFFICIENT_SCOPE) == "insufficient_scope" &&
                  auth::result_http_status(AUTH_INSUFFICIENT_SCOPE) == 403);
    HCHECK(t, auth::result_name(AUTH_INVALID_SCOPE) == "invalid_scope" &&
                  auth::result_http_status(AUTH_INVALID_SCOPE) == 400);
    auth::Error host = auth::Error::from_code(AUTH_INSUFFICIENT_SCOPE);
    HCHECK(t, !host.required_scope() && challenge(host, auth::AnswerStyle::Plain) ==
                                            std::optional<std::string>("Bearer error=\"insufficient_scope\""));
    HCHECK(t, !auth::Error(AUTH_NULL_ARGUMENT).required_scope());
    auth::Answer basic = auth::Error::from_code(AUTH_INVALID_CREDENTIALS).answer(auth::AnswerStyle::OAuth);
    HCHECK(t, basic.status() == 401 && basic.header("www-authenticate")->substr(0, 6) == "Basic ");

    // the token API's requested scopes
    auth::TokenRequest tr = auth::TokenRequest::parse(R"({"token": {"name": "ci", "scopes": ["sms:send"]}})",
                                                      auth::Format::Json);
    HCHECK(t, tr.scopes() == std::optional<std::string>("sms:send"));
    HCHECK(t, !auth::TokenRequest::parse("<token><name>ci</name></token>", auth::Format::Xml).scopes());
    expect(AUTH_INVALID_SCOPE, [&] { auth::TokenRequest::parse(R"({"token": {"name": "ci", "scopes": []}})",
                                                                auth::Format::Json); },
           __LINE__);

    // moves: a moved-from object throws null_argument, never crashes
    auth::RequiredScopes moved = std::move(send);
    HCHECK(t, moved.names() == "account sms:send");
    expect(AUTH_NULL_ARGUMENT, [&] { (void)send.names(); }, __LINE__); // NOLINT(bugprone-use-after-move)
    auth::ScopeVocabulary v2(R"({"a": {"includes": ["b"]}, "b": {}})");
    auth::ScopeVocabulary v3 = std::move(v2);
    HCHECK(t, v3.holds(std::string_view("a"), "b"));
    expect(AUTH_NULL_ARGUMENT, [&] { (void)v2.holds(std::nullopt, "a"); }, __LINE__); // NOLINT: moved-from
    auth::Issuer scoped = auth::Issuer(ring).with_scopes(v3); // the original issuer is a temporary
    HCHECK(t, !scoped.mint(auth::MintRequest::user(1, "b").set_scopes({"b"})).claims().scope().value().empty());
}

} // namespace

void test_scopes(const char *vectors_path, int &passed, int &failed) {
    Tally t{passed, failed};
    std::ifstream in(vectors_path);
    std::vector<Fields> keys, cases;
    std::string vocab_json, ring_name, line;
    Fields counts;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        Fields f;
        for (std::string w; ss >> w;) f.push_back(w);
        if (f.empty()) continue;
        if (f[0] == "KEY") keys.push_back(f);
        else if (f[0] == "SCOPEVOCAB") vocab_json = unhex(f[1]);
        else if (f[0] == "SCOPERING") ring_name = unhex(f[1]);
        else if (f[0] == "SCOPECOUNTS") counts = f;
        else if (f[0].rfind("SCOPE", 0) == 0) cases.push_back(f);
    }
    HCHECK(t, !vocab_json.empty() && !ring_name.empty() && counts.size() == 7);
    if (vocab_json.empty() || ring_name.empty() || counts.size() != 7) return;
    auth::KeyRing ring;
    for (const auto &k : keys)
        if (unhex(k[1]) == ring_name) ring.add(unhex(k[2]), unhex(k[4]), auth::algorithm_from_name(unhex(k[3])));
    auth::ScopeVocabulary vocab(vocab_json);
    auth::Issuer issuer = auth::Issuer(ring).with_scopes(vocab);
    auth::Verifier verifier(ring);
    ScopeRun run{t, vocab, issuer, verifier};
    std::size_t expected = 0;
    for (std::size_t i = 1; i < counts.size(); ++i) expected += std::stoul(counts[i]);
    for (const auto &f : cases) {
        if (f[0] == "SCOPETEXT") run.text(f);
        else if (f[0] == "SCOPEVOCABCASE") run.vocabulary(f);
        else if (f[0] == "SCOPENARROW") run.narrow(f);
        else if (f[0] == "SCOPEREQ") run.required(f);
        else if (f[0] == "SCOPETOKEN") run.token(f);
        else if (f[0] == "SCOPEDELEG") run.delegation(f);
    }
    std::printf("vectors: %d scopes.json cases (6 lists), %d agree through the wrapper\n", run.ran, run.agreed);
    HCHECK(t, run.ran == static_cast<int>(expected) && run.agreed == run.ran);
    scope_api(t, ring, vocab, issuer, verifier);
}
