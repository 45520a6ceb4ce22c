/*
 * The registered claims profile from C (docs/profiles.md): every case of
 * tests/vectors/profile.json with the verdicts and claims of the Rust runner
 * (crates/auth-core/tests/profile_vectors.rs), then the API's accessors, NULL arguments,
 * buffers, the wrong profile in both directions and a host callback store (which cannot
 * answer a query by jti: fail closed).
 *
 * Usage: test_profile FLAT_VECTORS_FILE  (tests/vectors flattened by flatten_vectors.py).
 * Ends with "N passed, M failed"; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_core.h"

#include "suite.h"

static auth_key_ring *ring;
static auth_scope_vocabulary *vocab;
static long ran, agreed, skipped;
static char valid_token[1024]; /* the first valid case without options, for the API tests */
static uint64_t valid_now;

static const char *verdict(auth_result rc) { return rc == AUTH_OK ? "valid" : auth_result_name(rc); }

static void on_key(const record *r) {
    auth_error *err = NULL;
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "ring");
    CHECK(auth_key_ring_add(ring, r->f[0].p, r->f[0].len, AUTH_HS256, (const uint8_t *)r->f[2].p, r->f[2].len,
                            &err) == AUTH_OK,
          "key: %s", err ? auth_error_message(err) : "");
    auth_error_free(err);
}

/* One PROFILE record: idx name token now mask issuer require_audience leeway scopes expect claims
 * revoked_count jtis... aud_count auds... */
static void on_case(const record *r) {
    const char *name = r->f[1].p;
    if (r->f[6].num) { /* require_audience is not an auth_verify_options field */
        skipped++;
        return;
    }
    size_t i = 11;
    auth_memory_store *store = NULL;
    auth_revocation *revocation = NULL;
    if (!r->f[i].null) {
        size_t n = r->f[i].num;
        CHECK(auth_memory_store_new(&store) == AUTH_OK, "store");
        uint64_t zero = 0;
        for (size_t j = 0; j < n; j++)
            CHECK(auth_memory_store_revoke(store, r->f[i + 1 + j].p, r->f[i + 1 + j].len, NULL, &zero, NULL) == AUTH_OK,
                  "revoke");
        CHECK(auth_revocation_from_memory_store(store, &revocation) == AUTH_OK, "revocation");
        i += 1 + n;
    } else {
        i += 1;
    }
    size_t naud = r->f[i].num;
    auth_str auds[8];
    for (size_t j = 0; j < naud && j < 8; j++) auds[j] = (auth_str){r->f[i + 1 + j].p, r->f[i + 1 + j].len};
    auth_verify_options o = auth_verify_options_default();
    o.leeway = r->f[7].num;
    o.audiences = naud ? auds : NULL;
    o.audiences_len = naud;
    o.issuer = r->f[5].null ? NULL : r->f[5].p;
    o.issuer_len = r->f[5].null ? 0 : r->f[5].len;
    auth_verifier *v = NULL;
    auth_error *err = NULL;
    CHECK(auth_verifier_new_registered(ring, &o, (uint32_t)r->f[4].num, revocation, &v, &err) == AUTH_OK,
          "%s: verifier: %s", name, err ? auth_error_message(err) : "");
    auth_error_free(err);
    err = NULL;
    auth_required_scopes *required = NULL;
    if (!r->f[8].null) {
        auth_str names[8];
        size_t count = 0, start = 0;
        const field *s = &r->f[8];
        for (size_t k = 0; k <= s->len; k++)
            if (k == s->len || s->p[k] == ' ') {
                if (count < 8) names[count++] = (auth_str){s->p + start, k - start};
                start = k + 1;
            }
        CHECK(auth_required_scopes_new(vocab, names, count, &required, NULL) == AUTH_OK, "%s: scopes", name);
    }
    uint64_t now = r->f[3].num;
    auth_registered_claims *claims = NULL;
    auth_result rc = auth_verifier_verify_registered(v, r->f[2].p, r->f[2].len, &now, NULL, required, &claims, &err);
    const char *got = verdict(rc);
    bool same = field_eq(&r->f[9], got, strlen(got));
    CHECK(same, "%s: got %s, want %s (%s)", name, got, r->f[9].p, err ? auth_error_message(err) : "");
    if (same && rc == AUTH_OK) {
        char json[4096];
        size_t len = 0;
        CHECK(auth_registered_claims_json(claims, json, sizeof json, &len) == AUTH_OK, "%s: json", name);
        same = field_eq(&r->f[10], json, len);
        CHECK(same, "%s: claims %s, want %s", name, json, r->f[10].p);
        if (!valid_token[0] && r->f[2].len < sizeof valid_token && strstr(name, "sub and exp")) {
            memcpy(valid_token, r->f[2].p, r->f[2].len);
            valid_now = now;
        }
    }
    ran++;
    agreed += same;
    auth_registered_claims_free(claims);
    auth_error_free(err);
    auth_required_scopes_free(required);
    auth_verifier_free(v);
    auth_revocation_free(revocation);
    auth_memory_store_free(store);
}

static bool cannot_answer(void *userdata, const auth_revocation_query *query) {
    (void)userdata;
    (void)query;
    return false;
}

