/* The rest of the image domain through the C surface, under valgrind: disk usage, build-cache
 * prune, image events (replayed with "until", stopped by the callback, cancelled from another
 * thread), kept logins and logouts, attestations. Bad input first, on a client whose daemon
 * cannot be reached (anything sent would be DC_TRANSPORT), then real calls on the test engine
 * and its htpasswd registry. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* A client whose endpoint nothing listens on, pinned to the test engine's API version. */
static dc_client *unreachable_client(void) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    CHECK_STATUS(dc_client_new("{\"host\": \"tcp://127.0.0.1:1\", \"api_version\": \"1.41\"}", &c, &err), err, DC_OK);
    return c;
}

static int count_event(void *userdata, const uint8_t *buf, size_t len) {
    (void)buf;
    (void)len;
    ++*(int *)userdata;
    return 0;
}

static void bad_input(void) {
    dc_client *c = unreachable_client();
    dc_error *err = NULL;
    char *out = NULL;
    int n = 0;

    CHECK_STATUS(dc_system_df(NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_df(c, NULL, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_df(c, "{\"type\": [\"images\"]}", &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_df(c, "{\"type\": [\"image\"]}", &out, &err), err, DC_UNSUPPORTED); /* 1.42+ */
    CHECK_STATUS(dc_system_df(c, "{\"typo\": 1}", &out, &err), err, DC_INVALID_ARGUMENT);

    CHECK_STATUS(dc_build_prune(NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_build_prune(c, "{\"filters\": {\"inuse\": [\"true\"]}}", &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_build_prune(c, "{\"filters\": {\"id\": [\"a\", \"b\"]}}", &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_build_prune(c, "{\"min_free_space\": 1}", &out, &err), err, DC_UNSUPPORTED); /* 1.48+ */
    CHECK_STATUS(dc_build_prune(c, "{\"keep_storage\": 1, \"reserved_space\": 1}", &out, &err), err,
                 DC_INVALID_ARGUMENT);

    CHECK_STATUS(dc_image_attestations(c, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_image_attestations(c, "app:1", "{\"platform\": \"linux//\"}", &out, &err), err,
                 DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_image_attestations(c, "app:1", NULL, &out, &err), err, DC_UNSUPPORTED); /* 1.55+ */

    CHECK_STATUS(dc_system_events(NULL, NULL, count_event, &n, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_events(c, NULL, NULL, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_events(c, "{\"since\": \"yesterday\"}", count_event, &n, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_events(c, "{\"filters\": {\"kind\": [\"image\"]}}", count_event, &n, &err), err,
                 DC_INVALID_ARGUMENT);
    CHECK(n == 0, "no event delivered on bad input");

    CHECK_STATUS(dc_auth_login(c, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_auth_login(c, "{\"username\": \"u\"}", NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_auth_login(c, "{\"username\": \"u\", \"password\": \"p\"}", "{\"x\": 1}", &out, &err), err,
                 DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_auth_logout(NULL, "r", NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_auth_logout(c, "r", "{\"x\": 1}", &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_auth_logout(c, "r", NULL, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK(out == NULL, "no result on failure");
    dc_client_free(c);
}

static void disk_usage_and_build_cache(dc_client *c) {
    dc_error *err = NULL;
    char *out = NULL;

    CHECK_STATUS(dc_system_df(c, NULL, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"LayersSize\"") && strstr(out, "\"Images\"") && strstr(out, "\"BuildCache\""), "df: %.200s",
          out ? out : "(null)");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_build_prune(c, "{\"all\": true, \"filters\": {\"inuse\": []}}", &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_build_prune(c, "{\"all\": true}", &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"SpaceReclaimed\""), "prune: %s", out ? out : "(null)");
    dc_string_free(out);
}

/* Collects the "Action" of each event into one comma-separated line. */
struct actions {
    char line[512];
    int stop_after; /* > 0: ask to stop after that many events */
    int seen;
};

static int collect_action(void *userdata, const uint8_t *buf, size_t len) {
    struct actions *a = userdata;
    char event[4096];
    const char *at;
    size_t n = len < sizeof event - 1 ? len : sizeof event - 1;
    memcpy(event, buf, n);
    event[n] = '\0';
    CHECK(n > 0 && event[n - 1] == '\n', "one JSON object and a newline per call");
    at = strstr(event, "\"Action\":\"");
    if (at) {
        size_t used = strlen(a->line);
        const char *end = strchr(at + 10, '"');
        int w = end ? (int)(end - (at + 10)) : 0;
        snprintf(a->line + used, sizeof a->line - used, "%s%.*s", used ? "," : "", w, at + 10);
    }
    a->seen++;
    return a->stop_after > 0 && a->seen >= a->stop_after;
}

struct trigger {
    dc_cancel *cancel;
};

static void *trigger_later(void *arg) {
    struct timespec t = {0, 300 * 1000 * 1000};
    nanosleep(&t, NULL);
    dc_cancel_trigger(((struct trigger *)arg)->cancel);
    return NULL;
}

static void image_events(dc_client *c) {
    dc_error *err = NULL;
    char opts[1024], *out = NULL;
    const char *base = test_env("DC_TEST_BASE_IMAGE");
    long since = (long)time(NULL) - 1;
    struct actions a;
    dc_cancel *cancel = NULL;
    pthread_t thread;
    struct trigger tr;
    char id[80] = "";
    const char *at;

    /* Tag and untag events name the image by its ID (the tag is an attribute). */
    CHECK_STATUS(dc_image_inspect(c, base, NULL, &out, &err), err, DC_OK);
    at = out ? strstr(out, "\"Id\":\"") : NULL;
    if (at) snprintf(id, sizeof id, "%.71s", at + 6);
    CHECK(strncmp(id, "sha256:", 7) == 0 && strlen(id) == 71, "image ID %s", id);
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_image_tag(c, base, "{\"repo\": \"dctest/c-events\", \"tag\": \"one\"}", &err), err, DC_OK);
    CHECK_STATUS(dc_image_remove(c, "dctest/c-events:one", NULL, &out, &err), err, DC_OK);
    dc_string_free(out);

    /* Replayed from "since" to "until": the tag, then the untag, in order; then the call ends. */
    memset(&a, 0, sizeof a);
    snprintf(opts, sizeof opts,
             "{\"since\": \"%ld\", \"until\": \"%ld\", \"filters\": {\"type\": [\"image\"], \"event\": "
             "[\"tag\", \"untag\"], \"image\": [\"%s\"]}}",
             since, (long)time(NULL) + 1, id);
    CHECK_STATUS(dc_system_events(c, opts, collect_action, &a, &err), err, DC_OK);
    CHECK(strcmp(a.line, "tag,untag") == 0, "events: %s", a.line);

    /* The callback stops the stream. */
    memset(&a, 0, sizeof a);
    a.stop_after = 1;
    snprintf(opts, sizeof opts, "{\"since\": \"%ld\", \"filters\": {\"type\": [\"image\"]}}", since);
    CHECK_STATUS(dc_system_events(c, opts, collect_action, &a, &err), err, DC_CANCELLED);
    CHECK(a.seen == 1, "stopped after one event, saw %d", a.seen);

    /* A live stream with nothing happening, cancelled from another thread. */
    CHECK_STATUS(dc_cancel_new(&cancel, &err), err, DC_OK);
    memset(&a, 0, sizeof a);
    snprintf(opts, sizeof opts,
             "{\"filters\": {\"image\": [\"dctest/nothing-happens\"]}, \"inactivity_timeout_ms\": 0, "
             "\"cancel\": %llu}",
             (unsigned long long)dc_cancel_id(cancel));
    tr.cancel = cancel;
    CHECK(pthread_create(&thread, NULL, trigger_later, &tr) == 0, "thread");
    CHECK_STATUS(dc_system_events(c, opts, collect_action, &a, &err), err, DC_CANCELLED);
    pthread_join(thread, NULL);
    CHECK(a.seen == 0, "no event for an image nobody touched");
    dc_cancel_free(cancel);
}

static int file_mode(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void kept_logins(void) {
    const char *reg = test_env("DC_TEST_AUTH_REGISTRY");
    const char *user = test_env("DC_TEST_REGISTRY_USER");
    const char *password = test_env("DC_TEST_REGISTRY_PASSWORD");
    char dir[] = "/tmp/dc-c-login-XXXXXX", path[512], opts[1024], creds[1024], cmd[1024];
    dc_client *c = NULL;
    dc_error *err = NULL;
    char *out = NULL;

    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/config.json", dir);
    snprintf(opts, sizeof opts, "{\"host\": \"%s\", \"docker_config\": \"%s\"}", test_env("DC_TEST_UNIX"), dir);
    CHECK_STATUS(dc_client_new(opts, &c, &err), err, DC_OK);

    /* A wrong password: refused, nothing written. */
    snprintf(creds, sizeof creds, "{\"username\": \"%s\", \"password\": \"not-%s\", \"serveraddress\": \"%s\"}", user,
             password, reg);
    CHECK_STATUS(dc_auth_login(c, creds, NULL, &out, &err), err, DC_UNAUTHORIZED);
    CHECK(access(path, F_OK) != 0, "no config file after a refused login");

    /* The right one: kept in a new, private file, found by the library's resolution. */
    snprintf(creds, sizeof creds, "{\"username\": \"%s\", \"password\": \"%s\", \"serveraddress\": \"http://%s/v2/\"}",
             user, password, reg);
    CHECK_STATUS(dc_auth_login(c, creds, "{\"timeout_ms\": 60000}", &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"stored_in\":\"auths\"") && !strstr(out, password), "login: %s", out ? out : "(null)");
    dc_string_free(out);
    out = NULL;
    CHECK(file_mode(path) == 0600, "new config file mode %o", file_mode(path));
    CHECK_STATUS(dc_auth_resolve(c, reg, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"found\":true") && strstr(out, "\"has_password\":true"), "resolve: %s", out ? out : "(null)");
    dc_string_free(out);
    out = NULL;

    /* The docker CLI logs in with what was kept, asking nothing (its stdin is empty). */
    snprintf(cmd, sizeof cmd, "DOCKER_CONFIG=%s docker -H %s login %s </dev/null >/dev/null 2>&1", dir,
             test_env("DC_TEST_UNIX"), reg);
    CHECK(system(cmd) == 0, "the CLI uses the kept login: %s", cmd);

    /* Logout: gone; a second finds nothing. */
    CHECK_STATUS(dc_auth_logout(c, reg, NULL, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"found\":true") && strstr(out, "\"auths\""), "logout: %s", out ? out : "(null)");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_auth_logout(c, reg, "{}", &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"found\":false"), "second logout: %s", out ? out : "(null)");
    dc_string_free(out);
    CHECK(file_mode(path) == 0600, "mode kept %o", file_mode(path));

    dc_client_free(c);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
}

int main(void) {
    dc_client *c;
    bad_input();
    c = test_client();
    disk_usage_and_build_cache(c);
    image_events(c);
    dc_client_free(c);
    kept_logins();
    DONE();
}
