/*
 * The HTTP edge from C: every case of tests/vectors/http_edge.json through
 * auth_authenticate_request and auth_error_answer (plain and auth_request styles), then the
 * NULL-argument, bad-input, buffer and thread paths of auth_authenticator and auth_answer.
 *
 * Usage: test_http FLAT_VECTORS_FILE  (tests/vectors flattened by flatten_vectors.py;
 * records HTTPKEY, HTTPREVOKED, HTTPTOKEN, HTTP and HTTPCOUNT).
 * Ends with "N passed, M failed"; exits non-zero on any failure.
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

static auth_key_ring *ring;
static auth_memory_store *store;
static auth_verifier *verifier; /* its own revocation store holds the revoked jtis */

typedef struct {
    char name[32];
    char *token;
    size_t len;
} named_token;
static named_token tokens[16];
static size_t ntokens;

static const named_token *token(const char *name) {
    for (size_t i = 0; i < ntokens; i++)
        if (strcmp(tokens[i].name, name) == 0) return &tokens[i];
    fprintf(stderr, "no token %s in the vectors\n", name);
    exit(2);
}

static auth_str str(const char *s) { return (auth_str){s, strlen(s)}; }

/* The value of header `name` in `a`, or NULL (its length in *len). */
static const char *answer_header(const auth_answer *a, const char *name, size_t *len) {
    for (size_t i = 0; i < auth_answer_header_count(a); i++) {
        const char *n = NULL, *v = NULL;
        size_t nl = 0, vl = 0;
        if (auth_answer_header(a, i, &n, &nl, &v, &vl) != AUTH_OK) return NULL;
        if (nl == strlen(name) && memcmp(n, name, nl) == 0) {
            *len = vl;
            return v;
        }
    }
    return NULL;
}

static bool header_is(const auth_answer *a, const char *name, const field *want) {
    size_t len = 0;
    const char *v = answer_header(a, name, &len);
    if (want->null) return v == NULL;
    return v != NULL && len == want->len && memcmp(v, want->p, len) == 0;
}

/* ---------------------------------------------------------------- vectors */

static void on_key(const record *r) {
    uint32_t alg = 0;
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "ring");
    CHECK(auth_algorithm_from_name(r->f[1].p, r->f[1].len, &alg) == AUTH_OK, "alg");
    CHECK(auth_key_ring_add(ring, r->f[0].p, r->f[0].len, alg, (const uint8_t *)r->f[2].p, r->f[2].len, NULL) ==
              AUTH_OK,
          "key");
    CHECK(auth_memory_store_new(&store) == AUTH_OK, "store");
}

static void make_verifier(void) {
    auth_revocation *rev = NULL;
    CHECK(auth_revocation_from_memory_store(store, &rev) == AUTH_OK, "revocation handle");
    CHECK(auth_verifier_new(ring, NULL, rev, &verifier, NULL) == AUTH_OK, "verifier");
    auth_revocation_free(rev);
}

/* Checks the answer to `err` in `style`: status, challenge, body and content type. */
static void check_answer(const char *name, const auth_error *err, uint32_t style, uint16_t status,
                         const field *code, const field *challenge) {
    auth_answer *a = NULL;
    auth_result rc = auth_error_answer(err, style, NULL, 0, &a);
    CHECK(rc == AUTH_OK, "%s: answer in style %u: %s", name, style, auth_result_name(rc));
    if (rc != AUTH_OK) return;
    CHECK(auth_answer_status(a) == status, "%s: style %u status %u, want %u", name, style, auth_answer_status(a),
          status);
    CHECK(header_is(a, "www-authenticate", challenge), "%s: style %u challenge, want %s", name, style,
          challenge->null ? "none" : challenge->p);
    field no_store = {.p = "no-store", .len = 8};
    CHECK(header_is(a, "cache-control", &no_store), "%s: cache-control", name);
    const char *body = NULL;
    size_t len = 0;
    CHECK(auth_answer_body(a, &body, &len) == AUTH_OK && body != NULL && body[len] == 0, "%s: body", name);
    size_t ctl = 0;
    const char *ct = answer_header(a, "content-type", &ctl);
    if (style == AUTH_ANSWER_AUTH_REQUEST) {
        CHECK(len == 0 && ct == NULL, "%s: auth_request answers have no body", name);
    } else {
        char want[96];
        snprintf(want, sizeof want, "\"error\":\"%s\"", code->p);
        CHECK(body && strstr(body, want) != NULL, "%s: plain body %s names %s", name, body ? body : "", code->p);
        CHECK(ct && ctl == 16 && memcmp(ct, "application/json", 16) == 0, "%s: content-type", name);
    }
    auth_answer_free(a);
}

