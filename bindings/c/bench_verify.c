/*
 * Times auth_verifier_verify on one token: N verifications per round, several rounds,
 * prints the median per-call time in nanoseconds. Not part of the test run.
 *
 *   bench_verify [ITERATIONS [ROUNDS]]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_core.h"

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 200000;
    int rounds = argc > 2 ? atoi(argv[2]) : 11;
    static const uint8_t secret[32] = "bench secret bench secret bench";
    auth_key_ring *ring = NULL;
    auth_issuer *issuer = NULL;
    auth_verifier *verifier = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    uint64_t now = 1700000000;
    auth_key_ring_new(&ring);
    auth_key_ring_add(ring, "k1", 2, AUTH_HS256, secret, sizeof secret, NULL);
    auth_issuer_new(ring, NULL, &issuer, NULL);
    auth_verifier_new(ring, NULL, NULL, &verifier, NULL);
    auth_mint_request_new_user(123, "alice", 5, false, "ACME", 4, NULL, &req, NULL);
    auth_mint_request_set_now(&*req, &now);
    auth_mint_request_set_token_id(req, "tok-user-1", 10, NULL);
    if (auth_issuer_mint(issuer, req, &minted, NULL) != AUTH_OK) return 1;
    char token[1024];
    size_t len = 0;
    auth_minted_token(minted, token, sizeof token, &len);

    double *per_call = calloc((size_t)rounds, sizeof *per_call);
    for (int r = 0; r < rounds; r++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long i = 0; i < iterations; i++) {
            auth_claims *claims = NULL;
            if (auth_verifier_verify(verifier, token, len, &now, NULL, 0, NULL, &claims, NULL) != AUTH_OK) return 1;
            auth_claims_free(claims);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        per_call[r] = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)iterations;
    }
    qsort(per_call, (size_t)rounds, sizeof *per_call, cmp);
    printf("C verify (verify + claims free): median %.1f ns/call over %d rounds of %ld (min %.1f, max %.1f)\n",
           per_call[rounds / 2], rounds, iterations, per_call[0], per_call[rounds - 1]);
    free(per_call);
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_verifier_free(verifier);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
    return 0;
}
