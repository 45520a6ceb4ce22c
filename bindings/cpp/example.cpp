// A C++ service's request check with auth_core.hpp.
//
//   example                          self-contained demo: logs a user in, checks requests,
//                                    logs out
//   example HEADER_VALUE CLIENT_IP   checks HEADER_VALUE ("Bearer <token>") from CLIENT_IP
//                                    with the HS256 secret in $AUTHCTL_SECRET (kid "default",
//                                    as `authctl mint` uses; required: exit 2 when unset)
//
// Each request prints "<status> <body>". Exits 0 when every request of the demo answered
// as expected (or the given request was accepted), 1 otherwise.
#include "auth_core.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

/// What the service answers.
struct Response {
    int status;
    std::string body;
};

/// The handler a service runs for every request: hands the Authorization header value and the
/// peer address to the library (which reads the bearer token, picks the client address and
/// verifies: docs/http.md), and answers 200 with who is calling, or the library's answer in the
/// SMS API's shape. `auth` is shared by all request threads.
Response handle_request(const auth::Authenticator &auth, std::string_view authorization, std::string_view peer,
                        std::optional<std::uint64_t> now = std::nullopt) {
    auth::Authentication a = auth.check({authorization}, peer, {}, now);
    if (!a) {
        // The status, the WWW-Authenticate challenge and the body, decided by the library.
        auth::Answer answer = a.error()->answer(auth::AnswerStyle::TokenApi);
        return {answer.status(), std::string(answer.body())};
    }
    const auth::Claims &claims = a.value().claims;
    std::string who = claims.type() == auth::PrincipalType::User ? "user" : "reseller";
    return {200, "{\"" + who + "\": " + std::to_string(claims.id()) + ", \"claims\": " + claims.to_json() + "}"};
}

bool show(const Response &r, int expected) {
    std::printf("%d %s\n", r.status, r.body.c_str());
    return r.status == expected;
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 1 && argc != 3) {
        std::fprintf(stderr, "usage: %s [HEADER_VALUE CLIENT_IP]\n", argv[0]);
        return 2;
    }
    // The demo mints its own tokens with its own secret; checking a given header needs the
    // secret it was minted with, the one `authctl` reads too.
    std::string secret = "demo secret: at least 32 bytes long!";
    if (argc == 3) {
        const char *env_secret = std::getenv("AUTHCTL_SECRET");
        if (env_secret == nullptr || *env_secret == '\0') {
            std::fprintf(stderr, "%s: set AUTHCTL_SECRET to the HS256 secret the token was minted with "
                                 "(or run without arguments for the self-contained demo)\n", argv[0]);
            return 2;
        }
        secret = env_secret;
    }
    try {
        auth::KeyRing ring;
        ring.add("default", secret);
        auth::MemoryStore revoked;
        auth::Verifier verifier(ring, auth::VerifyOptions(), revoked.revocation());
        auth::Authenticator auth(verifier); // no trusted proxy: the peer is the client
        if (argc == 3) return show(handle_request(auth, argv[1], argv[2]), 200) ? 0 : 1;

        // POST /session.json for a user whose group allows 192.168.2.x only.
        auth::Issuer issuer(ring);
        auth::IpRegex group(R"(192\.168\.2\.\d+)");
        auth::UserAccount alice;
        alice.id = 123;
        alice.name = "alice";
        alice.allowed_regex = &group;
        auth::UserLogin login = auth::login_user(issuer, alice, std::string_view("192.168.2.5"));
        std::printf("POST /session.json -> %s\n", login.to_json().c_str());
        std::string header = "Bearer " + login.minted().token();
        std::printf("Authorization: %s\n", header.c_str());

        bool ok = show(handle_request(auth, header, "192.168.2.5"), 200);
        ok &= show(handle_request(auth, header + "x", "192.168.2.5"), 401);            // bad_signature
        ok &= show(handle_request(auth, "Basic abc", "192.168.2.5"), 401);              // missing_token
        ok &= show(handle_request(auth, "Bearer  " + header.substr(7), "192.168.2.5"), 401); // malformed_token
        ok &= show(handle_request(auth, header, "192.168.2.5", 4102444800), 401);       // token_expired (2100)

        // A key rotation: the verifier follows the ring; old tokens keep working.
        ring.rotate("2026-12", "another secret, also 32+ bytes long");
        auth::UserLogin fresh = auth::login_user(issuer, alice, std::string_view("192.168.2.6"));
        ok &= show(handle_request(auth, "Bearer " + fresh.minted().token(), "192.168.2.6"), 200);
        ok &= show(handle_request(auth, header, "192.168.2.5"), 200);

        // DELETE /session.json: logout revokes the token.
        auth::logout(revoked, verifier.verify(login.minted().token(), std::string_view("192.168.2.5")));
        ok &= show(handle_request(auth, header, "192.168.2.5"), 401); // token_revoked
        return ok ? 0 : 1;
    } catch (const auth::Error &e) {
        std::fprintf(stderr, "configuration: %s (%s)\n", e.name(), e.what());
        return 2;
    }
}
