/* Which daemon, through the C surface and under valgrind: docker contexts made by the docker
 * CLI (named by the "context" option, DOCKER_CONTEXT and currentContext), dc_client_endpoint's
 * report, refused contexts, and an ssh:// host (the private sshd of scripts/test-remote.sh,
 * reached through the system ssh found on PATH): the same daemon as the engine's socket, a
 * save over it, ssh's own words when it fails. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <unistd.h>

#include "check.h"

static char cfg[] = "/tmp/dc-c-contexts-XXXXXX";

static void cli(const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "env -u DOCKER_HOST -u DOCKER_CONTEXT DOCKER_CONFIG=%s docker %s >/dev/null 2>&1", cfg, args);
    CHECK(system(cmd) == 0, "%s", cmd);
}

/* The daemon's ID from /info ("" when the call failed); static buffer. */
static const char *daemon_id(dc_client *c) {
    static char id[256];
    dc_error *err = NULL;
    char *out = NULL;
    const char *at;
    id[0] = '\0';
    CHECK_STATUS(dc_system_info(c, &out, &err), err, DC_OK);
    at = out ? strstr(out, "\"ID\":\"") : NULL;
    if (at) {
        const char *end = strchr(at + 6, '"');
        snprintf(id, sizeof id, "%.*s", end ? (int)(end - (at + 6)) : 0, at + 6);
    }
    dc_string_free(out);
    return id;
}

static dc_client *new_client(const char *opts, dc_status want) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    dc_status s = dc_client_new(opts, &c, &err);
    CHECK(s == want, "dc_client_new(%s): %s %s", opts ? opts : "NULL", dc_status_name(s), err ? dc_error_message(err) : "");
    dc_error_free(err);
    return c;
}

static void check_endpoint(dc_client *c, const char *want1, const char *want2) {
    dc_error *err = NULL;
    char *out = NULL;
    CHECK_STATUS(dc_client_endpoint(c, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, want1) && (!want2 || strstr(out, want2)), "endpoint %s, want %s and %s", out ? out : "(null)",
          want1, want2 ? want2 : "");
    dc_string_free(out);
}

