/*
 * auth-core's C API against OpenSSL's EVP verify of an already parsed key, per algorithm.
 *
 *   compare_openssl [ITERATIONS [ROUNDS]]
 *
 * For each of EdDSA, ES256, ES384, ES512, RS256 and PS256: OpenSSL generates a key pair
 * (RSA: 2048 bits); auth-core reads its PKCS#8 PEM and mints one user token (the claims of
 * compare_libjwt.c); a verifier holds only the public key (from the SPKI PEM). Then, in
 * alternating rounds at the same `now`:
 *  - openssl_bare: EVP_DigestVerify of the signing input with the EVP_PKEY parsed once, from
 *    a context initialized once (key, fetched digest, PSS padding) and copied per call —
 *    OpenSSL 3's fastest path (ECDSA: the raw r||s turned into the DER it takes, per call);
 *  - openssl_claims: the same, plus base64url-decoding the payload and the claim checks
 *    auth-core makes on a user token (jansson through libjwt's jwt_add_grants_json, the
 *    checks of bench_common.h) — a fair baseline, as libjwt itself re-reads its PEM per call;
 *  - auth_c: auth_verifier_verify + auth_claims_free (every check of docs/, strictly).
 * Every call must succeed. The medians of the per-call times are printed as `key value`
 * lines (`<alg>_openssl_bare_ns`, ...) that run.sh turns into a table.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_core.h"
#include "bench_common.h"

struct alg_case {
    const char *name;
    uint32_t auth_alg;
    const char *md; /* NULL for EdDSA (no separate digest) */
    int ec_field;   /* bytes of r and s for ECDSA, 0 otherwise */
    int pss;
};

static const struct alg_case CASES[] = {
    {"EdDSA", AUTH_EDDSA, NULL, 0, 0},   {"ES256", AUTH_ES256, "SHA256", 32, 0},
    {"ES384", AUTH_ES384, "SHA384", 48, 0}, {"ES512", AUTH_ES512, "SHA512", 66, 0},
    {"RS256", AUTH_RS256, "SHA256", 0, 0}, {"PS256", AUTH_PS256, "SHA256", 0, 1},
};

static EVP_PKEY *generate(const struct alg_case *c) {
    if (c->ec_field == 32) return EVP_EC_gen("P-256");
    if (c->ec_field == 48) return EVP_EC_gen("P-384");
    if (c->ec_field == 66) return EVP_EC_gen("P-521");
    if (!c->md) return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    return EVP_RSA_gen(2048);
}

static char *pem_of(EVP_PKEY *pkey, int private_key) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) return NULL;
    char *out = NULL, *data = NULL;
    int ok = private_key ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
                         : PEM_write_bio_PUBKEY(bio, pkey);
    long n = ok == 1 ? BIO_get_mem_data(bio, &data) : 0;
    if (n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
    }
    BIO_free(bio);
    return out;
}

/* base64url (no padding) into out; returns the length or -1. */
static long b64url_decode(const char *in, size_t len, unsigned char *out, size_t cap) {
    unsigned long acc = 0;
    int bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = in[i];
        int v = ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26
              : ch >= '0' && ch <= '9' ? ch - '0' + 52 : ch == '-' ? 62 : ch == '_' ? 63 : -1;
        if (v < 0) return -1;
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap) return -1;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)n;
}

struct prepared {
    const struct alg_case *c;
    EVP_PKEY *pkey;
    EVP_MD *md;
    EVP_MD_CTX *template_ctx; /* initialized once with the key, the digest and the padding */
    const char *token;
    size_t input_len;           /* bytes before the last '.' */
    const char *payload;        /* the middle segment */
    size_t payload_len;
    unsigned char sig[1100];
    long sig_len;
};

/* OpenSSL's verify of the signing input with the parsed key: 1 when valid. */
static int openssl_verify(const struct prepared *p) {
    unsigned char der[160];
    const unsigned char *sig = p->sig;
    size_t sig_len = (size_t)p->sig_len;
    if (p->c->ec_field) {
        int f = p->c->ec_field;
        if (p->sig_len != 2 * f) return 0;
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(p->sig, f, NULL), *s = BN_bin2bn(p->sig + f, f, NULL);
        if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
            ECDSA_SIG_free(es);
            BN_free(r);
            BN_free(s);
            return 0;
        }
        unsigned char *w = der;
        int n = i2d_ECDSA_SIG(es, &w);
        ECDSA_SIG_free(es);
        if (n <= 0) return 0;
        sig = der;
        sig_len = (size_t)n;
    }
    /* OpenSSL's fastest use of a parsed key: a context initialized once, copied per call. */
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_MD_CTX_copy_ex(ctx, p->template_ctx) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)p->token, p->input_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* The template context: key, digest (fetched once) and, for PSS, the padding. */
static int prepare_template(struct prepared *p) {
    EVP_PKEY_CTX *pctx = NULL;
    p->md = p->c->md ? EVP_MD_fetch(NULL, p->c->md, NULL) : NULL;
    if (p->c->md && !p->md) return 0;
    p->template_ctx = EVP_MD_CTX_new();
    if (!p->template_ctx || EVP_DigestVerifyInit(p->template_ctx, &pctx, p->md, NULL, p->pkey) != 1) return 0;
    if (p->c->pss)
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    return 1;
}

/* openssl_verify + the payload decoded and the user-token claim checks: 1 when valid. */
static int openssl_with_claims(const struct prepared *p, long now) {
    if (!openssl_verify(p)) return 0;
    char json[2048];
    long n = b64url_decode(p->payload, p->payload_len, (unsigned char *)json, sizeof json - 1);
    if (n < 0) return 0;
    json[n] = '\0';
    jwt_t *jwt = NULL;
    if (jwt_new(&jwt) != 0) return 0;
    int ok = jwt_add_grants_json(jwt, json) == 0 && !libjwt_user_claims_bad(jwt, JWT_ALG_NONE, now);
    jwt_free(jwt);
    return ok;
}

