/*
 * Scopes from C: every list of tests/vectors/scopes.json (texts, vocabularies, narrowing,
 * required, tokens, delegation) with the verdicts of the Rust runner
 * (crates/auth-core/tests/scope_vectors.rs), then the scope API's NULL-argument, bad-input,
 * buffer and ownership paths (tests/scope_api.c), the insufficient_scope answer in every style
 * and a requirement shared by threads.
 *
 * Usage: test_scopes FLAT_VECTORS_FILE CLAIMS_JSON_OUT  (tests/vectors flattened by
 * flatten_vectors.py; the claims of the valid `tokens` cases go to CLAIMS_JSON_OUT, which
 * `check_json.py VECTOR_DIR CLAIMS_JSON_OUT --scopes` compares as JSON values).
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

static auth_key_ring *ring;          /* scopes.json's ring (a ring of tokens.json) */
static auth_scope_vocabulary *vocab; /* scopes.json's vocabulary */
static auth_issuer *issuer;          /* follows `ring`, declares `vocab` */
static auth_verifier *verifier;
static FILE *json_out;

enum { TEXTS, VOCABS, NARROW, REQUIRED, TOKENS, DELEG, LISTS };
static const char *list_names[LISTS] = {"texts", "vocabularies", "narrowing", "required", "tokens", "delegation"};
static long ran[LISTS], agreed[LISTS];

/* The KEY records of tests/vectors/tokens.json (the ring is picked by SCOPERING). */
typedef struct {
    char ring[32];
    record r;
} key_record;
static key_record keys[16];
static size_t nkeys;

#define NAMES_MAX 80
typedef struct {
    auth_str items[NAMES_MAX];
    size_t n;
} name_list;

static auth_str str(const char *s) { return (auth_str){s, strlen(s)}; }

/* A names text ("a b c", "" for none) as separate names, pointing into the field. */
static void split(const field *f, name_list *out) {
    out->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= f->len && f->len > 0; i++) {
        if (i == f->len || f->p[i] == ' ') {
            if (out->n < NAMES_MAX) out->items[out->n++] = (auth_str){f->p + start, i - start};
            start = i + 1;
        }
    }
}

static const char *verdict(auth_result rc) { return rc == AUTH_OK ? "valid" : auth_result_name(rc); }

static const char *opt(const field *f) { return f->null ? NULL : f->p; }

/* The verdict and, for a refusal, the name the message must quote; counts the case. */
static bool expect(int list, const char *name, auth_result rc, const field *want, const auth_error *err,
                   const field *mentions) {
    const char *got = verdict(rc);
    bool same = field_eq(want, got, strlen(got));
    CHECK(same, "%s %s: got %s, want %s (%s)", list_names[list], name, got, want->p,
          err ? auth_error_message(err) : "");
    if (same && rc != AUTH_OK && mentions && !mentions->null) {
        char quoted[128];
        snprintf(quoted, sizeof quoted, "`%s`", mentions->p);
        same = err && strstr(auth_error_message(err), quoted) != NULL;
        CHECK(same, "%s %s: the message names %s: %s", list_names[list], name, quoted,
              err ? auth_error_message(err) : "(no error)");
    }
    ran[list]++;
    return same;
}

/* The WWW-Authenticate value of `a` equals `want` (NULL: there is none). */
static bool challenge_is(const auth_answer *a, const char *want) {
    for (size_t i = 0; i < auth_answer_header_count(a); i++) {
        const char *n = NULL, *v = NULL;
        size_t nl = 0, vl = 0;
        if (auth_answer_header(a, i, &n, &nl, &v, &vl) != AUTH_OK) return false;
        if (nl == 16 && memcmp(n, "www-authenticate", 16) == 0)
            return want && vl == strlen(want) && memcmp(v, want, vl) == 0;
    }
    return want == NULL;
}

