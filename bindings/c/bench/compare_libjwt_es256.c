/*
 * auth-core's C API against libjwt 1.10 (Debian's libjwt-dev) on the same ES256 user token.
 *
 *   compare_libjwt_es256 [ITERATIONS [ROUNDS]]
 *
 * One P-256 key pair is generated with OpenSSL (a PKCS#8 private PEM and an SPKI public
 * PEM); auth-core mints ONE user token with the private key (the claims of the HS256 user
 * token of compare_libjwt.c). Both sides then verify it at the same `now` with the PUBLIC
 * key only:
 *  - libjwt: jwt_decode with the public PEM (signature and alg; libjwt reads the PEM on
 *    every call, its API takes no parsed key) + the claim checks auth-core makes on a user
 *    token (alg ES256, type "user", id, name, admin, sms_from, user_group_id, iat not in
 *    the future beyond 60 s, exp not reached, jti present) + jwt_free;
 *  - auth-core: auth_verifier_verify on a verifier whose key ring holds only the public
 *    key (all of the above, strictly) + auth_claims_free.
 * Every call must succeed: the program stops with a message at the first that does not.
 * Rounds alternate between the two so that both see the same machine load; the medians
 * of the per-call times are printed as `key value` lines (es256_*) that run.sh turns into
 * a table.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_core.h"
#include "bench_common.h"

static const char KID[] = "2026-01-es256";
static const char TOKEN_ID[] = "q5yJ0nN2B1xS8mVw4TzEaQ";

/* The PEM text a writer puts in a memory BIO, as a new NUL-terminated string (NULL on
 * failure). `private_key` selects PKCS#8 PRIVATE KEY, otherwise SPKI PUBLIC KEY. */
static char *pem_of(EVP_PKEY *pkey, int private_key) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) return NULL;
    char *out = NULL;
    int ok = private_key ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
                         : PEM_write_bio_PUBKEY(bio, pkey);
    char *data = NULL;
    long n = ok == 1 ? BIO_get_mem_data(bio, &data) : 0;
    if (n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
    }
    BIO_free(bio);
    return out;
}

/* libjwt decode + the same claim checks: 0 when valid, jwt_decode's error (an errno
 * value, > 0) when it refuses the token, -1 when a claim check fails. */
static int libjwt_verify(const char *token, const char *pub_pem, int pub_len, long now) {
    jwt_t *jwt = NULL;
    int ret = jwt_decode(&jwt, token, (const unsigned char *)pub_pem, pub_len);
    if (ret != 0) return ret > 0 ? ret : EINVAL;
    int bad = libjwt_user_claims_bad(jwt, JWT_ALG_ES256, now);
    jwt_free(jwt);
    return bad ? -1 : 0;
}

static auth_result auth_verify(const auth_verifier *verifier, const char *token, size_t len,
                               const uint64_t *now) {
    auth_claims *claims = NULL;
    auth_result r = auth_verifier_verify(verifier, token, len, now, NULL, 0, NULL, &claims, NULL);
    if (r == AUTH_OK) auth_claims_free(claims);
    return r;
}

static void report_libjwt(const char *when, int ret) {
    if (ret < 0)
        fprintf(stderr, "libjwt refused the ES256 token %s: a claim check failed\n", when);
    else
        fprintf(stderr, "libjwt refused the ES256 token %s: jwt_decode: %s\n", when, strerror(ret));
}