/* HTTP name peer unix status code challenge nginx client_ip nproxies proxies...
 *      nauth authorization... nxff forwarded_for... */
static void on_case(const record *r) {
    const char *name = r->f[0].p;
    size_t i = 8, nproxies = (size_t)r->f[i++].num;
    auth_str proxies[8], authz[8], xff[8];
    for (size_t k = 0; k < nproxies; k++, i++) proxies[k] = (auth_str){r->f[i].p, r->f[i].len};
    size_t nauth = (size_t)r->f[i++].num;
    for (size_t k = 0; k < nauth; k++, i++) authz[k] = (auth_str){r->f[i].p, r->f[i].len};
    size_t nxff = (size_t)r->f[i++].num;
    for (size_t k = 0; k < nxff; k++, i++) xff[k] = (auth_str){r->f[i].p, r->f[i].len};

    auth_authenticator *auth = NULL;
    auth_result rc = auth_authenticator_new(verifier, proxies, nproxies, r->f[2].num != 0, NULL, &auth, NULL);
    CHECK(rc == AUTH_OK, "%s: authenticator: %s", name, auth_result_name(rc));
    if (rc != AUTH_OK) return;
    auth_claims *claims = NULL;
    auth_error *err = NULL;
    char ip[AUTH_IP_TEXT_SIZE];
    size_t ip_len = 99;
    const field *peer = &r->f[1];
    rc = auth_authenticate_request(auth, nauth ? authz : NULL, nauth, peer->null ? NULL : peer->p, peer->len,
                                   nxff ? xff : NULL, nxff, NULL, &claims, ip, sizeof ip, &ip_len, &err);
    if (r->f[3].num == 200) {
        CHECK(rc == AUTH_OK && claims != NULL && err == NULL, "%s: got %s, want success", name,
              auth_result_name(rc));
        const field *want = &r->f[7];
        size_t want_len = want->null ? 0 : want->len;
        CHECK(rc == AUTH_OK && ip_len == want_len && memcmp(ip, want->null ? "" : want->p, want_len + 1) == 0,
              "%s: client address %s, want %s", name, ip, want->null ? "(unknown)" : want->p);
        uint64_t id = 0;
        CHECK(auth_claims_id(claims, &id) == AUTH_OK && id == 123, "%s: claims", name);
    } else {
        CHECK(field_eq(&r->f[4], auth_result_name(rc), strlen(auth_result_name(rc))), "%s: got %s, want %s", name,
              auth_result_name(rc), r->f[4].p);
        CHECK(claims == NULL && ip_len == 99, "%s: outputs untouched on failure", name);
        CHECK(err != NULL && auth_error_code(err) == rc, "%s: error handle", name);
        if (err) {
            check_answer(name, err, AUTH_ANSWER_PLAIN, (uint16_t)r->f[3].num, &r->f[4], &r->f[5]);
            check_answer(name, err, AUTH_ANSWER_AUTH_REQUEST, (uint16_t)r->f[6].num, &r->f[4], &r->f[5]);
        }
    }
    auth_claims_free(claims);
    auth_error_free(err);
    auth_authenticator_free(auth);
}

/* ---------------------------------------------------------------- the API's edges */

