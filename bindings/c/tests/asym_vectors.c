/* asymmetric.json (EdDSA / ES256 tokens, JWK Sets, PEM keys), run by test_auth.c, which
 * includes this file: the same verdicts and codes as the Rust and Python suites.
 * Records (flatten_vectors.py): ASYMRING name jwks; ASYMTOKEN index name ring token now
 * expect; ASYMJWKS name jwks expect nkids kid... names; ASYMPEM name kid pem expect verifies pin
 * (asymmetric.json, then asymmetric2.json: RSA, ES384, ES512 and a set mixing every key type).
 * A PEM case with a `pin` reads the key with auth_key_ring_add_pem_for. */

static named_ring asym_rings[8];
static size_t nasym_rings;

static void on_asym_ring(const record *r) {
    auth_key_ring *ring = NULL;
    auth_result rc = auth_key_ring_from_jwks(r->f[1].p, r->f[1].len, &ring, NULL);
    CHECK(rc == AUTH_OK, "asymmetric ring %s: %s", r->f[0].p, verdict(rc));
    if (rc != AUTH_OK || nasym_rings == sizeof asym_rings / sizeof asym_rings[0]) {
        auth_key_ring_free(ring);
        return;
    }
    snprintf(asym_rings[nasym_rings].name, sizeof asym_rings[0].name, "%s", r->f[0].p);
    asym_rings[nasym_rings++].ring = ring;
}

static void on_asym_token(const record *r) {
    const char *name = r->f[1].p;
    auth_key_ring *ring = NULL;
    for (size_t i = 0; i < nasym_rings; i++)
        if (field_eq(&r->f[2], asym_rings[i].name, strlen(asym_rings[i].name))) ring = asym_rings[i].ring;
    CHECK(ring != NULL, "%s: ring", name);
    if (!ring) return;
    auth_verifier *v = NULL;
    CHECK(auth_verifier_new(ring, NULL, NULL, &v, NULL) == AUTH_OK, "%s: verifier", name);
    auth_claims *c = NULL;
    uint64_t now = r->f[4].num;
    auth_result rc = auth_verifier_verify(v, r->f[3].p, r->f[3].len, &now, NULL, 0, NULL, &c, NULL);
    CHECK(verdict_is(rc, &r->f[5]), "%s: got %s, want %s", name, verdict(rc), r->f[5].p);
    if (rc == AUTH_OK) {
        dump_json("asym", r->f[0].p, c, false);
        size_t len = 0;
        char *extra = get_text(auth_claims_extra_json, c, &len);
        CHECK(extra != NULL && len >= 2 && extra[0] == '{', "%s: custom claims JSON", name);
        free(extra);
    }
    auth_claims_free(c);
    auth_verifier_free(v);
}

static void on_asym_jwks(const record *r) {
    const char *name = r->f[0].p;
    auth_key_ring *ring = NULL;
    auth_error *err = NULL;
    auth_result rc = auth_key_ring_from_jwks(r->f[1].p, r->f[1].len, &ring, &err);
    if (field_eq(&r->f[2], "ok", 2)) {
        CHECK(rc == AUTH_OK, "%s: got %s", name, verdict(rc));
        size_t n = 0, want = (size_t)r->f[3].num;
        CHECK(ring && auth_key_ring_len(ring, &n) == AUTH_OK && n == want, "%s: %zu keys, want %zu", name, n, want);
        size_t len = 0;
        char buf[32768];
        CHECK(ring && auth_key_ring_to_jwks(ring, buf, sizeof buf, &len) == AUTH_OK, "%s: to_jwks", name);
        for (size_t i = 0; ring && i < want; i++) {
            char needle[160];
            snprintf(needle, sizeof needle, "\"kid\":\"%s\"", r->f[4 + i].p);
            CHECK(strstr(buf, needle) != NULL, "%s: kid %s exported", name, r->f[4 + i].p);
        }
        CHECK(strstr(buf, "\"d\"") == NULL, "%s: no private member exported", name);
    } else {
        CHECK(verdict_is(rc, &r->f[2]), "%s: got %s, want %s", name, verdict(rc), r->f[2].p);
        CHECK(ring == NULL, "%s: nothing created on error", name);
        const field *names = &r->f[4 + r->f[3].num];
        if (!names->null && err) {
            char needle[160];
            snprintf(needle, sizeof needle, "\"%s\"", names->p);
            CHECK(strstr(auth_error_message(err), needle) != NULL, "%s: message names the key: %s", name,
                  auth_error_message(err));
        }
    }
    auth_error_free(err);
    auth_key_ring_free(ring);
}

