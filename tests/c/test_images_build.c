/* dc_image_build through the C surface: NULLs and bad input (every case refused with the right
 * status, nothing returned), then real builds from a context directory and from a read callback
 * with progress, a failing RUN, cancellation, failing read callbacks, and cleanup. Under
 * valgrind. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

/* ---- scratch files -------------------------------------------------------------------------- */

static char scratch[256];

static void make_dir(const char *rel) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", scratch, rel);
    mkdir(path, 0755);
}

static void remove_scratch(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", scratch);
    }
}

/* ---- callbacks ------------------------------------------------------------------------------ */

/* Collects progress (up to a limit) and counts deliveries; can ask to stop. */
typedef struct {
    char text[65536];
    size_t len;
    size_t calls;
    size_t stop_after; /* 0 = never */
} progress;

static int32_t on_progress(void *userdata, const uint8_t *buf, size_t n) {
    progress *p = (progress *)userdata;
    size_t room = sizeof p->text - 1 - p->len;
    size_t keep = n < room ? n : room;
    memcpy(p->text + p->len, buf, keep);
    p->len += keep;
    p->text[p->len] = '\0';
    p->calls++;
    return (p->stop_after && p->calls >= p->stop_after) ? 1 : 0;
}

/* Serves a memory buffer in pieces of at most `piece` bytes. */
typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos;
    size_t piece;
    size_t calls;
} source;

static ptrdiff_t from_memory(void *userdata, uint8_t *buf, size_t cap) {
    source *s = (source *)userdata;
    size_t n = s->len - s->pos;
    if (n > cap) n = cap;
    if (n > s->piece) n = s->piece;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    s->calls++;
    return (ptrdiff_t)n;
}

static ptrdiff_t read_fails(void *userdata, uint8_t *buf, size_t cap) {
    (void)userdata;
    (void)buf;
    (void)cap;
    return -1;
}

static ptrdiff_t read_too_much(void *userdata, uint8_t *buf, size_t cap) {
    (void)userdata;
    memset(buf, 0, cap);
    return (ptrdiff_t)cap + 1;
}

/* ---- a tar made by hand (ustar, one regular file per call) ---------------------------------- */

/* `width - 1` octal digits and a NUL, as tar headers store numbers. */
static void octal(uint8_t *dst, size_t width, unsigned long v) {
    size_t i;
    dst[width - 1] = '\0';
    for (i = width - 1; i > 0; i--) {
        dst[i - 1] = (uint8_t)('0' + (v & 7));
        v >>= 3;
    }
}

static size_t tar_add(uint8_t *out, const char *name, const char *content) {
    uint8_t *h = out;
    size_t size = strlen(content);
    unsigned sum = 0;
    size_t i;
    memset(h, 0, 512);
    strncpy((char *)h, name, 99);
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    octal(h + 124, 12, (unsigned long)size);
    octal(h + 136, 12, 1700000000UL);
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    for (i = 0; i < 512; i++) sum += h[i];
    octal(h + 148, 7, sum); /* six digits and a NUL; the space after stays */
    memcpy(out + 512, content, size);
    memset(out + 512 + size, 0, (512 - size % 512) % 512);
    return 512 + (size + 511) / 512 * 512;
}

/* ---- helpers -------------------------------------------------------------------------------- */

/* The "id" of a build result, copied into `id` (71 bytes + NUL). */
static int result_id(const char *json, char *id) {
    const char *p = json ? strstr(json, "\"id\":\"sha256:") : NULL;
    if (!p) return 0;
    memcpy(id, p + 6, 71);
    id[71] = '\0';
    return 1;
}