/* The answer to an insufficient_scope error: 403 and `challenge` in every style. */
static bool answers_with(const auth_error *err, const char *challenge) {
    bool ok = true;
    for (uint32_t style = AUTH_ANSWER_LOGIN_API; style <= AUTH_ANSWER_OAUTH; style++) {
        auth_answer *a = NULL;
        ok = ok && auth_error_answer(err, style, NULL, 0, &a) == AUTH_OK && auth_answer_status(a) == 403 &&
             challenge_is(a, challenge);
        auth_answer_free(a);
    }
    return ok;
}

static bool text_is(const char *got, size_t len, const field *want) {
    return !want->null && len == want->len && memcmp(got, want->p, len) == 0;
}

/* ---------------------------------------------------------------- the vectors */

static void on_scopering(const record *r) {
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "ring");
    size_t added = 0;
    for (size_t i = 0; i < nkeys; i++) {
        const record *k = &keys[i].r;
        if (strcmp(keys[i].ring, r->f[0].p) != 0) continue;
        uint32_t alg = 0;
        CHECK(auth_algorithm_from_name(k->f[2].p, k->f[2].len, &alg) == AUTH_OK, "alg %s", k->f[2].p);
        CHECK(auth_key_ring_add(ring, k->f[1].p, k->f[1].len, alg, (const uint8_t *)k->f[3].p, k->f[3].len,
                                NULL) == AUTH_OK,
              "key %s", k->f[1].p);
        added++;
    }
    CHECK(added > 0, "ring %s has keys", r->f[0].p);
    auth_issuer *plain = NULL;
    CHECK(auth_issuer_new(ring, NULL, &plain, NULL) == AUTH_OK, "issuer");
    CHECK(auth_issuer_with_scopes(plain, vocab, &issuer, NULL) == AUTH_OK, "issuer with the vocabulary");
    auth_issuer_free(plain);
    CHECK(auth_verifier_new(ring, NULL, NULL, &verifier, NULL) == AUTH_OK, "verifier");
}

/* SCOPETEXT name text expect canonical */
static void on_text(const record *r) {
    char buf[1024];
    size_t len = 0;
    auth_error *err = NULL;
    auth_result rc = auth_scope_text_canonical(r->f[1].p, r->f[1].len, buf, sizeof buf, &len, &err);
    bool same = expect(TEXTS, r->f[0].p, rc, &r->f[2], err, NULL);
    if (same && rc == AUTH_OK && !r->f[3].null) {
        same = text_is(buf, len, &r->f[3]);
        CHECK(same, "texts %s: canonical %s, want %s", r->f[0].p, buf, r->f[3].p);
    }
    agreed[TEXTS] += same;
    auth_error_free(err);
}

/* SCOPEVOCABCASE name json expect */
static void on_vocab_case(const record *r) {
    auth_scope_vocabulary *v = NULL;
    auth_error *err = NULL;
    auth_result rc = auth_scope_vocabulary_new(r->f[1].p, r->f[1].len, &v, &err);
    agreed[VOCABS] += expect(VOCABS, r->f[0].p, rc, &r->f[2], err, NULL);
    CHECK((rc == AUTH_OK) == (v != NULL), "vocabularies %s: a handle only on success", r->f[0].p);
    auth_scope_vocabulary_free(v);
    auth_error_free(err);
}

/* SCOPENARROW name caller requested expect result mentions */
static void on_narrow(const record *r) {
    char buf[1024];
    size_t len = 0;
    bool present = false;
    auth_error *err = NULL;
    auth_result rc = auth_scope_vocabulary_narrow(vocab, opt(&r->f[1]), r->f[1].len, opt(&r->f[2]), r->f[2].len,
                                                  &present, buf, sizeof buf, &len, &err);
    bool same = expect(NARROW, r->f[0].p, rc, &r->f[3], err, &r->f[5]);
    if (same && rc == AUTH_OK) {
        same = r->f[4].null ? !present && len == 0 : present && text_is(buf, len, &r->f[4]);
        CHECK(same, "narrowing %s: result %s %s", r->f[0].p, present ? "present" : "absent", buf);
    }
    agreed[NARROW] += same;
    auth_error_free(err);
}

