/* BuildKit sessions through the C surface, under valgrind: a build whose RUN step reads a
 * secret from a file and one from an environment variable (their upper-cased forms reach the
 * progress, the secrets themselves do not), a tar output written to a file (no image: the
 * result's "id" is null), a session build cancelled from another thread, and what is refused
 * before anything is sent. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char scratch[] = "/tmp/dc-c-session-XXXXXX";

typedef struct {
    char text[131072];
    size_t len;
} progress;

static int on_progress(void *userdata, const uint8_t *buf, size_t n) {
    progress *p = userdata;
    size_t room = sizeof p->text - 1 - p->len;
    size_t keep = n < room ? n : room;
    memcpy(p->text + p->len, buf, keep);
    p->len += keep;
    p->text[p->len] = '\0';
    return 0;
}

static void *trigger_later(void *cancel) {
    struct timespec t = {1, 0};
    nanosleep(&t, NULL);
    dc_cancel_trigger((dc_cancel *)cancel);
    return NULL;
}

int main(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    char opts[4096], dockerfile[1024], cmd[600];
    static progress p;
    struct stat st;
    const char *base = test_env("DC_TEST_BASE_IMAGE");

    CHECK(mkdtemp(scratch) != NULL, "mkdtemp");
    write_file_in(scratch, "pw.txt", "file-secret-for-the-c-test");
    setenv("DC_C_TEST_SECRET", "env-secret-for-the-c-test", 1);
    snprintf(dockerfile, sizeof dockerfile,
             "FROM %s\nRUN --mount=type=secret,id=pw,required=true --mount=type=secret,id=tok,required=true "
             "sh -c 'tr a-z A-Z < /run/secrets/pw; echo; tr a-z A-Z < /run/secrets/tok; echo'\n",
             base);
    write_file_in(scratch, "Dockerfile", dockerfile);

    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"network_mode\": \"none\", \"no_cache\": true, "
             "\"progress\": \"text\", \"secrets\": {\"pw\": {\"file\": \"%s/pw.txt\"}, \"tok\": {\"env\": \"DC_C_TEST_SECRET\"}}}",
             scratch, scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_progress, &p, &out, &err), err, DC_OK);
    CHECK(strstr(p.text, "FILE-SECRET-FOR-THE-C-TEST") && strstr(p.text, "ENV-SECRET-FOR-THE-C-TEST"), "progress: %s", p.text);
    CHECK(!strstr(p.text, "file-secret-for-the-c-test") && !strstr(p.text, "env-secret-for-the-c-test"), "secrets in progress");
    CHECK(out && strstr(out, "\"id\":\"sha256:"), "result %s", out ? out : "(null)");
    dc_string_free(out);
    out = NULL;

    /* A tar output, through the session: a file, no image. */
    write_file_in(scratch, "Dockerfile", "FROM scratch\nCOPY pw.txt /copied.txt\n");
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"outputs\": [{\"Type\": \"tar\", \"Attrs\": {\"dest\": \"%s/out.tar\"}}]}",
             scratch, scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"id\":null"), "result %s", out ? out : "(null)");
    dc_string_free(out);
    out = NULL;
    snprintf(cmd, sizeof cmd, "%s/out.tar", scratch);
    CHECK(stat(cmd, &st) == 0 && st.st_size >= 1024, "tar output");
    snprintf(cmd, sizeof cmd, "tar -xOf %s/out.tar copied.txt | grep -q file-secret-for-the-c-test", scratch);
    CHECK(system(cmd) == 0, "the archive holds the copied file");

    /* A session build cancelled from another thread while its RUN step sleeps. */
    {
        dc_cancel *cancel = NULL;
        pthread_t t;
        CHECK_STATUS(dc_cancel_new(&cancel, &err), err, DC_OK);
        snprintf(dockerfile, sizeof dockerfile, "FROM %s\nRUN --mount=type=secret,id=tok sleep 300\n", base);
        write_file_in(scratch, "Dockerfile", dockerfile);
        snprintf(opts, sizeof opts,
                 "{\"context_dir\": \"%s\", \"version\": \"2\", \"network_mode\": \"none\", \"no_cache\": true, "
                 "\"secrets\": {\"tok\": {\"env\": \"DC_C_TEST_SECRET\"}}, \"cancel\": %llu}",
                 scratch, (unsigned long long)dc_cancel_id(cancel));
        CHECK(pthread_create(&t, NULL, trigger_later, cancel) == 0, "thread");
        CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_CANCELLED);
        pthread_join(t, NULL);
        CHECK(out == NULL, "no result when cancelled");
        dc_cancel_free(cancel);
    }

    /* Refused before anything is sent, never quoting the secret. */
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"version\": \"2\", \"secrets\": {\"pw\": {\"file\": \"/nonexistent/pw\"}}}", scratch);
    CHECK(dc_image_build(c, opts, NULL, NULL, NULL, NULL, &out, &err) == DC_INVALID_ARGUMENT, "missing secret file");
    CHECK(err && strstr(dc_error_message(err), "/nonexistent/pw"), "%s", err ? dc_error_message(err) : "");
    dc_error_free(err);
    err = NULL;
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"version\": \"2\", \"session\": false, \"secrets\": {\"pw\": {\"env\": \"DC_C_TEST_SECRET\"}}}", scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"version\": \"1\", \"secrets\": {\"pw\": {\"env\": \"DC_C_TEST_SECRET\"}}}", scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_UNSUPPORTED);
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"version\": \"2\", \"ssh\": {\"default\": \"%s/pw.txt\"}}", scratch, scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK(out == NULL, "no result on failure");

    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    CHECK(system(cmd) == 0, "cleanup");
    dc_client_free(c);
    DONE();
}