static auth_authenticator *authenticator(const char *proxy) {
    auth_str p = str(proxy ? proxy : "");
    auth_authenticator *a = NULL;
    CHECK(auth_authenticator_new(verifier, proxy ? &p : NULL, proxy ? 1 : 0, false, NULL, &a, NULL) == AUTH_OK,
          "authenticator");
    return a;
}

static void test_null_arguments(void) {
    auth_authenticator *a = NULL, *keep = authenticator(NULL);
    auth_str bad = {NULL, 3};
    auth_error *err = NULL;
    CHECK(auth_authenticator_new(NULL, NULL, 0, false, NULL, &a, &err) == AUTH_NULL_ARGUMENT && a == NULL,
          "NULL verifier");
    CHECK(err && strstr(auth_error_message(err), "verifier") != NULL, "the message names the argument");
    auth_error_free(err);
    CHECK(auth_authenticator_new(verifier, NULL, 0, false, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL out");
    CHECK(auth_authenticator_new(verifier, NULL, 1, false, NULL, &a, NULL) == AUTH_NULL_ARGUMENT, "NULL rules");
    CHECK(auth_authenticator_new(verifier, &bad, 1, false, NULL, &a, NULL) == AUTH_NULL_ARGUMENT, "NULL rule");
    CHECK(a == NULL, "no authenticator written on failure");
    auth_authenticator_free(NULL);

    const named_token *t = token("valid");
    char header[1024];
    snprintf(header, sizeof header, "Bearer %s", t->token);
    auth_str h = str(header);
    auth_claims *c = NULL;
    char ip[AUTH_IP_TEXT_SIZE];
    size_t len = 0;
    CHECK(auth_authenticate_request(NULL, &h, 1, "1.2.3.4", 7, NULL, 0, NULL, &c, NULL, 0, NULL, NULL) ==
              AUTH_NULL_ARGUMENT,
          "NULL authenticator");
    CHECK(auth_authenticate_request(keep, &h, 1, "1.2.3.4", 7, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL) ==
              AUTH_NULL_ARGUMENT,
          "NULL claims_out");
    CHECK(auth_authenticate_request(keep, NULL, 1, "1.2.3.4", 7, NULL, 0, NULL, &c, NULL, 0, NULL, NULL) ==
              AUTH_NULL_ARGUMENT,
          "NULL authorization with a count");
    CHECK(auth_authenticate_request(keep, &h, 1, "1.2.3.4", 7, NULL, 2, NULL, &c, NULL, 0, NULL, NULL) ==
              AUTH_NULL_ARGUMENT,
          "NULL forwarded_for with a count");
    CHECK(auth_authenticate_request(keep, &bad, 1, "1.2.3.4", 7, NULL, 0, NULL, &c, NULL, 0, NULL, NULL) ==
              AUTH_NULL_ARGUMENT,
          "a NULL header value with a length");
    CHECK(auth_authenticate_request(keep, &h, 1, "1.2.3.4", 7, NULL, 0, NULL, &c, ip, sizeof ip, NULL, NULL) ==
              AUTH_NULL_ARGUMENT,
          "a client address buffer without its length out-parameter");
    CHECK(c == NULL, "no claims written on failure");
    CHECK(auth_authenticate_request(keep, &h, 1, "1.2.3.4", 7, NULL, 0, NULL, &c, NULL, 0, &len, NULL) == AUTH_OK,
          "the client address is optional");
    auth_claims_free(c);

    auth_answer *ans = NULL;
    CHECK(auth_error_answer(NULL, AUTH_ANSWER_PLAIN, NULL, 0, &ans) == AUTH_NULL_ARGUMENT, "NULL error");
    CHECK(auth_error_new(AUTH_MISSING_TOKEN, &err) == AUTH_OK, "host-made error");
    CHECK(auth_error_answer(err, AUTH_ANSWER_PLAIN, NULL, 0, NULL) == AUTH_NULL_ARGUMENT, "NULL answer_out");
    CHECK(auth_error_answer(err, AUTH_ANSWER_PLAIN, NULL, 1, &ans) == AUTH_NULL_ARGUMENT, "NULL accept, count 1");
    CHECK(auth_error_answer(err, 0, NULL, 0, &ans) == AUTH_INVALID_ENUM, "style 0");
    CHECK(auth_error_answer(err, 6, NULL, 0, &ans) == AUTH_INVALID_ENUM, "style 6");
    CHECK(ans == NULL, "no answer written on failure");
    CHECK(auth_answer_rate_limited(1, AUTH_ANSWER_PLAIN, NULL, 0, NULL) == AUTH_NULL_ARGUMENT, "rate_limited out");
    CHECK(auth_answer_server_error(9, NULL, 0, &ans) == AUTH_INVALID_ENUM, "server_error style");
    auth_error_free(err);
    err = NULL;
    /* An error with one of the binding's own codes has no answer. */
    auth_authenticator_new(NULL, NULL, 0, false, NULL, &a, &err);
    CHECK(auth_error_answer(err, AUTH_ANSWER_PLAIN, NULL, 0, &ans) == AUTH_NOT_CORE_ERROR, "binding code");
    auth_error_free(err);

    CHECK(auth_answer_status(NULL) == 0 && auth_answer_header_count(NULL) == 0, "NULL answer accessors");
    const char *p = NULL;
    size_t l1 = 0, l2 = 0;
    CHECK(auth_answer_body(NULL, &p, &l1) == AUTH_NULL_ARGUMENT, "body of NULL");
    CHECK(auth_answer_header(NULL, 0, &p, &l1, &p, &l2) == AUTH_NULL_ARGUMENT, "header of NULL");
    CHECK(auth_answer_server_error(AUTH_ANSWER_PLAIN, NULL, 0, &ans) == AUTH_OK, "server_error");
    CHECK(auth_answer_body(ans, NULL, &l1) == AUTH_NULL_ARGUMENT, "NULL body out");
    CHECK(auth_answer_header(ans, 0, &p, NULL, &p, &l2) == AUTH_NULL_ARGUMENT, "NULL name_len out");
    CHECK(auth_answer_header(ans, auth_answer_header_count(ans), &p, &l1, &p, &l2) == AUTH_INDEX_OUT_OF_RANGE,
          "header index past the end");
    auth_answer_free(ans);
    auth_answer_free(NULL);
    auth_authenticator_free(keep);
}

static void test_bad_input(void) {
    auth_str rules[2] = {str("127.0.0.1"), str("10.0.0.1/8")};
    auth_authenticator *a = NULL;
    auth_error *err = NULL;
    CHECK(auth_authenticator_new(verifier, rules, 2, false, NULL, &a, &err) == AUTH_INVALID_IP_RULE && a == NULL,
          "host bits set in a trusted proxy rule");
    CHECK(err && strstr(auth_error_message(err), "trusted proxy 1") != NULL, "the message names the rule: %s",
          err ? auth_error_message(err) : "");
    auth_error_free(err);
    rules[1] = str("unknown");
    CHECK(auth_authenticator_new(verifier, rules, 2, false, NULL, &a, NULL) == AUTH_INVALID_IP_RULE, "a word");
    rules[1] = (auth_str){"\xff", 1};
    CHECK(auth_authenticator_new(verifier, rules, 2, false, NULL, &a, NULL) == AUTH_INVALID_UTF8, "not UTF-8");

    /* Peer text that is no IP address (a socket path, bytes that are not UTF-8) is a
     * connection without one: the client is unknown, allowed_ips refuses. */
    auth_authenticator *auth = authenticator(NULL);
    char header[1024];
    const char *peers[] = {"/run/app.sock", "\xff\xfe", ""};
    for (size_t i = 0; i < 3; i++) {
        for (int limited = 0; limited < 2; limited++) {
            snprintf(header, sizeof header, "Bearer %s", token(limited ? "ip_limited" : "valid")->token);
            auth_str h = str(header);
            auth_claims *c = NULL;
            char ip[AUTH_IP_TEXT_SIZE];
            size_t len = 99;
            auth_result rc = auth_authenticate_request(auth, &h, 1, peers[i], strlen(peers[i]), NULL, 0, NULL, &c,
                                                       ip, sizeof ip, &len, NULL);
            if (limited)
                CHECK(rc == AUTH_IP_NOT_ALLOWED, "peer %zu, allowed_ips: %s", i, auth_result_name(rc));
            else
                CHECK(rc == AUTH_OK && len == 0 && ip[0] == 0, "peer %zu: unknown client", i);
            auth_claims_free(c);
        }
    }

    /* `now` is passed through: the tokens were issued at 1699999900. */
    snprintf(header, sizeof header, "Bearer %s", token("valid")->token);
    auth_str h = str(header);
    auth_claims *c = NULL;
    uint64_t now = 1699999900, early = 1000;
    CHECK(auth_authenticate_request(auth, &h, 1, "::1", 3, NULL, 0, &now, &c, NULL, 0, NULL, NULL) == AUTH_OK,
          "at iat");
    auth_claims_free(c);
    c = NULL;
    CHECK(auth_authenticate_request(auth, &h, 1, "::1", 3, NULL, 0, &early, &c, NULL, 0, NULL, NULL) ==
              AUTH_ISSUED_IN_FUTURE,
          "long before iat");
    auth_authenticator_free(auth);

    /* A client address buffer too small: the needed length, no claims. */
    auth = authenticator("127.0.0.1");
    auth_str x = str("203.0.113.9");
    char small[4] = "zzz";
    size_t len = 0;
    CHECK(auth_authenticate_request(auth, &h, 1, "127.0.0.1", 9, &x, 1, NULL, &c, small, sizeof small, &len,
                                    NULL) == AUTH_INSUFFICIENT_SIZE,
          "small buffer");
    CHECK(c == NULL && len == 11 && strcmp(small, "zzz") == 0, "needed length %zu, nothing written", len);
    auth_authenticator_free(auth);
}

static void test_revocation_and_answers(void) {
    /* The authenticator's own store counts in addition to the verifier's. */
    auth_memory_store *extra = NULL;
    auth_revocation *rev = NULL;
    auth_authenticator *auth = NULL;
    CHECK(auth_memory_store_new(&extra) == AUTH_OK, "store");
    CHECK(auth_memory_store_revoke(extra, "edge-1", 6, NULL, NULL, NULL) == AUTH_OK, "revoke edge-1");
    CHECK(auth_revocation_from_memory_store(extra, &rev) == AUTH_OK, "handle");
    CHECK(auth_authenticator_new(verifier, NULL, 0, false, rev, &auth, NULL) == AUTH_OK, "authenticator");
    auth_revocation_free(rev);
    auth_memory_store_free(extra);
    char header[1024];
    const char *names[] = {"valid", "revoked"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(header, sizeof header, "Bearer %s", token(names[i])->token);
        auth_str h = str(header);
        auth_claims *c = NULL;
        CHECK(auth_authenticate_request(auth, &h, 1, "::1", 3, NULL, 0, NULL, &c, NULL, 0, NULL, NULL) ==
                  AUTH_TOKEN_REVOKED,
              "%s token revoked", names[i]);
    }
    auth_authenticator_free(auth);

    auth_answer *a = NULL;
    auth_str accept[2] = {str("text/html"), str("application/xml")};
    CHECK(auth_answer_rate_limited(0, AUTH_ANSWER_TOKEN_API, accept, 2, &a) == AUTH_OK, "rate_limited");
    field one = {.p = "1", .len = 1}, xml = {.p = "application/xml", .len = 15}, none = {.null = true};
    CHECK(auth_answer_status(a) == 429 && header_is(a, "retry-after", &one), "429, Retry-After at least 1");
    CHECK(header_is(a, "content-type", &xml) && header_is(a, "www-authenticate", &none), "XML, no challenge");
    const char *body = NULL;
    size_t len = 0;
    CHECK(auth_answer_body(a, &body, &len) == AUTH_OK && strstr(body, "<error>rate_limited</error>"), "XML body");
    auth_answer_free(a);
    CHECK(auth_answer_rate_limited(30, AUTH_ANSWER_AUTH_REQUEST, NULL, 0, &a) == AUTH_OK, "rate_limited");
    CHECK(auth_answer_status(a) == 401 && auth_answer_body(a, &body, &len) == AUTH_OK && len == 0,
          "auth_request: 401 without a body");
    auth_answer_free(a);
    CHECK(auth_answer_server_error(AUTH_ANSWER_LOGIN_API, NULL, 0, &a) == AUTH_OK, "server_error");
    CHECK(auth_answer_status(a) == 500 && auth_answer_body(a, &body, &len) == AUTH_OK &&
              strstr(body, "\"server_error\"") != NULL,
          "500 server_error body");
    auth_answer_free(a);
}

static void *auth_thread(void *arg) {
    auth_authenticator *auth = arg;
    char header[1024];
    snprintf(header, sizeof header, "Bearer %s", token("ip_limited")->token);
    auth_str h = str(header), x = str("198.51.100.7, 203.0.113.9");
    long ok = 0;
    for (int i = 0; i < 200; i++) {
        auth_claims *c = NULL;
        char ip[AUTH_IP_TEXT_SIZE];
        size_t len = 0;
        if (auth_authenticate_request(auth, &h, 1, "127.0.0.1", 9, &x, 1, NULL, &c, ip, sizeof ip, &len, NULL) ==
                AUTH_OK &&
            strcmp(ip, "203.0.113.9") == 0)
            ok++;
        auth_claims_free(c);
    }
    return (void *)ok;
}

static void test_threads(void) {
    auth_authenticator *auth = authenticator("127.0.0.1");
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, auth_thread, auth);
    long total = 0;
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        pthread_join(th[i], &r);
        total += (long)r;
    }
    CHECK(total == 800, "one authenticator shared by 4 threads: %ld of 800", total);
    auth_authenticator_free(auth);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FLAT_VECTORS\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        perror("open");
        return 2;
    }
    record r = {0};
    long cases = 0, expected = -1;
    while (read_record(in, &r)) {
        if (strcmp(r.kind, "HTTPKEY") == 0) {
            on_key(&r);
        } else if (strcmp(r.kind, "HTTPREVOKED") == 0) {
            CHECK(auth_memory_store_revoke(store, r.f[0].p, r.f[0].len, NULL, NULL, NULL) == AUTH_OK, "revoke");
        } else if (strcmp(r.kind, "HTTPTOKEN") == 0 && ntokens < sizeof tokens / sizeof tokens[0]) {
            named_token *t = &tokens[ntokens++];
            snprintf(t->name, sizeof t->name, "%s", r.f[0].p);
            t->token = r.f[1].p; /* taken from the record */
            t->len = r.f[1].len;
            r.f[1].p = NULL;
        } else if (strcmp(r.kind, "HTTP") == 0) {
            if (!verifier) make_verifier();
            on_case(&r);
            cases++;
        } else if (strcmp(r.kind, "HTTPCOUNT") == 0) {
            expected = (long)r.f[0].num;
        }
    }
    record_clear(&r);
    read_record(in, &r); /* releases the line buffer */
    fclose(in);
    CHECK(cases > 0 && cases == expected, "every http_edge.json case ran: %ld of %ld", cases, expected);
    if (verifier) {
        test_null_arguments();
        test_bad_input();
        test_revocation_and_answers();
        test_threads();
    }
    auth_verifier_free(verifier);
    auth_memory_store_free(store);
    auth_key_ring_free(ring);
    for (size_t i = 0; i < ntokens; i++) free(tokens[i].token);
    printf("vectors: %ld http_edge.json cases\n", cases);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
