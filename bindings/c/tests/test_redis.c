/*
 * The C side of the Redis suite (scripts/test-redis.sh): a Redis-backed revocation handle
 * given to auth_verifier_new.
 *
 *   test_redis self URL PREFIX            API checks (writes, status, errors); exit 0 when all pass
 *   test_redis wait-revoked URL PREFIX TOKEN
 *                                         prints "ready", verifies until the token is rejected, then
 *                                         prints "<code name> <CLOCK_MONOTONIC seconds>"
 *   test_redis tls URL CERTS_DIR          auth_redis_store_new_tls against a TLS-only server: the
 *                                         right CA works, a wrong CA and TLS files with redis:// fail
 *   test_redis sentinel ADDRS MASTER      auth_redis_store_new_sentinel: revokes, and a second store
 *                                         found through the sentinels sees it
 *   test_redis cluster SEEDS              the same with auth_redis_store_new_cluster
 *   test_redis fleet URL PREFIX FILE SECS a verifier of crates/auth-redis/bench/fleet.py (FILE: the
 *                                         valid token, then probe tokens; prints "ready", then JSON)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_core.h"

static const char SECRET[] = "a secret of at least 32 bytes, for the fleet tests";
static int failures = 0;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

static double monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static auth_key_ring *ring_new(void) {
    auth_key_ring *ring = NULL;
    if (auth_key_ring_new(&ring) != AUTH_OK ||
        auth_key_ring_add(ring, "k", 1, AUTH_HS256, (const uint8_t *)SECRET, strlen(SECRET), NULL) != AUTH_OK) {
        fprintf(stderr, "key ring\n");
        exit(2);
    }
    return ring;
}

static auth_result verify(const auth_verifier *v, const char *token) {
    auth_claims *claims = NULL;
    auth_result rc = auth_verifier_verify(v, token, strlen(token), NULL, NULL, 0, NULL, &claims, NULL);
    auth_claims_free(claims);
    return rc;
}

/* Under valgrind everything is many times slower: the self test allows 5 s of staleness. */
static auth_revocation *store_new(const char *url, const char *prefix, uint64_t max_staleness_ms) {
    auth_redis_options o;
    memset(&o, 0, sizeof o);
    o.key_prefix = prefix;
    o.key_prefix_len = strlen(prefix);
    o.max_staleness_ms = max_staleness_ms;
    o.io_timeout_ms = 500;
    auth_revocation *store = NULL;
    auth_error *error = NULL;
    auth_result rc = auth_redis_store_new(url, strlen(url), &o, &store, &error);
    if (rc != AUTH_OK) {
        fprintf(stderr, "auth_redis_store_new: %s: %s\n", auth_result_name(rc), auth_error_message(error));
        auth_error_free(error);
        exit(2);
    }
    return store;
}

static int wait_revoked(const char *url, const char *prefix, const char *token) {
    auth_key_ring *ring = ring_new();
    auth_revocation *store = store_new(url, prefix, 500);
    auth_verifier *v = NULL;
    if (auth_verifier_new(ring, NULL, store, &v, NULL) != AUTH_OK) return 2;
    auth_revocation_free(store); /* the verifier keeps its own reference */
    if (verify(v, token) != AUTH_OK) return 2;
    printf("ready\n");
    fflush(stdout);
    double deadline = monotonic() + 10;
    int status = 1;
    while (monotonic() < deadline) {
        auth_result rc = verify(v, token);
        if (rc != AUTH_OK) {
            printf("%s %.6f\n", auth_result_name(rc), monotonic());
            status = 0;
            break;
        }
    }
    if (status) printf("timeout\n");
    auth_verifier_free(v);
    auth_key_ring_free(ring);
    return status;
}

