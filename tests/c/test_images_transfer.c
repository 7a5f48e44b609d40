/* Pull, push and credential resolution through the C surface: NULL pointers and bad input
 * (errors, never crashes or leaks), then real pushes and pulls on the test registries with a
 * progress callback, cancellation, text mode, credentials given, refused and found through
 * DOCKER_CONFIG. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "check.h"

/* Counts progress deliveries; checks each JSON delivery is one line; stops after `stop_after`
 * (0 = never). */
struct progress {
    int calls;
    int bad_lines;
    int stop_after;
    int saw_pull_complete;
    size_t bytes;
};

static int on_progress(void *userdata, const uint8_t *buf, size_t len) {
    struct progress *p = (struct progress *)userdata;
    size_t i, newlines = 0;
    p->calls++;
    p->bytes += len;
    for (i = 0; i < len; i++) {
        if (buf[i] == '\n') newlines++;
    }
    if (len == 0 || buf[len - 1] != '\n' || newlines != 1) p->bad_lines++;
    if (len >= 13) {
        for (i = 0; i + 13 <= len; i++) {
            if (memcmp(buf + i, "Pull complete", 13) == 0) p->saw_pull_complete = 1;
        }
    }
    return (p->stop_after && p->calls >= p->stop_after) ? 1 : 0;
}

static void docker(const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "DOCKER_CONFIG=%s/cli-config docker -H %s %s >/dev/null",
             test_env("DC_TEST_DIR"), test_env("DC_TEST_UNIX"), args);
    CHECK(system(cmd) == 0, "%s", cmd);
}

