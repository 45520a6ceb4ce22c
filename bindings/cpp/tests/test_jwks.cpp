// include/auth_core_jwks.hpp against tests/jwks/server.py (bindings/c/tests/run-jwks.sh runs it):
//   test_jwks_cpp PORT DIR CERTS ED_PEM
// Serves a JWK Set of the key in ED_PEM from DIR/jwks.json, verifies a token through
// auth::JwksClient, then checks the errors of a failing endpoint and of an http:// URL.
#include "auth_core_jwks.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

static int checks = 0, failures = 0;
#define CHECK(cond)                                                            \
    do {                                                                       \
        ++checks;                                                              \
        if (!(cond)) {                                                         \
            ++failures;                                                        \
            std::printf("FAIL test_jwks.cpp line %d: %s\n", __LINE__, #cond); \
        }                                                                      \
    } while (0)

static std::string read(const std::string &path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

int main(int argc, char **argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: test_jwks_cpp PORT DIR CERTS ED_PEM\n");
        return 2;
    }
    std::string base = std::string("https://127.0.0.1:") + argv[1], dir = argv[2], certs = argv[3];
    // The issuer: a ring with the PEM key, its JWKS served, a token.
    auth_key_ring *raw = nullptr;
    std::string pem = read(argv[4]);
    if (auth_key_ring_new(&raw) != AUTH_OK || auth_key_ring_add_pem(raw, "cpp-1", 5, pem.data(), pem.size(), nullptr) != AUTH_OK)
        return 2;
    std::string jwks = auth::detail::read_text(
        [raw](char *b, std::size_t n, std::size_t *o) { return auth_key_ring_to_jwks(raw, b, n, o); });
    std::ofstream(dir + "/jwks.json") << jwks;
    auth_issuer *issuer = nullptr;
    auth_mint_request *req = nullptr;
    auth_minted *minted = nullptr;
    if (auth_issuer_new(raw, nullptr, &issuer, nullptr) != AUTH_OK ||
        auth_mint_request_new_user(9, "bob", 3, false, nullptr, 0, nullptr, &req, nullptr) != AUTH_OK ||
        auth_issuer_mint(issuer, req, &minted, nullptr) != AUTH_OK)
        return 2;
    std::string token = auth::detail::read_text(
        [minted](char *b, std::size_t n, std::size_t *o) { return auth_minted_token(minted, b, n, o); });
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_issuer_free(issuer);
    auth_key_ring_free(raw);

    auth::JwksClient client(base + "/jwks.json", auth::JwksOptions(), certs + "/ca.pem");
    CHECK(!client.last_error() && client.status().attempts == 0);
    auth::Claims claims = client.verify(token);
    CHECK(claims.name() == "bob" && claims.id() == 9);
    CHECK(client.status().keys == 1 && client.status().has_keys);

    auth::JwksClient broken(base + "/500", auth::JwksOptions(), certs + "/ca.pem");
    try {
        broken.verify(token);
        CHECK(false);
    } catch (const auth::Error &e) {
        CHECK(e.code() == AUTH_JWKS_UNAVAILABLE && e.http_status() == 503);
        CHECK(std::string(e.what()).find("HTTP 500") != std::string::npos);
    }
    std::optional<auth::Error> last = broken.last_error();
    CHECK(last && last->code() == AUTH_JWKS_UNAVAILABLE);
    try {
        auth::JwksClient plain("http://127.0.0.1:1/jwks.json");
        CHECK(false);
    } catch (const auth::Error &e) {
        CHECK(e.code() == AUTH_INVALID_REQUEST);
    }
    auth::JwksOptions allow;
    allow.allow_http = true;
    auth::JwksClient plain("http://127.0.0.1:1/jwks.json", allow);
    CHECK(plain.get() != nullptr && plain.ring() != nullptr && plain.verifier() != nullptr);
    std::printf("jwks c++: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
