/*
 * What the libjwt comparisons (compare_libjwt.c, compare_libjwt_es256.c) share: the median's
 * sort order, a monotonic clock in nanoseconds, and the claim checks auth-core makes on a user
 * token, written for libjwt.
 */
#ifndef AUTH_CORE_BENCH_COMMON_H
#define AUTH_CORE_BENCH_COMMON_H

#include <errno.h>
#include <jwt.h>
#include <string.h>
#include <time.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* The checks auth-core makes on a user token, on a token libjwt decoded: the algorithm,
 * type "user", id, name, admin, sms_from, user_group_id, iat not in the future beyond 60 s,
 * exp not reached, jti present. 0 when all pass. */
static int libjwt_user_claims_bad(jwt_t *jwt, jwt_alg_t alg, long now) {
    int bad = 0;
    if (jwt_get_alg(jwt) != alg) bad = 1;
    const char *type = jwt_get_grant(jwt, "type");
    if (!type || strcmp(type, "user") != 0) bad = 1;
    errno = 0;
    long id = jwt_get_grant_int(jwt, "id");
    if (errno || id < 0) bad = 1;
    if (!jwt_get_grant(jwt, "name")) bad = 1;
    errno = 0;
    (void)jwt_get_grant_bool(jwt, "admin");
    if (errno) bad = 1;
    (void)jwt_get_grant(jwt, "sms_from");
    errno = 0;
    (void)jwt_get_grant_int(jwt, "user_group_id");
    errno = 0;
    long iat = jwt_get_grant_int(jwt, "iat");
    if (errno || iat > now + 60) bad = 1;
    errno = 0;
    long exp = jwt_get_grant_int(jwt, "exp");
    if (errno || now >= exp) bad = 1;
    const char *jti = jwt_get_grant(jwt, "jti");
    if (!jti || !*jti) bad = 1;
    return bad;
}

#endif
