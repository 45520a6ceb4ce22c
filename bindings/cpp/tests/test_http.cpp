// The HTTP edge through auth_core.hpp: auth::Authenticator and auth::Answer on every case
// of tests/vectors/http_edge.json (records HTTPKEY, HTTPREVOKED, HTTPTOKEN, HTTP of the
// flattened vectors), plus ownership and the answers that do not come from a request.
#include "auth_core.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

void test_http(const char *vectors_path, int &passed, int &failed);

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