static int self_test(const char *url, const char *prefix) {
    auth_key_ring *ring = ring_new();
    auth_revocation *store = store_new(url, prefix, 5000);
    auth_verifier *v = NULL;
    CHECK(auth_verifier_new(ring, NULL, store, &v, NULL) == AUTH_OK);

    /* Mint a token, revoke it through the store, and see the verifier reject it. */
    auth_issuer *issuer = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    char token[2048];
    size_t len = 0;
    CHECK(auth_issuer_new(ring, NULL, &issuer, NULL) == AUTH_OK);
    CHECK(auth_mint_request_new_user(9, "c-user", 6, false, NULL, 0, NULL, &req, NULL) == AUTH_OK);
    CHECK(auth_issuer_mint(issuer, req, &minted, NULL) == AUTH_OK);
    CHECK(auth_minted_token(minted, token, sizeof token, &len) == AUTH_OK);
    auth_result first = verify(v, token);
    if (first != AUTH_OK) fprintf(stderr, "verify: %s\n", auth_result_name(first));
    CHECK(first == AUTH_OK);
    auth_claims *claims = NULL;
    CHECK(auth_verifier_verify(v, token, len, NULL, NULL, 0, NULL, &claims, NULL) == AUTH_OK);
    CHECK(auth_redis_store_revoke_claims(store, claims, NULL, NULL) == AUTH_OK);
    CHECK(verify(v, token) == AUTH_TOKEN_REVOKED);
    auth_claims_free(claims);

    uint64_t exp = 4000000000u;
    CHECK(auth_redis_store_revoke(store, "c-jti", 5, &exp, NULL, NULL) == AUTH_OK);
    auth_error *error = NULL;
    CHECK(auth_redis_store_revoke(store, "", 0, &exp, NULL, &error) == AUTH_INVALID_REQUEST);
    auth_error_free(error);
    auth_principal p = {AUTH_PRINCIPAL_USER, 77};
    CHECK(auth_redis_store_revoke_principal_before(store, &p, 1700000000u, NULL, NULL) == AUTH_OK);

    auth_redis_status st;
    memset(&st, 0, sizeof st);
    CHECK(auth_redis_store_status(store, &st) == AUTH_OK);
    CHECK(st.connected && st.current && st.has_staleness && st.staleness_ms <= 5000);
    CHECK(st.entries == 3);
    char buf[256];
    CHECK(auth_redis_store_last_error(store, buf, sizeof buf, &len) == AUTH_OK && len == 0);

    /* The write and status functions refuse other kinds of handle, and NULLs. */
    auth_memory_store *mem = NULL;
    auth_revocation *mem_rev = NULL;
    CHECK(auth_memory_store_new(&mem) == AUTH_OK);
    CHECK(auth_revocation_from_memory_store(mem, &mem_rev) == AUTH_OK);
    CHECK(auth_redis_store_status(mem_rev, &st) == AUTH_INVALID_REQUEST);
    CHECK(auth_redis_store_status(NULL, &st) == AUTH_NULL_ARGUMENT);
    CHECK(auth_redis_store_revoke(store, NULL, 1, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT);
    auth_revocation_free(mem_rev);
    auth_memory_store_free(mem);

    /* A bad URL and an unreachable server. */
    auth_revocation *bad = NULL;
    CHECK(auth_redis_store_new("http://x", 8, NULL, &bad, NULL) == AUTH_INVALID_REQUEST && bad == NULL);
    auth_redis_options o;
    memset(&o, 0, sizeof o);
    o.start_timeout_ms = 200;
    o.io_timeout_ms = 100;
    error = NULL;
    CHECK(auth_redis_store_new("redis://127.0.0.1:1", 19, &o, &bad, &error) == AUTH_REVOCATION_UNAVAILABLE);
    CHECK(auth_error_http_status(error) == 503);
    CHECK(strcmp(auth_result_name(AUTH_REVOCATION_UNAVAILABLE), "revocation_unavailable") == 0);
    auth_error_free(error);

    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_issuer_free(issuer);
    auth_revocation_free(store);
    auth_verifier_free(v);
    auth_key_ring_free(ring);
    printf("C redis self test: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}

/* rediss:// with the test CA of tests/tls/make-certs.sh: revoke and see it; a wrong CA fails
   closed with a reason; TLS files with a redis:// URL are a request error. */
static int tls_test(const char *url, const char *certs) {
    char ca[4096], other[4096];
    snprintf(ca, sizeof ca, "%s/ca.pem", certs);
    snprintf(other, sizeof other, "%s/other-ca.pem", certs);
    auth_redis_options o;
    memset(&o, 0, sizeof o);
    o.start_timeout_ms = 3000;
    auth_redis_tls tls = {ca, NULL, NULL};
    auth_revocation *store = NULL;
    auth_error *error = NULL;
    CHECK(auth_redis_store_new_tls(url, strlen(url), &o, &tls, &store, &error) == AUTH_OK);
    auth_error_free(error);
    error = NULL;
    if (store) {
        CHECK(auth_redis_store_revoke(store, "c-tls-1", 11, NULL, NULL, &error) == AUTH_OK);
        auth_error_free(error);
        error = NULL;
        auth_revocation_free(store);
    }
    auth_redis_tls wrong = {other, NULL, NULL};
    auth_revocation *bad = NULL;
    CHECK(auth_redis_store_new_tls(url, strlen(url), &o, &wrong, &bad, &error) == AUTH_REVOCATION_UNAVAILABLE);
    CHECK(bad == NULL);
    CHECK(error != NULL && strstr(auth_error_message(error), "certificate") != NULL);
    auth_error_free(error);
    error = NULL;
    const char plain[] = "redis://127.0.0.1:1";
    CHECK(auth_redis_store_new_tls(plain, strlen(plain), &o, &tls, &bad, &error) == AUTH_INVALID_REQUEST);
    auth_error_free(error);
    auth_redis_tls half = {ca, ca, NULL};
    CHECK(auth_redis_store_new_tls(url, strlen(url), &o, &half, &bad, NULL) == AUTH_INVALID_REQUEST);
    printf("C redis TLS test: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}

/* A token revoked through store `a` is rejected by a verifier on store `b`. */
static void two_stores(auth_revocation *a, auth_revocation *b) {
    auth_key_ring *ring = ring_new();
    auth_issuer *issuer = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    char token[2048];
    size_t len = 0;
    auth_error *error = NULL;
    CHECK(auth_issuer_new(ring, NULL, &issuer, NULL) == AUTH_OK);
    CHECK(auth_mint_request_new_user(9, "c-user", 6, false, NULL, 0, NULL, &req, NULL) == AUTH_OK);
    CHECK(auth_issuer_mint(issuer, req, &minted, NULL) == AUTH_OK);
    CHECK(auth_minted_token(minted, token, sizeof token, &len) == AUTH_OK);
    auth_verifier *v = NULL;
    CHECK(auth_verifier_new(ring, NULL, b, &v, NULL) == AUTH_OK);
    CHECK(verify(v, token) == AUTH_OK);
    auth_claims *claims = NULL;
    CHECK(auth_verifier_verify(v, token, len, NULL, NULL, 0, NULL, &claims, NULL) == AUTH_OK);
    CHECK(auth_redis_store_revoke_claims(a, claims, NULL, &error) == AUTH_OK);
    auth_error_free(error);
    auth_claims_free(claims);
    auth_result rc = AUTH_OK;
    double deadline = monotonic() + 5;
    while (rc != AUTH_TOKEN_REVOKED && monotonic() < deadline) rc = verify(v, token);
    CHECK(rc == AUTH_TOKEN_REVOKED);
    auth_verifier_free(v);
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
}

static int sentinel_test(const char *addrs, const char *master) {
    auth_redis_options o;
    memset(&o, 0, sizeof o);
    o.start_timeout_ms = 5000;
    uint32_t one = 1;
    auth_revocation *a = NULL, *b = NULL;
    CHECK(auth_redis_store_new_sentinel(addrs, strlen(addrs), master, strlen(master), &o, &one, &a, NULL) == AUTH_OK);
    CHECK(auth_redis_store_new_sentinel(addrs, strlen(addrs), master, strlen(master), &o, NULL, &b, NULL) == AUTH_OK);
    if (a && b) two_stores(a, b);
    auth_revocation_free(a);
    auth_revocation_free(b);
    CHECK(auth_redis_store_new_sentinel("", 0, master, strlen(master), &o, NULL, &a, NULL) == AUTH_INVALID_REQUEST);
    printf("C redis Sentinel test: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}

static int cluster_test(const char *seeds) {
    auth_redis_options o;
    memset(&o, 0, sizeof o);
    o.start_timeout_ms = 5000;
    auth_revocation *a = NULL, *b = NULL;
    CHECK(auth_redis_store_new_cluster(seeds, strlen(seeds), &o, NULL, &a, NULL) == AUTH_OK);
    CHECK(auth_redis_store_new_cluster(seeds, strlen(seeds), &o, NULL, &b, NULL) == AUTH_OK);
    if (a && b) two_stores(a, b);
    auth_revocation_free(a);
    auth_revocation_free(b);
    CHECK(auth_redis_store_new_cluster("", 0, &o, NULL, &a, NULL) == AUTH_INVALID_REQUEST);
    printf("C redis Cluster test: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fleet(const char *url, const char *prefix, const char *file, const char *secs) {
    enum { MAX_PROBES = 4096 };
    static char tokens[MAX_PROBES + 1][1024];
    static double seen[MAX_PROBES];
    FILE *f = fopen(file, "r");
    if (!f) return 2;
    int n = 0;
    while (n <= MAX_PROBES && fgets(tokens[n], sizeof tokens[n], f)) {
        tokens[n][strcspn(tokens[n], "\r\n")] = 0;
        n++;
    }
    fclose(f);
    if (n < 1) return 2;
    auth_key_ring *ring = ring_new();
    auth_redis_options o;
    memset(&o, 0, sizeof o);
    o.key_prefix = prefix;
    o.key_prefix_len = strlen(prefix);
    o.start_timeout_ms = 600000;
    auth_revocation *store = NULL;
    if (auth_redis_store_new(url, strlen(url), &o, &store, NULL) != AUTH_OK) return 2;
    auth_verifier *v = NULL;
    if (auth_verifier_new(ring, NULL, store, &v, NULL) != AUTH_OK) return 2;
    printf("ready\n");
    fflush(stdout);
    double deadline = monotonic() + atof(secs);
    unsigned long long verified = 0, refused = 0, unavailable = 0;
    int probes = n - 1, left = probes, next = 0;
    while (left > 0 && monotonic() < deadline) {
        auth_result rc = verify(v, tokens[0]);
        if (rc == AUTH_OK) verified++;
        else if (rc == AUTH_REVOCATION_UNAVAILABLE) unavailable++;
        else refused++;
        if (seen[next] == 0 && verify(v, tokens[1 + next]) == AUTH_TOKEN_REVOKED) {
            seen[next] = wall();
            left--;
        }
        next = (next + 1) % probes;
    }
    double stopped = wall();
    auth_redis_status st;
    memset(&st, 0, sizeof st);
    auth_redis_store_status(store, &st);
    printf("{\"lang\": \"c\", \"verified\": %llu, \"valid_refused\": %llu, \"unavailable\": %llu, "
           "\"stopped\": %.6f, \"entries\": %llu, \"memory_bytes\": %llu, \"detected\": {",
           verified, refused, unavailable, stopped, (unsigned long long)st.entries,
           (unsigned long long)st.memory_bytes);
    int first = 1;
    for (int i = 0; i < probes; i++) {
        if (seen[i] == 0) continue;
        printf("%s\"%d\": %.6f", first ? "" : ", ", i, seen[i]);
        first = 0;
    }
    printf("}}\n");
    auth_verifier_free(v);
    auth_revocation_free(store);
    auth_key_ring_free(ring);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "self") == 0) return self_test(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "wait-revoked") == 0) return wait_revoked(argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "tls") == 0) return tls_test(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "sentinel") == 0) return sentinel_test(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "cluster") == 0) return cluster_test(argv[2]);
    if (argc == 6 && strcmp(argv[1], "fleet") == 0) return fleet(argv[2], argv[3], argv[4], argv[5]);
    fprintf(stderr, "usage: test_redis self URL PREFIX | wait-revoked URL PREFIX TOKEN | tls URL CERTS_DIR\n");
    return 2;
}
