/*
 * Interoperability with libjwt (Debian's libjwt-dev, 1.10, OpenSSL backend) through the C API,
 * both ways, for every algorithm both implement: RS256, RS384, RS512, ES256, ES384 and ES512
 * (libjwt 1.10 has neither PS* nor EdDSA; the Python suite covers those against OpenSSL).
 *
 *   test_libjwt KEY_DIR
 *
 * KEY_DIR holds keys made by `openssl genpkey` at test time (run-tests.sh): rsa.pem, p256.pem,
 * p384.pem, p521.pem (PKCS#8 private) and the same names with .pub (SPKI public). For each
 * algorithm:
 *  - libjwt mints a reseller token with the private key; auth-core verifies it with a ring
 *    holding only the public key (pinned to the algorithm with auth_key_ring_add_pem_for):
 *    valid, the claims as libjwt wrote them; the same token tampered is AUTH_BAD_SIGNATURE;
 *  - auth-core mints a token with the private key; libjwt's jwt_decode verifies it with the
 *    public key, and reads back its alg and claims; libjwt refuses it tampered;
 *  - for RSA, a token libjwt signs RS384 under a kid whose key is pinned to RS256 is
 *    AUTH_ALGORITHM_NOT_ALLOWED (the header never picks the algorithm).
 * Prints "N passed, M failed"; exit 1 on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <jwt.h>

#include "auth_core.h"
#include "suite.h"

static const uint64_t NOW = 1700000000;

typedef struct {
    const char *name;
    uint32_t ours;
    jwt_alg_t theirs;
    const char *key; /* file stem in KEY_DIR */
} alg_case;

static char *read_file(const char *dir, const char *stem, const char *ext, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", dir, stem, ext);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(16384);
    *len = buf ? fread(buf, 1, 16383, f) : 0;
    fclose(f);
    if (buf) buf[*len] = '\0';
    return buf;
}

static const char *name_of(auth_result rc) { return auth_result_name(rc); }

/* The token with one character of its payload changed. */
static void tamper(char *token) {
    char *dot = strchr(token, '.');
    if (dot && dot[1] && dot[2] && dot[3] && dot[4] && dot[5]) dot[5] = dot[5] == 'A' ? 'B' : 'A';
}

/* A ring holding the key of `pem` pinned to `alg` (NULL on failure, reported). */
static auth_key_ring *ring_with(const char *what, uint32_t alg, const char *pem, size_t pem_len) {
    auth_key_ring *ring = NULL;
    auth_error *err = NULL;
    CHECK(auth_key_ring_new(&ring) == AUTH_OK, "%s: ring", what);
    auth_result rc = auth_key_ring_add_pem_for(ring, "k1", 2, alg, pem, pem_len, &err);
    CHECK(rc == AUTH_OK, "%s: add_pem_for: %s %s", what, name_of(rc), err ? auth_error_message(err) : "");
    auth_error_free(err);
    if (rc != AUTH_OK) {
        auth_key_ring_free(ring);
        return NULL;
    }
    return ring;
}

/* Verifies `token` with `ring`; `*claims` receives the claims when asked for (else freed). */
static auth_result verify_here(auth_key_ring *ring, const char *token, auth_claims **claims) {
    auth_verifier *v = NULL;
    auth_claims *c = NULL;
    if (auth_verifier_new(ring, NULL, NULL, &v, NULL) != AUTH_OK) return AUTH_SERVER_ERROR;
    auth_result rc = auth_verifier_verify(v, token, strlen(token), &NOW, NULL, 0, NULL, &c, NULL);
    auth_verifier_free(v);
    if (claims) *claims = c;
    else auth_claims_free(c);
    return rc;
}

/* libjwt mints; auth-core verifies with the public key. */
static void libjwt_to_auth_core(const alg_case *a, const char *priv, size_t priv_len, const char *pub,
                                size_t pub_len) {
    jwt_t *jwt = NULL;
    CHECK(jwt_new(&jwt) == 0, "%s: jwt_new", a->name);
    if (!jwt) return;
    char jti[64];
    snprintf(jti, sizeof jti, "libjwt-%s", a->name);
    int e = jwt_add_grant(jwt, "type", "reseller") | jwt_add_grant_int(jwt, "id", 5) |
            jwt_add_grant(jwt, "name", "r") | jwt_add_grant_int(jwt, "iat", (long)NOW) |
            jwt_add_grant_int(jwt, "exp", (long)NOW + 60) | jwt_add_grant(jwt, "jti", jti) |
            jwt_add_header(jwt, "kid", "k1") |
            jwt_set_alg(jwt, a->theirs, (const unsigned char *)priv, (int)priv_len);
    CHECK(e == 0, "%s: libjwt set up the token", a->name);
    char *token = jwt_encode_str(jwt);
    CHECK(token != NULL, "%s: jwt_encode_str", a->name);
    jwt_free(jwt);
    if (!token) return;

    auth_key_ring *ring = ring_with(a->name, a->ours, pub, pub_len);
    if (ring) {
        auth_claims *c = NULL;
        auth_result rc = verify_here(ring, token, &c);
        CHECK(rc == AUTH_OK, "%s: libjwt's token verifies here: %s", a->name, name_of(rc));
        if (c) {
            char buf[128];
            size_t len = 0;
            CHECK(auth_claims_jti(c, buf, sizeof buf, &len) == AUTH_OK && strcmp(buf, jti) == 0,
                  "%s: jti read back", a->name);
            auth_claims_free(c);
        }
        tamper(token);
        rc = verify_here(ring, token, NULL);
        CHECK(rc == AUTH_BAD_SIGNATURE, "%s: tampered libjwt token: %s", a->name, name_of(rc));
        auth_key_ring_free(ring);
    }
    free(token);
}