static int auth_verify(const auth_verifier *v, const char *token, size_t len, const uint64_t *now) {
    auth_claims *claims = NULL;
    if (auth_verifier_verify(v, token, len, now, NULL, 0, NULL, &claims, NULL) != AUTH_OK) return 0;
    auth_claims_free(claims);
    return 1;
}

static int run_case(const struct alg_case *c, long iterations, int rounds, uint64_t now) {
    int status = 1;
    uint64_t group = 42;
    EVP_PKEY *pkey = generate(c);
    char *priv = pkey ? pem_of(pkey, 1) : NULL, *pub = pkey ? pem_of(pkey, 0) : NULL;
    auth_key_ring *signing = NULL, *public_ring = NULL;
    auth_issuer *issuer = NULL;
    auth_verifier *verifier = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    auth_error *error = NULL;
    double *t_bare = calloc((size_t)rounds, sizeof(double));
    double *t_claims = calloc((size_t)rounds, sizeof(double));
    double *t_auth = calloc((size_t)rounds, sizeof(double));
    static char token[4096];
    size_t len = 0;
    struct prepared p = {.c = c, .pkey = pkey, .token = token};
    if (!priv || !pub || !t_bare || !t_claims || !t_auth) {
        fprintf(stderr, "%s: key generation or allocation failed\n", c->name);
        goto done;
    }
    if (auth_key_ring_new(&signing) != AUTH_OK ||
        auth_key_ring_add_pem_for(signing, "k1", 2, c->auth_alg, priv, strlen(priv), &error) != AUTH_OK ||
        auth_issuer_new(signing, NULL, &issuer, &error) != AUTH_OK ||
        auth_key_ring_new(&public_ring) != AUTH_OK ||
        auth_key_ring_add_pem_for(public_ring, "k1", 2, c->auth_alg, pub, strlen(pub), &error) != AUTH_OK ||
        auth_verifier_new(public_ring, NULL, NULL, &verifier, &error) != AUTH_OK ||
        auth_mint_request_new_user(123456, "alice.martin", 12, false, "ACME-SMS", 8, &group, &req, &error) != AUTH_OK ||
        auth_mint_request_set_now(req, &now) != AUTH_OK ||
        auth_issuer_mint(issuer, req, &minted, &error) != AUTH_OK ||
        auth_minted_token(minted, token, sizeof token, &len) != AUTH_OK) {
        fprintf(stderr, "%s: auth-core setup failed%s%s\n", c->name, error ? ": " : "",
                error ? auth_error_message(error) : "");
        goto done;
    }
    const char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    p.input_len = (size_t)(dot2 - token);
    p.payload = dot1 + 1;
    p.payload_len = (size_t)(dot2 - dot1 - 1);
    p.sig_len = b64url_decode(dot2 + 1, strlen(dot2 + 1), p.sig, sizeof p.sig);
    if (!prepare_template(&p) || !openssl_with_claims(&p, (long)now) ||
        !auth_verify(verifier, token, len, &now)) {
        fprintf(stderr, "%s: a side refused the token before timing\n", c->name);
        goto done;
    }
    for (int r = 0; r < rounds; r++) {
        double t = now_ns();
        for (long i = 0; i < iterations; i++)
            if (!openssl_verify(&p)) goto refused;
        t_bare[r] = (now_ns() - t) / (double)iterations;
        t = now_ns();
        for (long i = 0; i < iterations; i++)
            if (!openssl_with_claims(&p, (long)now)) goto refused;
        t_claims[r] = (now_ns() - t) / (double)iterations;
        t = now_ns();
        for (long i = 0; i < iterations; i++)
            if (!auth_verify(verifier, token, len, &now)) goto refused;
        t_auth[r] = (now_ns() - t) / (double)iterations;
    }
    qsort(t_bare, (size_t)rounds, sizeof(double), cmp);
    qsort(t_claims, (size_t)rounds, sizeof(double), cmp);
    qsort(t_auth, (size_t)rounds, sizeof(double), cmp);
    printf("%s_openssl_bare_ns %.1f\n", c->name, t_bare[rounds / 2]);
    printf("%s_openssl_claims_ns %.1f\n", c->name, t_claims[rounds / 2]);
    printf("%s_auth_c_ns %.1f\n", c->name, t_auth[rounds / 2]);
    status = 0;
    goto done;
refused:
    fprintf(stderr, "%s: a side refused the token while timing\n", c->name);
done:
    free(t_bare);
    free(t_claims);
    free(t_auth);
    auth_error_free(error);
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_verifier_free(verifier);
    auth_issuer_free(issuer);
    auth_key_ring_free(public_ring);
    auth_key_ring_free(signing);
    if (priv) {
        OPENSSL_cleanse(priv, strlen(priv));
        free(priv);
    }
    free(pub);
    EVP_MD_CTX_free(p.template_ctx);
    EVP_MD_free(p.md);
    EVP_PKEY_free(pkey);
    return status;
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 500;
    int rounds = argc > 2 ? atoi(argv[2]) : 11;
    if (iterations <= 0 || rounds <= 0) {
        fprintf(stderr, "usage: compare_openssl [ITERATIONS [ROUNDS]]\n");
        return 2;
    }
    uint64_t now = (uint64_t)time(NULL);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (run_case(&CASES[i], iterations, rounds, now) != 0) return 1;
    return 0;
}
