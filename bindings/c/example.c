/*
 * Checks the "Authorization: Bearer <token>" header of a request with libauth_core.
 *
 *   example                         self-contained demo: mints a token, then checks it
 *   example HEADER_VALUE CLIENT_IP  checks HEADER_VALUE ("Bearer <token>") from CLIENT_IP
 *                                   with the HS256 secret in $AUTH_SECRET (kid "default")
 *
 * Prints the claims as JSON and exits 0, or prints "<error name> <HTTP status>: message"
 * and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_core.h"

/* The token of an Authorization header value: "Bearer <token>" (scheme case-insensitive). */
static const char *bearer_token(const char *header, size_t *len) {
    static const char scheme[] = "Bearer ";
    if (strlen(header) < sizeof scheme - 1 || strncasecmp(header, scheme, sizeof scheme - 1) != 0) return NULL;
    *len = strlen(header) - (sizeof scheme - 1);
    return header + sizeof scheme - 1;
}

/* The request check a service would run; returns 0 when the request may proceed. */
static int check_request(const auth_verifier *verifier, const char *authorization, const char *client_ip) {
    size_t token_len = 0;
    const char *token = bearer_token(authorization, &token_len);
    if (!token) {
        printf("missing bearer token 401\n");
        return 1;
    }
    auth_claims *claims = NULL;
    auth_error *error = NULL;
    auth_result rc = auth_verifier_verify(verifier, token, token_len, NULL /* system clock */, client_ip,
                                          strlen(client_ip), NULL, &claims, &error);
    if (rc != AUTH_OK) {
        printf("%s %u: %s\n", auth_result_name(rc), auth_result_http_status(rc), auth_error_message(error));
        auth_error_free(error);
        return 1;
    }
    char json[2048];
    size_t len = 0;
    uint64_t id = 0;
    auth_claims_id(claims, &id);
    if (auth_claims_to_json(claims, json, sizeof json, &len) == AUTH_OK) printf("user %llu: %s\n", (unsigned long long)id, json);
    auth_claims_free(claims);
    return 0;
}

static int fail(const char *what, auth_result rc, auth_error *error) {
    fprintf(stderr, "%s: %s (%s)\n", what, auth_result_name(rc), auth_error_message(error));
    auth_error_free(error);
    return 2;
}

int main(int argc, char **argv) {
    const char *secret = getenv("AUTH_SECRET");
    static const char demo_secret[] = "demo secret: at least 32 bytes long!";
    if (argc != 3 && argc != 1) {
        fprintf(stderr, "usage: %s [HEADER_VALUE CLIENT_IP]\n", argv[0]);
        return 2;
    }
    if (argc == 1 || !secret) secret = demo_secret;

    auth_key_ring *ring = NULL;
    auth_verifier *verifier = NULL;
    auth_error *error = NULL;
    auth_result rc = auth_key_ring_new(&ring);
    if (rc == AUTH_OK)
        rc = auth_key_ring_add(ring, "default", 7, AUTH_HS256, (const uint8_t *)secret, strlen(secret), &error);
    if (rc == AUTH_OK) rc = auth_verifier_new(ring, NULL, NULL, &verifier, &error);
    if (rc != AUTH_OK) return fail("configuration", rc, error);

    int status;
    if (argc == 3) {
        status = check_request(verifier, argv[1], argv[2]);
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
        status = check_request(verifier, header, "192.168.2.5");
        status |= !check_request(verifier, header, "10.0.0.1"); /* expected: ip_not_allowed 401 */
    }
    auth_verifier_free(verifier);
    auth_key_ring_free(ring);
    return status;
}