/* auth-core mints; libjwt verifies with the public key. */
static void auth_core_to_libjwt(const alg_case *a, const char *priv, size_t priv_len, const char *pub,
                                size_t pub_len) {
    auth_key_ring *ring = ring_with(a->name, a->ours, priv, priv_len);
    if (!ring) return;
    auth_issuer *is = NULL;
    auth_mint_request *req = NULL;
    auth_minted *m = NULL;
    char token[4096], jti[64];
    size_t len = 0;
    snprintf(jti, sizeof jti, "ours-%s", a->name);
    CHECK(auth_issuer_new(ring, NULL, &is, NULL) == AUTH_OK, "%s: issuer", a->name);
    CHECK(auth_mint_request_new_reseller(5, "r", 1, &req, NULL) == AUTH_OK, "%s: request", a->name);
    CHECK(auth_mint_request_set_token_id(req, jti, strlen(jti), NULL) == AUTH_OK, "%s: token id", a->name);
    CHECK(auth_mint_request_set_now(req, &NOW) == AUTH_OK, "%s: now", a->name);
    auth_result rc = auth_issuer_mint(is, req, &m, NULL);
    CHECK(rc == AUTH_OK, "%s: mint: %s", a->name, name_of(rc));
    if (m && auth_minted_token(m, token, sizeof token, &len) == AUTH_OK) {
        jwt_t *jwt = NULL;
        int e = jwt_decode(&jwt, token, (const unsigned char *)pub, (int)pub_len);
        CHECK(e == 0 && jwt != NULL, "%s: libjwt verifies our token (error %d)", a->name, e);
        if (jwt) {
            CHECK(jwt_get_alg(jwt) == a->theirs, "%s: libjwt reads the alg", a->name);
            const char *got = jwt_get_grant(jwt, "jti");
            CHECK(got && strcmp(got, jti) == 0, "%s: libjwt reads the jti", a->name);
            CHECK(jwt_get_grant_int(jwt, "id") == 5, "%s: libjwt reads the id", a->name);
            jwt_free(jwt);
        }
        tamper(token);
        jwt = NULL;
        e = jwt_decode(&jwt, token, (const unsigned char *)pub, (int)pub_len);
        CHECK(e != 0 && jwt == NULL, "%s: libjwt refuses our token tampered", a->name);
        jwt_free(jwt);
    }
    auth_minted_free(m);
    auth_mint_request_free(req);
    auth_issuer_free(is);
    auth_key_ring_free(ring);
}

/* libjwt signs RS384 with the RSA key; the kid's key is pinned to RS256 here. */
static void header_never_picks(const char *priv, size_t priv_len, const char *pub, size_t pub_len) {
    jwt_t *jwt = NULL;
    CHECK(jwt_new(&jwt) == 0, "pin: jwt_new");
    if (!jwt) return;
    int e = jwt_add_grant(jwt, "type", "reseller") | jwt_add_grant_int(jwt, "id", 5) |
            jwt_add_grant(jwt, "name", "r") | jwt_add_grant_int(jwt, "iat", (long)NOW) |
            jwt_add_grant(jwt, "jti", "j") | jwt_add_header(jwt, "kid", "k1") |
            jwt_set_alg(jwt, JWT_ALG_RS384, (const unsigned char *)priv, (int)priv_len);
    char *token = e == 0 ? jwt_encode_str(jwt) : NULL;
    jwt_free(jwt);
    CHECK(token != NULL, "pin: libjwt RS384 token");
    auth_key_ring *ring = token ? ring_with("pin", AUTH_RS256, pub, pub_len) : NULL;
    if (ring) {
        auth_result rc = verify_here(ring, token, NULL);
        CHECK(rc == AUTH_ALGORITHM_NOT_ALLOWED, "RS384 token on an RS256 key: %s", name_of(rc));
        auth_key_ring_free(ring);
    }
    free(token);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s KEY_DIR\n", argv[0]);
        return 2;
    }
    const alg_case algs[] = {
        {"RS256", AUTH_RS256, JWT_ALG_RS256, "rsa"}, {"RS384", AUTH_RS384, JWT_ALG_RS384, "rsa"},
        {"RS512", AUTH_RS512, JWT_ALG_RS512, "rsa"}, {"ES256", AUTH_ES256, JWT_ALG_ES256, "p256"},
        {"ES384", AUTH_ES384, JWT_ALG_ES384, "p384"}, {"ES512", AUTH_ES512, JWT_ALG_ES512, "p521"},
    };
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        size_t priv_len = 0, pub_len = 0;
        char *priv = read_file(argv[1], algs[i].key, ".pem", &priv_len);
        char *pub = read_file(argv[1], algs[i].key, ".pub", &pub_len);
        CHECK(priv && pub, "%s: keys in %s", algs[i].name, argv[1]);
        if (priv && pub) {
            libjwt_to_auth_core(&algs[i], priv, priv_len, pub, pub_len);
            auth_core_to_libjwt(&algs[i], priv, priv_len, pub, pub_len);
            if (i == 0) header_never_picks(priv, priv_len, pub, pub_len);
        }
        free(priv);
        free(pub);
    }
    printf("libjwt interop: %zu algorithms both ways\n", sizeof algs / sizeof algs[0]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