static void remove_image(dc_client *c, const char *name) {
    char *out = NULL;
    dc_error *err = NULL;
    dc_status s = dc_image_remove(c, name, "{\"force\": true}", &out, &err);
    CHECK(s == DC_OK, "remove %s: %s", name, err ? dc_error_message(err) : "");
    dc_string_free(out);
    dc_error_free(err);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void null_pointers(dc_client *c) {
    char *out = (char *)0x1;
    dc_error *err = NULL;
    char opts[512];
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\"}", scratch);
    CHECK_STATUS(dc_image_build(NULL, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK(out == NULL, "out cleared on failure");
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, NULL, NULL, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK(dc_image_build(c, opts, NULL, NULL, NULL, NULL, NULL, NULL) == DC_INVALID_ARGUMENT, "NULL err is fine");
}

static void bad_input(dc_client *c) {
    char opts[16][1024];
    const char *says[16];
    dc_status want[16];
    size_t n = 0, i;
#define BAD(status, substring, ...)                                   \
    do {                                                              \
        snprintf(opts[n], sizeof opts[n], __VA_ARGS__);               \
        says[n] = substring;                                          \
        want[n] = status;                                             \
        n++;                                                          \
    } while (0)
    BAD(DC_INVALID_ARGUMENT, "no build context", "{}");
    BAD(DC_INVALID_ARGUMENT, "exactly one", "{\"context_dir\": \"%s\", \"remote\": \"http://127.0.0.1:1/c.tar\"}", scratch);
    BAD(DC_NOT_FOUND, "does not exist", "{\"context_dir\": \"%s/nope\"}", scratch);
    BAD(DC_INVALID_ARGUMENT, "not a directory", "{\"context_dir\": \"%s/Dockerfile\"}", scratch);
    BAD(DC_NOT_FOUND, "Missing.df", "{\"context_dir\": \"%s\", \"dockerfile\": \"Missing.df\"}", scratch);
    BAD(DC_INVALID_ARGUMENT, "line 2", "{\"context_dir\": \"%s/badignore\"}", scratch);
    BAD(DC_INVALID_ARGUMENT, "memory", "{\"context_dir\": \"%s\", \"memory\": -1}", scratch);
    BAD(DC_INVALID_ARGUMENT, "no_cahce", "{\"context_dir\": \"%s\", \"no_cahce\": true}", scratch);
    BAD(DC_INVALID_ARGUMENT, "tags", "{\"context_dir\": \"%s\", \"tags\": \"app\"}", scratch);
    BAD(DC_UNSUPPORTED, "cgroup_parent", "{\"context_dir\": \"%s\", \"version\": \"2\", \"cgroup_parent\": \"x\"}", scratch);
    BAD(DC_INVALID_ARGUMENT, "not valid JSON", "{\"context_dir\": ");
    BAD(DC_INVALID_ARGUMENT, "must be a JSON object", "[\"%s\"]", scratch);
    for (i = 0; i < n; i++) {
        char *out = (char *)0x1;
        dc_error *err = NULL;
        dc_status s = dc_image_build(c, opts[i], NULL, NULL, NULL, NULL, &out, &err);
        CHECK(s == want[i], "%s: got %s (%s)", opts[i], dc_status_name(s), err ? dc_error_message(err) : "");
        CHECK(out == NULL, "no result for %s", opts[i]);
        CHECK(err && strstr(dc_error_message(err), says[i]) != NULL, "%s: message %s", opts[i],
              err ? dc_error_message(err) : "(none)");
        dc_error_free(err);
    }
    {
        /* A read callback and a context_dir at once. */
        source src = {NULL, 0, 0, 1, 0};
        char *out = NULL;
        dc_error *err = NULL;
        CHECK_STATUS(dc_image_build(c, opts[2], from_memory, &src, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
        CHECK(src.calls == 0, "the callback was not called");
    }
#undef BAD
}

static void build_from_a_directory(dc_client *c) {
    char opts[1024];
    char *out = NULL;
    char id[72];
    dc_error *err = NULL;
    progress p;
    memset(&p, 0, sizeof p);
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"tags\": [\"dc-c-build-dir:1\"], \"no_cache\": true,"
             " \"labels\": {\"from\": \"c\"}, \"build_args\": {\"WHO\": \"c-test\"}, \"progress\": \"text\"}",
             scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_progress, &p, &out, &err), err, DC_OK);
    CHECK(out && result_id(out, id), "result has an id: %s", out ? out : "(null)");
    CHECK(out && strstr(out, "\"tags\":[\"dc-c-build-dir:1\"]") != NULL, "tags: %s", out ? out : "");
    CHECK(strncmp(p.text, "Sending build context to Docker daemon  ", 40) == 0, "context line first: %.80s", p.text);
    CHECK(strstr(p.text, "hello c-test") != NULL, "RUN output: %s", p.text);
    CHECK(strstr(p.text, "Successfully tagged dc-c-build-dir:1\n") != NULL, "tagged: %s", p.text);
    CHECK(strstr(p.text, "ignored.log") == NULL, "ignored file not listed: %s", p.text);
    dc_string_free(out);
    out = NULL;
    {
        char *info = NULL;
        CHECK_STATUS(dc_image_inspect(c, "dc-c-build-dir:1", NULL, &info, &err), err, DC_OK);
        CHECK(info && strstr(info, "\"from\":\"c\"") != NULL, "label set: %.200s", info ? info : "");
        dc_string_free(info);
    }
    remove_image(c, "dc-c-build-dir:1");
}

static void build_from_a_read_callback(dc_client *c) {
    static uint8_t tar[8192];
    char dockerfile[512];
    size_t len = 0;
    source src;
    progress p;
    char *out = NULL;
    char id[72];
    dc_error *err = NULL;
    snprintf(dockerfile, sizeof dockerfile, "FROM %s\nCOPY . /ctx\nRUN cat /ctx/data.txt\n",
             test_env("DC_TEST_BASE_IMAGE"));
    len += tar_add(tar + len, "Dockerfile", dockerfile);
    len += tar_add(tar + len, "data.txt", "data from the callback\n");
    memset(tar + len, 0, 1024);
    len += 1024;
    memset(&p, 0, sizeof p);
    src.data = tar;
    src.len = len;
    src.pos = 0;
    src.piece = 700; /* odd pieces: the library must not assume whole blocks */
    src.calls = 0;
    CHECK_STATUS(dc_image_build(c, "{\"no_cache\": true}", from_memory, &src, on_progress, &p, &out, &err), err, DC_OK);
    CHECK(src.pos == len, "the whole tar was read (%lu of %lu)", (unsigned long)src.pos, (unsigned long)len);
    CHECK(out && result_id(out, id), "result has an id: %s", out ? out : "(null)");
    /* JSON mode: one daemon message per call. */
    CHECK(strstr(p.text, "data from the callback") != NULL, "RUN output: %s", p.text);
    CHECK(strstr(p.text, "{\"aux\":{\"ID\":\"sha256:") != NULL, "aux message passed through: %s", p.text);
    CHECK(strstr(p.text, "Sending build context") == NULL, "no text line in JSON mode");
    dc_string_free(out);
    if (out) remove_image(c, id);
}

static void failing_build(dc_client *c) {
    char opts[1024];
    char *out = NULL;
    dc_error *err = NULL;
    progress p;
    memset(&p, 0, sizeof p);
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"dockerfile\": \"Failing\", \"no_cache\": true, \"force_rm\": true}", scratch);
    {
        dc_status s = dc_image_build(c, opts, NULL, NULL, on_progress, &p, &out, &err);
        CHECK(s == DC_STREAM_ERROR, "failed RUN: %s", dc_status_name(s));
        CHECK(out == NULL, "no result");
        CHECK(err && strstr(dc_error_message(err), "returned a non-zero code: 3") != NULL, "daemon message: %s",
              err ? dc_error_message(err) : "");
        CHECK(err && strstr(dc_error_json(err), "\"daemon_message\"") != NULL, "json");
        dc_error_free(err);
        err = NULL;
    }
    /* Stop at the first progress message. The Dockerfile's first step after FROM is a slow RUN,
     * so the daemon, noticing the closed connection, cancels it before committing any image. */
    memset(&p, 0, sizeof p);
    p.stop_after = 1;
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"dockerfile\": \"Slow\", \"no_cache\": true, \"force_rm\": true}",
             scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_progress, &p, &out, &err), err, DC_CANCELLED);
    CHECK(p.calls == 1, "no call after stop (%lu)", (unsigned long)p.calls);
    /* Read callbacks that fail or overflow. */
    CHECK_STATUS(dc_image_build(c, NULL, read_fails, NULL, NULL, NULL, &out, &err), err, DC_CANCELLED);
    CHECK_STATUS(dc_image_build(c, "", read_too_much, NULL, NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK(out == NULL, "no result after failures");
    /* The client still works. */
    {
        char *ping = NULL;
        CHECK_STATUS(dc_system_ping(c, &ping, &err), err, DC_OK);
        dc_string_free(ping);
    }
}

int main(void) {
    dc_client *c;
    char dockerfile[1024];
    snprintf(scratch, sizeof scratch, "/tmp/dc-c-build-XXXXXX");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(dockerfile, sizeof dockerfile,
             "FROM %s\nARG WHO\nCOPY . /ctx\nRUN echo \"hello $WHO\" && ls /ctx\n", test_env("DC_TEST_BASE_IMAGE"));
    write_file_in(scratch, "Dockerfile", dockerfile);
    snprintf(dockerfile, sizeof dockerfile, "FROM %s\nRUN exit 3\n", test_env("DC_TEST_BASE_IMAGE"));
    write_file_in(scratch, "Failing", dockerfile);
    snprintf(dockerfile, sizeof dockerfile, "FROM %s\nRUN sleep 2\nRUN echo done\n", test_env("DC_TEST_BASE_IMAGE"));
    write_file_in(scratch, "Slow", dockerfile);
    write_file_in(scratch, ".dockerignore", "*.log\nbadignore\n");
    write_file_in(scratch, "ignored.log", "not sent\n");
    write_file_in(scratch, "kept.txt", "sent\n");
    make_dir("badignore");
    write_file_in(scratch, "badignore/Dockerfile", "FROM scratch\n");
    write_file_in(scratch, "badignore/.dockerignore", "fine\n[unclosed\n");

    c = test_client();
    null_pointers(c);
    bad_input(c);
    build_from_a_directory(c);
    build_from_a_read_callback(c);
    failing_build(c);
    dc_client_free(c);
    remove_scratch();
    DONE();
}