/* SCOPEREQ name held required expect mentions challenge */
static void on_required(const record *r) {
    name_list need;
    split(&r->f[2], &need);
    auth_required_scopes *req = NULL;
    auth_error *err = NULL;
    auth_result rc = auth_required_scopes_new(vocab, need.items, need.n, &req, &err);
    if (rc == AUTH_OK) rc = auth_required_scopes_check(req, opt(&r->f[1]), r->f[1].len, &err);
    bool same = expect(REQUIRED, r->f[0].p, rc, &r->f[3], err, &r->f[4]);
    if (same && !r->f[5].null) {
        same = answers_with(err, r->f[5].p);
        CHECK(same, "required %s: the challenge in every style is %s", r->f[0].p, r->f[5].p);
        /* the challenge names exactly what auth_error_required_scope gives */
        char scope[256], want[512];
        size_t len = 0;
        bool present = false;
        CHECK(auth_error_required_scope(err, &present, scope, sizeof scope, &len) == AUTH_OK && present,
              "required %s: the error carries the requirement", r->f[0].p);
        snprintf(want, sizeof want, "Bearer error=\"insufficient_scope\", scope=\"%s\"", scope);
        CHECK(strcmp(want, r->f[5].p) == 0, "required %s: required_scope %s", r->f[0].p, scope);
    }
    agreed[REQUIRED] += same;
    auth_required_scopes_free(req);
    auth_error_free(err);
}

static void write_json(const char *list, long index, const auth_claims *claims) {
    char buf[4096];
    size_t len = 0;
    CHECK(auth_claims_to_json(claims, buf, sizeof buf, &len) == AUTH_OK, "claims JSON");
    fprintf(json_out, "%s %ld 0 ", list, index);
    for (size_t i = 0; i < len; i++) fprintf(json_out, "%02x", (unsigned char)buf[i]);
    fputc('\n', json_out);
}

/* SCOPETOKEN index name token now required expect mentions: through auth_verifier_verify_scoped
 * and auth_authenticate_request_scoped, which must agree. */
static void on_token(const record *r) {
    const char *name = r->f[1].p;
    uint64_t now = r->f[3].num;
    auth_required_scopes *req = NULL;
    if (!r->f[4].null) {
        name_list need;
        split(&r->f[4], &need);
        CHECK(auth_required_scopes_new(vocab, need.items, need.n, &req, NULL) == AUTH_OK, "%s: requirement", name);
    }
    auth_claims *claims = NULL, *claims2 = NULL;
    auth_error *err = NULL, *err2 = NULL;
    auth_result rc = auth_verifier_verify_scoped(verifier, r->f[2].p, r->f[2].len, &now, NULL, 0, NULL, req,
                                                 &claims, &err);
    bool same = expect(TOKENS, name, rc, &r->f[5], err, &r->f[6]);
    if (rc == AUTH_OK) write_json("scopes", (long)r->f[0].num, claims);

    auth_authenticator *auth = NULL;
    CHECK(auth_authenticator_new(verifier, NULL, 0, false, NULL, &auth, NULL) == AUTH_OK, "authenticator");
    char header[2048];
    snprintf(header, sizeof header, "Bearer %s", r->f[2].p);
    auth_str h = str(header);
    auth_result rc2 = auth_authenticate_request_scoped(auth, &h, 1, "::1", 3, NULL, 0, &now, req, &claims2, NULL, 0,
                                                       NULL, &err2);
    CHECK(rc2 == rc, "tokens %s: authenticate_request_scoped %s, verify_scoped %s", name, verdict(rc2),
          verdict(rc));
    same = same && rc2 == rc;
    if (rc == AUTH_INSUFFICIENT_SCOPE && req) {
        char need[256], want[512];
        size_t len = 0;
        CHECK(auth_required_scopes_names(req, need, sizeof need, &len) == AUTH_OK, "names");
        snprintf(want, sizeof want, "Bearer error=\"insufficient_scope\", scope=\"%s\"", need);
        bool ok = answers_with(err, want) && answers_with(err2, want);
        CHECK(ok, "tokens %s: both errors answer 403 with %s", name, want);
        same = same && ok;
    }
    agreed[TOKENS] += same;
    auth_claims_free(claims);
    auth_claims_free(claims2);
    auth_error_free(err);
    auth_error_free(err2);
    auth_authenticator_free(auth);
    auth_required_scopes_free(req);
}

