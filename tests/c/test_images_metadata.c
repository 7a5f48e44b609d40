/* The image metadata calls through the C surface: NULL pointers and bad input for every
 * function (errors naming the problem, never crashes or leaks, nothing sent: bad input is also
 * tried on a client whose daemon cannot be reached, where anything sent would be a transport
 * error), then real calls on the test engine: list, inspect and history of the base image, tag
 * then list then remove, not found, conflict, commit, prune with a label filter. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "check.h"

static void docker(const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "DOCKER_CONFIG=%s/cli-config docker -H %s %s >/dev/null 2>&1",
             test_env("DC_TEST_DIR"), test_env("DC_TEST_UNIX"), args);
    CHECK(system(cmd) == 0, "%s", cmd);
}

/* Runs `docker <args>` and returns its first output line (or "" on failure); static buffer. */
static const char *docker_line(const char *args) {
    static char line[512];
    char cmd[2048];
    FILE *p;
    size_t n;
    snprintf(cmd, sizeof cmd, "DOCKER_CONFIG=%s/cli-config docker -H %s %s 2>/dev/null",
             test_env("DC_TEST_DIR"), test_env("DC_TEST_UNIX"), args);
    line[0] = '\0';
    p = popen(cmd, "r");
    if (!p) return line;
    if (!fgets(line, sizeof line, p)) line[0] = '\0';
    pclose(p);
    n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    return line;
}

/* A client whose endpoint nothing listens on: a request would fail with DC_TRANSPORT. */
static dc_client *unreachable_client(void) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    CHECK(dc_client_new("{\"host\": \"tcp://127.0.0.1:1\", \"api_version\": \"1.41\"}", &c, &err) == DC_OK,
          "client: %s", err ? dc_error_message(err) : "");
    dc_error_free(err);
    return c;
}

/* Calls one operation by name: the functions differ only in which arguments they take. */
static dc_status run(const char *op, dc_client *c, const char *name, const char *opts, char **out, dc_error **err) {
    if (strcmp(op, "list") == 0) return dc_image_list(c, opts, out, err);
    if (strcmp(op, "inspect") == 0) return dc_image_inspect(c, name, opts, out, err);
    if (strcmp(op, "history") == 0) return dc_image_history(c, name, opts, out, err);
    if (strcmp(op, "tag") == 0) return dc_image_tag(c, name, opts, err);
    if (strcmp(op, "remove") == 0) return dc_image_remove(c, name, opts, out, err);
    if (strcmp(op, "prune") == 0) return dc_image_prune(c, opts, out, err);
    if (strcmp(op, "search") == 0) return dc_image_search(c, opts, out, err);
    if (strcmp(op, "distribution") == 0) return dc_image_distribution(c, name, opts, out, err);
    if (strcmp(op, "commit") == 0) return dc_image_commit(c, opts, out, err);
    return DC_INTERNAL;
}

static const char *ops[] = {"list", "inspect", "history", "tag", "remove", "prune", "search", "distribution", "commit"};
#define N_OPS (sizeof ops / sizeof ops[0])

static int takes_name(const char *op) {
    return strcmp(op, "inspect") == 0 || strcmp(op, "history") == 0 || strcmp(op, "tag") == 0 ||
           strcmp(op, "remove") == 0 || strcmp(op, "distribution") == 0;
}

/* Valid options for each operation, so that only the argument under test is wrong. */
static const char *good_options(const char *op) {
    if (strcmp(op, "tag") == 0) return "{\"repo\": \"dc-c-meta-copy\"}";
    if (strcmp(op, "search") == 0) return "{\"term\": \"x\"}";
    if (strcmp(op, "commit") == 0) return "{\"container\": \"c\"}";
    return NULL;
}

/* Checks one call is DC_INVALID_ARGUMENT, says `says`, and left *out NULL. */
static void expect_invalid(const char *op, dc_client *c, const char *name, const char *opts, const char *says) {
    dc_error *err = NULL;
    char *out = (char *)0x1;
    dc_status s = run(op, c, name, opts, &out, &err);
    const char *shown = opts ? opts : "NULL";
    CHECK(s == DC_INVALID_ARGUMENT, "%s %.80s: %s (%s)", op, shown, dc_status_name(s), err ? dc_error_message(err) : "");
    CHECK(err != NULL && dc_error_status(err) == DC_INVALID_ARGUMENT, "%s: an error object", op);
    if (err && says) {
        CHECK(strstr(dc_error_message(err), says) != NULL, "%s %.80s: \"%s\" lacks \"%s\"", op, shown,
              dc_error_message(err), says);
    }
    if (strcmp(op, "tag") != 0) CHECK(out == NULL, "%s: out cleared on failure", op);
    dc_error_free(err);
}

