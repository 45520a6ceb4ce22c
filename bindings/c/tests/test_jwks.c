/*
 * The JWKS client through the C ABI (docs/jwks.md), against tests/jwks/server.py
 * (bindings/c/tests/run-jwks.sh starts it):
 *
 *   test_jwks PORT DIR CERTS ED_PEM EC_PEM
 *
 * PORT: the HTTPS server's port; DIR: the directory it serves jwks.json from (and counts
 * requests in DIR/count); CERTS: tests/tls/make-certs.sh's directory; ED_PEM, EC_PEM: an
 * Ed25519 and a P-256 private key (PKCS#8 PEM). Exit 0 when every check passes.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_core.h"

static int failures = 0, checks = 0;
static const char *dir;

#define CHECK(cond)                                                          \
    do {                                                                     \
        checks++;                                                            \
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

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strdup(buf);
}

static void write_file(const char *name, const char *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0) { fprintf(stderr, "cannot write %s\n", path); exit(2); }
    fclose(f);
}

static int requests(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/count", dir);
    char *t = read_file(path);
    int n = t ? atoi(t) : 0;
    free(t);
    return n;
}

/* A ring holding the key of PEM file `pem` as `kid`, its issuer, a token, and its JWKS. */
struct signer { auth_key_ring *ring; auth_issuer *issuer; char token[2048]; char jwks[4096]; };

static void signer_init(struct signer *s, const char *kid, const char *pem_path) {
    char *pem = read_file(pem_path);
    size_t len = 0;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    if (!pem || auth_key_ring_new(&s->ring) != AUTH_OK ||
        auth_key_ring_add_pem(s->ring, kid, strlen(kid), pem, strlen(pem), NULL) != AUTH_OK ||
        auth_issuer_new(s->ring, NULL, &s->issuer, NULL) != AUTH_OK ||
        auth_mint_request_new_user(7, "alice", 5, false, NULL, 0, NULL, &req, NULL) != AUTH_OK ||
        auth_issuer_mint(s->issuer, req, &minted, NULL) != AUTH_OK ||
        auth_minted_token(minted, s->token, sizeof s->token, &len) != AUTH_OK ||
        auth_key_ring_to_jwks(s->ring, s->jwks, sizeof s->jwks, &len) != AUTH_OK) {
        fprintf(stderr, "signer %s\n", kid);
        exit(2);
    }
    free(pem);
    auth_mint_request_free(req);
    auth_minted_free(minted);
}

static void signer_free(struct signer *s) {
    auth_issuer_free(s->issuer);
    auth_key_ring_free(s->ring);
}

static auth_result verify(const auth_jwks_client *c, const auth_verifier *v, const char *token) {
    auth_claims *claims = NULL;
    auth_result rc = auth_jwks_client_verify(c, v, token, strlen(token), NULL, NULL, 0, NULL, NULL, &claims, NULL);
    auth_claims_free(claims);
    return rc;
}

static auth_jwks_client *client(const char *url, const auth_jwks_options *o, const char *ca) {
    auth_jwks_client *c = NULL;
    auth_error *err = NULL;
    if (auth_jwks_client_new(url, strlen(url), o, ca, &c, &err) != AUTH_OK) {
        fprintf(stderr, "client %s: %s\n", url, auth_error_message(err));
        exit(2);
    }
    return c;
}