static bool ends_with(const char *s, size_t len, const field *tail) {
    return !tail->null && len >= tail->len && memcmp(s + len - tail->len, tail->p, tail->len) == 0;
}

/* Checks a created token against SCOPEDELEG's scopes, JSON tail and XML tail. */
static bool check_created(const char *name, const auth_created_token *created, uint64_t now, const record *r) {
    const auth_minted *m = auth_created_token_minted(created);
    char token[2048], buf[4096];
    size_t len = 0;
    bool present = false, ok = auth_minted_token(m, token, sizeof token, &len) == AUTH_OK;
    auth_claims *claims = NULL;
    ok = ok && auth_verifier_verify(verifier, token, len, &now, NULL, 0, NULL, &claims, NULL) == AUTH_OK;
    CHECK(ok, "delegation %s: the new token verifies", name);
    if (!ok) return false;
    ok = auth_claims_scope(claims, &present, buf, sizeof buf, &len) == AUTH_OK &&
         (r->f[12].null ? !present : present && text_is(buf, len, &r->f[12]));
    CHECK(ok, "delegation %s: scope claim %s", name, present ? buf : "(none)");
    auth_claims_free(claims);
    bool json_ok = auth_created_token_render(created, AUTH_FORMAT_JSON, buf, sizeof buf, &len) == AUTH_OK &&
                   (r->f[12].null ? strstr(buf, "\"scopes\"") == NULL : ends_with(buf, len, &r->f[13]));
    CHECK(json_ok, "delegation %s: JSON response %s", name, buf);
    bool xml_ok = auth_created_token_render(created, AUTH_FORMAT_XML, buf, sizeof buf, &len) == AUTH_OK &&
                  (r->f[12].null ? strstr(buf, "<scopes>") == NULL : ends_with(buf, len, &r->f[14]));
    CHECK(xml_ok, "delegation %s: XML response %s", name, buf);
    return ok && json_ok && xml_ok;
}

/* SCOPEDELEG name caller caller_ip type id subname admin owned format body now expect scopes
 *            json_tail xml_tail mentions */
static void on_delegation(const record *r) {
    const char *name = r->f[0].p;
    uint64_t now = r->f[10].num;
    auth_claims *caller = NULL;
    auth_result rc = auth_verifier_verify(verifier, r->f[1].p, r->f[1].len, &now, opt(&r->f[2]), r->f[2].len, NULL,
                                          &caller, NULL);
    CHECK(rc == AUTH_OK, "delegation %s: the caller verifies: %s", name, verdict(rc));
    if (rc != AUTH_OK) return;
    uint32_t format = field_eq(&r->f[8], "xml", 3) ? AUTH_FORMAT_XML : AUTH_FORMAT_JSON;
    auth_token_request *request = NULL;
    auth_created_token *created = NULL;
    auth_error *err = NULL;
    rc = auth_token_request_parse(r->f[9].p, r->f[9].len, format, &request, &err);
    if (rc == AUTH_OK && r->f[3].null) {
        rc = auth_create_token_self(issuer, caller, request, NULL, &now, &created, &err);
    } else if (rc == AUTH_OK) {
        auth_subject s = {0};
        s.kind = field_eq(&r->f[3], "user", 4) ? AUTH_PRINCIPAL_USER : AUTH_PRINCIPAL_RESELLER;
        s.id = r->f[4].num;
        s.name = r->f[5].p;
        s.name_len = r->f[5].len;
        s.admin = r->f[6].num == 1;
        rc = auth_create_token_sub_account_v2(issuer, caller, request, &s, r->f[7].num == 1, false, NULL, &now,
                                              &created, &err);
    }
    bool same = expect(DELEG, name, rc, &r->f[11], err, &r->f[15]);
    if (same && rc == AUTH_OK) same = check_created(name, created, now, r);
    agreed[DELEG] += same;
    auth_created_token_free(created);
    auth_token_request_free(request);
    auth_error_free(err);
    auth_claims_free(caller);
}

