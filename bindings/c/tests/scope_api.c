/* The scope API's edges, run by test_scopes.c, which includes this file after the vector
 * runners (it uses their `ring`, `vocab`, `issuer` and `verifier`): NULL arguments, bad
 * input, caller buffers, ownership (what each handle keeps of the others), mint requests
 * with scopes, the required scope surviving into the error and its answers, the OAuth
 * answer style, and one requirement shared by threads. */

static const uint64_t kNow = 1700000000;

/* Mints a user token with `issuer_` and `names` (NULL: unscoped); its text into `token`. */
static auth_result mint(const auth_issuer *issuer_, const auth_str *names, size_t n, char *token, size_t cap,
                        size_t *len) {
    auth_mint_request *req = NULL;
    auth_minted *m = NULL;
    auth_result rc = auth_mint_request_new_user(7, "alice", 5, false, NULL, 0, NULL, &req, NULL);
    if (rc == AUTH_OK) rc = auth_mint_request_set_now(req, &kNow);
    if (rc == AUTH_OK && names) rc = auth_mint_request_set_scopes(req, names, n, NULL);
    if (rc == AUTH_OK) rc = auth_issuer_mint(issuer_, req, &m, NULL);
    if (rc == AUTH_OK) rc = auth_minted_token(m, token, cap, len);
    auth_minted_free(m);
    auth_mint_request_free(req);
    return rc;
}