static void null_pointers(void) {
    dc_client *c = unreachable_client();
    dc_error *err = NULL;
    char *out = NULL;
    size_t i;

    for (i = 0; i < N_OPS; i++) {
        const char *op = ops[i];
        const char *name = strcmp(op, "distribution") == 0 ? "127.0.0.1:5000/x:1" : "x";
        /* NULL client. */
        CHECK_STATUS(run(op, NULL, name, good_options(op), &out, &err), err, DC_INVALID_ARGUMENT);
        /* NULL out (tag has none). */
        if (strcmp(op, "tag") != 0) {
            CHECK_STATUS(run(op, c, name, good_options(op), NULL, &err), err, DC_INVALID_ARGUMENT);
        }
        /* NULL err is allowed: the status alone. */
        CHECK(run(op, NULL, name, good_options(op), &out, NULL) == DC_INVALID_ARGUMENT, "%s NULL err", op);
        /* NULL name. */
        if (takes_name(op)) expect_invalid(op, c, NULL, good_options(op), "image name is NULL");
    }
    CHECK(out == NULL, "out never set");
    dc_client_free(c);
}

static void bad_input(void) {
    dc_client *c = unreachable_client();
    char *huge = malloc(300 * 1024 + 1);
    char *huge_opts = malloc(300 * 1024 + 64);
    static const char bad_utf8[] = {'b', 'u', 's', 'y', (char)0xff, (char)0xfe, '\0'};
    static const char bad_utf8_opts[] = {'{', '"', 'a', 'l', 'l', '"', ':', '"', (char)0xc3, '"', '}', '\0'};
    size_t i;

    memset(huge, 'a', 300 * 1024);
    huge[300 * 1024] = '\0';
    snprintf(huge_opts, 300 * 1024 + 64, "{\"term\": \"%s\"}", huge);

    for (i = 0; i < N_OPS; i++) {
        const char *op = ops[i];
        if (takes_name(op)) {
            expect_invalid(op, c, "", good_options(op), "empty");
            expect_invalid(op, c, huge, good_options(op), "bytes long");
            expect_invalid(op, c, bad_utf8, good_options(op), "not valid UTF-8");
            expect_invalid(op, c, "../containers/x", good_options(op), "\"..\"");
        }
        expect_invalid(op, c, "x", "[]", "must be a JSON object");
        expect_invalid(op, c, "x", "42", "must be a JSON object");
        expect_invalid(op, c, "x", "{\"all\": ", "not valid JSON");
        expect_invalid(op, c, "x", "{\"no_such_key\": 1}", "no_such_key");
        expect_invalid(op, c, "x", bad_utf8_opts, "not valid UTF-8");
    }
    /* Wrong types, negative and out-of-range numbers, bad values: the message names the key. */
    expect_invalid("list", c, NULL, "{\"all\": \"yes\"}", "\"all\"");
    expect_invalid("list", c, NULL, "{\"digests\": 1}", "\"digests\"");
    expect_invalid("list", c, NULL, "{\"filters\": {\"label\": \"x\"}}", "label");
    expect_invalid("list", c, NULL, "{\"filters\": {\"dangling\": [\"yes\"]}}", "dangling");
    expect_invalid("list", c, NULL, "{\"identity\": true}", "manifests");
    expect_invalid("inspect", c, "x", "{\"platform\": \"linux\"}", "platform");
    expect_invalid("inspect", c, "x", "{\"manifests\": \"true\"}", "\"manifests\"");
    expect_invalid("history", c, "x", "{\"platform\": [\"linux/amd64\"]}", "platform");
    expect_invalid("tag", c, "x", NULL, "\"repo\" is missing");
    expect_invalid("tag", c, "x", "{\"repo\": 5}", "\"repo\"");
    expect_invalid("tag", c, "x", "{\"repo\": \"dc-c@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "digest");
    expect_invalid("tag", c, "x", "{\"repo\": \"dc-c\", \"tag\": \"sha256:abc\"}", "digest");
    expect_invalid("remove", c, "x", "{\"force\": \"yes\"}", "\"force\"");
    expect_invalid("remove", c, "x", "{\"noprune\": null, \"platforms\": []}", "empty list");
    expect_invalid("prune", c, NULL, "{\"filters\": {\"until\": 3}}", "until");
    expect_invalid("search", c, NULL, NULL, "\"term\" is missing");
    expect_invalid("search", c, NULL, "{\"term\": \"x\", \"limit\": -1}", "\"limit\"");
    expect_invalid("search", c, NULL, "{\"term\": \"x\", \"limit\": 1000}", "\"limit\" 1000");
    expect_invalid("search", c, NULL, "{\"term\": \"x\", \"limit\": 2.5}", "\"limit\"");
    expect_invalid("search", c, NULL, "{\"term\": \"x\", \"filters\": {\"stars\": [\"many\"]}}", "stars");
    expect_invalid("search", c, NULL, "{\"term\": \"x\", \"auth\": {\"username\": \"u\", \"pasword\": \"p\"}}", "pasword");
    expect_invalid("search", c, NULL, huge_opts, "bytes long");
    expect_invalid("distribution", c, "Not/A/Reference", NULL, "reference");
    expect_invalid("commit", c, NULL, NULL, "\"container\" is missing");
    expect_invalid("commit", c, NULL, "{\"container\": \"c\", \"changes\": {\"ENV\": \"a\"}}", "changes");
    expect_invalid("commit", c, NULL, "{\"container\": \"c\", \"tag\": \"1\"}", "needs \"repo\"");
    expect_invalid("commit", c, NULL, "{\"container\": \"c\", \"config\": \"Env=1\"}", "config");

    /* An option the pinned version lacks: unsupported, still nothing sent (pinned: no ping). */
    {
        dc_error *err = NULL;
        char *out = NULL;
        CHECK_STATUS(dc_image_list(c, "{\"shared_size\": true}", &out, &err), err, DC_UNSUPPORTED);
        dc_image_list(c, "{\"shared_size\": true}", &out, &err);
        CHECK(err && strstr(dc_error_message(err), "1.42") && strstr(dc_error_message(err), "shared_size"),
              "names option and version: %s", err ? dc_error_message(err) : "");
        dc_error_free(err);
    }
    /* And a valid call on that client is a transport error: the proof the checks above sent nothing. */
    {
        dc_error *err = NULL;
        char *out = NULL;
        CHECK_STATUS(dc_image_list(c, NULL, &out, &err), err, DC_TRANSPORT);
    }
    free(huge);
    free(huge_opts);
    dc_client_free(c);
}

static void real_calls(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    char repo[128], ref[192], opts[512], args[512], container[128];
    const char *base = test_env("DC_TEST_BASE_IMAGE");
    long pid = (long)getpid();

    /* List: an array holding the base image. */
    CHECK_STATUS(dc_image_list(c, NULL, &out, &err), err, DC_OK);
    CHECK(out && out[0] == '[' && strstr(out, base), "list holds %s", base);
    dc_string_free(out);
    out = NULL;
    snprintf(opts, sizeof opts, "{\"all\": true, \"digests\": true, \"filters\": {\"reference\": [\"%s\"]}}", base);
    CHECK_STATUS(dc_image_list(c, opts, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"RepoDigests\"") && strstr(out, base), "filtered list: %s", out ? out : "");
    dc_string_free(out);
    out = NULL;

    /* Inspect and history of the base image. */
    CHECK_STATUS(dc_image_inspect(c, base, NULL, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"Id\":\"sha256:") && strstr(out, "\"RootFS\""), "inspect: %.200s", out ? out : "");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_image_history(c, base, "", &out, &err), err, DC_OK);
    CHECK(out && out[0] == '[' && strstr(out, "\"CreatedBy\""), "history: %.200s", out ? out : "");
    dc_string_free(out);
    out = NULL;

    /* Not found. */
    snprintf(ref, sizeof ref, "dc-c-meta-missing-%ld:nope", pid);
    CHECK_STATUS(dc_image_inspect(c, ref, NULL, &out, &err), err, DC_NOT_FOUND);
    dc_image_history(c, ref, NULL, &out, &err);
    CHECK(err && dc_error_http_status(err) == 404 && strstr(dc_error_message(err), "No such image"),
          "the daemon's message: %s", err ? dc_error_message(err) : "");
    dc_error_free(err);
    err = NULL;
    CHECK_STATUS(dc_image_remove(c, ref, NULL, &out, &err), err, DC_NOT_FOUND);
    CHECK_STATUS(dc_image_tag(c, ref, "{\"repo\": \"dc-c-meta-never\"}", &err), err, DC_NOT_FOUND);
    CHECK(out == NULL, "no output on failure");

    /* Tag, see it listed, remove it: only untagged, the base image stays. */
    snprintf(repo, sizeof repo, "dc-c-meta-%ld", pid);
    snprintf(ref, sizeof ref, "%s:t1", repo);
    snprintf(opts, sizeof opts, "{\"repo\": \"%s\", \"tag\": \"t1\"}", repo);
    CHECK_STATUS(dc_image_tag(c, base, opts, &err), err, DC_OK);
    snprintf(opts, sizeof opts, "{\"filters\": {\"reference\": [\"%s\"]}}", ref);
    CHECK_STATUS(dc_image_list(c, opts, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, ref), "the new tag is listed: %s", out ? out : "");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_image_remove(c, ref, NULL, &out, &err), err, DC_OK);
    snprintf(args, sizeof args, "[{\"Untagged\":\"%s\"}]", ref);
    CHECK(out && strncmp(out, args, strlen(args)) == 0 && !strstr(out, "Deleted"), "remove result %s, want %s", out ? out : "", args);
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_image_inspect(c, base, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;

    /* Commit a container with changes; the image is in use: removing it is a conflict. */
    snprintf(args, sizeof args, "create --network none %s true", base);
    snprintf(container, sizeof container, "%s", docker_line(args));
    CHECK(strlen(container) == 64, "container created: %s", container);
    snprintf(ref, sizeof ref, "%s:committed", repo);
    snprintf(opts, sizeof opts,
             "{\"container\": \"%s\", \"repo\": \"%s\", \"tag\": \"committed\", \"comment\": \"from C\","
             " \"changes\": [\"ENV DC_C_META=1\", \"LABEL dc.c.meta=%ld\"]}",
             container, repo, pid);
    CHECK_STATUS(dc_image_commit(c, opts, &out, &err), err, DC_OK);
    CHECK(out && strncmp(out, "{\"Id\":\"sha256:", 14) == 0, "commit result %s", out ? out : "");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_image_inspect(c, ref, NULL, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "DC_C_META=1") && strstr(out, "\"Comment\":\"from C\""), "committed image: %.300s",
          out ? out : "");
    dc_string_free(out);
    out = NULL;
    snprintf(args, sizeof args, "rm %s", container);
    docker(args);
    snprintf(args, sizeof args, "create --network none %s true", ref);
    snprintf(container, sizeof container, "%s", docker_line(args));
    dc_image_remove(c, ref, NULL, &out, &err);
    CHECK(err && dc_error_status(err) == DC_CONFLICT && dc_error_http_status(err) == 409 &&
              strstr(dc_error_message(err), "container"),
          "conflict: %s", err ? dc_error_message(err) : "no error");
    dc_error_free(err);
    err = NULL;
    snprintf(args, sizeof args, "rm %s", container);
    docker(args);
    CHECK_STATUS(dc_image_remove(c, ref, "{\"force\": true}", &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"Deleted\":\"sha256:"), "deleted: %s", out ? out : "");
    dc_string_free(out);
    out = NULL;

    /* Prune with a label no other image carries: nothing to delete, a well-formed answer. */
    snprintf(opts, sizeof opts, "{\"filters\": {\"label\": [\"dc.c.meta.none=%ld\"]}}", pid);
    CHECK_STATUS(dc_image_prune(c, opts, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"SpaceReclaimed\":0"), "prune: %s", out ? out : "");
    dc_string_free(out);
    out = NULL;

    dc_client_free(c);
}

int main(void) {
    null_pointers();
    bad_input();
    real_calls();
    DONE();
}
