/*
 * What the C test programs share: the CHECK tally and the reader of the flattened vectors
 * (bindings/c/tests/flatten_vectors.py: one record a line, a kind then space-separated
 * fields; "x" + hex is a text, "-" is null, anything else a number).
 *
 * Include it once per program, after the system headers (it defines static state).
 */
#ifndef AUTH_TEST_SUITE_H
#define AUTH_TEST_SUITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static int passed, failed;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) {                                                             \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            fprintf(stderr, "FAIL %s:%d (%s): ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

/* ---------------------------------------------------------------- fields */

typedef struct {
    char *p;    /* decoded bytes, NUL-terminated for convenience; NULL when null */
    size_t len;
    bool null;
    bool is_num;
    uint64_t num;
    int64_t snum;
} field;

#define MAX_FIELDS 64

typedef struct {
    char kind[32];
    field f[MAX_FIELDS];
    size_t n;
} record;

static inline int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static inline void record_clear(record *r) {
    for (size_t i = 0; i < r->n; i++) free(r->f[i].p);
    memset(r, 0, sizeof *r);
}

/* Parses one line into a record; returns false at end of file. */
static inline bool read_record(FILE *in, record *r) {
    static char *line = NULL;
    static size_t cap = 0;
    record_clear(r);
    ssize_t got = getline(&line, &cap, in);
    if (got < 0) {
        free(line);
        line = NULL;
        cap = 0;
        return false;
    }
    char *save = NULL;
    char *tok = strtok_r(line, " \n", &save);
    if (!tok) return read_record(in, r);
    snprintf(r->kind, sizeof r->kind, "%s", tok);
    while ((tok = strtok_r(NULL, " \n", &save)) && r->n < MAX_FIELDS) {
        field *f = &r->f[r->n++];
        if (strcmp(tok, "-") == 0) {
            f->null = true;
        } else if (tok[0] == 'x') {
            size_t hl = strlen(tok + 1);
            f->len = hl / 2;
            f->p = malloc(f->len + 1);
            for (size_t i = 0; i < f->len; i++)
                f->p[i] = (char)(hexval(tok[1 + 2 * i]) * 16 + hexval(tok[2 + 2 * i]));
            f->p[f->len] = 0;
        } else {
            f->is_num = true;
            if (tok[0] == '-') {
                f->snum = strtoll(tok, NULL, 10);
                f->num = (uint64_t)f->snum;
            } else {
                f->num = strtoull(tok, NULL, 10);
                f->snum = (int64_t)f->num;
            }
        }
    }
    return true;
}

static inline bool field_eq(const field *f, const char *s, size_t len) {
    return !f->null && f->len == len && memcmp(f->p, s, len) == 0;
}

#endif /* AUTH_TEST_SUITE_H */
