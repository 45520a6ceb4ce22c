/*
 * auth-core's C API against libjwt 1.10 (Debian's libjwt-dev) on the same user token.
 *
 *   compare_libjwt [ITERATIONS [ROUNDS]]
 *
 * Both sides verify the same HS256 token with the same 32-byte key at the same `now`:
 *  - libjwt: jwt_decode (signature and alg) + the claim checks auth-core makes on a user
 *    token (alg HS256, type "user", id, name, admin, sms_from, user_group_id, iat not in
 *    the future beyond 60 s, exp not reached, jti present) + jwt_free;
 *  - auth-core: auth_verifier_verify (all of the above, strictly) + auth_claims_free.
 * Rounds alternate between the two so that both see the same machine load; the medians
 * of the per-call times are printed as `key value` lines that run.sh turns into a table.
 * The token and `now` are printed too, for the Rust side of the comparison.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_core.h"
#include "bench_common.h"

/* The benchmark key of benches/src/lib.rs. */
static const uint8_t SECRET[32] = {'b', 'e', 'n', 'c', 'h', '-', 's', 'e', 'c', 'r', 'e',
                                   't', '-', 'b', 'e', 'n', 'c', 'h', '-', 's', 'e', 'c',
                                   'r', 'e', 't', '-', '3', '2', 'b', 'y', 't', 'e'};
static const char KID[] = "2026-01";
static const char TOKEN_ID[] = "q5yJ0nN2B1xS8mVw4TzEaQ";

/* libjwt decode + the same claim checks; 0 when valid. */
static int libjwt_verify(const char *token, long now) {
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, SECRET, (int)sizeof SECRET) != 0) return 1;
    int bad = libjwt_user_claims_bad(jwt, JWT_ALG_HS256, now);
    jwt_free(jwt);
    return bad;
}

static int auth_verify(const auth_verifier *verifier, const char *token, size_t len, const uint64_t *now) {
    auth_claims *claims = NULL;
    if (auth_verifier_verify(verifier, token, len, now, NULL, 0, NULL, &claims, NULL) != AUTH_OK) return 1;
    auth_claims_free(claims);
    return 0;
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 100000;
    int rounds = argc > 2 ? atoi(argv[2]) : 11;
    if (iterations <= 0 || rounds <= 0) {
        fprintf(stderr, "usage: compare_libjwt [ITERATIONS [ROUNDS]]\n");
        return 2;
    }
    uint64_t now = (uint64_t)time(NULL);
    uint64_t group = 42;
    auth_key_ring *ring = NULL;
    auth_issuer *issuer = NULL;
    auth_verifier *verifier = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    char token[1024];
    size_t len = 0;
    if (auth_key_ring_new(&ring) != AUTH_OK ||
        auth_key_ring_add(ring, KID, strlen(KID), AUTH_HS256, SECRET, sizeof SECRET, NULL) != AUTH_OK ||
        auth_issuer_new(ring, NULL, &issuer, NULL) != AUTH_OK ||
        auth_verifier_new(ring, NULL, NULL, &verifier, NULL) != AUTH_OK ||
        auth_mint_request_new_user(123456, "alice.martin", 12, false, "ACME-SMS", 8, &group, &req, NULL) != AUTH_OK ||
        auth_mint_request_set_now(req, &now) != AUTH_OK ||
        auth_mint_request_set_token_id(req, TOKEN_ID, strlen(TOKEN_ID), NULL) != AUTH_OK ||
        auth_issuer_mint(issuer, req, &minted, NULL) != AUTH_OK ||
        auth_minted_token(minted, token, sizeof token, &len) != AUTH_OK) {
        fprintf(stderr, "setting up the auth-core side failed\n");
        return 1;
    }
    /* Both must accept the token before anything is timed. */
    if (libjwt_verify(token, (long)now) != 0 || auth_verify(verifier, token, len, &now) != 0) {
        fprintf(stderr, "a verifier refused the benchmark token\n");
        return 1;
    }

    double *lj = calloc((size_t)rounds, sizeof *lj);
    double *au = calloc((size_t)rounds, sizeof *au);
    if (!lj || !au) return 1;
    for (int r = 0; r < rounds; r++) {
        double t = now_ns();
        for (long i = 0; i < iterations; i++) {
            if (libjwt_verify(token, (long)now) != 0) return 1;
        }
        lj[r] = (now_ns() - t) / (double)iterations;
        t = now_ns();
        for (long i = 0; i < iterations; i++) {
            if (auth_verify(verifier, token, len, &now) != 0) return 1;
        }
        au[r] = (now_ns() - t) / (double)iterations;
    }
    qsort(lj, (size_t)rounds, sizeof *lj, cmp);
    qsort(au, (size_t)rounds, sizeof *au, cmp);
    printf("token %s\n", token);
    printf("token_bytes %zu\n", len);
    printf("now %llu\n", (unsigned long long)now);
    printf("libjwt_ns %.1f\n", lj[rounds / 2]);
    printf("auth_c_ns %.1f\n", au[rounds / 2]);
    free(lj);
    free(au);
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_verifier_free(verifier);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
    return 0;
}
