/*
 * The verified-signature cache from C (docs/signature-cache.md): a copy of a verifier with
 * auth_verifier_with_signature_cache skips the signature check of an ES256 or EdDSA token it
 * verified before, and only that: a token revoked afterwards is refused, IP rules still
 * apply, a forged signature never passes, a key-ring change empties the cache. Then the NULL
 * arguments, a capacity of 0, and threads sharing one cached verifier.
 *
 * Usage: test_signature_cache. Ends with "N passed, M failed"; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_core.h"

#include "suite.h"

#define NOW 1700000000ULL

static const uint8_t RAW[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t OTHER[32] = {32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                                  16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

/* A ring holding one key "k1" of `alg` with the raw private key `raw`. */
static auth_key_ring *ring_of(uint32_t alg, const uint8_t *raw) {
    auth_key_ring *ring = NULL;
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "ring");
    CHECK(auth_key_ring_add(ring, "k1", 2, alg, raw, 32, NULL) == AUTH_OK, "add k1");
    return ring;
}

/* A user token minted at NOW with `ring`'s active key, restricted to `ip` when not NULL. */
static char *mint(const auth_key_ring *ring, const char *ip) {
    auth_issuer *issuer = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    uint64_t now = NOW;
    CHECK(auth_issuer_new(ring, NULL, &issuer, NULL) == AUTH_OK, "issuer");
    CHECK(auth_mint_request_new_user(7, "alice", 5, false, NULL, 0, NULL, &req, NULL) == AUTH_OK, "request");
    CHECK(auth_mint_request_set_now(req, &now) == AUTH_OK, "now");
    CHECK(auth_mint_request_set_token_id(req, "sig-cache-c", 11, NULL) == AUTH_OK, "token id");
    if (ip) CHECK(auth_mint_request_add_allowed_ip(req, ip, strlen(ip), NULL) == AUTH_OK, "allowed ip");
    CHECK(auth_issuer_mint(issuer, req, &minted, NULL) == AUTH_OK, "mint");
    char *token = malloc(2048);
    size_t len = 0;
    CHECK(auth_minted_token(minted, token, 2048, &len) == AUTH_OK, "token text");
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_issuer_free(issuer);
    return token;
}

/* Verifies `token` at NOW + 1 from `ip` (NULL: none) with the extra store `rev` (NULL: none). */
static auth_result verify(const auth_verifier *v, const char *token, const char *ip,
                          const auth_revocation *rev) {
    uint64_t now = NOW + 1;
    auth_claims *claims = NULL;
    auth_result r = auth_verifier_verify(v, token, strlen(token), &now, ip, ip ? strlen(ip) : 0, rev,
                                         &claims, NULL);
    auth_claims_free(claims);
    return r;
}

static auth_signature_cache_stats stats(const auth_verifier *v) {
    auth_signature_cache_stats s;
    memset(&s, 0xff, sizeof s);
    CHECK(auth_verifier_signature_cache_stats(v, &s, NULL) == AUTH_OK, "stats");
    return s;
}

/* A verifier of `ring` and its copy with a cache of `capacity`. */
static auth_verifier *cached_verifier(const auth_key_ring *ring, size_t capacity) {
    auth_verifier *plain = NULL, *cached = NULL;
    CHECK(auth_verifier_new(ring, NULL, NULL, &plain, NULL) == AUTH_OK, "verifier");
    CHECK(auth_verifier_with_signature_cache(plain, capacity, &cached, NULL) == AUTH_OK, "with cache");
    auth_verifier_free(plain); /* the copy stands alone */
    return cached;
}

