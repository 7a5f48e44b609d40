/* BuildKit builds ("version": "2") through the C surface, under valgrind: a build from a
 * directory with text progress (a RUN --mount=type=cache step, which only BuildKit runs),
 * JSON events, a failing step whose error names it, and a cancel from the progress callback
 * after which the client still builds. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char scratch[256];

typedef struct {
    char text[131072];
    size_t len;
    size_t calls;
    const char *stop_at; /* stop once this text has been seen; NULL = never */
} progress;

static int32_t on_progress(void *userdata, const uint8_t *buf, size_t n) {
    progress *p = (progress *)userdata;
    size_t room = sizeof p->text - 1 - p->len;
    size_t keep = n < room ? n : room;
    memcpy(p->text + p->len, buf, keep);
    p->len += keep;
    p->text[p->len] = '\0';
    p->calls++;
    return (p->stop_at && strstr(p->text, p->stop_at)) ? 1 : 0;
}

static void remove_image(dc_client *c, const char *result_json) {
    const char *id = strstr(result_json, "\"id\":\"");
    char name[80];
    char *out = NULL;
    dc_error *err = NULL;
    if (!id) return;
    snprintf(name, sizeof name, "%.71s", id + 6);
    if (dc_image_remove(c, name, "{\"force\": true}", &out, &err) == DC_OK) dc_string_free(out);
    dc_error_free(err);
}

int main(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    char opts[2048];
    char dockerfile[1024];
    const char *base = test_env("DC_TEST_BASE_IMAGE");
    progress *p = calloc(1, sizeof *p);

    snprintf(scratch, sizeof scratch, "/tmp/dc-c-buildkit-%d", (int)getpid());
    mkdir(scratch, 0755);

    /* A BuildKit-only Dockerfile, text progress as buildx prints it. */
    snprintf(dockerfile, sizeof dockerfile,
             "FROM %s\nRUN --mount=type=cache,target=/c echo cached-mount > /c/x && cat /c/x\n", base);
    write_file_in(scratch, "Dockerfile", dockerfile);
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"network_mode\": \"none\", \"progress\": \"text\", "
             "\"no_cache\": true}",
             scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_progress, p, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"id\":\"sha256:"), "result: %s", out ? out : "(null)");
    CHECK(strstr(p->text, "RUN --mount=type=cache,target=/c") != NULL, "vertex name in the text: %s", p->text);
    CHECK(strstr(p->text, " cached-mount\n") != NULL, "the step's output: %s", p->text);
    CHECK(strstr(p->text, " DONE ") != NULL, "DONE lines: %s", p->text);
    if (out) {
        remove_image(c, out);
        dc_string_free(out);
        out = NULL;
    }

    /* JSON events: one object per call, of the documented types. */
    memset(p, 0, sizeof *p);
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"network_mode\": \"none\", \"progress\": \"json\"}",
             scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_progress, p, &out, &err), err, DC_OK);
    CHECK(strstr(p->text, "{\"") == p->text, "JSON deliveries: %.200s", p->text);
    CHECK(strstr(p->text, "\"type\":\"vertex\"") != NULL, "vertex events");
    CHECK(strstr(p->text, "\"type\":\"image\"") != NULL, "the image event");
    if (out) {
        remove_image(c, out);
        dc_string_free(out);
        out = NULL;
    }

    /* A failing step: DC_STREAM_ERROR naming the step, with its last output. */
    memset(p, 0, sizeof *p);
    snprintf(dockerfile, sizeof dockerfile, "FROM %s\nRUN echo last-words && false\n", base);
    write_file_in(scratch, "Dockerfile", dockerfile);
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"network_mode\": \"none\", \"progress\": \"text\", "
             "\"no_cache\": true}",
             scratch);
    {
        dc_status s = dc_image_build(c, opts, NULL, NULL, on_progress, p, &out, &err);
        CHECK(s == DC_STREAM_ERROR, "status %s", dc_status_name(s));
        CHECK(out == NULL, "no result on failure");
        CHECK(err && strstr(dc_error_message(err), "RUN echo last-words && false") != NULL, "names the step: %s",
              err ? dc_error_message(err) : "");
        CHECK(err && strstr(dc_error_message(err), "last-words") != NULL, "quotes the output");
        dc_error_free(err);
        err = NULL;
    }

    /* Cancel from the callback once the step runs: DC_CANCELLED, and the client goes on. */
    memset(p, 0, sizeof *p);
    p->stop_at = "waiting-for-cancel";
    snprintf(dockerfile, sizeof dockerfile, "FROM %s\nRUN echo waiting-for-cancel && sleep 600\n", base);
    write_file_in(scratch, "Dockerfile", dockerfile);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_progress, p, &out, &err), err, DC_CANCELLED);
    CHECK(out == NULL, "no result when cancelled");
    snprintf(dockerfile, sizeof dockerfile, "FROM %s\n", base);
    write_file_in(scratch, "Dockerfile", dockerfile);
    memset(p, 0, sizeof *p);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_progress, p, &out, &err), err, DC_OK);
    if (out) {
        remove_image(c, out);
        dc_string_free(out);
    }

    free(p);
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", scratch);
    }
    dc_client_free(c);
    DONE();
}
