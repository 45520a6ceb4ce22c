/*
 * The C suite of auth-core: the shared vectors (flattened by flatten_vectors.py) plus
 * the ownership, threading and error paths of the C ABI.
 *
 * Usage: test_auth FLAT_VECTORS_FILE JSON_OUT_FILE
 * Writes every claims JSON it obtains to JSON_OUT_FILE (checked as JSON values by
 * check_json.py) and ends with "N passed, M failed"; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_core.h"

#include "suite.h"

static FILE *json_out;

/* Whether the result matches an expectation ("valid" or a code name). */
static bool verdict_is(auth_result rc, const field *expect) {
    const char *name = rc == AUTH_OK ? "valid" : auth_result_name(rc);
    return field_eq(expect, name, strlen(name));
}

static const char *verdict(auth_result rc) {
    return rc == AUTH_OK ? "valid" : auth_result_name(rc);
}

static void hex_out(FILE *f, const char *p, size_t len) {
    for (size_t i = 0; i < len; i++) fprintf(f, "%02x", (unsigned char)p[i]);
}

/* ---------------------------------------------------------------- rings */

typedef struct {
    char name[64];
    auth_key_ring *ring;
} named_ring;

static named_ring rings[16];
static size_t nrings;

static auth_key_ring *find_ring(const field *name) {
    for (size_t i = 0; i < nrings; i++)
        if (field_eq(name, rings[i].name, strlen(rings[i].name))) return rings[i].ring;
    return NULL;
}

static void on_ring(const record *r) {
    named_ring *nr = &rings[nrings++];
    snprintf(nr->name, sizeof nr->name, "%s", r->f[0].p);
    CHECK(auth_key_ring_new(&nr->ring) == AUTH_OK, "ring %s", nr->name);
}

static void on_key(const record *r) {
    auth_key_ring *ring = find_ring(&r->f[0]);
    uint32_t alg = 0;
    CHECK(auth_algorithm_from_name(r->f[2].p, r->f[2].len, &alg) == AUTH_OK, "alg %s", r->f[2].p);
    CHECK(auth_key_ring_add(ring, r->f[1].p, r->f[1].len, alg, (const uint8_t *)r->f[3].p, r->f[3].len,
                            NULL) == AUTH_OK,
          "add key %s", r->f[1].p);
}

/* Default kids are set once every key of the ring is added (at the first TOKEN). */
static record pending_default[16];
static size_t npending_default;

static void apply_default_kids(void) {
    for (size_t i = 0; i < npending_default; i++) {
        record *r = &pending_default[i];
        if (!r->f[1].null) {
            auth_key_ring *ring = find_ring(&r->f[0]);
            CHECK(auth_key_ring_set_default_kid(ring, r->f[1].p, r->f[1].len, NULL) == AUTH_OK,
                  "default kid");
        }
        record_clear(r);
    }
    npending_default = 0;
}

/* ---------------------------------------------------------------- claims */

static char *get_text(auth_result (*fn)(const auth_claims *, char *, size_t, size_t *),
                      const auth_claims *c, size_t *len) {
    size_t need = 0;
    auth_result rc = fn(c, NULL, 0, &need);
    if (rc != AUTH_INSUFFICIENT_SIZE) return NULL;
    char *buf = malloc(need + 1);
    rc = fn(c, buf, need + 1, len);
    if (rc != AUTH_OK || *len != need) {
        free(buf);
        return NULL;
    }
    return buf;
}

static char *get_opt_text(auth_result (*fn)(const auth_claims *, bool *, char *, size_t, size_t *),
                          const auth_claims *c, bool *present, size_t *len) {
    char buf[1024];
    if (fn(c, present, buf, sizeof buf, len) != AUTH_OK) return NULL;
    char *out = malloc(*len + 1);
    memcpy(out, buf, *len + 1);
    return out;
}

static void check_text_field(const char *what, const char *case_name, const field *want, bool present,
                             const char *got, size_t got_len) {
    if (want->null) {
        CHECK(!present && got_len == 0, "%s: %s should be absent", case_name, what);
    } else {
        CHECK(present && field_eq(want, got, got_len), "%s: %s = '%.*s', want '%s'", case_name, what,
              (int)got_len, got ? got : "", want->p);
    }
}

static void check_opt_u64(const char *what, const char *case_name, const field *want, bool present,
                          uint64_t got) {
    if (want->null)
        CHECK(!present && got == 0, "%s: %s should be absent", case_name, what);
    else
        CHECK(present && got == want->num, "%s: %s = %llu, want %llu", case_name, what,
              (unsigned long long)got, (unsigned long long)want->num);
}

/* Compares every accessor with the CLAIMS record; jti skipped when generated. */
static void check_claims(const char *case_name, const auth_claims *c, const record *w, bool jti_generated) {
    uint32_t type = 0;
    CHECK(auth_claims_type(c, &type) == AUTH_OK, "type");
    const char *tname = type == AUTH_PRINCIPAL_USER ? "user" : type == AUTH_PRINCIPAL_RESELLER ? "reseller" : "?";
    CHECK(field_eq(&w->f[0], tname, strlen(tname)), "%s: type %s", case_name, tname);

    uint64_t id = 0;
    CHECK(auth_claims_id(c, &id) == AUTH_OK && id == w->f[1].num, "%s: id", case_name);

    size_t len = 0;
    char *name = get_text(auth_claims_name, c, &len);
    CHECK(name && field_eq(&w->f[2], name, len), "%s: name", case_name);
    free(name);

    bool present = false, admin = false;
    CHECK(auth_claims_admin(c, &present, &admin) == AUTH_OK, "admin");
    if (w->f[3].null)
        CHECK(!present, "%s: admin absent", case_name);
    else
        CHECK(present && admin == (w->f[3].num == 1), "%s: admin", case_name);

    char *sms = get_opt_text(auth_claims_sms_from, c, &present, &len);
    CHECK(sms != NULL, "%s: sms_from readable", case_name);
    check_text_field("sms_from", case_name, &w->f[4], present, sms, len);
    free(sms);

    uint64_t v = 0;
    CHECK(auth_claims_user_group_id(c, &present, &v) == AUTH_OK, "ugid");
    check_opt_u64("user_group_id", case_name, &w->f[5], present, v);

    CHECK(auth_claims_iat(c, &v) == AUTH_OK && v == w->f[6].num, "%s: iat", case_name);
    CHECK(auth_claims_exp(c, &present, &v) == AUTH_OK, "exp");
    check_opt_u64("exp", case_name, &w->f[7], present, v);
    CHECK(auth_claims_nbf(c, &present, &v) == AUTH_OK, "nbf");
    check_opt_u64("nbf", case_name, &w->f[8], present, v);

    char *jti = get_text(auth_claims_jti, c, &len);
    if (jti_generated) {
        bool ok = jti && len == 22;
        for (size_t i = 0; ok && i < len; i++) {
            char ch = jti[i];
            ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '_';
        }
        CHECK(ok, "%s: generated jti is 22 base64url characters", case_name);
    } else {
        CHECK(jti && field_eq(&w->f[9], jti, len), "%s: jti", case_name);
    }
    free(jti);

    char *tn = get_opt_text(auth_claims_token_name, c, &present, &len);
    CHECK(tn != NULL, "%s: token_name readable", case_name);
    check_text_field("token_name", case_name, &w->f[10], present, tn, len);
    free(tn);

    auth_principal parent;
    CHECK(auth_claims_parent(c, &present, &parent) == AUTH_OK, "parent");
    if (w->f[11].null) {
        CHECK(!present, "%s: parent absent", case_name);
    } else {
        const char *pt = parent.kind == AUTH_PRINCIPAL_USER ? "user" : "reseller";
        CHECK(present && field_eq(&w->f[11], pt, strlen(pt)) && parent.id == w->f[12].num, "%s: parent",
              case_name);
    }

    size_t count = 0;
    CHECK(auth_claims_allowed_ips_count(c, &present, &count) == AUTH_OK, "ips count");
    if (w->f[13].null) {
        CHECK(!present && count == 0, "%s: allowed_ips absent", case_name);
    } else {
        CHECK(present && count == w->f[13].num, "%s: allowed_ips count %zu", case_name, count);
        for (size_t i = 0; i < count && 14 + i < w->n; i++) {
            char buf[64];
            CHECK(auth_claims_allowed_ip(c, i, buf, sizeof buf, &len) == AUTH_OK &&
                      field_eq(&w->f[14 + i], buf, len),
                  "%s: allowed_ips[%zu]", case_name, i);
        }
        char buf[64];
        CHECK(auth_claims_allowed_ip(c, count, buf, sizeof buf, &len) == AUTH_INDEX_OUT_OF_RANGE,
              "%s: index past the end", case_name);
    }
}

/* Compares the aud/iss accessors with an AUDCLAIMS record: iss, then "-" or the count of
   audiences and each audience. */
static void check_aud_iss(const char *case_name, const auth_claims *c, const record *w) {
    bool present = false;
    size_t len = 0, count = 0;
    char *iss = get_opt_text(auth_claims_issuer, c, &present, &len);
    CHECK(iss != NULL, "%s: iss readable", case_name);
    check_text_field("iss", case_name, &w->f[0], present, iss, len);
    free(iss);
    CHECK(auth_claims_audience_count(c, &present, &count) == AUTH_OK, "aud count");
    if (w->f[1].null) {
        CHECK(!present && count == 0, "%s: aud absent", case_name);
    } else {
        CHECK(present && count == w->f[1].num, "%s: aud count %zu", case_name, count);
        for (size_t i = 0; i < count && 2 + i < w->n; i++) {
            char buf[256];
            CHECK(auth_claims_audience(c, i, buf, sizeof buf, &len) == AUTH_OK && field_eq(&w->f[2 + i], buf, len),
                  "%s: aud[%zu]", case_name, i);
        }
    }
    char buf[8];
    CHECK(auth_claims_audience(c, count, buf, sizeof buf, &len) == AUTH_INDEX_OUT_OF_RANGE,
          "%s: aud index past the end", case_name);
}

/* Writes the claims JSON for check_json.py: "<file> <index> <hex json>". */
static void dump_json(const char *file, const char *index, const auth_claims *c, bool jti_generated) {
    size_t len = 0;
    char *json = get_text(auth_claims_to_json, c, &len);
    CHECK(json != NULL, "to_json");
    if (!json) return;
    fprintf(json_out, "%s %s %d ", file, index, jti_generated ? 1 : 0);
    hex_out(json_out, json, len);
    fputc('\n', json_out);
    free(json);
}

#include "asym_vectors.c" /* asymmetric.json */

/* ---------------------------------------------------------------- tokens.json */

static void on_token(FILE *in, record *tr) {
    apply_default_kids();
    record r = {0};
    const char *name = tr->f[1].p;
    auth_key_ring *ring = find_ring(&tr->f[2]);
    auth_verify_options opts = auth_verify_options_default();
    opts.leeway = tr->f[6].num;
    opts.max_clock_skew = tr->f[7].num;
    opts.max_token_size = (size_t)tr->f[8].num;
    uint64_t now = tr->f[4].num;
    const field *token = &tr->f[3], *ip = &tr->f[5], *expect = &tr->f[9];

    auth_memory_store *store = NULL;
    auth_revocation *rev = NULL;
    record claims = {0}, audopt = {0}, audclaims = {0};
    bool have_claims = false, have_audclaims = false;
    auth_str audiences[MAX_FIELDS];
    while (read_record(in, &r) && strcmp(r.kind, "END") != 0) {
        if (strcmp(r.kind, "AUDOPT") == 0) {
            /* cases_audience: the expected issuer and audiences. */
            audopt = r;
            memset(&r, 0, sizeof r);
            size_t n = (size_t)audopt.f[1].num;
            for (size_t i = 0; i < n && 2 + i < audopt.n; i++)
                audiences[i] = (auth_str){audopt.f[2 + i].p, audopt.f[2 + i].len};
            opts.audiences = n ? audiences : NULL;
            opts.audiences_len = n;
            opts.issuer = audopt.f[0].null ? NULL : audopt.f[0].p;
            opts.issuer_len = audopt.f[0].len;
        } else if (strcmp(r.kind, "AUDCLAIMS") == 0) {
            audclaims = r;
            memset(&r, 0, sizeof r);
            have_audclaims = true;
        } else if (strcmp(r.kind, "REVSTORE") == 0) {
            CHECK(auth_memory_store_new(&store) == AUTH_OK, "store");
            CHECK(auth_revocation_from_memory_store(store, &rev) == AUTH_OK, "rev handle");
        } else if (strcmp(r.kind, "REVJ") == 0) {
            CHECK(auth_memory_store_revoke(store, r.f[0].p, r.f[0].len, NULL, &now, NULL) == AUTH_OK, "revoke");
        } else if (strcmp(r.kind, "REVP") == 0) {
            auth_principal p = {field_eq(&r.f[0], "user", 4) ? AUTH_PRINCIPAL_USER : AUTH_PRINCIPAL_RESELLER,
                                r.f[1].num};
            CHECK(auth_memory_store_revoke_principal_before(store, &p, r.f[2].num, &now, NULL) == AUTH_OK, "revp");
        } else if (strcmp(r.kind, "CLAIMS") == 0) {
            claims = r;
            memset(&r, 0, sizeof r);
            have_claims = true;
        }
    }
    record_clear(&r);

    /* Alternate between the verifier's own store and a per-call store. */
    bool store_on_verifier = rev && tr->f[0].num % 2 == 0;
    auth_verifier *v = NULL;
    CHECK(auth_verifier_new(ring, &opts, store_on_verifier ? rev : NULL, &v, NULL) == AUTH_OK, "%s: verifier",
          name);

    auth_claims *c = (auth_claims *)(uintptr_t)0x1; /* sentinel: must stay untouched on failure */
    auth_error *err = NULL;
    auth_result rc = auth_verifier_verify(v, token->p, token->len, &now, ip->null ? NULL : ip->p, ip->len,
                                          store_on_verifier ? NULL : rev, &c, &err);
    CHECK(verdict_is(rc, expect), "%s: got %s, want %s (%s)", name, verdict(rc), expect->p,
          err ? auth_error_message(err) : "");
    if (rc == AUTH_OK) {
        CHECK(err == NULL, "%s: no error on success", name);
        if (have_claims) check_claims(name, c, &claims, false);
        if (have_audclaims) check_aud_iss(name, c, &audclaims);
        char idx[32];
        snprintf(idx, sizeof idx, "%llu", (unsigned long long)tr->f[0].num);
        dump_json("tokens", idx, c, false);
        auth_claims_free(c);

        /* The same token with an embedded NUL is rejected, never truncated. */
        if (token->len + 2 <= opts.max_token_size) {
            char *nul = malloc(token->len + 2);
            memcpy(nul, token->p, token->len);
            nul[token->len] = '\0';
            nul[token->len + 1] = 'x';
            auth_claims *c2 = NULL;
            rc = auth_verifier_verify(v, nul, token->len + 2, &now, ip->null ? NULL : ip->p, ip->len,
                                      store_on_verifier ? NULL : rev, &c2, NULL);
            CHECK(rc == AUTH_MALFORMED_TOKEN && c2 == NULL, "%s: embedded NUL gives %s", name, verdict(rc));
            /* And the exact prefix up to the NUL still verifies (nothing was truncated). */
            free(nul);
        }
    } else {
        CHECK(c == (auth_claims *)(uintptr_t)0x1, "%s: claims_out untouched on failure", name);
        CHECK(err != NULL && auth_error_code(err) == rc, "%s: error details match the result", name);
        CHECK(err != NULL && strlen(auth_error_message(err)) > 0, "%s: error has a message", name);
        CHECK(auth_error_http_status(err) == auth_result_http_status(rc), "%s: error status", name);
    }
    auth_error_free(err);
    auth_verifier_free(v);
    auth_revocation_free(rev);
    auth_memory_store_free(store);
    record_clear(&claims);
    record_clear(&audopt);
    record_clear(&audclaims);
}