static void hits_and_every_other_check(uint32_t alg) {
    auth_key_ring *ring = ring_of(alg, RAW);
    auth_key_ring *other = ring_of(alg, OTHER);
    char *token = mint(ring, NULL);
    char *restricted = mint(ring, "192.0.2.0/24");
    char *forged = mint(other, NULL); /* the same header and claims, another key's signature */
    auth_verifier *v = cached_verifier(ring, 100);

    CHECK(verify(v, token, NULL, NULL) == AUTH_OK, "first verify");
    CHECK(verify(v, token, NULL, NULL) == AUTH_OK, "second verify");
    auth_signature_cache_stats s = stats(v);
    CHECK(s.hits == 1 && s.misses == 1 && s.inserts == 1 && s.entries == 1, "hits %llu misses %llu",
          (unsigned long long)s.hits, (unsigned long long)s.misses);
    CHECK(s.capacity >= 100, "capacity %llu", (unsigned long long)s.capacity);

    for (int i = 0; i < 3; i++) CHECK(verify(v, forged, NULL, NULL) == AUTH_BAD_SIGNATURE, "forged %d", i);
    CHECK(stats(v).inserts == 1, "a bad signature is never stored");

    CHECK(verify(v, restricted, "192.0.2.9", NULL) == AUTH_OK, "allowed address");
    CHECK(verify(v, restricted, "198.51.100.1", NULL) == AUTH_IP_NOT_ALLOWED, "other address, a hit");
    CHECK(verify(v, restricted, NULL, NULL) == AUTH_IP_NOT_ALLOWED, "no address, a hit");

    /* Revoked after it was cached: refused. */
    auth_memory_store *store = NULL;
    auth_revocation *rev = NULL;
    uint64_t exp = NOW + 86400, now = NOW + 1;
    CHECK(auth_memory_store_new(&store) == AUTH_OK, "store");
    CHECK(auth_revocation_from_memory_store(store, &rev) == AUTH_OK, "revocation");
    CHECK(auth_memory_store_revoke(store, "sig-cache-c", 11, &exp, &now, NULL) == AUTH_OK, "revoke");
    CHECK(verify(v, token, NULL, rev) == AUTH_TOKEN_REVOKED, "revoked after it was cached");

    /* A ring change empties the cache: the next call checks the signature again. */
    uint64_t hits = stats(v).hits;
    CHECK(auth_key_ring_add(ring, "k2", 2, alg, OTHER, 32, NULL) == AUTH_OK, "add k2");
    CHECK(verify(v, token, NULL, NULL) == AUTH_OK, "after the change");
    s = stats(v);
    CHECK(s.hits == hits && s.invalidations == 1 && s.entries == 1, "invalidated: hits %llu inv %llu",
          (unsigned long long)s.hits, (unsigned long long)s.invalidations);
    CHECK(auth_key_ring_remove(ring, "k1", 2, NULL) == AUTH_OK, "remove k1");
    CHECK(verify(v, token, NULL, NULL) == AUTH_UNKNOWN_KEY, "its key removed");

    auth_revocation_free(rev);
    auth_memory_store_free(store);
    auth_verifier_free(v);
    free(token);
    free(restricted);
    free(forged);
    auth_key_ring_free(other);
    auth_key_ring_free(ring);
}

static void null_arguments_and_no_cache(void) {
    auth_key_ring *ring = ring_of(AUTH_ES256, RAW);
    auth_verifier *plain = NULL, *copy = NULL;
    auth_error *err = NULL;
    auth_signature_cache_stats s;
    CHECK(auth_verifier_new(ring, NULL, NULL, &plain, NULL) == AUTH_OK, "verifier");
    CHECK(auth_verifier_with_signature_cache(NULL, 10, &copy, &err) == AUTH_NULL_ARGUMENT, "NULL verifier");
    CHECK(err != NULL && strstr(auth_error_message(err), "verifier") != NULL, "names the argument");
    auth_error_free(err);
    CHECK(copy == NULL, "untouched on failure");
    CHECK(auth_verifier_with_signature_cache(plain, 10, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL out");
    CHECK(auth_verifier_signature_cache_stats(NULL, &s, NULL) == AUTH_NULL_ARGUMENT, "NULL verifier");
    CHECK(auth_verifier_signature_cache_stats(plain, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL stats");

    /* Capacity 0: a copy without a cache; a verifier without one reports zeros. */
    char *token = mint(ring, NULL);
    CHECK(auth_verifier_with_signature_cache(plain, 0, &copy, NULL) == AUTH_OK, "capacity 0");
    CHECK(verify(copy, token, NULL, NULL) == AUTH_OK && verify(copy, token, NULL, NULL) == AUTH_OK, "verifies");
    s = stats(copy);
    CHECK(s.hits == 0 && s.misses == 0 && s.capacity == 0, "no cache");
    s = stats(plain);
    CHECK(s.hits == 0 && s.entries == 0, "no cache on the original");
    auth_verifier_free(copy);
    auth_verifier_free(plain);
    auth_verifier_free(NULL);
    free(token);
    auth_key_ring_free(ring);
}

typedef struct {
    const auth_verifier *v;
    const char *token;
    const char *forged;
    int bad;
} worker_arg;

static void *worker(void *p) {
    worker_arg *a = p;
    for (int i = 0; i < 200; i++) {
        if (verify(a->v, a->token, NULL, NULL) != AUTH_OK) a->bad++;
        if (i % 50 == 0 && verify(a->v, a->forged, NULL, NULL) != AUTH_BAD_SIGNATURE) a->bad++;
    }
    return NULL;
}

static void threads_share_the_cache(void) {
    auth_key_ring *ring = ring_of(AUTH_EDDSA, RAW);
    auth_key_ring *other = ring_of(AUTH_EDDSA, OTHER);
    char *token = mint(ring, NULL);
    char *forged = mint(other, NULL);
    auth_verifier *v = cached_verifier(ring, 100);
    pthread_t t[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){v, token, forged, 0};
        CHECK(pthread_create(&t[i], NULL, worker, &args[i]) == 0, "thread");
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK(args[i].bad == 0, "thread %d: %d wrong answers", i, args[i].bad);
    }
    auth_signature_cache_stats s = stats(v);
    CHECK(s.hits + s.misses == 4 * (200 + 4) && s.hits >= 4 * 200 - 4, "hits %llu misses %llu",
          (unsigned long long)s.hits, (unsigned long long)s.misses);
    auth_verifier_free(v);
    free(token);
    free(forged);
    auth_key_ring_free(other);
    auth_key_ring_free(ring);
}

int main(void) {
    hits_and_every_other_check(AUTH_ES256);
    hits_and_every_other_check(AUTH_EDDSA);
    null_arguments_and_no_cache();
    threads_share_the_cache();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