static void on_counts(const record *r) {
    for (int i = 0; i < LISTS; i++) {
        printf("vectors: scopes.json %s: %ld cases, %ld agree\n", list_names[i], ran[i], agreed[i]);
        CHECK(ran[i] > 5 && ran[i] == (long)r->f[i].num, "%s: ran %ld of %llu", list_names[i], ran[i],
              (unsigned long long)r->f[i].num);
        CHECK(agreed[i] == ran[i], "%s: %ld of %ld agree", list_names[i], agreed[i], ran[i]);
    }
}

/* ---------------------------------------------------------------- the API's edges */

#include "scope_api.c"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FLAT_VECTORS CLAIMS_JSON_OUT\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    json_out = fopen(argv[2], "w");
    if (!in || !json_out) {
        perror("open");
        return 2;
    }
    record r = {0};
    bool counted = false;
    while (read_record(in, &r)) {
        if (strcmp(r.kind, "KEY") == 0 && nkeys < sizeof keys / sizeof keys[0]) {
            snprintf(keys[nkeys].ring, sizeof keys[nkeys].ring, "%s", r.f[0].p);
            keys[nkeys++].r = r; /* taken: the fields are freed at the end */
            memset(&r, 0, sizeof r);
        } else if (strcmp(r.kind, "SCOPEVOCAB") == 0) {
            auth_error *err = NULL;
            CHECK(auth_scope_vocabulary_new(r.f[0].p, r.f[0].len, &vocab, &err) == AUTH_OK, "vocabulary: %s",
                  err ? auth_error_message(err) : "");
            auth_error_free(err);
        } else if (strcmp(r.kind, "SCOPERING") == 0) {
            on_scopering(&r);
        } else if (strcmp(r.kind, "SCOPETEXT") == 0) {
            on_text(&r);
        } else if (strcmp(r.kind, "SCOPEVOCABCASE") == 0) {
            on_vocab_case(&r);
        } else if (strcmp(r.kind, "SCOPENARROW") == 0) {
            on_narrow(&r);
        } else if (strcmp(r.kind, "SCOPEREQ") == 0) {
            on_required(&r);
        } else if (strcmp(r.kind, "SCOPETOKEN") == 0) {
            on_token(&r);
        } else if (strcmp(r.kind, "SCOPEDELEG") == 0) {
            on_delegation(&r);
        } else if (strcmp(r.kind, "SCOPECOUNTS") == 0) {
            on_counts(&r);
            counted = true;
        }
    }
    record_clear(&r);
    read_record(in, &r); /* releases the line buffer */
    fclose(in);
    fclose(json_out);
    CHECK(counted && vocab && issuer, "scopes.json was flattened (SCOPEVOCAB, SCOPERING, SCOPECOUNTS)");
    if (vocab && issuer) test_scope_api();
    for (size_t i = 0; i < nkeys; i++) record_clear(&keys[i].r);
    auth_verifier_free(verifier);
    auth_issuer_free(issuer);
    auth_scope_vocabulary_free(vocab);
    auth_key_ring_free(ring);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