static void report_auth(const char *when, auth_result r) {
    fprintf(stderr, "auth-core refused the ES256 token %s: %s\n", when, auth_result_name(r));
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 100000;
    int rounds = argc > 2 ? atoi(argv[2]) : 11;
    if (iterations <= 0 || rounds <= 0) {
        fprintf(stderr, "usage: compare_libjwt_es256 [ITERATIONS [ROUNDS]]\n");
        return 2;
    }
    int status = 1;
    uint64_t now = (uint64_t)time(NULL);
    uint64_t group = 42;
    EVP_PKEY *pkey = NULL;
    char *priv_pem = NULL, *pub_pem = NULL;
    auth_key_ring *signing_ring = NULL, *public_ring = NULL;
    auth_issuer *issuer = NULL;
    auth_verifier *verifier = NULL;
    auth_mint_request *req = NULL;
    auth_minted *minted = NULL;
    auth_error *error = NULL;
    double *lj = NULL, *au = NULL;
    char token[2048];
    size_t len = 0, ring_len = 0;
    int pub_len = 0, lr = 0;
    auth_result ar = AUTH_OK;

    /* One P-256 key pair, as PEM: PKCS#8 private (auth-core mints) and SPKI public. */
    pkey = EVP_EC_gen("P-256");
    if (!pkey || !(priv_pem = pem_of(pkey, 1)) || !(pub_pem = pem_of(pkey, 0))) {
        fprintf(stderr, "generating the P-256 key pair with OpenSSL failed\n");
        goto done;
    }
    /* The minting ring holds the private key, the verifier's ring only the public one. */
    if (auth_key_ring_new(&signing_ring) != AUTH_OK ||
        auth_key_ring_add_pem(signing_ring, KID, strlen(KID), priv_pem, strlen(priv_pem), &error) != AUTH_OK ||
        auth_issuer_new(signing_ring, NULL, &issuer, &error) != AUTH_OK ||
        auth_key_ring_new(&public_ring) != AUTH_OK ||
        auth_key_ring_add_pem(public_ring, KID, strlen(KID), pub_pem, strlen(pub_pem), &error) != AUTH_OK ||
        auth_key_ring_len(public_ring, &ring_len) != AUTH_OK || ring_len != 1 ||
        auth_verifier_new(public_ring, NULL, NULL, &verifier, &error) != AUTH_OK ||
        auth_mint_request_new_user(123456, "alice.martin", 12, false, "ACME-SMS", 8, &group, &req, &error) != AUTH_OK ||
        auth_mint_request_set_now(req, &now) != AUTH_OK ||
        auth_mint_request_set_token_id(req, TOKEN_ID, strlen(TOKEN_ID), &error) != AUTH_OK ||
        auth_issuer_mint(issuer, req, &minted, &error) != AUTH_OK ||
        auth_minted_token(minted, token, sizeof token, &len) != AUTH_OK) {
        fprintf(stderr, "setting up the auth-core side failed%s%s\n", error ? ": " : "",
                error ? auth_error_message(error) : "");
        goto done;
    }
    pub_len = (int)strlen(pub_pem);

    /* Both must accept the token before anything is timed. */
    lr = libjwt_verify(token, pub_pem, pub_len, (long)now);
    if (lr != 0) {
        report_libjwt("before timing", lr);
        goto done;
    }
    ar = auth_verify(verifier, token, len, &now);
    if (ar != AUTH_OK) {
        report_auth("before timing", ar);
        goto done;
    }

    lj = calloc((size_t)rounds, sizeof *lj);
    au = calloc((size_t)rounds, sizeof *au);
    if (!lj || !au) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    for (int r = 0; r < rounds; r++) {
        double t = now_ns();
        for (long i = 0; i < iterations; i++) {
            if ((lr = libjwt_verify(token, pub_pem, pub_len, (long)now)) != 0) {
                report_libjwt("while timing", lr);
                goto done;
            }
        }
        lj[r] = (now_ns() - t) / (double)iterations;
        t = now_ns();
        for (long i = 0; i < iterations; i++) {
            if ((ar = auth_verify(verifier, token, len, &now)) != AUTH_OK) {
                report_auth("while timing", ar);
                goto done;
            }
        }
        au[r] = (now_ns() - t) / (double)iterations;
    }
    qsort(lj, (size_t)rounds, sizeof *lj, cmp);
    qsort(au, (size_t)rounds, sizeof *au, cmp);
    printf("es256_token %s\n", token);
    printf("es256_token_bytes %zu\n", len);
    printf("es256_now %llu\n", (unsigned long long)now);
    printf("es256_libjwt_ns %.1f\n", lj[rounds / 2]);
    printf("es256_auth_c_ns %.1f\n", au[rounds / 2]);
    status = 0;

done:
    free(lj);
    free(au);
    auth_error_free(error);
    auth_minted_free(minted);
    auth_mint_request_free(req);
    auth_verifier_free(verifier);
    auth_issuer_free(issuer);
    auth_key_ring_free(public_ring);
    auth_key_ring_free(signing_ring);
    if (priv_pem) {
        OPENSSL_cleanse(priv_pem, strlen(priv_pem));
        free(priv_pem);
    }
    free(pub_pem);
    EVP_PKEY_free(pkey);
    return status;
}