static void test_api(void) {
    const char *token = valid_token;
    size_t token_len = strlen(token);
    auth_verifier *reg = NULL, *seeds = NULL;
    auth_error *err = NULL;
    CHECK(token_len > 0, "a valid vector was found");
    CHECK(auth_verifier_new_registered(ring, NULL, AUTH_CLAIM_EXP | AUTH_CLAIM_SUB, NULL, &reg, NULL) == AUTH_OK,
          "registered verifier");
    CHECK(auth_verifier_new(ring, NULL, NULL, &seeds, NULL) == AUTH_OK, "seeds verifier");
    CHECK(auth_verifier_new_registered(ring, NULL, 128, NULL, &seeds, &err) == AUTH_INVALID_REQUEST,
          "unknown required bits");
    CHECK(err && strstr(auth_error_message(err), "unknown bits"), "message: %s", err ? auth_error_message(err) : "");
    auth_error_free(err);
    err = NULL;
    CHECK(auth_verifier_new_registered(NULL, NULL, 0, NULL, &reg, NULL) == AUTH_NULL_ARGUMENT, "NULL ring");
    CHECK(auth_verifier_new_registered(ring, NULL, 0, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL out");

    auth_registered_claims *c = NULL;
    uint64_t now = valid_now;
    CHECK(auth_verifier_verify_registered(reg, token, token_len, &now, NULL, NULL, &c, NULL) == AUTH_OK, "verify");
    char buf[256];
    size_t len = 0;
    bool present = false;
    CHECK(auth_registered_claims_sub(c, &present, buf, sizeof buf, &len) == AUTH_OK && present &&
              len == 5 && strcmp(buf, "alice") == 0,
          "sub: %s", buf);
    CHECK(auth_registered_claims_iss(c, &present, buf, sizeof buf, &len) == AUTH_OK && !present && len == 0, "iss");
    CHECK(auth_registered_claims_jti(c, &present, buf, sizeof buf, &len) == AUTH_OK && !present, "jti");
    CHECK(auth_registered_claims_scope(c, &present, buf, sizeof buf, &len) == AUTH_OK && !present, "scope");
    uint64_t t = 0;
    CHECK(auth_registered_claims_time(c, AUTH_TIME_EXP, &present, &t) == AUTH_OK && present && t == now + 600, "exp");
    CHECK(auth_registered_claims_time(c, AUTH_TIME_IAT, &present, &t) == AUTH_OK && !present && t == 0, "iat");
    CHECK(auth_registered_claims_time(c, 9, &present, &t) == AUTH_INVALID_ENUM, "unknown time");
    size_t count = 9;
    CHECK(auth_registered_claims_aud_count(c, &present, &count) == AUTH_OK && !present && count == 0, "aud");
    CHECK(auth_registered_claims_aud(c, 0, buf, sizeof buf, &len) == AUTH_INDEX_OUT_OF_RANGE, "aud[0]");
    CHECK(auth_registered_claims_custom_json(c, buf, sizeof buf, &len) == AUTH_OK && strcmp(buf, "{}") == 0, "custom");
    CHECK(auth_registered_claims_json(c, buf, 4, &len) == AUTH_INSUFFICIENT_SIZE && len > 4, "small buffer");
    CHECK(auth_registered_claims_sub(NULL, &present, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "NULL claims");
    CHECK(auth_registered_claims_sub(c, NULL, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "NULL present");
    auth_registered_claims_free(c);
    auth_registered_claims_free(NULL);

    /* The wrong profile, both ways: refused, never claims. */
    auth_claims *sc = NULL;
    CHECK(auth_verifier_verify(reg, token, token_len, &now, NULL, 0, NULL, &sc, &err) == AUTH_INVALID_CLAIMS &&
              sc == NULL,
          "seeds call on a registered verifier");
    CHECK(err && strstr(auth_error_message(err), "registered claims profile"), "%s",
          err ? auth_error_message(err) : "");
    auth_error_free(err);
    err = NULL;
    c = NULL;
    CHECK(auth_verifier_verify_registered(seeds, token, token_len, &now, NULL, NULL, &c, NULL) ==
                  AUTH_INVALID_CLAIMS &&
              c == NULL,
          "registered call on a seeds verifier");
    CHECK(auth_verifier_verify_registered(reg, NULL, 3, &now, NULL, NULL, &c, NULL) == AUTH_NULL_ARGUMENT,
          "NULL token");
    CHECK(auth_verifier_verify_registered(reg, token, token_len, &now, NULL, NULL, NULL, NULL) ==
              AUTH_NULL_ARGUMENT,
          "NULL claims_out");

    /* A host callback only answers principal queries: it cannot answer by jti. */
    auth_revocation *cb = NULL;
    CHECK(auth_revocation_new_callback(cannot_answer, NULL, NULL, &cb) == AUTH_OK, "callback");
    CHECK(auth_verifier_verify_registered(reg, token, token_len, &now, cb, NULL, &c, NULL) == AUTH_OK,
          "a token without jti is not asked about");
    auth_registered_claims_free(c);
    c = NULL;
    auth_revocation_free(cb);
    auth_verifier_free(reg);
    auth_verifier_free(seeds);
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
    long count = -1;
    while (read_record(in, &r)) {
        if (strcmp(r.kind, "PROFILEKEY") == 0) {
            on_key(&r);
        } else if (strcmp(r.kind, "PROFILEVOCAB") == 0) {
            CHECK(auth_scope_vocabulary_new(r.f[0].p, r.f[0].len, &vocab, NULL) == AUTH_OK, "vocabulary");
        } else if (strcmp(r.kind, "PROFILE") == 0) {
            on_case(&r);
        } else if (strcmp(r.kind, "PROFILECOUNT") == 0) {
            count = (long)r.f[0].num;
        }
    }
    record_clear(&r);
    read_record(in, &r); /* releases the line buffer */
    fclose(in);
    CHECK(count > 50 && ran + skipped == count, "profile.json: ran %ld + skipped %ld of %ld", ran, skipped, count);
    printf("vectors: profile.json %ld of %ld cases agree (%ld skipped: require_audience)\n", agreed, ran, skipped);
    if (ring) test_api();
    auth_scope_vocabulary_free(vocab);
    auth_key_ring_free(ring);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