static void contexts(void) {
    char args[2048], opts[1024], engine_id[256];
    const char *certs = test_env("DC_TEST_CERTS");
    dc_client *c;
    dc_error *err = NULL;
    char *out = NULL;

    c = test_client();
    snprintf(engine_id, sizeof engine_id, "%s", daemon_id(c));
    dc_client_free(c);

    CHECK(mkdtemp(cfg) != NULL, "mkdtemp");
    snprintf(args, sizeof args, "context create sock --docker host=%s", test_env("DC_TEST_UNIX"));
    cli(args);
    snprintf(args, sizeof args, "context create tls --docker host=%s,ca=%s/ca.pem,cert=%s/cert.pem,key=%s/key.pem",
             test_env("DC_TEST_TLS"), certs, certs, certs);
    cli(args);

    /* The "context" option, with the config directory named by "docker_config". (No TLS
     * traffic here: valgrind cannot follow ring's assembly and reports its output as
     * uninitialised; tests/contexts.rs talks TLS through the same context.) */
    snprintf(opts, sizeof opts, "{\"context\": \"tls\", \"docker_config\": \"%s\"}", cfg);
    c = new_client(opts, DC_OK);
    check_endpoint(c, "\"source\":\"context:tls\"", "\"verify\":true");
    check_endpoint(c, "/contexts/tls/", "\"host\":\"https://127.0.0.1:");
    dc_client_free(c);
    snprintf(opts, sizeof opts, "{\"context\": \"sock\", \"docker_config\": \"%s\"}", cfg);
    c = new_client(opts, DC_OK);
    CHECK(strcmp(daemon_id(c), engine_id) == 0, "the engine through the sock context");
    dc_client_free(c);

    /* DOCKER_CONTEXT, then currentContext; DOCKER_HOST beats both. */
    setenv("DOCKER_CONFIG", cfg, 1);
    unsetenv("DOCKER_HOST");
    setenv("DOCKER_CONTEXT", "sock", 1);
    c = new_client(NULL, DC_OK);
    CHECK(strcmp(daemon_id(c), engine_id) == 0, "the engine through DOCKER_CONTEXT");
    check_endpoint(c, "\"source\":\"context:sock\"", "\"tls\":null");
    dc_client_free(c);
    unsetenv("DOCKER_CONTEXT");
    cli("context use tls");
    c = new_client("", DC_OK);
    check_endpoint(c, "\"source\":\"context:tls\"", "https://");
    dc_client_free(c);
    setenv("DOCKER_HOST", "unix:///nowhere/docker.sock", 1);
    c = new_client(NULL, DC_OK);
    check_endpoint(c, "\"source\":\"DOCKER_HOST\"", "unix:///nowhere/docker.sock");
    dc_client_free(c);
    unsetenv("DOCKER_HOST");

    /* Refused, naming what. */
    c = NULL;
    CHECK(dc_client_new("{\"context\": \"nosuch\"}", &c, &err) == DC_INVALID_ARGUMENT && c == NULL, "unknown context");
    CHECK(err && strstr(dc_error_message(err), "context \"nosuch\" not found"), "%s", err ? dc_error_message(err) : "");
    dc_error_free(err);
    err = NULL;
    setenv("DOCKER_CONTEXT", "no/such", 1);
    CHECK(dc_client_new(NULL, &c, &err) == DC_INVALID_ARGUMENT, "bad name");
    CHECK(err && strstr(dc_error_message(err), "DOCKER_CONTEXT"), "%s", err ? dc_error_message(err) : "");
    dc_error_free(err);
    err = NULL;
    unsetenv("DOCKER_CONTEXT");
    new_client("{\"context\": \"sock\", \"host\": \"unix:///x\"}", DC_INVALID_ARGUMENT);
    new_client("{\"context\": 7}", DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_client_endpoint(NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    c = test_client();
    CHECK_STATUS(dc_client_endpoint(c, NULL, &err), err, DC_INVALID_ARGUMENT);
    dc_client_free(c);
    unsetenv("DOCKER_CONFIG");
    snprintf(args, sizeof args, "rm -rf %s", cfg);
    CHECK(system(args) == 0, "cleanup");
}

static int count_bytes(void *userdata, const uint8_t *buf, size_t len) {
    (void)buf;
    *(size_t *)userdata += len;
    return 0;
}

static void ssh_host(void) {
    const char *host = test_env("DC_TEST_SSH_HOST");
    char path[4096], opts[1024], engine_id[256];
    const char *old_path = getenv("PATH");
    dc_client *c;
    dc_error *err = NULL;
    size_t saved = 0;

    c = test_client();
    snprintf(engine_id, sizeof engine_id, "%s", daemon_id(c));
    dc_client_free(c);

    snprintf(path, sizeof path, "%s:%s", test_env("DC_TEST_SSH_BIN"), old_path ? old_path : "/usr/bin:/bin");
    setenv("PATH", path, 1);
    snprintf(opts, sizeof opts, "{\"host\": \"%s\"}", host);
    c = new_client(opts, DC_OK);
    CHECK(strcmp(daemon_id(c), engine_id) == 0, "the engine over ssh");
    check_endpoint(c, "\"host\":\"ssh://", "\"source\":\"option\"");
    snprintf(opts, sizeof opts, "{\"names\": [\"%s\"]}", test_env("DC_TEST_BASE_IMAGE"));
    CHECK_STATUS(dc_image_save(c, opts, count_bytes, &saved, &err), err, DC_OK);
    CHECK(saved > 100000, "saved %zu bytes over ssh", saved);
    dc_client_free(c);

    /* ssh failing: its words, as DC_TRANSPORT. */
    snprintf(path, sizeof path, "%s:%s", test_env("DC_TEST_SSH_BIN_UNKNOWN_HOST"), old_path ? old_path : "/usr/bin:/bin");
    setenv("PATH", path, 1);
    snprintf(opts, sizeof opts, "{\"host\": \"%s\"}", host);
    c = new_client(opts, DC_OK);
    {
        char *out = NULL;
        dc_status s = dc_system_ping(c, &out, &err);
        CHECK(s == DC_TRANSPORT && err && strstr(dc_error_message(err), "Host key verification failed"), "%s: %s",
              dc_status_name(s), err ? dc_error_message(err) : "");
        dc_error_free(err);
        err = NULL;
        dc_string_free(out);
    }
    dc_client_free(c);
    if (old_path) setenv("PATH", old_path, 1);
    new_client("{\"host\": \"ssh://user:password@h\"}", DC_INVALID_ARGUMENT);
}

int main(void) {
    contexts();
    ssh_host();
    DONE();
}