/* Refreshing `path` fails with AUTH_JWKS_UNAVAILABLE saying `says`; returns the seconds taken. */
static double refused(const char *base, const char *path, const auth_jwks_options *o, const char *ca,
                      const char *says) {
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    auth_jwks_client *c = client(url, o, ca);
    auth_error *err = NULL, *last = NULL;
    double t = monotonic();
    CHECK(auth_jwks_client_refresh(c, &err) == AUTH_JWKS_UNAVAILABLE);
    t = monotonic() - t;
    CHECK(err && strstr(auth_error_message(err), says) != NULL);
    if (err && !strstr(auth_error_message(err), says)) fprintf(stderr, "  %s: %s\n", path, auth_error_message(err));
    CHECK(auth_jwks_client_last_error(c, &last) == AUTH_OK && last != NULL);
    CHECK(last && strcmp(auth_error_message(last), auth_error_message(err)) == 0);
    auth_jwks_status st;
    CHECK(auth_jwks_client_status(c, &st) == AUTH_OK && st.failures == 1 && !st.has_keys && st.failing);
    auth_error_free(err);
    auth_error_free(last);
    auth_jwks_client_free(c);
    return t;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: test_jwks PORT DIR CERTS ED_PEM EC_PEM\n"); return 2; }
    dir = argv[2];
    char base[256], url[512], ca[4096], other_ca[4096];
    snprintf(base, sizeof base, "https://127.0.0.1:%s", argv[1]);
    snprintf(url, sizeof url, "%s/jwks.json", base);
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[3]);
    snprintf(other_ca, sizeof other_ca, "%s/other-ca.pem", argv[3]);
    struct signer a, b;
    signer_init(&a, "ed-1", argv[4]);
    signer_init(&b, "ec-1", argv[5]);
    write_file("jwks.json", a.jwks);

    /* Arguments: NULLs, an http:// URL, a CA file that is not there. */
    auth_jwks_client *c = NULL;
    auth_error *err = NULL;
    CHECK(auth_jwks_client_new(NULL, 0, NULL, NULL, &c, NULL) == AUTH_NULL_ARGUMENT);
    CHECK(auth_jwks_client_new(url, strlen(url), NULL, ca, NULL, NULL) == AUTH_NULL_ARGUMENT);
    const char *http = "http://127.0.0.1:1/jwks.json";
    CHECK(auth_jwks_client_new(http, strlen(http), NULL, NULL, &c, &err) == AUTH_INVALID_REQUEST && c == NULL);
    CHECK(err && strstr(auth_error_message(err), "https://") != NULL);
    auth_error_free(err);
    err = NULL;
    auth_jwks_options allow = {0};
    allow.allow_http = true;
    CHECK(auth_jwks_client_new(http, strlen(http), &allow, NULL, &c, NULL) == AUTH_OK && c != NULL);
    auth_jwks_client_free(c);
    c = NULL;
    CHECK(auth_jwks_client_new(url, strlen(url), NULL, "/nonexistent/ca.pem", &c, NULL) == AUTH_INVALID_REQUEST);
    CHECK(auth_jwks_client_refresh(NULL, NULL) == AUTH_NULL_ARGUMENT);
    CHECK(auth_jwks_client_status(NULL, NULL) == AUTH_NULL_ARGUMENT);
    CHECK(auth_jwks_client_last_error(NULL, &err) == AUTH_NULL_ARGUMENT);
    CHECK(auth_jwks_client_key_ring(NULL, NULL) == AUTH_NULL_ARGUMENT);
    auth_jwks_client_free(NULL);
    CHECK(strcmp(auth_result_name(AUTH_JWKS_UNAVAILABLE), "jwks_unavailable") == 0);
    CHECK(auth_result_http_status(AUTH_JWKS_UNAVAILABLE) == 503);

    /* First fetch on first use; rotation with a cooldown of 2 s (valgrind is slow). */
    auth_jwks_options o = {0};
    o.cooldown_ms = 2000;
    c = client(url, &o, ca);
    auth_jwks_status st;
    CHECK(auth_jwks_client_status(c, &st) == AUTH_OK && st.attempts == 0 && st.keys == 0 && !st.has_keys);
    err = (auth_error *)&st; /* overwritten: NULL when there is no error */
    CHECK(auth_jwks_client_last_error(c, &err) == AUTH_OK && err == NULL);
    auth_key_ring *ring = NULL;
    auth_verifier *v = NULL;
    CHECK(auth_jwks_client_key_ring(c, &ring) == AUTH_OK);
    CHECK(auth_verifier_new(ring, NULL, NULL, &v, NULL) == AUTH_OK);
    CHECK(verify(c, v, a.token) == AUTH_OK);
    CHECK(verify(c, v, a.token) == AUTH_OK);
    CHECK(requests() == 1);
    size_t n = 0;
    CHECK(auth_key_ring_len(ring, &n) == AUTH_OK && n == 1);
    CHECK(auth_jwks_client_status(c, &st) == AUTH_OK && st.attempts == 1 && st.keys == 1 && st.has_keys &&
          st.fresh_for_ms > 200000 && !st.failing);

    write_file("jwks.json", b.jwks);
    CHECK(verify(c, v, b.token) == AUTH_UNKNOWN_KEY); /* within the cooldown */
    CHECK(requests() == 1);
    sleep_ms(2100);
    CHECK(verify(c, v, b.token) == AUTH_OK);
    CHECK(requests() == 2);
    CHECK(verify(c, v, a.token) == AUTH_UNKNOWN_KEY); /* rotated out */
    CHECK(requests() == 2);

    /* A verifier of another ring is refused. */
    auth_verifier *other = NULL;
    CHECK(auth_verifier_new(b.ring, NULL, NULL, &other, NULL) == AUTH_OK);
    CHECK(verify(c, other, b.token) == AUTH_INVALID_REQUEST);
    CHECK(verify(c, NULL, b.token) == AUTH_NULL_ARGUMENT);
    auth_verifier_free(other);

    /* A failed refresh keeps the keys. */
    write_file("jwks.json", "{\"keys\": []}");
    CHECK(auth_jwks_client_refresh(c, &err) == AUTH_JWKS_UNAVAILABLE);
    CHECK(err && strstr(auth_error_message(err), "holds no key") != NULL);
    auth_error_free(err);
    err = NULL;
    CHECK(verify(c, v, b.token) == AUTH_OK);
    CHECK(auth_jwks_client_status(c, &st) == AUTH_OK && st.failing && st.failures == 1 && st.keys == 1);
    auth_verifier_free(v);
    auth_key_ring_free(ring);
    auth_jwks_client_free(c);

    /* Broken endpoints: nothing fetched, verification fails closed with 503. */
    snprintf(url, sizeof url, "%s/500", base);
    c = client(url, NULL, ca);
    CHECK(auth_jwks_client_key_ring(c, &ring) == AUTH_OK);
    CHECK(auth_verifier_new(ring, NULL, NULL, &v, NULL) == AUTH_OK);
    auth_claims *claims = NULL;
    CHECK(auth_jwks_client_verify(c, v, a.token, strlen(a.token), NULL, NULL, 0, NULL, NULL, &claims, &err) ==
          AUTH_JWKS_UNAVAILABLE);
    CHECK(claims == NULL && err && auth_error_http_status(err) == 503);
    CHECK(err && strstr(auth_error_message(err), "HTTP 500") != NULL);
    auth_error_free(err);
    err = NULL;
    auth_verifier_free(v);
    auth_key_ring_free(ring);
    auth_jwks_client_free(c);

    refused(base, "/500", NULL, ca, "HTTP 500");
    refused(base, "/redirect", NULL, ca, "redirect");
    refused(base, "/huge", NULL, ca, "larger than 262144 bytes");
    refused(base, "/malformed", NULL, ca, "not strict JSON");
    refused(base, "/jwks.json", NULL, other_ca, "fetching the JWK Set failed");
    auth_jwks_options quick = {0};
    quick.timeout_ms = 300;
    double took = refused(base, "/slow", &quick, ca, "timed out");
    CHECK(took < 5.0);

    signer_free(&a);
    signer_free(&b);
    printf("jwks: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