static void test_vocabulary_edges(void) {
    auth_scope_vocabulary *v = NULL;
    auth_error *err = NULL;
    CHECK(auth_scope_vocabulary_new(NULL, 0, &v, &err) == AUTH_NULL_ARGUMENT && v == NULL, "NULL json");
    CHECK(err && strstr(auth_error_message(err), "json") != NULL, "the message names the argument");
    auth_error_free(err);
    CHECK(auth_scope_vocabulary_new("{}", 2, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL vocabulary_out");
    CHECK(auth_scope_vocabulary_new("{\"\xff\": {}}", strlen("{\"\xff\": {}}"), &v, NULL) == AUTH_INVALID_UTF8, "not UTF-8");
    CHECK(auth_scope_vocabulary_new("{\"a\": {}} trailing", 18, &v, NULL) == AUTH_INVALID_SCOPE, "not strict JSON");
    CHECK(auth_scope_vocabulary_new("{\"a\": {}}", 9, &v, NULL) == AUTH_OK && v != NULL, "one name");
    auth_scope_vocabulary_free(v);
    auth_scope_vocabulary_free(NULL);

    bool out = false;
    CHECK(auth_scope_vocabulary_holds(NULL, NULL, 0, "sms", 3, &out, NULL) == AUTH_NULL_ARGUMENT, "NULL vocab");
    CHECK(auth_scope_vocabulary_holds(vocab, NULL, 0, NULL, 0, &out, NULL) == AUTH_NULL_ARGUMENT, "NULL name");
    CHECK(auth_scope_vocabulary_holds(vocab, NULL, 0, "sms", 3, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL out");
    CHECK(auth_scope_vocabulary_holds(vocab, "a  b", 4, "sms", 3, &out, NULL) == AUTH_INVALID_SCOPE, "bad held");
    CHECK(auth_scope_vocabulary_holds(vocab, NULL, 0, "\xff", 1, &out, NULL) == AUTH_INVALID_UTF8, "bad name");
    struct {
        const char *held, *name;
        bool want;
    } holds[] = {{NULL, "account", true},      {NULL, "billing", false},  {"sms", "sms:send", true},
                 {"sms:send", "sms", false},   {"sms", "account", false}, {"legacy", "legacy", true},
                 {"legacy", "account", false}, {"account sms", "sms:read", true}};
    for (size_t i = 0; i < sizeof holds / sizeof holds[0]; i++) {
        const char *held = holds[i].held;
        out = !holds[i].want;
        CHECK(auth_scope_vocabulary_holds(vocab, held, held ? strlen(held) : 0, holds[i].name,
                                          strlen(holds[i].name), &out, NULL) == AUTH_OK &&
                  out == holds[i].want,
              "%s holds %s: %d", held ? held : "(no claim)", holds[i].name, out);
    }
    /* "account\0x" is one name with a NUL inside: data, not declared. */
    CHECK(auth_scope_vocabulary_holds(vocab, NULL, 0, "account\0x", 9, &out, NULL) == AUTH_OK && !out,
          "a NUL inside a name is data");

    char buf[8];
    size_t len = 0;
    bool present = false;
    CHECK(auth_scope_vocabulary_narrow(vocab, NULL, 0, "sms tokens", 10, NULL, buf, sizeof buf, &len, NULL) ==
              AUTH_NULL_ARGUMENT,
          "narrow: NULL present");
    CHECK(auth_scope_vocabulary_narrow(NULL, NULL, 0, NULL, 0, &present, buf, sizeof buf, &len, NULL) ==
              AUTH_NULL_ARGUMENT,
          "narrow: NULL vocabulary");
    CHECK(auth_scope_vocabulary_narrow(vocab, NULL, 0, "sms tokens", 10, &present, NULL, 0, &len, NULL) ==
                  AUTH_INSUFFICIENT_SIZE &&
              len == 10 && present,
          "narrow: a size query gives the length and presence");
    CHECK(auth_scope_vocabulary_narrow(vocab, NULL, 0, "sms tokens", 10, &present, buf, sizeof buf, &len, NULL) ==
                  AUTH_INSUFFICIENT_SIZE &&
              len == 10,
          "narrow: a short buffer");
    present = true;
    CHECK(auth_scope_vocabulary_narrow(vocab, NULL, 0, NULL, 0, &present, buf, sizeof buf, &len, NULL) == AUTH_OK &&
              !present && len == 0 && buf[0] == 0,
          "narrow: no claim and nothing asked is unscoped");
    CHECK(auth_scope_vocabulary_narrow(vocab, "sms", 3, "", 0, &present, buf, sizeof buf, &len, NULL) ==
              AUTH_INVALID_SCOPE,
          "narrow: an empty requested text");
    CHECK(auth_scope_text_canonical("b a", 3, buf, sizeof buf, &len, NULL) == AUTH_OK && strcmp(buf, "a b") == 0,
          "canonical");
    CHECK(auth_scope_text_canonical(NULL, 0, buf, sizeof buf, &len, NULL) == AUTH_NULL_ARGUMENT, "canonical NULL");
    CHECK(auth_scope_text_canonical("abcdefghij", 10, buf, sizeof buf, &len, NULL) == AUTH_INSUFFICIENT_SIZE &&
              len == 10,
          "canonical: short buffer");
}

static void test_requirement_edges(void) {
    auth_required_scopes *req = NULL;
    auth_str names[2] = {str("sms:send"), str("account")}, bad = {NULL, 3};
    auth_error *err = NULL;
    CHECK(auth_required_scopes_new(NULL, names, 2, &req, NULL) == AUTH_NULL_ARGUMENT, "NULL vocabulary");
    CHECK(auth_required_scopes_new(vocab, NULL, 1, &req, NULL) == AUTH_NULL_ARGUMENT, "NULL names, count 1");
    CHECK(auth_required_scopes_new(vocab, &bad, 1, &req, NULL) == AUTH_NULL_ARGUMENT, "a NULL name");
    CHECK(auth_required_scopes_new(vocab, names, 2, NULL, NULL) == AUTH_NULL_ARGUMENT, "NULL required_out");
    auth_str odd[2] = {str("account"), {"\xff", 1}};
    CHECK(auth_required_scopes_new(vocab, odd, 2, &req, NULL) == AUTH_INVALID_UTF8, "not UTF-8");
    odd[1] = str("billing");
    CHECK(auth_required_scopes_new(vocab, odd, 2, &req, &err) == AUTH_INVALID_SCOPE, "undeclared");
    CHECK(err && strstr(auth_error_message(err), "`billing`"), "names it: %s", err ? auth_error_message(err) : "");
    auth_error_free(err);
    err = NULL;
    odd[1] = str("account");
    CHECK(auth_required_scopes_new(vocab, odd, 2, &req, NULL) == AUTH_INVALID_SCOPE && req == NULL, "twice");

    /* nothing required: NULL with 0 */
    char buf[64];
    size_t len = 99;
    CHECK(auth_required_scopes_new(vocab, NULL, 0, &req, NULL) == AUTH_OK, "nothing required");
    CHECK(auth_required_scopes_names(req, buf, sizeof buf, &len) == AUTH_OK && len == 0, "no names");
    CHECK(auth_required_scopes_check(req, "sms", 3, NULL) == AUTH_OK, "anything satisfies it");
    auth_required_scopes_free(req);
    req = NULL;

    /* freeing the vocabulary leaves the requirement working */
    auth_scope_vocabulary *v = NULL;
    const char *json = "{\"sms\": {\"includes\": [\"sms:send\"]}, \"sms:send\": {}, \"account\": {}}";
    CHECK(auth_scope_vocabulary_new(json, strlen(json), &v, NULL) == AUTH_OK, "own vocabulary");
    CHECK(auth_required_scopes_new(v, names, 2, &req, NULL) == AUTH_OK, "requirement");
    auth_scope_vocabulary_free(v);
    CHECK(auth_required_scopes_names(req, buf, sizeof buf, &len) == AUTH_OK && strcmp(buf, "account sms:send") == 0,
          "names sorted: %s", buf);
    CHECK(auth_required_scopes_names(req, buf, 4, &len) == AUTH_INSUFFICIENT_SIZE && len == 16, "short buffer");
    CHECK(auth_required_scopes_check(req, "account sms", 11, NULL) == AUTH_OK, "held through sms");
    CHECK(auth_required_scopes_check(req, NULL, 0, NULL) == AUTH_OK, "no claim holds everything");
    CHECK(auth_required_scopes_check(req, "sms", 3, &err) == AUTH_INSUFFICIENT_SCOPE, "account missing");
    bool present = false;
    CHECK(auth_error_required_scope(err, &present, buf, sizeof buf, &len) == AUTH_OK && present &&
              strcmp(buf, "account sms:send") == 0,
          "the error carries the whole requirement: %s", buf);
    CHECK(auth_error_code(err) == AUTH_INSUFFICIENT_SCOPE && auth_error_http_status(err) == 403, "403");
    CHECK(strstr(auth_error_message(err), "`account`") != NULL, "the message names the missing scope");
    auth_error_free(err);
    err = NULL;
    CHECK(auth_required_scopes_check(req, "sms ", 4, &err) == AUTH_INVALID_SCOPE, "a held text with a space");
    auth_error_free(err);
    CHECK(auth_required_scopes_check(NULL, NULL, 0, NULL) == AUTH_NULL_ARGUMENT, "NULL required");
    CHECK(auth_required_scopes_names(NULL, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "names of NULL");
    auth_required_scopes_free(req);
    auth_required_scopes_free(NULL);

    /* exact: no vocabulary, no hierarchy */
    auth_str exact[1] = {str("legacy:v1")};
    req = NULL;
    CHECK(auth_required_scopes_new_exact(exact, 1, &req, NULL) == AUTH_OK, "exact");
    CHECK(auth_required_scopes_check(req, "legacy:v1 sms", 13, NULL) == AUTH_OK, "named exactly");
    CHECK(auth_required_scopes_check(req, "legacy", 6, NULL) == AUTH_INSUFFICIENT_SCOPE, "nothing includes it");
    auth_required_scopes_free(req);
    exact[0] = str("a b");
    CHECK(auth_required_scopes_new_exact(exact, 1, &req, NULL) == AUTH_INVALID_SCOPE, "exact: a bad name");
    CHECK(auth_required_scopes_new_exact(NULL, 1, &req, NULL) == AUTH_NULL_ARGUMENT, "exact: NULL names");
    CHECK(auth_required_scopes_new_exact(exact, 1, NULL, NULL) == AUTH_NULL_ARGUMENT, "exact: NULL out");
}

static void test_minting_with_scopes(void) {
    auth_str names[2] = {str("sms"), str("account")};
    char token[2048], buf[64];
    size_t len = 0;
    /* an issuer that declares nothing refuses every scoped mint; ours (with the vocabulary) mints */
    auth_issuer *plain = NULL, *copy = NULL;
    CHECK(auth_issuer_new(ring, NULL, &plain, NULL) == AUTH_OK, "plain issuer");
    CHECK(mint(plain, names, 2, token, sizeof token, &len) == AUTH_INVALID_SCOPE, "undeclared in a plain issuer");
    CHECK(mint(plain, NULL, 0, token, sizeof token, &len) == AUTH_OK, "unscoped from a plain issuer");
    CHECK(auth_issuer_with_scopes(NULL, vocab, &copy, NULL) == AUTH_NULL_ARGUMENT, "with_scopes: NULL issuer");
    CHECK(auth_issuer_with_scopes(plain, NULL, &copy, NULL) == AUTH_NULL_ARGUMENT, "with_scopes: NULL vocabulary");
    CHECK(auth_issuer_with_scopes(plain, vocab, NULL, NULL) == AUTH_NULL_ARGUMENT, "with_scopes: NULL out");
    /* the derived issuer keeps its own copy of the vocabulary and outlives the original */
    auth_scope_vocabulary *v = NULL;
    const char *two = "{\"sms\": {}, \"account\": {}}";
    CHECK(auth_scope_vocabulary_new(two, strlen(two), &v, NULL) == AUTH_OK, "vocabulary");
    CHECK(auth_issuer_with_scopes(plain, v, &copy, NULL) == AUTH_OK && copy != NULL, "with_scopes");
    auth_scope_vocabulary_free(v);
    auth_issuer_free(plain);
    CHECK(mint(copy, names, 2, token, sizeof token, &len) == AUTH_OK, "scoped mint after both are freed");
    auth_issuer_free(copy);

    auth_claims *claims = NULL;
    bool present = false;
    CHECK(auth_verifier_verify(verifier, token, len, &kNow, NULL, 0, NULL, &claims, NULL) == AUTH_OK, "verifies");
    CHECK(auth_claims_scope(claims, &present, buf, sizeof buf, &len) == AUTH_OK && present &&
              strcmp(buf, "account sms") == 0,
          "scope claim %s", buf);
    CHECK(auth_claims_scope(claims, &present, buf, 4, &len) == AUTH_INSUFFICIENT_SIZE && len == 11 && present,
          "scope claim: short buffer");
    CHECK(auth_claims_scope(claims, NULL, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "NULL present");
    CHECK(auth_claims_scope(NULL, &present, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "NULL claims");
    auth_claims_free(claims);

    /* set_scopes: checked when called; NULL with 0 clears; the request is unchanged on failure */
    auth_mint_request *req = NULL;
    auth_error *err = NULL;
    CHECK(auth_mint_request_new_reseller(1, "r", 1, &req, NULL) == AUTH_OK, "request");
    CHECK(auth_mint_request_set_scopes(NULL, names, 2, NULL) == AUTH_NULL_ARGUMENT, "NULL request");
    CHECK(auth_mint_request_set_scopes(req, NULL, 2, NULL) == AUTH_NULL_ARGUMENT, "NULL names with a count");
    CHECK(auth_mint_request_set_scopes(req, names, 0, &err) == AUTH_INVALID_SCOPE, "an empty list");
    auth_error_free(err);
    CHECK(auth_mint_request_set_scopes(req, names, 2, NULL) == AUTH_OK, "set");
    auth_str bad[2] = {str("sms"), str("sms send")};
    CHECK(auth_mint_request_set_scopes(req, bad, 2, NULL) == AUTH_INVALID_SCOPE, "a bad name");
    auth_minted *m = NULL;
    CHECK(auth_issuer_mint(issuer, req, &m, NULL) == AUTH_OK &&
              auth_claims_scope(auth_minted_claims(m), &present, buf, sizeof buf, &len) == AUTH_OK && present &&
              strcmp(buf, "account sms") == 0,
          "a refused set_scopes left the request as it was");
    auth_minted_free(m);
    m = NULL;
    CHECK(auth_mint_request_set_scopes(req, NULL, 0, NULL) == AUTH_OK, "clear");
    CHECK(auth_issuer_mint(issuer, req, &m, NULL) == AUTH_OK &&
              auth_claims_scope(auth_minted_claims(m), &present, buf, sizeof buf, &len) == AUTH_OK && !present &&
              len == 0,
          "cleared: unscoped");
    auth_minted_free(m);
    m = NULL;
    bad[1] = str("billing");
    CHECK(auth_mint_request_set_scopes(req, bad, 2, NULL) == AUTH_OK, "names are checked for form only here");
    CHECK(auth_issuer_mint(issuer, req, &m, &err) == AUTH_INVALID_SCOPE && m == NULL, "undeclared at mint");
    CHECK(err && strstr(auth_error_message(err), "billing"), "names it");
    auth_error_free(err);
    auth_mint_request_free(req);

    /* a token request's scopes */
    auth_token_request *tr = NULL;
    const char *body = "{\"token\": {\"name\": \"ci\", \"scopes\": [\"sms:send\", \"account\"]}}";
    CHECK(auth_token_request_parse(body, strlen(body), AUTH_FORMAT_JSON, &tr, NULL) == AUTH_OK, "parse");
    CHECK(auth_token_request_scopes(tr, &present, buf, sizeof buf, &len) == AUTH_OK && present &&
              strcmp(buf, "account sms:send") == 0,
          "requested scopes %s", buf);
    auth_token_request_free(tr);
    body = "<token><name>ci</name></token>";
    CHECK(auth_token_request_parse(body, strlen(body), AUTH_FORMAT_XML, &tr, NULL) == AUTH_OK, "parse XML");
    CHECK(auth_token_request_scopes(tr, &present, buf, sizeof buf, &len) == AUTH_OK && !present, "none asked");
    CHECK(auth_token_request_scopes(NULL, &present, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "NULL request");
    auth_token_request_free(tr);
}

static void test_errors_and_answers(void) {
    auth_str need[1] = {str("account")}, held[1] = {str("sms:send")};
    auth_required_scopes *req = NULL;
    CHECK(auth_required_scopes_new(vocab, need, 1, &req, NULL) == AUTH_OK, "requirement");
    char token[2048], buf[128];
    size_t len = 0;
    CHECK(mint(issuer, held, 1, token, sizeof token, &len) == AUTH_OK, "mint sms:send");
    auth_claims *claims = NULL;
    auth_error *err = NULL;
    CHECK(auth_verifier_verify_scoped(verifier, token, len, &kNow, NULL, 0, NULL, NULL, &claims, NULL) == AUTH_OK,
          "nothing required (NULL)");
    auth_claims_free(claims);
    claims = NULL;
    CHECK(auth_verifier_verify_scoped(verifier, token, len, &kNow, NULL, 0, NULL, req, &claims, &err) ==
                  AUTH_INSUFFICIENT_SCOPE &&
              claims == NULL,
          "insufficient scope");
    CHECK(answers_with(err, "Bearer error=\"insufficient_scope\", scope=\"account\""), "every style: 403 + scope");
    auth_answer *a = NULL;
    const char *body = NULL;
    CHECK(auth_error_answer(err, AUTH_ANSWER_OAUTH, NULL, 0, &a) == AUTH_OK &&
              auth_answer_body(a, &body, &len) == AUTH_OK &&
              strncmp(body, "{\"error\":\"insufficient_scope\"", 29) == 0,
          "the OAuth body: %s", body ? body : "");
    auth_answer_free(a);
    CHECK(auth_error_answer(err, AUTH_ANSWER_AUTH_REQUEST, NULL, 0, &a) == AUTH_OK &&
              auth_answer_body(a, &body, &len) == AUTH_OK && len == 0,
          "auth_request: no body");
    auth_answer_free(a);
    CHECK(auth_error_answer(err, AUTH_ANSWER_OAUTH + 1, NULL, 0, &a) == AUTH_INVALID_ENUM, "style 6");
    bool present = false;
    CHECK(auth_error_required_scope(err, &present, NULL, 0, &len) == AUTH_INSUFFICIENT_SIZE && present && len == 7,
          "required_scope size query");
    CHECK(auth_error_required_scope(err, NULL, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "NULL present");
    CHECK(auth_error_required_scope(NULL, &present, buf, sizeof buf, &len) == AUTH_NULL_ARGUMENT, "NULL error");
    auth_error_free(err);
    err = NULL;

    /* an error made from a code: a challenge without the scope attribute */
    CHECK(auth_error_new(AUTH_INSUFFICIENT_SCOPE, &err) == AUTH_OK, "host-made error");
    CHECK(auth_error_required_scope(err, &present, buf, sizeof buf, &len) == AUTH_OK && !present && len == 0,
          "no requirement");
    CHECK(answers_with(err, "Bearer error=\"insufficient_scope\""), "bare insufficient_scope challenge");
    auth_error_free(err);
    CHECK(auth_error_new(AUTH_INVALID_SCOPE, &err) == AUTH_OK && auth_error_http_status(err) == 400, "invalid_scope");
    CHECK(auth_error_required_scope(err, &present, buf, sizeof buf, &len) == AUTH_OK && !present, "not 403");
    auth_error_free(err);
    CHECK(strcmp(auth_result_name(AUTH_INSUFFICIENT_SCOPE), "insufficient_scope") == 0 &&
              strcmp(auth_result_name(AUTH_INVALID_SCOPE), "invalid_scope") == 0,
          "names of the new codes");
    /* OAuth style: failed client credentials are challenged with Basic */
    CHECK(auth_error_new(AUTH_INVALID_CREDENTIALS, &err) == AUTH_OK, "credentials");
    CHECK(auth_error_answer(err, AUTH_ANSWER_OAUTH, NULL, 0, &a) == AUTH_OK && auth_answer_status(a) == 401 &&
              challenge_is(a, "Basic realm=\"oauth\", charset=\"UTF-8\"") &&
              auth_answer_body(a, &body, &len) == AUTH_OK && strstr(body, "\"invalid_client\"") != NULL,
          "OAuth: 401 Basic, invalid_client");
    auth_answer_free(a);
    auth_error_free(err);
    auth_required_scopes_free(req);
}

typedef struct {
    const char *token;
    size_t len;
    const auth_required_scopes *ok, *short_of;
    long agreed;
} thread_job;

static void *scope_thread(void *arg) {
    thread_job *job = arg;
    for (int i = 0; i < 200; i++) {
        auth_claims *c = NULL;
        bool fine = auth_verifier_verify_scoped(verifier, job->token, job->len, &kNow, NULL, 0, NULL, job->ok, &c,
                                                NULL) == AUTH_OK;
        auth_claims_free(c);
        c = NULL;
        auth_error *err = NULL;
        fine = fine && auth_verifier_verify_scoped(verifier, job->token, job->len, &kNow, NULL, 0, NULL,
                                                   job->short_of, &c, &err) == AUTH_INSUFFICIENT_SCOPE;
        auth_error_free(err);
        job->agreed += fine;
    }
    return NULL;
}

static void test_threads(void) {
    auth_str sms[1] = {str("sms")}, send[1] = {str("sms:send")}, tokens_[1] = {str("tokens")};
    char token[2048];
    size_t len = 0;
    auth_required_scopes *ok = NULL, *short_of = NULL;
    CHECK(mint(issuer, sms, 1, token, sizeof token, &len) == AUTH_OK, "mint sms");
    CHECK(auth_required_scopes_new(vocab, send, 1, &ok, NULL) == AUTH_OK, "sms:send");
    CHECK(auth_required_scopes_new(vocab, tokens_, 1, &short_of, NULL) == AUTH_OK, "tokens");
    pthread_t th[4];
    thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (thread_job){token, len, ok, short_of, 0};
        pthread_create(&th[i], NULL, scope_thread, &jobs[i]);
    }
    long total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += jobs[i].agreed;
    }
    CHECK(total == 800, "two requirements shared by 4 threads: %ld of 800", total);
    auth_required_scopes_free(ok);
    auth_required_scopes_free(short_of);
}

static void test_scope_api(void) {
    test_vocabulary_edges();
    test_requirement_edges();
    test_minting_with_scopes();
    test_errors_and_answers();
    test_threads();
}