/* ---------------------------------------------------------------- ip_rules.json */

static void check_canonical(const char *what,
                            auth_result (*fn)(const char *, size_t, char *, size_t, size_t *, auth_error **),
                            const record *r) {
    char buf[128];
    size_t len = 0;
    auth_error *err = NULL;
    auth_result rc = fn(r->f[0].p, r->f[0].len, buf, sizeof buf, &len, &err);
    CHECK(verdict_is(rc, &r->f[1]), "%s '%s': got %s, want %s", what, r->f[0].p, verdict(rc), r->f[1].p);
    if (rc == AUTH_OK && !r->f[2].null)
        CHECK(field_eq(&r->f[2], buf, len), "%s '%s': canonical '%s', want '%s'", what, r->f[0].p, buf, r->f[2].p);
    if (rc != AUTH_OK) CHECK(err && auth_error_code(err) == rc, "%s error details", what);
    auth_error_free(err);
}

static void on_match(const record *r) {
    size_t n = (size_t)r->f[2].num;
    const char **ptrs = calloc(n + 1, sizeof *ptrs);
    size_t *lens = calloc(n + 1, sizeof *lens);
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = r->f[3 + i].p;
        lens[i] = r->f[3 + i].len;
    }
    auth_ip_allow_list *list = NULL;
    auth_result rc = auth_ip_allow_list_new(ptrs, lens, n, &list, NULL);
    const char *got = verdict(rc);
    if (rc == AUTH_OK) {
        bool allowed = false;
        rc = auth_ip_allow_list_contains(list, r->f[0].p, r->f[0].len, &allowed, NULL);
        got = rc == AUTH_OK ? (allowed ? "allow" : "deny") : auth_result_name(rc);
        size_t len = 0;
        CHECK(auth_ip_allow_list_len(list, &len) == AUTH_OK && len == n, "list len");
    }
    CHECK(field_eq(&r->f[1], got, strlen(got)), "match %s: got %s, want %s", r->f[0].p, got, r->f[1].p);
    auth_ip_allow_list_free(list);
    free(ptrs);
    free(lens);
}

static void on_regex(const record *r) {
    uint32_t mode = field_eq(&r->f[1], "search", 6) ? AUTH_REGEX_SEARCH : AUTH_REGEX_FULL_MATCH;
    auth_ip_regex *re = NULL;
    auth_result rc = auth_ip_regex_new(r->f[0].p, r->f[0].len, mode, &re, NULL);
    const char *got = verdict(rc);
    if (rc == AUTH_OK) {
        bool m = false;
        rc = auth_ip_regex_is_match(re, r->f[2].p, r->f[2].len, &m, NULL);
        got = rc == AUTH_OK ? (m ? "allow" : "deny") : auth_result_name(rc);
    }
    CHECK(field_eq(&r->f[3], got, strlen(got)), "regex '%s' on %s: got %s, want %s", r->f[0].p, r->f[2].p, got,
          r->f[3].p);
    auth_ip_regex_free(re);
}

/* ---------------------------------------------------------------- errors.json, mint.json */

static void on_errcode(const record *r) {
    uint32_t n = (uint32_t)r->f[1].num;
    const char *name = auth_result_name(n);
    CHECK(field_eq(&r->f[0], name, strlen(name)), "code %u is %s, want %s", n, name, r->f[0].p);
    uint16_t status = auth_result_http_status(n);
    CHECK(r->f[2].null ? status == 0 : status == r->f[2].num, "code %s status %u", name, status);
}

static void on_mintkey(const record *r) {
    auth_key_ring *ring = NULL;
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "ring");
    uint32_t alg = 0;
    auth_result rc = auth_algorithm_from_name(r->f[1].p, r->f[1].len, &alg);
    if (rc == AUTH_OK)
        rc = auth_key_ring_add(ring, r->f[0].p, r->f[0].len, alg, (const uint8_t *)r->f[2].p, r->f[2].len, NULL);
    CHECK(verdict_is(rc, &r->f[3]), "key %s/%s: got %s, want %s", r->f[0].p, r->f[1].p, verdict(rc), r->f[3].p);
    auth_key_ring_free(ring);
}

static void on_mint(FILE *in, record *m) {
    apply_default_kids();
    const char *name = m->f[1].p;
    auth_key_ring *ring = find_ring(&m->f[2]);
    auth_ttl_policy policy = {m->f[3].num, m->f[4].num, m->f[5].num == 1};
    const field *expect = &m->f[21];
    record claims = {0}, r = {0};
    bool jti_generated = false, have_claims = false;
    while (read_record(in, &r) && strcmp(r.kind, "END") != 0) {
        if (strcmp(r.kind, "CLAIMS") == 0) {
            claims = r;
            memset(&r, 0, sizeof r);
            have_claims = true;
        } else if (strcmp(r.kind, "JTI_GENERATED") == 0) {
            jti_generated = r.f[0].num == 1;
        }
    }
    record_clear(&r);

    auth_issuer *issuer = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    auth_result rc = auth_issuer_new(ring, &policy, &issuer, NULL);
    if (rc == AUTH_OK) {
        if (field_eq(&m->f[6], "user", 4)) {
            uint64_t ugid = m->f[11].num;
            rc = auth_mint_request_new_user(m->f[7].num, m->f[8].p, m->f[8].len, m->f[9].num == 1,
                                            m->f[10].null ? NULL : m->f[10].p, m->f[10].len,
                                            m->f[11].null ? NULL : &ugid, &req, NULL);
        } else {
            rc = auth_mint_request_new_reseller(m->f[7].num, m->f[8].p, m->f[8].len, &req, NULL);
        }
    }
    if (rc == AUTH_OK && !m->f[12].null) rc = auth_mint_request_set_now(req, &m->f[12].num);
    if (rc == AUTH_OK && !m->f[13].null) rc = auth_mint_request_set_token_id(req, m->f[13].p, m->f[13].len, NULL);
    if (rc == AUTH_OK) {
        if (field_eq(&m->f[14], "static", 6))
            rc = auth_mint_request_set_static(req);
        else if (field_eq(&m->f[14], "ttl", 3))
            rc = auth_mint_request_set_ttl(req, m->f[15].snum);
        else
            rc = auth_mint_request_set_dynamic(req);
    }
    if (rc == AUTH_OK && !m->f[16].null)
        rc = auth_mint_request_set_token_name(req, m->f[16].p, m->f[16].len, NULL);
    if (rc == AUTH_OK && !m->f[17].null) rc = auth_mint_request_set_not_before(req, &m->f[17].num);
    if (rc == AUTH_OK && !m->f[18].null) {
        auth_principal p = {field_eq(&m->f[18], "user", 4) ? AUTH_PRINCIPAL_USER : AUTH_PRINCIPAL_RESELLER,
                            m->f[19].num};
        rc = auth_mint_request_set_parent(req, &p);
    }
    size_t nips = (size_t)m->f[22].num;
    for (size_t i = 0; rc == AUTH_OK && i < nips; i++)
        rc = auth_mint_request_add_allowed_ip(req, m->f[23 + i].p, m->f[23 + i].len, NULL);
    if (rc == AUTH_OK) rc = auth_issuer_mint(issuer, req, &minted, NULL);
    CHECK(verdict_is(rc, expect), "mint %s: got %s, want %s", name, verdict(rc), expect->p);

    if (rc == AUTH_OK) {
        /* Verify the minted token with the same ring at request.now. */
        char token[4096];
        size_t len = 0;
        CHECK(auth_minted_token(minted, token, sizeof token, &len) == AUTH_OK, "token");
        auth_verifier *v = NULL;
        CHECK(auth_verifier_new(ring, NULL, NULL, &v, NULL) == AUTH_OK, "verifier");
        const field *ip = &m->f[20];
        auth_claims *c = NULL;
        rc = auth_verifier_verify(v, token, len, m->f[12].null ? NULL : &m->f[12].num, ip->null ? NULL : ip->p,
                                  ip->len, NULL, &c, NULL);
        CHECK(rc == AUTH_OK, "mint %s: minted token verifies (%s)", name, verdict(rc));
        if (rc == AUTH_OK) {
            if (have_claims) check_claims(name, c, &claims, jti_generated);
            char idx[32];
            snprintf(idx, sizeof idx, "%llu", (unsigned long long)m->f[0].num);
            dump_json("mint", idx, c, jti_generated);
            /* The minted claims equal the verified ones. */
            /* Borrowed from the minted token: valid while it lives, never freed. */
            const auth_claims *mc = auth_minted_claims(minted);
            size_t l1 = 0, l2 = 0;
            CHECK(mc != NULL, "minted claims");
            char *j1 = get_text(auth_claims_to_json, c, &l1), *j2 = get_text(auth_claims_to_json, mc, &l2);
            CHECK(j1 && j2 && l1 == l2 && memcmp(j1, j2, l1) == 0, "mint %s: minted claims = verified", name);
            char jti[256];
            CHECK(auth_minted_token_id(minted, jti, sizeof jti, &l1) == AUTH_OK && l1 > 0, "token id");
            free(j1);
            free(j2);
        }
        auth_claims_free(c);
        auth_verifier_free(v);
    }
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_issuer_free(issuer);
    record_clear(&claims);
}

/* ---------------------------------------------------------------- ownership and error paths */

static const uint8_t SECRET[32] = "0123456789abcdef0123456789abcdef";

static auth_key_ring *test_ring(void) {
    auth_key_ring *ring = NULL;
    auth_key_ring_new(&ring);
    auth_key_ring_add(ring, "k1", 2, AUTH_HS256, SECRET, sizeof SECRET, NULL);
    return ring;
}

static size_t mint_token(const auth_issuer *issuer, uint64_t id, const char *jti, uint64_t now,
                         const char *allowed_ip, char *out, size_t cap) {
    auth_mint_request *req = NULL;
    auth_minted *m = NULL;
    size_t len = 0;
    auth_mint_request_new_user(id, "alice", 5, false, NULL, 0, NULL, &req, NULL);
    auth_mint_request_set_now(req, &now);
    if (jti) auth_mint_request_set_token_id(req, jti, strlen(jti), NULL);
    if (allowed_ip) auth_mint_request_add_allowed_ip(req, allowed_ip, strlen(allowed_ip), NULL);
    if (auth_issuer_mint(issuer, req, &m, NULL) != AUTH_OK || auth_minted_token(m, out, cap, &len) != AUTH_OK)
        len = 0;
    auth_minted_free(m);
    auth_mint_request_free(req);
    return len;
}