static void null_and_bad_input(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    static const char *bad_pulls[] = {
        NULL,                                         /* no image */
        "",                                           /* no image */
        "{",                                          /* not JSON */
        "[]",                                         /* not an object */
        "{\"image\": \"UPPER/case\"}",
        "{\"image\": \"a::b\"}",
        "{\"image\": \"name@notadigest\"}",
        "{\"image\": \"\"}",
        "{\"image\": 5}",
        "{\"image\": \"x\", \"imagee\": 1}",          /* unknown key */
        "{\"image\": \"x\", \"auth\": {\"username\": \"u\", \"Password\": \"p\"}}",
        "{\"image\": \"x\", \"platform\": \"linux//amd64\"}",
        "{\"image\": \"x\", \"progress\": \"yaml\"}",
        "{\"image\": \"x:1\", \"all_tags\": true}",
        "{\"image\": \"x\", \"tag\": \"\"}",
        "{\"image\": \"x\", \"inactivity_timeout_ms\": -1}",
    };
    static const char *bad_names[] = {"UPPER/case", "a::b", "name@notadigest", "", "x@sha256:00"};
    size_t i;

    CHECK_STATUS(dc_image_pull(NULL, "{\"image\": \"x\"}", NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_image_pull(c, "{\"image\": \"x\"}", NULL, NULL, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK(dc_image_pull(c, "{\"image\": \"A\"}", NULL, NULL, &out, NULL) == DC_INVALID_ARGUMENT, "NULL err");
    CHECK_STATUS(dc_image_push(NULL, "x", NULL, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_image_push(c, NULL, NULL, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_image_push(c, "x", NULL, NULL, NULL, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_auth_resolve(NULL, "127.0.0.1:1", NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_auth_resolve(NULL, "\xff", &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK(out == NULL, "out stays NULL on failure");

    for (i = 0; i < sizeof bad_pulls / sizeof bad_pulls[0]; i++) {
        out = (char *)0x1;
        {
            dc_status s = dc_image_pull(c, bad_pulls[i], NULL, NULL, &out, &err);
            CHECK(s == DC_INVALID_ARGUMENT, "pull %s: %s (%s)", bad_pulls[i] ? bad_pulls[i] : "NULL",
                  dc_status_name(s), err ? dc_error_message(err) : "");
        }
        CHECK(out == NULL, "out cleared");
        CHECK(err && strlen(dc_error_message(err)) > 0, "a message");
        dc_error_free(err);
        err = NULL;
    }
    /* The message names what is wrong. */
    dc_image_pull(c, "{\"image\": \"x\", \"auth\": {\"username\": \"u\", \"Password\": \"p\"}}", NULL, NULL, &out, &err);
    CHECK(err && strstr(dc_error_message(err), "Password") != NULL, "names the key: %s", dc_error_message(err));
    dc_error_free(err);
    err = NULL;
    dc_image_pull(c, "{\"image\": \"UPPER/case\"}", NULL, NULL, &out, &err);
    CHECK(err && strstr(dc_error_message(err), "lowercase") != NULL, "says why: %s", dc_error_message(err));
    dc_error_free(err);
    err = NULL;

    for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        dc_status s = dc_image_push(c, bad_names[i], NULL, NULL, NULL, &out, &err);
        CHECK(s == DC_INVALID_ARGUMENT, "push %s: %s", bad_names[i], dc_status_name(s));
        dc_error_free(err);
        err = NULL;
    }
    CHECK_STATUS(dc_image_push(c, "x", "{\"tag\": \"1\", \"all_tags\": true}", NULL, NULL, &out, &err), err,
                 DC_INVALID_ARGUMENT);
    dc_client_free(c);

    /* A pinned old API version: platform is unsupported, refused before any request. */
    {
        char opts[1024];
        snprintf(opts, sizeof opts, "{\"host\": \"%s\", \"api_version\": \"1.31\"}", test_env("DC_TEST_UNIX"));
        CHECK(dc_client_new(opts, &c, &err) == DC_OK, "client 1.31");
        CHECK_STATUS(dc_image_pull(c, "{\"image\": \"x\", \"platform\": \"linux/amd64\"}", NULL, NULL, &out, &err),
                     err, DC_UNSUPPORTED);
        CHECK_STATUS(dc_image_push(c, "x", "{\"platform\": \"linux/amd64\"}", NULL, NULL, &out, &err), err,
                     DC_UNSUPPORTED);
        dc_client_free(c);
    }
}

/* Push the base image to the open registry, remove it, pull it back, with progress. */
static void push_and_pull_with_progress(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    char name[256], args[512], opts[1024];
    struct progress p;

    snprintf(name, sizeof name, "%s/dc-c-transfer-%ld:v1", test_env("DC_TEST_REGISTRY"), (long)getpid());
    snprintf(args, sizeof args, "tag %s %s", test_env("DC_TEST_BASE_IMAGE"), name);
    docker(args);

    memset(&p, 0, sizeof p);
    CHECK_STATUS(dc_image_push(c, name, NULL, on_progress, &p, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"digest\":\"sha256:") && strstr(out, "\"tag\":\"v1\""), "push result %s", out ? out : "");
    CHECK(p.calls >= 3 && p.bad_lines == 0, "push progress: %d calls, %d bad", p.calls, p.bad_lines);
    dc_string_free(out);
    out = NULL;

    snprintf(args, sizeof args, "rmi %s", name);
    docker(args);

    memset(&p, 0, sizeof p);
    snprintf(opts, sizeof opts, "{\"image\": \"%s\", \"aggregate\": true}", name);
    CHECK_STATUS(dc_image_pull(c, opts, on_progress, &p, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"new\":true") && strstr(out, "\"id\":\"sha256:"), "pull result %s", out ? out : "");
    CHECK(p.calls >= 3 && p.bad_lines == 0, "pull progress: %d calls, %d bad", p.calls, p.bad_lines);
    dc_string_free(out);
    out = NULL;

    /* No callback: allowed. Up to date now. */
    CHECK_STATUS(dc_image_pull(c, opts, NULL, NULL, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"new\":false"), "up to date: %s", out ? out : "");
    dc_string_free(out);
    out = NULL;

    /* Cancel at the first message, then the client goes on. */
    memset(&p, 0, sizeof p);
    p.stop_after = 1;
    CHECK_STATUS(dc_image_pull(c, opts, on_progress, &p, &out, &err), err, DC_CANCELLED);
    CHECK(p.calls == 1, "no call after stop: %d", p.calls);
    CHECK(out == NULL, "no result on cancel");
    CHECK_STATUS(dc_image_push(c, name, "{\"progress\": \"text\"}", NULL, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;

    /* Unknown tag: not found. */
    snprintf(opts, sizeof opts, "{\"image\": \"%s/dc-c-transfer-%ld:nope\"}", test_env("DC_TEST_REGISTRY"), (long)getpid());
    CHECK_STATUS(dc_image_pull(c, opts, on_progress, &p, &out, &err), err, DC_NOT_FOUND);

    snprintf(args, sizeof args, "rmi %s", name);
    docker(args);
    dc_client_free(c);
}

/* Text mode of a pull that downloads layers: "<id>: Pull complete" lines. */
static void text_mode_pull(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    char name[256], args[1024], opts[512], tar[512];
    struct progress p;

    snprintf(name, sizeof name, "%s/dc-c-text-%ld:v1", test_env("DC_TEST_REGISTRY"), (long)getpid());
    /* An image with a layer of its own: a one-file tarball of random bytes, imported. */
    snprintf(tar, sizeof tar, "%s/dc-c-text-%ld.tar", test_env("DC_TEST_DIR"), (long)getpid());
    snprintf(args, sizeof args, "cd %s && head -c 65536 /dev/urandom > dc-c-text-%ld.bin && "
             "tar cf %s dc-c-text-%ld.bin && rm dc-c-text-%ld.bin",
             test_env("DC_TEST_DIR"), (long)getpid(), tar, (long)getpid(), (long)getpid());
    CHECK(system(args) == 0, "%s", args);
    snprintf(args, sizeof args, "import %s %s", tar, name);
    docker(args);
    remove(tar);
    CHECK_STATUS(dc_image_push(c, name, NULL, NULL, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;
    snprintf(args, sizeof args, "rmi %s", name);
    docker(args);

    memset(&p, 0, sizeof p);
    snprintf(opts, sizeof opts, "{\"image\": \"%s\", \"progress\": \"text\"}", name);
    CHECK_STATUS(dc_image_pull(c, opts, on_progress, &p, &out, &err), err, DC_OK);
    CHECK(p.saw_pull_complete, "a Pull complete line in text mode");
    CHECK(p.bad_lines == 0, "each text delivery is one line");
    dc_string_free(out);
    snprintf(args, sizeof args, "rmi %s", name);
    docker(args);
    dc_client_free(c);
}

/* The htpasswd registry: explicit credentials, a wrong password, and DOCKER_CONFIG. */
static void credentials(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    char name[256], args[512], opts[1024], dir[512], path[600], cmd[2048];
    FILE *f;
    const char *reg = test_env("DC_TEST_AUTH_REGISTRY");
    const char *user = test_env("DC_TEST_REGISTRY_USER");
    const char *password = test_env("DC_TEST_REGISTRY_PASSWORD");

    snprintf(name, sizeof name, "%s/dc-c-auth-%ld:v1", reg, (long)getpid());
    snprintf(args, sizeof args, "tag %s %s", test_env("DC_TEST_BASE_IMAGE"), name);
    docker(args);

    snprintf(opts, sizeof opts, "{\"auth\": {\"username\": \"%s\", \"password\": \"%s\"}}", user, password);
    CHECK_STATUS(dc_image_push(c, name, opts, NULL, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;

    snprintf(opts, sizeof opts, "{\"image\": \"%s\", \"auth\": {\"username\": \"%s\", \"password\": \"WrongPw-123\"}}",
             name, user);
    CHECK(dc_image_pull(c, opts, NULL, NULL, &out, &err) == DC_UNAUTHORIZED, "wrong password");
    CHECK(err && strstr(dc_error_json(err), "WrongPw-123") == NULL, "no password in the error");
    dc_error_free(err);
    err = NULL;

    /* Credentials through DOCKER_CONFIG (this test is single-threaded: setenv is safe). */
    snprintf(dir, sizeof dir, "%s/dc-c-auth-config-%ld", test_env("DC_TEST_DIR"), (long)getpid());
    snprintf(cmd, sizeof cmd, "mkdir -p %s && printf '{\"auths\":{\"%s\":{\"auth\":\"%%s\"}}}' "
             "\"$(printf '%%s:%%s' '%s' '%s' | base64 -w0)\" > %s/config.json", dir, reg, user, password, dir);
    CHECK(system(cmd) == 0, "write config");
    setenv("DOCKER_CONFIG", dir, 1);
    CHECK_STATUS(dc_image_push(c, name, NULL, NULL, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;

    CHECK_STATUS(dc_auth_resolve(NULL, reg, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"found\":true") && strstr(out, "\"has_password\":true") &&
              strstr(out, "\"source\":\"auths\""), "resolve: %s", out ? out : "");
    CHECK(out && strstr(out, password) == NULL, "no password in dc_auth_resolve: %s", out ? out : "");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_auth_resolve(c, "docker.io", &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"found\":false") && strstr(out, "https://index.docker.io/v1/"), "hub: %s",
          out ? out : "");
    dc_string_free(out);
    out = NULL;

    /* A config file that is not JSON: an error naming the file; nothing pulled. */
    snprintf(path, sizeof path, "%s/config.json", dir);
    f = fopen(path, "w");
    CHECK(f != NULL, "open %s", path);
    if (f) {
        fputs("{\"auths\": oops", f);
        fclose(f);
    }
    snprintf(opts, sizeof opts, "{\"image\": \"%s\"}", name);
    CHECK(dc_image_pull(c, opts, NULL, NULL, &out, &err) == DC_INVALID_ARGUMENT, "bad config");
    CHECK(err && strstr(dc_error_message(err), path) != NULL, "names the file: %s", err ? dc_error_message(err) : "");
    dc_error_free(err);
    err = NULL;
    CHECK_STATUS(dc_auth_resolve(NULL, reg, &out, &err), err, DC_INVALID_ARGUMENT);
    unsetenv("DOCKER_CONFIG");
    remove(path);
    rmdir(dir);

    snprintf(args, sizeof args, "rmi %s", name);
    docker(args);
    dc_client_free(c);
}

int main(void) {
    null_and_bad_input();
    push_and_pull_with_progress();
    text_mode_pull();
    credentials();
    DONE();
}
