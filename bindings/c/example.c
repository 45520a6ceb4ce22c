/*
 * Checks the "Authorization: Bearer <token>" header of a request with libauth_core.
 *
 *   example                         self-contained demo: mints a token, then checks it
 *   example HEADER_VALUE CLIENT_IP  checks HEADER_VALUE ("Bearer <token>") from CLIENT_IP
 *                                   with the HS256 secret in $AUTHCTL_SECRET (kid "default",
 *                                   as `authctl mint` uses; required: exit 2 when unset)
 *
 * Prints the claims as JSON and exits 0, or prints "<error name> <HTTP status>: <answer body>"
 * and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_core.h"

/* The request check a service would run; returns 0 when the request may proceed. The header
 * value, the peer address and the X-Forwarded-For lines go to the library as they are: it reads
 * the bearer token, picks the client address and verifies (docs/http.md); a refusal comes back
 * as the answer to send. */
static int check_request(const auth_authenticator *auth, const char *authorization, const char *peer) {
    auth_str header = {authorization, strlen(authorization)};
    auth_claims *claims = NULL;
    auth_error *error = NULL;
    char client_ip[AUTH_IP_TEXT_SIZE];
    size_t client_ip_len = 0;
    auth_result rc = auth_authenticate_request(auth, &header, 1, peer, strlen(peer), NULL, 0, NULL /* system clock */,
                                               &claims, client_ip, sizeof client_ip, &client_ip_len, &error);
    if (rc != AUTH_OK) {
        auth_answer *answer = NULL;
        const char *body = "";
        size_t body_len = 0;
        if (auth_error_answer(error, AUTH_ANSWER_PLAIN, NULL, 0, &answer) == AUTH_OK)
            auth_answer_body(answer, &body, &body_len);
        printf("%s %u: %.*s\n", auth_result_name(rc), (unsigned)auth_answer_status(answer), (int)body_len, body);
        auth_answer_free(answer);
        auth_error_free(error);
        return 1;
    }
    char json[2048];
    size_t len = 0;
    uint64_t id = 0;
    auth_claims_id(claims, &id);
    if (auth_claims_to_json(claims, json, sizeof json, &len) == AUTH_OK)
        printf("user %llu from %.*s: %s\n", (unsigned long long)id, (int)client_ip_len, client_ip, json);
    auth_claims_free(claims);
    return 0;
}

static int fail(const char *what, auth_result rc, auth_error *error) {
    fprintf(stderr, "%s: %s (%s)\n", what, auth_result_name(rc), auth_error_message(error));
    auth_error_free(error);
    return 2;
}

int main(int argc, char **argv) {
    /* The demo mints its own token with its own secret; checking a given header needs the
     * secret it was minted with, the one `authctl` reads too. */
    static const char demo_secret[] = "demo secret: at least 32 bytes long!";
    const char *secret = demo_secret;
    if (argc != 3 && argc != 1) {
        fprintf(stderr, "usage: %s [HEADER_VALUE CLIENT_IP]\n", argv[0]);
        return 2;
    }
    if (argc == 3) {
        secret = getenv("AUTHCTL_SECRET");
        if (!secret || !*secret) {
            fprintf(stderr, "%s: set AUTHCTL_SECRET to the HS256 secret the token was minted with "
                            "(or run without arguments for the self-contained demo)\n", argv[0]);
            return 2;
        }
    }

    auth_key_ring *ring = NULL;
    auth_verifier *verifier = NULL;
    auth_authenticator *auth = NULL;
    auth_error *error = NULL;
    auth_result rc = auth_key_ring_new(&ring);
    if (rc == AUTH_OK)
        rc = auth_key_ring_add(ring, "default", 7, AUTH_HS256, (const uint8_t *)secret, strlen(secret), &error);
    if (rc == AUTH_OK) rc = auth_verifier_new(ring, NULL, NULL, &verifier, &error);
    /* No trusted proxy: the peer is the client. */
    if (rc == AUTH_OK) rc = auth_authenticator_new(verifier, NULL, 0, false, NULL, &auth, &error);
    if (rc != AUTH_OK) return fail("configuration", rc, error);

    int status;
    if (argc == 3) {
        status = check_request(auth, argv[1], argv[2]);
    } else {
        /* Demo: mint a token restricted to 192.168.2.0/24, then check two requests. */
        auth_issuer *issuer = NULL;
        auth_mint_request *req = NULL;
        auth_minted *minted = NULL;
        rc = auth_issuer_new(ring, NULL, &issuer, &error);
        if (rc == AUTH_OK) rc = auth_mint_request_new_user(123, "alice", 5, false, NULL, 0, NULL, &req, &error);
        if (rc == AUTH_OK) rc = auth_mint_request_add_allowed_ip(req, "192.168.2.0/24", 14, &error);
        if (rc == AUTH_OK) rc = auth_issuer_mint(issuer, req, &minted, &error);
        char header[1024] = "Bearer ";
        size_t len = 0;
        if (rc == AUTH_OK) rc = auth_minted_token(minted, header + 7, sizeof header - 7, &len);
        auth_minted_free(minted);
        auth_mint_request_free(req);
        auth_issuer_free(issuer);
        if (rc != AUTH_OK) return fail("mint", rc, error);
        printf("Authorization: %s\n", header);
        status = check_request(auth, header, "192.168.2.5");
        status |= !check_request(auth, header, "10.0.0.1"); /* expected: ip_not_allowed 401 */
    }
    auth_authenticator_free(auth);
    auth_verifier_free(verifier);
    auth_key_ring_free(ring);
    return status;
}