static void test_null_and_zero_arguments(void) {
    auth_key_ring *ring = test_ring();
    auth_verifier *v = NULL;
    CHECK(auth_verifier_new(ring, NULL, NULL, &v, NULL) == AUTH_OK, "verifier");
    auth_claims *c = NULL;
    auth_error *err = NULL;
    uint64_t now = 1700000000;

    CHECK(auth_verifier_verify(NULL, "a.b.c", 5, &now, NULL, 0, NULL, &c, &err) == AUTH_NULL_ARGUMENT, "NULL verifier");
    /* Borrowed sub-objects of a NULL parent are NULL. */
    CHECK(auth_minted_claims(NULL) == NULL, "claims of NULL");
    CHECK(auth_created_token_minted(NULL) == NULL, "minted of NULL created token");
    CHECK(auth_user_login_minted(NULL) == NULL, "minted of NULL user login");
    CHECK(auth_reseller_login_minted(NULL) == NULL, "minted of NULL reseller login");
    CHECK(err && auth_error_code(err) == AUTH_NULL_ARGUMENT && strstr(auth_error_message(err), "verifier"),
          "error names the NULL argument");
    auth_error_free(err);
    err = NULL;
    CHECK(auth_verifier_verify(v, NULL, 0, &now, NULL, 0, NULL, &c, NULL) == AUTH_NULL_ARGUMENT, "NULL token");
    CHECK(auth_verifier_verify(v, NULL, 10, &now, NULL, 0, NULL, &c, NULL) == AUTH_NULL_ARGUMENT, "NULL token, len");
    CHECK(auth_verifier_verify(v, "a.b.c", 5, &now, NULL, 0, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL out");
    CHECK(auth_verifier_verify(v, "", 0, &now, NULL, 0, NULL, &c, NULL) == AUTH_MALFORMED_TOKEN, "empty token");
    CHECK(c == NULL, "no claims written on failure");
    CHECK(auth_verifier_verify(v, "x", 1, &now, "", 0, NULL, &c, NULL) == AUTH_INVALID_IP_ADDRESS,
          "an empty client address is parsed (strictly) before the token is checked");

    CHECK(auth_key_ring_new(NULL) == AUTH_NULL_ARGUMENT, "ring_out NULL");
    CHECK(auth_key_ring_add(NULL, "k", 1, AUTH_HS256, SECRET, 32, NULL) == AUTH_NULL_ARGUMENT, "ring NULL");
    CHECK(auth_key_ring_add(ring, NULL, 0, AUTH_HS256, SECRET, 32, NULL) == AUTH_NULL_ARGUMENT, "kid NULL");
    CHECK(auth_key_ring_add(ring, "k9", 2, AUTH_HS256, NULL, 0, NULL) == AUTH_NULL_ARGUMENT, "secret NULL");
    CHECK(auth_key_ring_add(ring, "", 0, AUTH_HS256, SECRET, 32, NULL) == AUTH_INVALID_KEY, "empty kid");
    CHECK(auth_key_ring_add(ring, "k9", 2, AUTH_HS256, SECRET, 0, NULL) == AUTH_WEAK_KEY, "empty secret");
    CHECK(auth_key_ring_add(ring, "k9", 2, AUTH_HS256, SECRET, 31, NULL) == AUTH_WEAK_KEY, "31-byte secret");
    CHECK(auth_key_ring_add(ring, "k9", 2, 99, SECRET, 32, NULL) == AUTH_INVALID_ENUM, "unknown alg number");
    CHECK(auth_key_ring_add(ring, "k1", 2, AUTH_HS256, SECRET, 32, NULL) == AUTH_INVALID_KEY, "duplicate kid");
    CHECK(auth_key_ring_remove(ring, "nope", 4, NULL) == AUTH_UNKNOWN_KEY, "remove unknown");
    CHECK(auth_key_ring_set_active(ring, "nope", 4, NULL) == AUTH_UNKNOWN_KEY, "activate unknown");
    CHECK(auth_key_ring_set_default_kid(ring, NULL, 0, NULL) == AUTH_OK, "clear default kid");
    CHECK(auth_key_ring_len(ring, NULL) == AUTH_NULL_ARGUMENT, "len out NULL");
    CHECK(auth_issuer_new(NULL, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "issuer NULL");
    CHECK(auth_verifier_new(ring, NULL, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "verifier_out NULL");
    CHECK(auth_mint_request_new_user(1, NULL, 0, false, NULL, 0, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT,
          "name NULL");
    CHECK(auth_mint_request_set_ttl(NULL, 5) == AUTH_NULL_ARGUMENT, "request NULL");
    CHECK(auth_issuer_mint(NULL, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "mint NULLs");
    CHECK(auth_claims_id(NULL, NULL) == AUTH_NULL_ARGUMENT, "claims NULL");
    CHECK(auth_ip_allow_list_new(NULL, NULL, 3, NULL, NULL) == AUTH_NULL_ARGUMENT, "list NULL");
    CHECK(auth_ip_regex_new(NULL, 0, AUTH_REGEX_FULL_MATCH, NULL, NULL) == AUTH_NULL_ARGUMENT, "regex NULL");
    CHECK(auth_memory_store_revoke(NULL, "j", 1, NULL, 0, NULL) == AUTH_NULL_ARGUMENT, "store NULL");
    CHECK(auth_revocation_new_callback(NULL, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "callback NULL");
    CHECK(auth_inspect_unverified(NULL, 0, 8192, NULL, NULL) == AUTH_NULL_ARGUMENT, "inspect NULL");
    CHECK(auth_error_code(NULL) == AUTH_NULL_ARGUMENT, "error NULL");
    CHECK(strcmp(auth_error_message(NULL), "") == 0, "error message NULL");

    /* _free(NULL) is a no-op for every type. */
    auth_key_ring_free(NULL);
    auth_issuer_free(NULL);
    auth_verifier_free(NULL);
    auth_mint_request_free(NULL);
    auth_minted_free(NULL);
    auth_claims_free(NULL);
    auth_unverified_free(NULL);
    auth_error_free(NULL);
    auth_ip_allow_list_free(NULL);
    auth_ip_regex_free(NULL);
    auth_memory_store_free(NULL);
    auth_revocation_free(NULL);
    CHECK(1, "free(NULL)");

    /* An empty allow-list from count 0 with NULL arrays allows nothing. */
    auth_ip_allow_list *list = NULL;
    bool allowed = true;
    CHECK(auth_ip_allow_list_new(NULL, NULL, 0, &list, NULL) == AUTH_OK, "empty list");
    CHECK(auth_ip_allow_list_contains(list, "1.2.3.4", 7, &allowed, NULL) == AUTH_OK && !allowed, "empty denies");
    CHECK(auth_ip_allow_list_contains(list, "", 0, &allowed, NULL) == AUTH_INVALID_IP_ADDRESS, "empty address");
    auth_ip_allow_list_free(list);
    const char *rules[] = {"10.0.0.0/8", NULL};
    size_t lens[] = {10, 0};
    list = NULL;
    CHECK(auth_ip_allow_list_new(rules, lens, 2, &list, NULL) == AUTH_NULL_ARGUMENT && list == NULL, "NULL rule");
    CHECK(auth_ip_regex_new("", 0, AUTH_REGEX_FULL_MATCH, &(auth_ip_regex *){NULL}, NULL) == AUTH_INVALID_REGEX,
          "empty pattern");
    CHECK(auth_ip_regex_new("1", 1, 7, &(auth_ip_regex *){NULL}, NULL) == AUTH_INVALID_ENUM, "bad mode");

    auth_verifier_free(v);
    auth_key_ring_free(ring);
}

/* Runs one call with stderr redirected to a temporary file; returns how many bytes it wrote there. */
static long stderr_bytes_during(auth_result (*call)(void *), void *arg, auth_result *rc) {
    fflush(stderr);
    FILE *tmp = tmpfile();
    if (!tmp) return -1;
    int saved = dup(fileno(stderr));
    dup2(fileno(tmp), fileno(stderr));
    *rc = call(arg);
    fflush(stderr);
    dup2(saved, fileno(stderr));
    close(saved);
    long n = fseek(tmp, 0, SEEK_END) == 0 ? ftell(tmp) : -1;
    fclose(tmp);
    return n;
}

static auth_result allow_list_with_count(void *arg) {
    auth_ip_allow_list *list = NULL;
    return auth_ip_allow_list_new(NULL, NULL, *(size_t *)arg, &list, NULL);
}

/* Counts from C are never trusted for allocation; setters check their rule when called. */
static void test_counts_and_setters(void) {
    /* A huge count with NULL arrays is a NULL argument, not an abort (no allocation from the count)
       and not a panic printed on the host's stderr. */
    size_t counts[] = {(size_t)1 << 40, SIZE_MAX};
    for (size_t i = 0; i < 2; i++) {
        auth_result rc = AUTH_OK;
        long written = stderr_bytes_during(allow_list_with_count, &counts[i], &rc);
        CHECK(rc == AUTH_NULL_ARGUMENT, "allow-list with NULL arrays and count %zu: got %s", counts[i],
              auth_result_name(rc));
        CHECK(written == 0, "allow-list with count %zu wrote %ld bytes to stderr", counts[i], written);
    }
    /* A count larger than the arrays: reading stops at the first bad element (a NULL rule). */
    const char *rules[] = {"10.0.0.0/8", NULL};
    size_t lens[] = {10, 0};
    auth_ip_allow_list *list = NULL;
    auth_error *err = NULL;
    CHECK(auth_ip_allow_list_new(rules, lens, SIZE_MAX, &list, &err) == AUTH_NULL_ARGUMENT && list == NULL,
          "huge count, NULL second rule: %s", err ? auth_error_message(err) : "(no error)");
    auth_error_free(err);
    err = NULL;

    /* auth_mint_request_set_token_id / _set_token_name check the core's rule at once. */
    auth_mint_request *req = NULL;
    CHECK(auth_mint_request_new_reseller(7, "r", 1, &req, NULL) == AUTH_OK, "request");
    CHECK(auth_mint_request_set_token_id(req, "", 0, &err) == AUTH_INVALID_REQUEST, "empty token id refused");
    CHECK(err && auth_error_code(err) == AUTH_INVALID_REQUEST && strstr(auth_error_message(err), "token id"),
          "empty token id: the core's message (%s)", err ? auth_error_message(err) : "none");
    auth_error_free(err);
    err = NULL;
    char long_text[300];
    memset(long_text, 'a', sizeof long_text);
    CHECK(auth_mint_request_set_token_id(req, long_text, 129, NULL) == AUTH_INVALID_REQUEST, "129-char token id");
    CHECK(auth_mint_request_set_token_id(req, long_text, 128, NULL) == AUTH_OK, "128-char token id");
    CHECK(auth_mint_request_set_token_id(req, "", 0, NULL) == AUTH_INVALID_REQUEST, "empty id after a good one");
    CHECK(auth_mint_request_set_token_name(req, "", 0, &err) == AUTH_INVALID_REQUEST, "empty token name refused");
    CHECK(err && strstr(auth_error_message(err), "token name"), "token name message");
    auth_error_free(err);
    err = NULL;
    CHECK(auth_mint_request_set_token_name(req, long_text, 256, NULL) == AUTH_INVALID_REQUEST, "256-char name");
    CHECK(auth_mint_request_set_token_name(req, long_text, 255, NULL) == AUTH_OK, "255-char name");
    CHECK(auth_mint_request_set_token_name(req, NULL, 0, NULL) == AUTH_OK, "NULL clears the name");

    /* A refused setter leaves the request as it was: the 128-character id is minted. */
    auth_key_ring *ring = test_ring();
    auth_issuer *issuer = NULL;
    CHECK(auth_issuer_new(ring, NULL, &issuer, NULL) == AUTH_OK, "issuer");
    uint64_t now = 1700000000;
    auth_mint_request_set_now(req, &now);
    auth_minted *m = NULL;
    CHECK(auth_issuer_mint(issuer, req, &m, NULL) == AUTH_OK, "mint after refused setters");
    char jti[200];
    size_t jlen = 0;
    CHECK(m && auth_claims_jti(auth_minted_claims(m), jti, sizeof jti, &jlen) == AUTH_OK && jlen == 128,
          "the last accepted token id was kept (%zu)", jlen);
    auth_minted_free(m);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
    auth_mint_request_free(req);
}

static void test_buffers_and_utf8(void) {
    auth_key_ring *ring = test_ring();
    auth_issuer *issuer = NULL;
    auth_verifier *v = NULL;
    auth_issuer_new(ring, NULL, &issuer, NULL);
    auth_verifier_new(ring, NULL, NULL, &v, NULL);
    char token[1024];
    uint64_t now = 1700000000;
    size_t tlen = mint_token(issuer, 42, "jti-1", now, NULL, token, sizeof token);
    CHECK(tlen > 0, "mint");
    auth_claims *c = NULL;
    CHECK(auth_verifier_verify(v, token, tlen, &now, NULL, 0, NULL, &c, NULL) == AUTH_OK, "verify");

    size_t len = 99;
    char small[5] = "zzzz";
    CHECK(auth_claims_name(c, NULL, 0, &len) == AUTH_INSUFFICIENT_SIZE && len == 5, "size query reports 5");
    len = 99;
    CHECK(auth_claims_name(c, small, 5, &len) == AUTH_INSUFFICIENT_SIZE && len == 5, "5 bytes is too small");
    CHECK(memcmp(small, "zzzz", 5) == 0, "nothing copied on insufficient size");
    char exact[6];
    CHECK(auth_claims_name(c, exact, 6, &len) == AUTH_OK && len == 5 && strcmp(exact, "alice") == 0, "exact fit");
    CHECK(auth_claims_name(c, NULL, 6, &len) == AUTH_NULL_ARGUMENT, "NULL buf with a length");
    CHECK(auth_claims_name(c, exact, 6, NULL) == AUTH_NULL_ARGUMENT, "NULL out_len");
    bool present = true;
    CHECK(auth_claims_token_name(c, &present, NULL, 0, &len) == AUTH_INSUFFICIENT_SIZE && !present && len == 0,
          "absent token_name needs only the NUL");
    char one[1];
    CHECK(auth_claims_token_name(c, &present, one, 1, &len) == AUTH_OK && !present && one[0] == 0, "absent text");
    CHECK(auth_claims_allowed_ip(c, 0, one, 1, &len) == AUTH_INDEX_OUT_OF_RANGE, "no allowed_ips");
    size_t jlen = 0;
    CHECK(auth_claims_to_json(c, NULL, 0, &jlen) == AUTH_INSUFFICIENT_SIZE && jlen > 0, "json size");
    char mtoken[8];
    auth_minted *m = NULL;
    auth_mint_request *req = NULL;
    auth_mint_request_new_reseller(1, "r", 1, &req, NULL);
    CHECK(auth_issuer_mint(issuer, req, &m, NULL) == AUTH_OK, "mint with system clock");
    CHECK(auth_minted_token(m, mtoken, sizeof mtoken, &len) == AUTH_INSUFFICIENT_SIZE && len > 8, "token buf small");
    /* A request is not consumed: mint again, get another generated id. */
    auth_minted *m2 = NULL;
    char id1[64], id2[64];
    CHECK(auth_issuer_mint(issuer, req, &m2, NULL) == AUTH_OK, "request reused");
    CHECK(auth_minted_token_id(m, id1, sizeof id1, &len) == AUTH_OK && auth_minted_token_id(m2, id2, sizeof id2, &len) == AUTH_OK &&
              strcmp(id1, id2) != 0,
          "generated ids differ");
    auth_minted_free(m);
    auth_minted_free(m2);

    /* Non-UTF-8 text. */
    const char bad[] = "\xff\xfe";
    auth_error *err = NULL;
    CHECK(auth_key_ring_add(ring, bad, 2, AUTH_HS256, SECRET, 32, &err) == AUTH_INVALID_UTF8, "kid not UTF-8");
    CHECK(err && strcmp(auth_error_name(err), "invalid_utf8") == 0 && auth_error_http_status(err) == 400, "utf8 error");
    auth_error_free(err);
    CHECK(auth_verifier_verify(v, token, tlen, &now, bad, 2, NULL, &c, NULL) == AUTH_INVALID_UTF8, "ip not UTF-8");
    CHECK(auth_mint_request_new_user(1, bad, 2, false, NULL, 0, NULL, &req, NULL) == AUTH_INVALID_UTF8, "name");
    CHECK(auth_mint_request_set_token_name(req, bad, 2, NULL) == AUTH_INVALID_UTF8, "token name");
    CHECK(auth_ip_rule_canonical(bad, 2, small, 5, &len, NULL) == AUTH_INVALID_UTF8, "rule not UTF-8");
    CHECK(auth_verifier_verify(v, bad, 2, &now, NULL, 0, NULL, &c, NULL) == AUTH_MALFORMED_TOKEN,
          "token bytes are not text: malformed");
    CHECK(auth_mint_request_add_allowed_ip(req, "192.168.2.5/24", 14, &err) == AUTH_INVALID_IP_RULE, "host bits");
    CHECK(err && strstr(auth_error_message(err), "192.168.2.0/24"), "message names the network: %s",
          err ? auth_error_message(err) : "");
    auth_error_free(err);
    auth_principal bad_parent = {9, 1};
    CHECK(auth_mint_request_set_parent(req, &bad_parent) == AUTH_INVALID_ENUM, "bad principal kind");
    auth_mint_request_free(req);

    /* Success leaves *error_out untouched. */
    err = NULL;
    auth_claims *c2 = NULL;
    CHECK(auth_verifier_verify(v, token, tlen, &now, NULL, 0, NULL, &c2, &err) == AUTH_OK && err == NULL,
          "no error on success");
    auth_claims_free(c2);

    /* A secret for each algorithm: as many random bytes as its hash output, base64url. */
    {
        char sec[128];
        size_t sl = 0;
        CHECK(auth_generate_secret_for(AUTH_HS512, sec, sizeof sec, &sl, NULL) == AUTH_OK && sl == 64,
              "HS512 secret is 64 characters (%zu)", sl);
        CHECK(auth_key_ring_add(ring, "g512", 4, AUTH_HS512, (const uint8_t *)sec, sl, NULL) == AUTH_OK,
              "an HS512 secret is an HS512 key");
        CHECK(auth_generate_secret_for(AUTH_HS384, sec, sizeof sec, &sl, NULL) == AUTH_OK && sl >= 48, "HS384 secret");
        CHECK(auth_key_ring_add(ring, "g384", 4, AUTH_HS384, (const uint8_t *)sec, sl, NULL) == AUTH_OK,
              "an HS384 secret is an HS384 key");
        CHECK(auth_generate_secret_for(99, sec, sizeof sec, &sl, NULL) == AUTH_INVALID_ENUM, "unknown algorithm");
    }

    /* The issuer's largest token. */
    {
        auth_issuer *small = NULL;
        size_t max = 0;
        CHECK(auth_issuer_max_token_size(issuer, &max) == AUTH_OK && max == 8192, "default max token size %zu", max);
        CHECK(auth_issuer_new_with_max_token_size(ring, NULL, 64, &small, NULL) == AUTH_OK, "small issuer");
        CHECK(auth_issuer_max_token_size(small, &max) == AUTH_OK && max == 64, "max token size 64");
        auth_mint_request *sr = NULL;
        auth_minted *sm = NULL;
        auth_mint_request_new_user(1, "u", 1, false, NULL, 0, NULL, &sr, NULL);
        CHECK(auth_issuer_mint(small, sr, &sm, NULL) == AUTH_INVALID_REQUEST && sm == NULL,
              "a token over the issuer's size is refused");
        CHECK(auth_issuer_max_token_size(NULL, &max) == AUTH_NULL_ARGUMENT, "max token size NULL");
        auth_mint_request_free(sr);
        auth_issuer_free(small);
    }

    /* Expected audiences: a NULL list with a length is refused; a configured audience admits
       a token without aud. */
    {
        auth_verify_options o = auth_verify_options_default();
        auth_verifier *av = NULL;
        CHECK(o.audiences == NULL && o.audiences_len == 0 && o.issuer == NULL, "default: no audience, no issuer");
        o.audiences_len = 1;
        CHECK(auth_verifier_new(ring, &o, NULL, &av, NULL) == AUTH_NULL_ARGUMENT && av == NULL, "audiences NULL");
        auth_str aud[1] = {{"api", 3}};
        o.audiences = aud;
        o.issuer = "\xff";
        o.issuer_len = 1;
        CHECK(auth_verifier_new(ring, &o, NULL, &av, NULL) == AUTH_INVALID_UTF8 && av == NULL, "issuer not UTF-8");
        o.issuer = NULL;
        CHECK(auth_verifier_new(ring, &o, NULL, &av, NULL) == AUTH_OK, "verifier with an audience");
        auth_claims *ac = NULL;
        CHECK(auth_verifier_verify(av, token, tlen, &now, NULL, 0, NULL, &ac, NULL) == AUTH_OK,
              "a token without aud still verifies");
        bool present = true;
        size_t count = 9;
        CHECK(auth_claims_audience_count(ac, &present, &count) == AUTH_OK && !present && count == 0, "no aud");
        auth_claims_free(ac);
        auth_verifier_free(av);
    }

    /* Unverified inspection. */
    auth_unverified *u = NULL;
    char hdr[256];
    CHECK(auth_inspect_unverified(token, tlen, 8192, &u, NULL) == AUTH_OK, "inspect");
    CHECK(auth_unverified_header_json(u, hdr, sizeof hdr, &len) == AUTH_OK && strstr(hdr, "\"kid\":\"k1\""), "header");
    auth_unverified_free(u);
    CHECK(auth_inspect_unverified(token, tlen, 10, &u, NULL) == AUTH_TOKEN_TOO_LARGE, "inspect size cap");

    /* Results by number. */
    CHECK(strcmp(auth_result_name(AUTH_OK), "ok") == 0, "ok name");
    CHECK(strcmp(auth_result_name(999), "unknown") == 0, "unknown name");
    CHECK(strcmp(auth_result_name(AUTH_PANIC), "panic") == 0, "panic name");
    CHECK(auth_result_http_status(AUTH_LOGIN_IP_DENIED) == 406, "406");
    CHECK(strlen(auth_result_message(AUTH_TOKEN_EXPIRED)) > 0, "message");
    CHECK(strlen(auth_version()) > 0, "version");
    char header_version[64];
    snprintf(header_version, sizeof header_version, "%d.%d.%d", AUTH_CORE_VERSION_MAJOR, AUTH_CORE_VERSION_MINOR,
             AUTH_CORE_VERSION_PATCH);
    CHECK(strcmp(header_version, auth_version()) == 0, "header version %s is the library's %s", header_version,
          auth_version());

    /* Generated secrets make working keys. */
    char s1[128], s2[128];
    size_t n1 = 0, n2 = 0;
    CHECK(auth_generate_secret(NULL, 0, &n1, NULL) == AUTH_INSUFFICIENT_SIZE && n1 >= 43, "secret size");
    CHECK(auth_generate_secret(s1, sizeof s1, &n1, NULL) == AUTH_OK && auth_generate_secret(s2, sizeof s2, &n2, NULL) == AUTH_OK &&
              strcmp(s1, s2) != 0,
          "two secrets differ");
    CHECK(auth_key_ring_add(ring, "gen", 3, AUTH_HS256, (const uint8_t *)s1, n1, NULL) == AUTH_OK, "secret is a key");

    auth_claims_free(c);
    auth_verifier_free(v);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
}

static void test_rotation_and_policy(void) {
    auth_key_ring *ring = test_ring();
    auth_issuer *old_issuer = NULL, *issuer = NULL;
    auth_issuer_new(ring, NULL, &old_issuer, NULL);
    uint64_t now = 1700000000;
    char t1[1024], t2[1024];
    size_t l1 = mint_token(old_issuer, 1, "a", now, NULL, t1, sizeof t1);
    static const uint8_t secret2[48] = "another secret of forty-eight bytes, not short.";
    CHECK(auth_key_ring_add(ring, "k2", 2, AUTH_HS384, secret2, sizeof secret2, NULL) == AUTH_OK, "add k2");
    CHECK(auth_key_ring_set_active(ring, "k2", 2, NULL) == AUTH_OK, "activate k2");
    auth_issuer_new(ring, NULL, &issuer, NULL);
    size_t l2 = mint_token(issuer, 1, "b", now, NULL, t2, sizeof t2);
    auth_verifier *v = NULL;
    auth_verifier_new(ring, NULL, NULL, &v, NULL);
    auth_claims *c = NULL;
    CHECK(auth_verifier_verify(v, t1, l1, &now, NULL, 0, NULL, &c, NULL) == AUTH_OK, "old key verifies");
    auth_claims_free(c);
    c = NULL;
    CHECK(auth_verifier_verify(v, t2, l2, &now, NULL, 0, NULL, &c, NULL) == AUTH_OK, "new key verifies");
    auth_claims_free(c);
    c = NULL;
    CHECK(auth_key_ring_remove(ring, "k1", 2, NULL) == AUTH_OK, "retire k1");
    auth_verifier *v2 = NULL;
    auth_verifier_new(ring, NULL, NULL, &v2, NULL);
    CHECK(auth_verifier_verify(v2, t1, l1, &now, NULL, 0, NULL, &c, NULL) == AUTH_UNKNOWN_KEY, "retired key");
    CHECK(auth_verifier_verify(v, t1, l1, &now, NULL, 0, NULL, &c, NULL) == AUTH_UNKNOWN_KEY && c == NULL,
          "a verifier made before the removal follows the ring");
    /* The issuer made before the rotation follows it too: it now mints with k2. */
    char t4[1024];
    size_t l4 = mint_token(old_issuer, 4, "d", now, NULL, t4, sizeof t4);
    CHECK(l4 > 0 && auth_verifier_verify(v, t4, l4, &now, NULL, 0, NULL, &c, NULL) == AUTH_OK && c,
          "an issuer made before set_active mints with the new active key");
    auth_claims_free(c);
    c = NULL;
    size_t n = 0;
    CHECK(auth_key_ring_len(ring, &n) == AUTH_OK && n == 1, "len");

    /* Policies. */
    auth_ttl_policy p = auth_ttl_policy_default();
    CHECK(p.dynamic_ttl == 86400 && p.allow_static, "default policy");
    p.dynamic_ttl = 0;
    auth_issuer *bad = NULL;
    CHECK(auth_issuer_new(ring, &p, &bad, NULL) == AUTH_INVALID_TTL && bad == NULL, "zero dynamic ttl");
    p = auth_ttl_policy_default();
    p.allow_static = false;
    auth_issuer *strict = NULL;
    CHECK(auth_issuer_new(ring, &p, &strict, NULL) == AUTH_OK, "strict issuer");
    auth_mint_request *req = NULL;
    auth_minted *m = NULL;
    auth_mint_request_new_reseller(3, "r", 1, &req, NULL);
    auth_mint_request_set_static(req);
    CHECK(auth_issuer_mint(strict, req, &m, NULL) == AUTH_STATIC_NOT_ALLOWED && m == NULL, "static refused");
    auth_mint_request_set_ttl(req, -5);
    CHECK(auth_issuer_mint(strict, req, &m, NULL) == AUTH_INVALID_TTL, "negative ttl");
    auth_mint_request_free(req);

    /* No active key. */
    auth_key_ring *empty = NULL;
    auth_key_ring_new(&empty);
    auth_issuer *none = NULL;
    auth_issuer_new(empty, NULL, &none, NULL);
    CHECK(mint_token(none, 1, NULL, now, NULL, t1, sizeof t1) == 0, "no active key");

    /* IP-restricted token. */
    size_t l3 = mint_token(issuer, 7, "ip", now, "192.168.2.0/24", t1, sizeof t1);
    CHECK(auth_verifier_verify(v2, t1, l3, &now, NULL, 0, NULL, &c, NULL) == AUTH_IP_NOT_ALLOWED, "no client ip");
    CHECK(auth_verifier_verify(v2, t1, l3, &now, "10.0.0.1", 8, NULL, &c, NULL) == AUTH_IP_NOT_ALLOWED, "outside");
    CHECK(auth_verifier_verify(v2, t1, l3, &now, "1.2.3", 5, NULL, &c, NULL) == AUTH_INVALID_IP_ADDRESS, "bad ip");
    c = NULL;
    CHECK(auth_verifier_verify(v2, t1, l3, &now, "::ffff:192.168.2.9", 18, NULL, &c, NULL) == AUTH_OK, "mapped");
    auth_claims_free(c);

    auth_issuer_free(none);
    auth_key_ring_free(empty);
    auth_issuer_free(strict);
    auth_verifier_free(v);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
    /* Issuers and verifiers keep the ring after its handle is freed. */
    c = NULL;
    CHECK(auth_verifier_verify(v2, t2, l2, &now, NULL, 0, NULL, &c, NULL) == AUTH_OK && c, "ring outlives its handle");
    auth_claims_free(c);
    CHECK(mint_token(old_issuer, 5, "e", now, NULL, t1, sizeof t1) > 0, "issuer keeps the ring");
    auth_verifier_free(v2);
    auth_issuer_free(old_issuer);
}

/* ---------------------------------------------------------------- revocation */

typedef struct {
    pthread_mutex_t lock;
    long calls;
    long freed;
    char revoked_jti[64];
    auth_revocation_query last; /* the last query (jti not kept) */
} cb_state;

static bool revocation_cb(void *userdata, const auth_revocation_query *q) {
    cb_state *s = userdata;
    pthread_mutex_lock(&s->lock);
    s->calls++;
    s->last = *q;
    s->last.jti = NULL;
    bool revoked = strlen(s->revoked_jti) == q->jti_len && memcmp(s->revoked_jti, q->jti, q->jti_len) == 0;
    pthread_mutex_unlock(&s->lock);
    return revoked;
}

static void free_state(void *userdata) {
    ((cb_state *)userdata)->freed++;
}

static void test_revocation(void) {
    auth_key_ring *ring = test_ring();
    auth_issuer *issuer = NULL;
    auth_issuer_new(ring, NULL, &issuer, NULL);
    uint64_t now = 1700000000;
    char t1[1024], t2[1024];
    size_t l1 = mint_token(issuer, 5, "tok-1", now, NULL, t1, sizeof t1);
    size_t l2 = mint_token(issuer, 5, "tok-2", now, NULL, t2, sizeof t2);

    /* Host callback. */
    cb_state state = {.lock = PTHREAD_MUTEX_INITIALIZER, .revoked_jti = "tok-1"};
    auth_revocation *cb = NULL;
    CHECK(auth_revocation_new_callback(revocation_cb, &state, free_state, &cb) == AUTH_OK, "callback");
    auth_verifier *v = NULL;
    CHECK(auth_verifier_new(ring, NULL, cb, &v, NULL) == AUTH_OK, "verifier with callback");
    auth_revocation_free(cb); /* the verifier keeps its own reference */
    CHECK(state.freed == 0, "userdata kept while the verifier lives");
    auth_claims *c = NULL;
    CHECK(auth_verifier_verify(v, t1, l1, &now, NULL, 0, NULL, &c, NULL) == AUTH_TOKEN_REVOKED, "revoked by host");
    CHECK(auth_verifier_verify(v, t2, l2, &now, NULL, 0, NULL, &c, NULL) == AUTH_OK, "other token fine");
    CHECK(state.calls == 2, "callback called once per verification (%ld)", state.calls);
    CHECK(state.last.principal.kind == AUTH_PRINCIPAL_USER && state.last.principal.id == 5 && state.last.iat == now &&
              state.last.has_exp && state.last.exp == now + 86400 && !state.last.has_parent &&
              state.last.parent.kind == 0,
          "the query carries the token's principal, times and no parent");
    {
        /* A delegated token: the query names its parent. */
        auth_mint_request *dr = NULL;
        auth_minted *dm = NULL;
        auth_principal parent = {AUTH_PRINCIPAL_RESELLER, 77};
        char dt[1024];
        size_t dl = 0;
        auth_claims *dc = NULL;
        auth_mint_request_new_user(6, "sub", 3, false, NULL, 0, NULL, &dr, NULL);
        auth_mint_request_set_now(dr, &now);
        CHECK(auth_mint_request_set_parent(dr, &parent) == AUTH_OK, "set parent");
        CHECK(auth_issuer_mint(issuer, dr, &dm, NULL) == AUTH_OK && auth_minted_token(dm, dt, sizeof dt, &dl) == AUTH_OK,
              "delegated token");
        CHECK(auth_verifier_verify(v, dt, dl, &now, NULL, 0, NULL, &dc, NULL) == AUTH_OK, "delegated verifies");
        CHECK(state.last.has_parent && state.last.parent.kind == AUTH_PRINCIPAL_RESELLER && state.last.parent.id == 77 &&
                  state.last.principal.id == 6,
              "the query carries the parent");
        auth_claims_free(dc);
        auth_minted_free(dm);
        auth_mint_request_free(dr);
    }

    /* In-memory store: logout, a per-call store consulted with the verifier's own. */
    auth_memory_store *store = NULL;
    auth_revocation *mem = NULL;
    CHECK(auth_memory_store_new(&store) == AUTH_OK, "store");
    CHECK(auth_revocation_from_memory_store(store, &mem) == AUTH_OK, "handle");
    CHECK(auth_memory_store_revoke_claims(store, c, &now, NULL) == AUTH_OK, "logout");
    auth_claims_free(c);
    c = NULL;
    CHECK(auth_verifier_verify(v, t2, l2, &now, NULL, 0, mem, &c, NULL) == AUTH_TOKEN_REVOKED, "logged out");
    CHECK(auth_verifier_verify(v, t1, l1, &now, NULL, 0, mem, &c, NULL) == AUTH_TOKEN_REVOKED,
          "a per-call store adds to the verifier's own (the host callback still revokes tok-1)");
    auth_claims_free(c);
    c = NULL;
    size_t n = 0;
    bool rev = false;
    CHECK(auth_memory_store_len(store, &n) == AUTH_OK && n == 1, "len 1");
    CHECK(auth_memory_store_is_jti_revoked(store, "tok-2", 5, &now, &rev) == AUTH_OK && rev, "is revoked");
    auth_principal p = {AUTH_PRINCIPAL_USER, 5};
    CHECK(auth_memory_store_revoke_principal_before(store, &p, now + 1, NULL, NULL) == AUTH_OK, "cutoff");
    CHECK(auth_verifier_verify(v, t1, l1, &now, NULL, 0, mem, &c, NULL) == AUTH_TOKEN_REVOKED, "principal cutoff");
    size_t removed = 99;
    uint64_t later = now + 86400 * 2;
    CHECK(auth_memory_store_purge_expired(store, &later, &removed) == AUTH_OK && removed == 1, "purge %zu", removed);
    CHECK(auth_memory_store_purge_expired(store, &later, NULL) == AUTH_OK, "purge, no count");
    CHECK(auth_memory_store_revoke(store, "", 0, NULL, &now, NULL) == AUTH_INVALID_REQUEST, "empty jti");
    auth_memory_store *full = NULL;
    auth_error *err = NULL;
    CHECK(auth_memory_store_new_with_limits(0, 0, &full) == AUTH_OK, "zero-capacity store");
    CHECK(auth_memory_store_revoke(full, "j", 1, NULL, &now, &err) == AUTH_REVOCATION_STORE_FULL, "store full");
    CHECK(err && auth_error_http_status(err) == 503, "store full is 503");
    auth_error_free(err);
    auth_memory_store_free(full);

    /* now NULL is the system clock, in every function that takes a now. */
    auth_memory_store *clock = NULL;
    CHECK(auth_memory_store_new(&clock) == AUTH_OK, "store");
    uint64_t past_exp = now + 100;
    CHECK(auth_memory_store_revoke(clock, "old", 3, &past_exp, &now, NULL) == AUTH_OK, "revoke at an explicit now");
    CHECK(auth_memory_store_is_jti_revoked(clock, "old", 3, &now, &rev) == AUTH_OK && rev, "revoked at now");
    removed = 99;
    CHECK(auth_memory_store_purge_expired(clock, &now, &removed) == AUTH_OK && removed == 0, "nothing expired at now");
    CHECK(auth_memory_store_purge_expired(clock, NULL, &removed) == AUTH_OK && removed == 1,
          "expired by the system clock (NULL now): %zu", removed);
    CHECK(auth_memory_store_revoke(clock, "static", 6, NULL, NULL, NULL) == AUTH_OK, "revoke, NULL now");
    CHECK(auth_memory_store_is_jti_revoked(clock, "static", 6, NULL, &rev) == AUTH_OK && rev, "is revoked, NULL now");
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    auth_mint_request_new_reseller(9, "r", 1, &req, NULL);
    CHECK(auth_issuer_mint(issuer, req, &minted, NULL) == AUTH_OK, "mint at the system clock");
    CHECK(auth_logout(clock, auth_minted_claims(minted), NULL, NULL) == AUTH_OK, "logout, NULL now");
    CHECK(auth_memory_store_revoke_claims(clock, auth_minted_claims(minted), NULL, NULL) == AUTH_OK,
          "revoke claims, NULL now");
    CHECK(auth_memory_store_len(clock, &n) == AUTH_OK && n == 2, "len %zu", n);
    CHECK(auth_logout(clock, NULL, NULL, NULL) == AUTH_NULL_ARGUMENT, "logout without claims");
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_memory_store_free(clock);

    auth_revocation_free(mem);
    auth_memory_store_free(store);
    auth_verifier_free(v);
    CHECK(state.freed == 1, "userdata freed exactly once when the last user is gone");
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
}

/* ---------------------------------------------------------------- threads */

#define THREADS 8
#define ITERATIONS 500

typedef struct {
    auth_verifier *v;
    auth_memory_store *store;
    auth_ip_allow_list *list;
    const char *token;
    size_t len;
    int index;
    long ok;
    long bad;
} thread_arg;

static void *verify_thread(void *p) {
    thread_arg *a = p;
    uint64_t now = 1700000000;
    for (int i = 0; i < ITERATIONS; i++) {
        auth_claims *c = NULL;
        auth_error *err = NULL;
        auth_result rc = auth_verifier_verify(a->v, a->token, a->len, &now, "192.168.2.7", 11, NULL, &c, &err);
        uint64_t id = 0;
        if (rc == AUTH_OK && auth_claims_id(c, &id) == AUTH_OK && id == 77)
            a->ok++;
        else
            a->bad++;
        auth_claims_free(c);
        auth_error_free(err);
        /* Meanwhile, revoke unrelated ids in the shared store and query the shared list. */
        char jti[32];
        snprintf(jti, sizeof jti, "t%d-%d", a->index, i);
        bool allowed = false;
        if (auth_memory_store_revoke(a->store, jti, strlen(jti), NULL, &now, NULL) != AUTH_OK ||
            auth_ip_allow_list_contains(a->list, "10.1.2.3", 8, &allowed, NULL) != AUTH_OK || !allowed)
            a->bad++;
    }
    return NULL;
}

static void test_threads(void) {
    auth_key_ring *ring = test_ring();
    auth_issuer *issuer = NULL;
    auth_issuer_new(ring, NULL, &issuer, NULL);
    char token[1024];
    size_t len = mint_token(issuer, 77, "shared", 1700000000, "192.168.2.0/24", token, sizeof token);
    auth_memory_store *store = NULL;
    auth_revocation *rev = NULL;
    auth_memory_store_new(&store);
    auth_revocation_from_memory_store(store, &rev);
    auth_verifier *v = NULL;
    auth_verifier_new(ring, NULL, rev, &v, NULL);
    const char *rules[] = {"10.0.0.0/8"};
    size_t lens[] = {10};
    auth_ip_allow_list *list = NULL;
    auth_ip_allow_list_new(rules, lens, 1, &list, NULL);

    pthread_t th[THREADS];
    thread_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (thread_arg){v, store, list, token, len, i, 0, 0};
        pthread_create(&th[i], NULL, verify_thread, &args[i]);
    }
    /* Meanwhile, rotate the shared ring: the verifier follows it, and k1 (the token's key)
     * stays in it throughout, so every verification must still pass. */
    long rotations = 0;
    for (int i = 0; i < 200; i++) {
        char kid[16];
        snprintf(kid, sizeof kid, "r%d", i);
        if (auth_key_ring_add(ring, kid, strlen(kid), AUTH_HS256, SECRET, sizeof SECRET, NULL) == AUTH_OK &&
            auth_key_ring_set_active(ring, kid, strlen(kid), NULL) == AUTH_OK &&
            auth_key_ring_set_active(ring, "k1", 2, NULL) == AUTH_OK &&
            auth_key_ring_remove(ring, kid, strlen(kid), NULL) == AUTH_OK)
            rotations++;
    }
    CHECK(rotations == 200, "rotations while verifying: %ld", rotations);
    long ok = 0, bad = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        ok += args[i].ok;
        bad += args[i].bad;
    }
    CHECK(ok == THREADS * ITERATIONS && bad == 0, "threads: %ld ok, %ld bad", ok, bad);
    size_t n = 0;
    CHECK(auth_memory_store_len(store, &n) == AUTH_OK && n == THREADS * ITERATIONS, "concurrent revocations %zu", n);

    auth_ip_allow_list_free(list);
    auth_verifier_free(v);
    auth_revocation_free(rev);
    auth_memory_store_free(store);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
}


/* ---------------------------------------------------------------- requests.json, api.json */

static void on_request(const record *r) {
    uint32_t format = field_eq(&r->f[1], "xml", 3) ? AUTH_FORMAT_XML : AUTH_FORMAT_JSON;
    auth_token_request *req = NULL;
    auth_error *err = NULL;
    auth_result rc = auth_token_request_parse(r->f[2].p, r->f[2].len, format, &req, &err);
    CHECK(verdict_is(rc, &r->f[3]), "request %s: got %s, want %s (%s)", r->f[0].p, verdict(rc), r->f[3].p,
          err ? auth_error_message(err) : "");
    if (rc == AUTH_OK) {
        char buf[1024];
        size_t len = 0;
        CHECK(auth_token_request_name(req, buf, sizeof buf, &len) == AUTH_OK && field_eq(&r->f[4], buf, len),
              "request %s: name", r->f[0].p);
        uint32_t kind = 0;
        int64_t ttl = 0;
        CHECK(auth_token_request_lifetime(req, &kind, &ttl) == AUTH_OK, "lifetime");
        if (r->f[5].null)
            CHECK(kind == AUTH_LIFETIME_STATIC, "request %s: static", r->f[0].p);
        else
            CHECK(kind == AUTH_LIFETIME_TTL && ttl == r->f[5].snum, "request %s: ttl", r->f[0].p);
        size_t n = 0;
        CHECK(auth_token_request_allowed_ips_count(req, &n) == AUTH_OK && n == r->f[6].num, "request %s: ips",
              r->f[0].p);
        for (size_t i = 0; i < n; i++)
            CHECK(auth_token_request_allowed_ip(req, i, buf, sizeof buf, &len) == AUTH_OK &&
                      field_eq(&r->f[7 + i], buf, len),
                  "request %s: ip %zu", r->f[0].p, i);
        CHECK(auth_token_request_allowed_ip(req, n, buf, sizeof buf, &len) == AUTH_INDEX_OUT_OF_RANGE, "past end");
    } else {
        CHECK(err && auth_error_code(err) == rc && req == NULL, "request %s: error details", r->f[0].p);
    }
    auth_error_free(err);
    auth_token_request_free(req);
}

static void dump_text(const char *idx, const char *kind, const char *text, size_t len) {
    fprintf(json_out, "api %s %s ", idx, kind);
    hex_out(json_out, text, len);
    fputc('\n', json_out);
}

/* A minted token borrowed from its parent (login or created token): its claims are
 * borrowed from it too, and its token id is the claims' jti. */
static void check_minted_claims(const char *name, const auth_minted *m, const char *token, size_t tlen) {
    const auth_claims *c = auth_minted_claims(m);
    char id[256], jti[256];
    size_t il = 0, jl = 0;
    CHECK(c != NULL, "%s: borrowed claims", name);
    CHECK(auth_minted_token_id(m, id, sizeof id, &il) == AUTH_OK && auth_claims_jti(c, jti, sizeof jti, &jl) == AUTH_OK &&
              il == jl && il > 0 && memcmp(id, jti, il) == 0,
          "%s: token id is the claims' jti", name);
    CHECK(tlen > 0 && token[tlen] == 0, "%s: token text", name);
}

/* Verifies a freshly issued token with the "main" ring at now from ip; dumps its claims. */
static void check_issued_token(const char *idx, const char *name, const char *token, size_t len, uint64_t now,
                               const char *ip) {
    auth_key_ring *ring = find_ring(&(field){.p = "main", .len = 4});
    auth_verifier *v = NULL;
    auth_verifier_new(ring, NULL, NULL, &v, NULL);
    auth_claims *c = NULL;
    auth_result rc = auth_verifier_verify(v, token, len, &now, ip, ip ? strlen(ip) : 0, NULL, &c, NULL);
    CHECK(rc == AUTH_OK, "%s: issued token verifies (%s)", name, verdict(rc));
    if (rc == AUTH_OK) dump_json("api", idx, c, true);
    auth_claims_free(c);
    auth_verifier_free(v);
}

static auth_issuer *main_issuer(void) {
    auth_issuer *issuer = NULL;
    auth_issuer_new(find_ring(&(field){.p = "main", .len = 4}), NULL, &issuer, NULL);
    return issuer;
}

static void on_api_user(const record *r) {
    const char *name = r->f[1].p;
    char idx[32];
    snprintf(idx, sizeof idx, "%llu", (unsigned long long)r->f[0].num);
    auth_ip_regex *re = NULL;
    if (!r->f[8].null)
        CHECK(auth_ip_regex_new(r->f[8].p, r->f[8].len,
                                field_eq(&r->f[9], "search", 6) ? AUTH_REGEX_SEARCH : AUTH_REGEX_FULL_MATCH, &re,
                                NULL) == AUTH_OK,
              "%s: regex", name);
    auth_user_account a = {r->f[2].num, r->f[3].p, r->f[3].len, r->f[4].num == 1, r->f[5].num == 1,
                           r->f[6].null ? NULL : r->f[6].p, r->f[6].len, !r->f[7].null, r->f[7].num, re};
    auth_issuer *issuer = main_issuer();
    auth_user_login *login = NULL;
    uint64_t now = r->f[11].num;
    const field *ip = &r->f[10];
    auth_result rc = auth_login_user(issuer, &a, ip->null ? NULL : ip->p, ip->len, AUTH_LIFETIME_DYNAMIC, 0, &now,
                                     &login, NULL);
    CHECK(verdict_is(rc, &r->f[12]), "%s: got %s, want %s", name, verdict(rc), r->f[12].p);
    if (rc == AUTH_OK) {
        char buf[4096], token[4096];
        size_t len = 0, tlen = 0;
        CHECK(auth_user_login_to_json(login, buf, sizeof buf, &len) == AUTH_OK, "json");
        dump_text(idx, "resp", buf, len);
        const auth_minted *m = auth_user_login_minted(login);
        CHECK(m != NULL && auth_minted_token(m, token, sizeof token, &tlen) == AUTH_OK, "token");
        check_issued_token(idx, name, token, tlen, now, ip->null ? NULL : ip->p);
        check_minted_claims(name, m, token, tlen);
    }
    auth_user_login_free(login);
    auth_issuer_free(issuer);
    auth_ip_regex_free(re);
}

static void on_api_reseller(const record *r) {
    const char *name = r->f[1].p;
    char idx[32];
    snprintf(idx, sizeof idx, "%llu", (unsigned long long)r->f[0].num);
    auth_ip_allow_list *list = NULL;
    if (!r->f[10].null) {
        size_t n = (size_t)r->f[10].num;
        const char *ptrs[32];
        size_t lens[32];
        for (size_t i = 0; i < n && i < 32; i++) {
            ptrs[i] = r->f[11 + i].p;
            lens[i] = r->f[11 + i].len;
        }
        CHECK(auth_ip_allow_list_new(ptrs, lens, n, &list, NULL) == AUTH_OK, "%s: list", name);
    }
    auth_reseller_account a = {r->f[2].num, r->f[3].p, r->f[3].len, list, r->f[4].p, r->f[4].len,
                               strtod(r->f[5].p, NULL), r->f[6].p, r->f[6].len};
    auth_issuer *issuer = main_issuer();
    auth_reseller_login *login = NULL;
    uint64_t now = r->f[8].num;
    const field *ip = &r->f[7];
    auth_result rc = auth_login_reseller(issuer, &a, ip->null ? NULL : ip->p, ip->len, AUTH_LIFETIME_DYNAMIC, 0,
                                         &now, &login, NULL);
    CHECK(verdict_is(rc, &r->f[9]), "%s: got %s, want %s", name, verdict(rc), r->f[9].p);
    if (rc == AUTH_OK) {
        char buf[4096], token[4096];
        size_t len = 0, tlen = 0;
        CHECK(auth_reseller_login_to_json(login, buf, sizeof buf, &len) == AUTH_OK, "json");
        dump_text(idx, "resp", buf, len);
        const auth_minted *m = auth_reseller_login_minted(login);
        CHECK(m != NULL && auth_minted_token(m, token, sizeof token, &tlen) == AUTH_OK, "token");
        check_issued_token(idx, name, token, tlen, now, ip->null ? NULL : ip->p);
        check_minted_claims(name, m, token, tlen);
    }
    auth_reseller_login_free(login);
    auth_issuer_free(issuer);
    auth_ip_allow_list_free(list);
}

static void on_api_create(const record *r) {
    const char *name = r->f[1].p;
    char idx[32];
    snprintf(idx, sizeof idx, "%llu", (unsigned long long)r->f[0].num);
    uint64_t now = r->f[11].num;
    auth_issuer *issuer = main_issuer();
    auth_verifier *v = NULL;
    auth_verifier_new(find_ring(&(field){.p = "main", .len = 4}), NULL, NULL, &v, NULL);
    auth_claims *caller = NULL;
    auth_token_request *req = NULL;
    auth_created_token *created = NULL;
    const field *cip = &r->f[3];
    uint32_t format = field_eq(&r->f[9], "xml", 3) ? AUTH_FORMAT_XML : AUTH_FORMAT_JSON;
    /* The case's token-creation policy: "-" (the defaults, passed as NULL) or its three flags. */
    auth_token_creation_policy custom = auth_token_creation_policy_default();
    const auth_token_creation_policy *policy = NULL;
    if (r->n > 13 && !r->f[13].null) {
        CHECK(r->n >= 17, "%s: policy has three flags", name);
        custom.allow_named_callers = r->f[14].num == 1;
        custom.allow_delegated_callers = r->f[15].num == 1;
        custom.login_children_may_outlive = r->f[16].num == 1;
        policy = &custom;
    }
    auth_result rc = auth_verifier_verify(v, r->f[2].p, r->f[2].len, &now, cip->null ? NULL : cip->p, cip->len,
                                          NULL, &caller, NULL);
    if (rc == AUTH_OK) rc = auth_token_request_parse(r->f[10].p, r->f[10].len, format, &req, NULL);
    if (rc == AUTH_OK) {
        if (r->f[4].null) {
            rc = auth_create_token_self(issuer, caller, req, policy, &now, &created, NULL);
        } else {
            auth_subject account = {
                .kind = field_eq(&r->f[4], "user", 4) ? AUTH_PRINCIPAL_USER : AUTH_PRINCIPAL_RESELLER,
                .id = r->f[5].num,
                .name = r->f[6].p,
                .name_len = r->f[6].len,
                .admin = r->f[7].num == 1,
            };
            rc = auth_create_token_sub_account(issuer, caller, req, &account, r->f[8].num == 1, policy, &now,
                                               &created, NULL);
        }
    }
    CHECK(verdict_is(rc, &r->f[12]), "%s: got %s, want %s", name, verdict(rc), r->f[12].p);
    if (rc == AUTH_OK) {
        char buf[8192], token[4096], id[256], rule[64];
        size_t len = 0, tlen = 0, idlen = 0;
        CHECK(auth_created_token_render(created, AUTH_FORMAT_JSON, buf, sizeof buf, &len) == AUTH_OK, "render");
        dump_text(idx, "resp", buf, len);
        CHECK(auth_created_token_render(created, AUTH_FORMAT_XML, buf, sizeof buf, &len) == AUTH_OK &&
                  strncmp(buf, "<response><status>1</status><message>OK</message><token>", 56) == 0,
              "%s: XML response", name);
        CHECK(auth_created_token_render(created, 9, buf, sizeof buf, &len) == AUTH_INVALID_ENUM, "bad format");
        const auth_minted *m = auth_created_token_minted(created);
        CHECK(m != NULL && auth_minted_token(m, token, sizeof token, &tlen) == AUTH_OK, "token");
        check_minted_claims(name, m, token, tlen);
        const auth_claims *c = auth_minted_claims(m);
        /* token_id (from the JSON response) is the claims' jti. */
        CHECK(auth_claims_jti(c, id, sizeof id, &idlen) == AUTH_OK, "jti");
        CHECK(auth_created_token_render(created, AUTH_FORMAT_JSON, buf, sizeof buf, &len) == AUTH_OK, "render");
        char needle[300];
        snprintf(needle, sizeof needle, "\"token_id\": \"%s\"", id);
        CHECK(strstr(buf, needle) != NULL, "%s: token_id is the jti", name);
        /* Verify from the first allowed rule's network address, if restricted. */
        const char *ip = NULL;
        bool present = false;
        size_t n = 0;
        if (auth_claims_allowed_ips_count(c, &present, &n) == AUTH_OK && n > 0 &&
            auth_claims_allowed_ip(c, 0, rule, sizeof rule, &len) == AUTH_OK) {
            char *slash = strchr(rule, '/');
            if (slash) *slash = 0;
            ip = rule;
        }
        check_issued_token(idx, name, token, tlen, now, ip);
    }
    auth_created_token_free(created);
    auth_token_request_free(req);
    auth_claims_free(caller);
    auth_verifier_free(v);
    auth_issuer_free(issuer);
}

static void on_api_host(const record *r) {
    char idx[32];
    snprintf(idx, sizeof idx, "%llu", (unsigned long long)r->f[0].num);
    uint32_t code = 0;
    for (uint32_t n = 1; n < 64; n++)
        if (field_eq(&r->f[2], auth_result_name(n), strlen(auth_result_name(n)))) code = n;
    auth_error *err = NULL;
    CHECK(auth_error_new(code, &err) == AUTH_OK, "%s: error for %s", r->f[1].p, r->f[2].p);
    CHECK(verdict_is(auth_error_code(err), &r->f[3]), "%s: code", r->f[1].p);
    char buf[1024];
    size_t len = 0;
    CHECK(auth_error_login_json(err, buf, sizeof buf, &len) == AUTH_OK, "login json");
    dump_text(idx, "resp", buf, len);
    uint16_t status = 0;
    CHECK(auth_error_response_status(err, &status) == AUTH_OK && status == auth_result_http_status(code), "status");
    CHECK(auth_error_sms_body(err, AUTH_FORMAT_XML, buf, sizeof buf, &len) == AUTH_OK &&
              strncmp(buf, "<response><status>0</status>", 28) == 0,
          "sms xml error");
    auth_error_free(err);
}

static void on_api_store(const record *r) {
    auth_memory_store *store = NULL;
    CHECK(auth_memory_store_new_with_limits((size_t)r->f[2].num, 0, &store) == AUTH_OK, "store");
    size_t n = (size_t)r->f[5].num;
    auth_result rc = AUTH_OK;
    for (size_t i = 0; i < n; i++) {
        const field *jti = &r->f[6 + 2 * i], *exp = &r->f[7 + 2 * i];
        rc = auth_memory_store_revoke(store, jti->p, jti->len, exp->null ? NULL : &exp->num, &r->f[3].num, NULL);
    }
    CHECK(verdict_is(rc, &r->f[4]), "%s: got %s, want %s", r->f[1].p, verdict(rc), r->f[4].p);
    auth_memory_store_free(store);
}

static void test_wire_paths(void) {
    auth_error *err = NULL;
    CHECK(auth_error_new(0, &err) == AUTH_INVALID_ENUM && err == NULL, "no error for code 0");
    CHECK(auth_error_new(AUTH_NULL_ARGUMENT, &err) == AUTH_INVALID_ENUM, "no error for a binding code");
    auth_key_ring_add(NULL, "k", 1, AUTH_HS256, SECRET, 32, &err);
    char buf[256];
    size_t len = 0;
    CHECK(auth_error_login_json(err, buf, sizeof buf, &len) == AUTH_NOT_CORE_ERROR, "binding error has no body");
    auth_error_free(err);
    err = NULL;
    CHECK(auth_error_new(AUTH_WEAK_KEY, &err) == AUTH_OK, "weak_key error");
    uint16_t status = 0;
    CHECK(auth_error_response_status(err, &status) == AUTH_OK && status == 500, "configuration errors answer 500");
    auth_error_free(err);
    bool recognized = false;
    uint32_t f = 0;
    CHECK(auth_format_from_media_type("application/json;q=0.5, application/xml", 39, &recognized, &f) == AUTH_OK &&
              recognized && f == AUTH_FORMAT_XML,
          "accept header");
    CHECK(auth_format_from_media_type("text/html", 9, &recognized, &f) == AUTH_OK && !recognized, "html");
    CHECK(strcmp(auth_format_content_type(AUTH_FORMAT_XML), "application/xml") == 0, "content type");
    auth_token_request *req = NULL;
    CHECK(auth_token_request_parse("", 0, AUTH_FORMAT_JSON, &req, NULL) == AUTH_INVALID_REQUEST, "empty body");
    CHECK(auth_token_request_parse("\xff", 1, AUTH_FORMAT_XML, &req, NULL) == AUTH_INVALID_REQUEST, "not UTF-8");
    CHECK(auth_token_request_parse("{}", 2, 5, &req, NULL) == AUTH_INVALID_ENUM, "bad format");
    CHECK(auth_token_request_parse(NULL, 0, AUTH_FORMAT_JSON, &req, NULL) == AUTH_NULL_ARGUMENT, "NULL body");
    auth_reseller_account bad = {1, "r", 1, NULL, "{}", 2, 1.0, "1", 1};
    auth_issuer *issuer = main_issuer();
    auth_reseller_login *login = NULL;
    CHECK(auth_login_reseller(issuer, &bad, NULL, 0, AUTH_LIFETIME_DYNAMIC, 0, NULL, &login, NULL) ==
              AUTH_INVALID_REQUEST,
          "user_groups must be an array");
    bad.user_groups_json = NULL;
    bad.user_balance = 1.0 / 0.0;
    CHECK(auth_login_reseller(issuer, &bad, NULL, 0, AUTH_LIFETIME_DYNAMIC, 0, NULL, &login, NULL) ==
              AUTH_INVALID_REQUEST,
          "infinite balance");
    CHECK(auth_login_reseller(issuer, NULL, NULL, 0, AUTH_LIFETIME_DYNAMIC, 0, NULL, &login, NULL) ==
              AUTH_NULL_ARGUMENT,
          "NULL account");
    auth_user_account ua = {1, "u", 1, false, false, NULL, 0, false, 0, NULL};
    CHECK(auth_login_user(issuer, &ua, NULL, 0, 9, 0, NULL, &(auth_user_login *){NULL}, NULL) == AUTH_INVALID_ENUM,
          "bad lifetime");
    /* auth_subject for a sub-account. */
    auth_mint_request *mr = NULL;
    auth_minted *caller = NULL;
    auth_token_request *treq = NULL;
    auth_created_token *created = NULL;
    uint64_t now = 1700000000;
    auth_mint_request_new_reseller(1, "owner", 5, &mr, NULL);
    auth_mint_request_set_now(mr, &now);
    CHECK(auth_issuer_mint(issuer, mr, &caller, NULL) == AUTH_OK, "caller token");
    const char *body = "{\"token\": {\"name\": \"n\"}}";
    CHECK(auth_token_request_parse(body, strlen(body), AUTH_FORMAT_JSON, &treq, NULL) == AUTH_OK, "request");
    const auth_claims *cc = auth_minted_claims(caller);
    auth_subject sub = {.kind = 9, .id = 2, .name = "sub", .name_len = 3};
    CHECK(auth_create_token_sub_account(issuer, cc, treq, &sub, true, NULL, &now, &created, NULL) == AUTH_INVALID_ENUM &&
              created == NULL,
          "subject of an unknown kind");
    sub.kind = AUTH_PRINCIPAL_USER;
    sub.name = NULL;
    CHECK(auth_create_token_sub_account(issuer, cc, treq, &sub, true, NULL, &now, &created, NULL) == AUTH_NULL_ARGUMENT,
          "subject without a name");
    CHECK(auth_create_token_sub_account(issuer, cc, treq, NULL, true, NULL, &now, &created, NULL) == AUTH_NULL_ARGUMENT,
          "no subject");
    sub.name = "sub";
    sub.sms_from = "ACME";
    sub.sms_from_len = 4;
    sub.has_user_group_id = true;
    sub.user_group_id = 12;
    CHECK(auth_create_token_sub_account(issuer, cc, treq, &sub, true, NULL, &now, &created, NULL) == AUTH_OK, "user subject");
    {
        /* A reseller has no user-only fields: giving one is refused, not ignored. */
        auth_subject rs = sub;
        auth_created_token *rc2 = NULL;
        auth_error *rerr = NULL;
        rs.kind = AUTH_PRINCIPAL_RESELLER;
        CHECK(auth_create_token_sub_account(issuer, cc, treq, &rs, true, NULL, &now, &rc2, &rerr) ==
                      AUTH_INVALID_REQUEST &&
                  rc2 == NULL,
              "reseller subject with sms_from and user_group_id is refused");
        auth_error_free(rerr);
        rs.sms_from = NULL;
        rs.sms_from_len = 0;
        rs.has_user_group_id = false;
        rs.admin = true;
        CHECK(auth_create_token_sub_account(issuer, cc, treq, &rs, true, NULL, &now, &rc2, NULL) == AUTH_INVALID_REQUEST,
              "reseller subject with admin is refused");
        rs.admin = false;
        CHECK(auth_create_token_sub_account(issuer, cc, treq, &rs, true, NULL, &now, &rc2, NULL) == AUTH_OK,
              "plain reseller subject");
        auth_created_token_free(rc2);
    }
    const auth_claims *sc = auth_minted_claims(auth_created_token_minted(created));
    uint64_t gid = 0;
    bool present = false;
    char sms[16];
    CHECK(auth_claims_user_group_id(sc, &present, &gid) == AUTH_OK && present && gid == 12, "subject's group id");
    CHECK(auth_claims_sms_from(sc, &present, sms, sizeof sms, &len) == AUTH_OK && present && strcmp(sms, "ACME") == 0,
          "subject's sms_from");
    auth_principal parent = {0, 0};
    CHECK(auth_claims_parent(sc, &present, &parent) == AUTH_OK && present && parent.kind == AUTH_PRINCIPAL_RESELLER &&
              parent.id == 1,
          "parent is the caller");
    auth_created_token_free(created);
    auth_token_request_free(treq);
    auth_minted_free(caller);
    auth_mint_request_free(mr);
    auth_user_login_free(NULL);
    auth_reseller_login_free(NULL);
    auth_created_token_free(NULL);
    auth_token_request_free(NULL);
    auth_issuer_free(issuer);
}

/* ---------------------------------------------------------------- rotation */

/* rotation.json: one key ring per sequence, with an issuer and a verifier made on it
 * before it has a key; every later change of the ring must be seen on their next call
 * (the same verdicts as the Rust and Python runners). */

typedef struct {
    char name[64];
    char *bytes;
    size_t len;
    uint32_t alg; /* keys only */
} rot_entry;

static rot_entry rot_keys[8], rot_tokens[64];
static size_t nrot_keys, nrot_tokens, nrot_fixed_tokens;
static record rot_subject;

static void rot_put(rot_entry *tab, size_t *n, size_t cap, const field *name, const field *bytes) {
    rot_entry *e = NULL;
    for (size_t i = 0; i < *n; i++)
        if (field_eq(name, tab[i].name, strlen(tab[i].name))) e = &tab[i];
    if (!e) {
        if (*n == cap) {
            CHECK(0, "rotation: table full");
            return;
        }
        e = &tab[(*n)++];
        snprintf(e->name, sizeof e->name, "%s", name->p);
    }
    free(e->bytes);
    e->bytes = malloc(bytes->len + 1);
    memcpy(e->bytes, bytes->p, bytes->len + 1);
    e->len = bytes->len;
}

static const rot_entry *rot_get(const rot_entry *tab, size_t n, const field *name) {
    for (size_t i = 0; i < n; i++)
        if (field_eq(name, tab[i].name, strlen(tab[i].name))) return &tab[i];
    return NULL;
}

static void on_rot_key(const record *r) {
    if (nrot_keys == sizeof rot_keys / sizeof rot_keys[0]) return;
    rot_put(rot_keys, &nrot_keys, sizeof rot_keys / sizeof rot_keys[0], &r->f[0], &r->f[2]);
    CHECK(auth_algorithm_from_name(r->f[1].p, r->f[1].len, &rot_keys[nrot_keys - 1].alg) == AUTH_OK, "alg %s",
          r->f[1].p);
}

/* Whether the minted token's header names kid. */
static bool header_kid_is(const char *token, size_t len, const field *kid) {
    auth_unverified *u = NULL;
    char header[1024], needle[256];
    size_t hl = 0;
    bool ok = auth_inspect_unverified(token, len, 8192, &u, NULL) == AUTH_OK &&
              auth_unverified_header_json(u, header, sizeof header, &hl) == AUTH_OK;
    auth_unverified_free(u);
    if (!ok || kid->null) return false;
    snprintf(needle, sizeof needle, "\"kid\":\"%s\"", kid->p);
    return strstr(header, needle) != NULL;
}

static void on_rot_sequence(FILE *in, const record *seq, long *steps) {
    const char *name = seq->f[0].p;
    uint64_t now = rot_subject.f[0].num;
    auth_key_ring *ring = NULL;
    auth_issuer *issuer = NULL;
    auth_verifier *verifier = NULL;
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "ring");
    CHECK(auth_issuer_new(ring, NULL, &issuer, NULL) == AUTH_OK, "issuer on an empty ring");
    CHECK(auth_verifier_new(ring, NULL, NULL, &verifier, NULL) == AUTH_OK, "verifier on an empty ring");
    nrot_tokens = nrot_fixed_tokens; /* saved tokens belong to one sequence */
    record st = {0};
    while (read_record(in, &st) && strcmp(st.kind, "ROTEND") != 0) {
        if (strcmp(st.kind, "ROTSTEP") != 0) continue;
        (*steps)++;
        const field *op = &st.f[1], *kid = &st.f[2], *save = &st.f[3], *tok = &st.f[4], *expect = &st.f[5];
        auth_result rc = AUTH_OK;
        const char *kid_p = kid->null ? NULL : kid->p;
        bool kid_ok = true;
        if (field_eq(op, "add", 3)) {
            const rot_entry *k = rot_get(rot_keys, nrot_keys, kid);
            rc = k ? auth_key_ring_add(ring, kid_p, kid->len, k->alg, (const uint8_t *)k->bytes, k->len, NULL)
                   : AUTH_NULL_ARGUMENT;
        } else if (field_eq(op, "remove", 6)) {
            rc = auth_key_ring_remove(ring, kid_p, kid->len, NULL);
        } else if (field_eq(op, "set_active", 10)) {
            rc = auth_key_ring_set_active(ring, kid_p, kid->len, NULL);
        } else if (field_eq(op, "set_default_kid", 15)) {
            rc = auth_key_ring_set_default_kid(ring, kid_p, kid->len, NULL);
        } else if (field_eq(op, "mint", 4)) {
            auth_mint_request *req = NULL;
            auth_minted *m = NULL;
            char jti[32], token[4096];
            size_t tlen = 0;
            if (field_eq(&rot_subject.f[1], "reseller", 8))
                auth_mint_request_new_reseller(rot_subject.f[2].num, rot_subject.f[3].p, rot_subject.f[3].len, &req,
                                               NULL);
            else
                auth_mint_request_new_user(rot_subject.f[2].num, rot_subject.f[3].p, rot_subject.f[3].len,
                                           rot_subject.f[4].num == 1, NULL, 0, NULL, &req, NULL);
            snprintf(jti, sizeof jti, "rot-%llu", (unsigned long long)st.f[0].num);
            auth_mint_request_set_now(req, &now);
            auth_mint_request_set_token_id(req, jti, strlen(jti), NULL);
            rc = auth_issuer_mint(issuer, req, &m, NULL);
            if (rc == AUTH_OK) {
                CHECK(auth_minted_token(m, token, sizeof token, &tlen) == AUTH_OK, "token");
                kid_ok = header_kid_is(token, tlen, kid);
                rot_put(rot_tokens, &nrot_tokens, sizeof rot_tokens / sizeof rot_tokens[0], save,
                        &(field){.p = token, .len = tlen});
            }
            auth_minted_free(m);
            auth_mint_request_free(req);
        } else if (field_eq(op, "verify", 6)) {
            const rot_entry *t = rot_get(rot_tokens, nrot_tokens, tok);
            auth_claims *c = NULL;
            rc = t ? auth_verifier_verify(verifier, t->bytes, t->len, &now, NULL, 0, NULL, &c, NULL)
                   : AUTH_NULL_ARGUMENT;
            auth_claims_free(c);
        } else {
            CHECK(0, "rotation %s: unknown op %s", name, op->p);
            continue;
        }
        const char *got = rc == AUTH_OK ? (field_eq(op, "verify", 6) ? "valid" : "ok") : auth_result_name(rc);
        CHECK(field_eq(expect, got, strlen(got)), "rotation %s, step %llu (%s %s): got %s, want %s", name,
              (unsigned long long)st.f[0].num, op->p, kid_p ? kid_p : (tok->null ? "-" : tok->p), got, expect->p);
        CHECK(kid_ok, "rotation %s, step %llu: minted with kid %s", name, (unsigned long long)st.f[0].num, kid_p);
    }
    record_clear(&st);
    auth_verifier_free(verifier);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
}

static void rot_cleanup(void) {
    for (size_t i = 0; i < nrot_keys; i++) free(rot_keys[i].bytes);
    for (size_t i = 0; i < sizeof rot_tokens / sizeof rot_tokens[0]; i++) free(rot_tokens[i].bytes);
    record_clear(&rot_subject);
}

/* ---------------------------------------------------------------- main */

/* ------------------------------------------------- rules decided by the core */

static uint32_t status_cb(void *userdata, const auth_revocation_query *q) {
    (void)q;
    return *(const uint32_t *)userdata;
}

static void test_core_rules(void) {
    auth_key_ring *ring = test_ring();
    auth_issuer *issuer = NULL;
    auth_issuer_new(ring, NULL, &issuer, NULL);
    char buf[2048];
    size_t len = 0;

    /* A blocked reseller gets the answer to a wrong password, even from its allowed address. */
    auth_reseller_account ra = {7, "r", 1, NULL, NULL, 0, 10.0, NULL, 0};
    auth_reseller_login *login = NULL;
    CHECK(auth_login_reseller_v2(issuer, &ra, true, "10.0.0.1", 8, AUTH_LIFETIME_DYNAMIC, 0, NULL, &login, NULL) ==
                  AUTH_RESELLER_INVALID_CREDENTIALS &&
              login == NULL,
          "blocked reseller refused");
    /* NULL or empty version: the core's default. */
    CHECK(auth_login_reseller_v2(issuer, &ra, false, NULL, 0, AUTH_LIFETIME_DYNAMIC, 0, NULL, &login, NULL) == AUTH_OK,
          "reseller with NULL version");
    CHECK(auth_reseller_login_to_json(login, buf, sizeof buf, &len) == AUTH_OK &&
              strstr(buf, "\"version\": \"1.0.0\"") != NULL,
          "NULL version is the default: %s", buf);
    auth_reseller_login_free(login);
    login = NULL;
    ra.version = "";
    CHECK(auth_login_reseller(issuer, &ra, NULL, 0, AUTH_LIFETIME_DYNAMIC, 0, NULL, &login, NULL) == AUTH_OK &&
              auth_reseller_login_to_json(login, buf, sizeof buf, &len) == AUTH_OK &&
              strstr(buf, "\"version\": \"1.0.0\"") != NULL,
          "empty version is the default");
    auth_reseller_login_free(login);
    login = NULL;
    ra.version = "2.5";
    ra.version_len = 3;
    CHECK(auth_login_reseller(issuer, &ra, NULL, 0, AUTH_LIFETIME_DYNAMIC, 0, NULL, &login, NULL) == AUTH_OK &&
              auth_reseller_login_to_json(login, buf, sizeof buf, &len) == AUTH_OK &&
              strstr(buf, "\"version\": \"2.5\"") != NULL,
          "a given version is kept");
    auth_reseller_login_free(login);

    /* Unknown and blocked sub-accounts: one answer, decided by the core. */
    uint64_t now = 1700000000;
    auth_mint_request *mr = NULL;
    auth_minted *caller = NULL;
    auth_token_request *treq = NULL;
    auth_mint_request_new_reseller(1, "owner", 5, &mr, NULL);
    auth_mint_request_set_now(mr, &now);
    CHECK(auth_issuer_mint(issuer, mr, &caller, NULL) == AUTH_OK, "caller token");
    const char *body = "{\"token\": {\"name\": \"n\"}}";
    CHECK(auth_token_request_parse(body, strlen(body), AUTH_FORMAT_JSON, &treq, NULL) == AUTH_OK, "request");
    const auth_claims *cc = auth_minted_claims(caller);
    auth_subject sub = {.kind = AUTH_PRINCIPAL_USER, .id = 2, .name = "sub", .name_len = 3};
    auth_created_token *created = NULL;
    const struct {
        const auth_subject *account;
        bool owned, blocked;
        const char *what;
    } refused[] = {
        {NULL, true, false, "unknown account"},
        {&sub, true, true, "blocked account"},
        {&sub, false, false, "foreign account"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        auth_error *err = NULL;
        CHECK(auth_create_token_sub_account_v2(issuer, cc, treq, refused[i].account, refused[i].owned,
                                               refused[i].blocked, NULL, &now, &created, &err) == AUTH_NOT_PERMITTED &&
                  created == NULL,
              "%s is not permitted", refused[i].what);
        CHECK(err != NULL && strcmp(auth_error_message(err), "the caller does not own this account") == 0,
              "%s: the one message", refused[i].what);
        auth_error_free(err);
    }
    CHECK(auth_create_token_sub_account_v2(issuer, cc, treq, &sub, true, false, NULL, &now, &created, NULL) == AUTH_OK,
          "owned, not blocked");
    auth_created_token_free(created);
    auth_token_request_free(treq);
    auth_minted_free(caller);
    auth_mint_request_free(mr);

    /* A revocation callback that cannot answer: 503, not "revoked". */
    char tok[1024];
    size_t tl = mint_token(issuer, 5, "tok-s", now, NULL, tok, sizeof tok);
    uint32_t answer = AUTH_REVOCATION_STATUS_UNAVAILABLE;
    auth_revocation *cb = NULL;
    CHECK(auth_revocation_new_status_callback(status_cb, &answer, NULL, &cb) == AUTH_OK, "status callback");
    CHECK(auth_revocation_new_status_callback(NULL, NULL, NULL, &cb) == AUTH_NULL_ARGUMENT, "NULL status callback");
    auth_verifier *v = NULL;
    CHECK(auth_verifier_new(ring, NULL, cb, &v, NULL) == AUTH_OK, "verifier with status callback");
    auth_claims *c = NULL;
    CHECK(auth_verifier_verify(v, tok, tl, &now, NULL, 0, NULL, &c, NULL) == AUTH_REVOCATION_UNAVAILABLE && c == NULL,
          "a failing callback is unavailable");
    CHECK(auth_result_http_status(AUTH_REVOCATION_UNAVAILABLE) == 503, "503");
    answer = 77; /* not a status: fails closed as unavailable */
    CHECK(auth_verifier_verify(v, tok, tl, &now, NULL, 0, NULL, &c, NULL) == AUTH_REVOCATION_UNAVAILABLE,
          "an unknown answer is unavailable");
    answer = AUTH_REVOCATION_STATUS_REVOKED;
    CHECK(auth_verifier_verify(v, tok, tl, &now, NULL, 0, NULL, &c, NULL) == AUTH_TOKEN_REVOKED, "revoked");
    answer = AUTH_REVOCATION_STATUS_NOT_REVOKED;
    CHECK(auth_verifier_verify(v, tok, tl, &now, NULL, 0, NULL, &c, NULL) == AUTH_OK, "not revoked");
    auth_claims_free(c);
    c = NULL;

    /* A pasted "Bearer <token>": the same code, and the core's hint on what to remove. */
    char bearer[1100];
    int bl = snprintf(bearer, sizeof bearer, "bearer %.*s", (int)tl, tok);
    auth_error *herr = NULL;
    CHECK(auth_verifier_verify(v, bearer, (size_t)bl, &now, NULL, 0, NULL, &c, &herr) == AUTH_MALFORMED_TOKEN &&
              c == NULL && herr != NULL &&
              strstr(auth_error_message(herr), "remove the `Bearer ` prefix: pass only the token") != NULL,
          "Bearer prefix: malformed_token with the hint: %s", herr ? auth_error_message(herr) : "(no error)");
    auth_error_free(herr);
    auth_verifier_free(v);
    auth_revocation_free(cb);
    auth_issuer_free(issuer);
    auth_key_ring_free(ring);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FLAT_VECTORS JSON_OUT\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    json_out = fopen(argv[2], "w");
    if (!in || !json_out) {
        perror("open");
        return 2;
    }
    record r = {0};
    long counts[8] = {0};
    while (read_record(in, &r)) {
        if (strcmp(r.kind, "RING") == 0) {
            on_ring(&r);
            pending_default[npending_default] = r;
            memset(&r, 0, sizeof r);
            npending_default++;
        } else if (strcmp(r.kind, "KEY") == 0) {
            on_key(&r);
        } else if (strcmp(r.kind, "TOKEN") == 0) {
            on_token(in, &r);
            counts[0]++;
        } else if (strcmp(r.kind, "RULE") == 0) {
            check_canonical("rule", auth_ip_rule_canonical, &r);
            counts[1]++;
        } else if (strcmp(r.kind, "ADDR") == 0) {
            check_canonical("address", auth_ip_address_canonical, &r);
            counts[1]++;
        } else if (strcmp(r.kind, "MATCH") == 0) {
            on_match(&r);
            counts[1]++;
        } else if (strcmp(r.kind, "REGEX") == 0) {
            on_regex(&r);
            counts[1]++;
        } else if (strcmp(r.kind, "ERRCODE") == 0) {
            on_errcode(&r);
            counts[2]++;
        } else if (strcmp(r.kind, "MINTKEY") == 0) {
            on_mintkey(&r);
            counts[3]++;
        } else if (strcmp(r.kind, "MINT") == 0) {
            on_mint(in, &r);
            counts[3]++;
        } else if (strcmp(r.kind, "REQ") == 0) {
            on_request(&r);
            counts[4]++;
        } else if (strcmp(r.kind, "APIUSER") == 0) {
            on_api_user(&r);
            counts[5]++;
        } else if (strcmp(r.kind, "APIRES") == 0) {
            on_api_reseller(&r);
            counts[5]++;
        } else if (strcmp(r.kind, "APICREATE") == 0) {
            on_api_create(&r);
            counts[5]++;
        } else if (strcmp(r.kind, "APIHOST") == 0) {
            on_api_host(&r);
            counts[5]++;
        } else if (strcmp(r.kind, "APISTORE") == 0) {
            on_api_store(&r);
            counts[5]++;
        } else if (strcmp(r.kind, "ROTSUBJECT") == 0) {
            rot_subject = r;
            memset(&r, 0, sizeof r);
        } else if (strcmp(r.kind, "ROTKEY") == 0) {
            on_rot_key(&r);
        } else if (strcmp(r.kind, "ROTTOKEN") == 0) {
            rot_put(rot_tokens, &nrot_tokens, sizeof rot_tokens / sizeof rot_tokens[0], &r.f[0], &r.f[1]);
            nrot_fixed_tokens = nrot_tokens;
        } else if (strcmp(r.kind, "ROTSEQ") == 0) {
            on_rot_sequence(in, &r, &counts[7]);
            counts[6]++;
        } else if (strcmp(r.kind, "ASYMRING") == 0) {
            on_asym_ring(&r);
        } else if (strcmp(r.kind, "ASYMTOKEN") == 0) {
            on_asym_token(&r);
            counts[0]++;
        } else if (strcmp(r.kind, "ASYMJWKS") == 0) {
            on_asym_jwks(&r);
            counts[0]++;
        } else if (strcmp(r.kind, "ASYMPEM") == 0) {
            on_asym_pem(&r);
            counts[0]++;
        } else if (strcmp(r.kind, "APIUNKNOWN") == 0) {
            CHECK(0, "api case %s has a kind this suite does not know", r.f[1].p);
        }
    }
    record_clear(&r);
    read_record(in, &r); /* releases the line buffer */
    fclose(in);
    rot_cleanup();
    asym_cleanup();
    CHECK(counts[6] > 0, "rotation.json was flattened and run");
    test_wire_paths();
    fclose(json_out);
    for (size_t i = 0; i < nrings; i++) auth_key_ring_free(rings[i].ring);

    test_null_and_zero_arguments();
    test_counts_and_setters();
    test_buffers_and_utf8();
    test_rotation_and_policy();
    test_revocation();
    test_core_rules();
    test_threads();

    printf("vectors: %ld token cases, %ld IP cases, %ld error codes, %ld mint cases, %ld request cases, %ld api "
           "cases, %ld rotation sequences (%ld steps)\n",
           counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