static void on_asym_pem(const record *r) {
    const char *name = r->f[0].p;
    auth_key_ring *ring = NULL;
    auth_error *err = NULL;
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "%s: ring", name);
    auth_result rc;
    if (r->f[5].null) {
        rc = auth_key_ring_add_pem(ring, r->f[1].p, r->f[1].len, r->f[2].p, r->f[2].len, &err);
    } else {
        uint32_t pin = 0;
        CHECK(auth_algorithm_from_name(r->f[5].p, r->f[5].len, &pin) == AUTH_OK, "%s: pin %s", name, r->f[5].p);
        rc = auth_key_ring_add_pem_for(ring, r->f[1].p, r->f[1].len, pin, r->f[2].p, r->f[2].len, &err);
    }
    if (field_eq(&r->f[3], "invalid_key", 11)) {
        CHECK(rc == AUTH_INVALID_KEY, "%s: got %s", name, verdict(rc));
        char needle[160];
        snprintf(needle, sizeof needle, "\"%s\"", r->f[1].p);
        CHECK(err && strstr(auth_error_message(err), needle) != NULL, "%s: message names the key", name);
    } else {
        CHECK(rc == AUTH_OK, "%s: got %s", name, verdict(rc));
        auth_verifier *v = NULL;
        auth_claims *c = NULL;
        uint64_t now = 1700000000;
        CHECK(auth_verifier_new(ring, NULL, NULL, &v, NULL) == AUTH_OK, "%s: verifier", name);
        rc = auth_verifier_verify(v, r->f[4].p, r->f[4].len, &now, NULL, 0, NULL, &c, NULL);
        CHECK(rc == AUTH_OK, "%s: verifies the vector token: %s", name, verdict(rc));
        auth_claims_free(c);
        auth_verifier_free(v);
        auth_issuer *is = NULL;
        auth_mint_request *req = NULL;
        auth_minted *m = NULL;
        CHECK(auth_issuer_new(ring, NULL, &is, NULL) == AUTH_OK, "%s: issuer", name);
        CHECK(auth_mint_request_new_reseller(1, "r", 1, &req, NULL) == AUTH_OK, "%s: request", name);
        CHECK(auth_mint_request_set_extra_json(req, "{\"perm\":\"x\"}", 12, NULL) == AUTH_OK, "%s: extra", name);
        CHECK(auth_mint_request_set_extra_json(req, "{\"exp\":1}", 9, NULL) == AUTH_INVALID_REQUEST,
              "%s: owned claim name refused", name);
        rc = auth_issuer_mint(is, req, &m, NULL);
        bool private_key = field_eq(&r->f[3], "private", 7);
        CHECK(private_key ? rc == AUTH_OK : rc == AUTH_INVALID_KEY, "%s: mint gave %s", name, verdict(rc));
        if (m) {
            size_t len = 0;
            char *extra = get_text(auth_claims_extra_json, auth_minted_claims(m), &len);
            CHECK(extra && strcmp(extra, "{\"perm\":\"x\"}") == 0, "%s: minted custom claims", name);
            free(extra);
        }
        auth_minted_free(m);
        auth_mint_request_free(req);
        auth_issuer_free(is);
    }
    auth_error_free(err);
    auth_key_ring_free(ring);
}

static void asym_cleanup(void) {
    for (size_t i = 0; i < nasym_rings; i++) auth_key_ring_free(asym_rings[i].ring);
    nasym_rings = 0;
}
