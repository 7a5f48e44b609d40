/* Save, load and import through the C surface: bad input (NULLs, both or neither source,
 * names, paths, URLs, a read callback claiming more than its buffer), then real archives moved
 * through callbacks and files, cancellation, and a client that stays usable. Under valgrind. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

/* ---- callbacks ---------------------------------------------------------------------------- */

/* Counts what a save delivers and keeps the last 1024 bytes (tar's end-of-archive marker). */
typedef struct {
    size_t bytes;
    size_t calls;
    size_t max_chunk;
    uint8_t tail[1024];
    size_t stop_after; /* 0 = never stop */
} counter;

static int32_t count_chunk(void *userdata, const uint8_t *buf, size_t len) {
    counter *c = (counter *)userdata;
    size_t keep;
    c->bytes += len;
    c->calls++;
    if (len > c->max_chunk) {
        c->max_chunk = len;
    }
    keep = len < sizeof c->tail ? len : sizeof c->tail;
    memmove(c->tail, c->tail + keep, sizeof c->tail - keep);
    memcpy(c->tail + sizeof c->tail - keep, buf + len - keep, keep);
    return (c->stop_after && c->calls >= c->stop_after) ? 1 : 0;
}

static int32_t to_file(void *userdata, const uint8_t *buf, size_t len) {
    return fwrite(buf, 1, len, (FILE *)userdata) == len ? 0 : 1;
}

static ptrdiff_t from_file(void *userdata, uint8_t *buf, size_t cap) {
    size_t n = fread(buf, 1, cap, (FILE *)userdata);
    return ferror((FILE *)userdata) ? -1 : (ptrdiff_t)n;
}

static ptrdiff_t read_fails(void *userdata, uint8_t *buf, size_t cap) {
    (void)userdata;
    (void)buf;
    (void)cap;
    return -5;
}

static ptrdiff_t read_too_much(void *userdata, uint8_t *buf, size_t cap) {
    (void)userdata;
    memset(buf, 0, cap);
    return (ptrdiff_t)cap + 10;
}

static ptrdiff_t read_nothing(void *userdata, uint8_t *buf, size_t cap) {
    (void)userdata;
    (void)buf;
    (void)cap;
    return 0;
}

static int32_t count_messages(void *userdata, const uint8_t *buf, size_t len) {
    (void)buf;
    (void)len;
    (*(int *)userdata)++;
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------------ */

/* Checks the status and that the message contains `word`; frees the error. */
static void expect(dc_status got, dc_error *err, dc_status want, const char *word, const char *what) {
    CHECK(got == want, "%s: status %s, want %s (%s)", what, dc_status_name(got), dc_status_name(want),
          err ? dc_error_message(err) : "no error");
    if (want != DC_OK) {
        CHECK(err != NULL, "%s: an error object", what);
        CHECK(err && strstr(dc_error_message(err), word) != NULL, "%s: message \"%s\" names %s", what,
              err ? dc_error_message(err) : "", word);
    }
    dc_error_free(err);
}

/* Runs a call that takes `&err` (a local of the caller), then checks it with expect(). */
#define EXPECT(call, want, word, what)                                                        \
    do {                                                                                      \
        dc_status s_ = (call);                                                                \
        expect(s_, err, (want), (word), (what));                                              \
        err = NULL;                                                                           \
    } while (0)

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static void docker_rmi(const char *name) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "docker -H '%s' rmi -f '%s' >/dev/null 2>&1", test_env("DC_TEST_UNIX"), name);
    if (system(cmd) != 0) {
        fprintf(stderr, "note: could not remove %s\n", name);
    }
}

/* ---- tests -------------------------------------------------------------------------------- */

static void null_and_bad_input(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    counter cnt;
    memset(&cnt, 0, sizeof cnt);

    /* NULL client, NULL out_json. */
    EXPECT(dc_image_save(NULL, "{\"names\":\"x\"}", count_chunk, &cnt, &err), DC_INVALID_ARGUMENT, "client", "save NULL client");
    EXPECT(dc_image_load(NULL, NULL, read_nothing, NULL, NULL, NULL, &out, &err), DC_INVALID_ARGUMENT, "client", "load NULL client");
    EXPECT(dc_image_import(NULL, NULL, read_nothing, NULL, NULL, NULL, &out, &err), DC_INVALID_ARGUMENT, "client", "import NULL client");
    EXPECT(dc_image_load(c, NULL, read_nothing, NULL, NULL, NULL, NULL, &err), DC_INVALID_ARGUMENT, "out_json", "load NULL out");
    EXPECT(dc_image_import(c, NULL, read_nothing, NULL, NULL, NULL, NULL, &err), DC_INVALID_ARGUMENT, "out_json", "import NULL out");
    CHECK(dc_image_save(c, NULL, NULL, NULL, NULL) == DC_INVALID_ARGUMENT, "NULL err pointer is fine");

    /* Save: names, sources, options. */
    EXPECT(dc_image_save(c, NULL, count_chunk, &cnt, &err), DC_INVALID_ARGUMENT, "names", "save without names");
    EXPECT(dc_image_save(c, "{\"names\":[]}", count_chunk, &cnt, &err), DC_INVALID_ARGUMENT, "names", "empty names");
    EXPECT(dc_image_save(c, "{\"names\":[\"a\", 2]}", count_chunk, &cnt, &err), DC_INVALID_ARGUMENT, "names[1]", "names not strings");
    EXPECT(dc_image_save(c, "{\"names\":\"a\",\"bogus\":1}", count_chunk, &cnt, &err), DC_INVALID_ARGUMENT, "bogus", "unknown key");
    EXPECT(dc_image_save(c, "{\"names\":", count_chunk, &cnt, &err), DC_INVALID_ARGUMENT, "JSON", "bad JSON");
    EXPECT(dc_image_save(c, "{\"names\":\"a\"}", NULL, NULL, &err), DC_INVALID_ARGUMENT, "output_path", "no callback, no path");
    EXPECT(dc_image_save(c, "{\"names\":\"a\",\"output_path\":\"/tmp/x.tar\"}", count_chunk, &cnt, &err),
           DC_INVALID_ARGUMENT, "not both", "callback and path");
    EXPECT(dc_image_save(c, "{\"names\":\"a\",\"output_path\":\"/tmp\"}", NULL, NULL, &err), DC_INVALID_ARGUMENT,
           "directory", "output_path a directory");
    EXPECT(dc_image_save(c, "{\"names\":\"a\",\"output_path\":\"/nonexistent-dir/x.tar\"}", NULL, NULL, &err),
           DC_NOT_FOUND, "does not exist", "output_path in a missing directory");
    CHECK(cnt.calls == 0, "no byte delivered for refused saves");

    /* Load: sources and paths. */
    EXPECT(dc_image_load(c, NULL, NULL, NULL, NULL, NULL, &out, &err), DC_INVALID_ARGUMENT, "input_path", "load without source");
    EXPECT(dc_image_load(c, "{\"input_path\":\"/etc/hostname\"}", read_nothing, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "not both", "load with both");
    EXPECT(dc_image_load(c, "{\"input_path\":\"/nonexistent/a.tar\"}", NULL, NULL, NULL, NULL, &out, &err),
           DC_NOT_FOUND, "input_path", "load of a missing file");
    EXPECT(dc_image_load(c, "{\"input_path\":\"/tmp\"}", NULL, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "directory", "load of a directory");
    EXPECT(dc_image_load(c, "{\"quiet\":\"no\"}", read_nothing, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "quiet", "quiet not a boolean");

    /* Import: sources, URLs, names, changes. */
    EXPECT(dc_image_import(c, NULL, NULL, NULL, NULL, NULL, &out, &err), DC_INVALID_ARGUMENT, "url", "import without source");
    EXPECT(dc_image_import(c, "{\"url\":\"http://127.0.0.1:1/x.tar\"}", read_nothing, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "not both", "import with callback and url");
    EXPECT(dc_image_import(c, "{\"url\":\"ftp://127.0.0.1/x.tar\"}", NULL, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "http", "ftp url");
    EXPECT(dc_image_import(c, "{\"url\":\"127.0.0.1/x.tar\"}", NULL, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "http", "url without scheme");
    EXPECT(dc_image_import(c, "{\"input_path\":\"/nonexistent/r.tar\"}", NULL, NULL, NULL, NULL, &out, &err),
           DC_NOT_FOUND, "input_path", "import of a missing file");
    EXPECT(dc_image_import(c, "{\"input_path\":\"/tmp\"}", NULL, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "directory", "import of a directory");
    EXPECT(dc_image_import(c, "{\"repository\":\"Not Valid\"}", read_nothing, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "repository", "bad repository");
    EXPECT(dc_image_import(c, "{\"changes\":[\"RUN rm -rf /\"]}", read_nothing, NULL, NULL, NULL, &out, &err),
           DC_INVALID_ARGUMENT, "changes", "bad change");

    /* Read callbacks that misbehave: more than cap is a caller bug, < 0 a cancellation. */
    EXPECT(dc_image_import(c, NULL, read_too_much, NULL, NULL, NULL, &out, &err), DC_INVALID_ARGUMENT,
           "bytes for a buffer of", "read callback returning more than cap");
    EXPECT(dc_image_load(c, NULL, read_too_much, NULL, NULL, NULL, &out, &err), DC_INVALID_ARGUMENT,
           "bytes for a buffer of", "load read callback returning more than cap");
    EXPECT(dc_image_load(c, NULL, read_fails, NULL, NULL, NULL, &out, &err), DC_CANCELLED, "-5",
           "read callback failing");
    CHECK(out == NULL, "out_json stays NULL on failure");

    /* Still usable after all that. */
    CHECK_STATUS(dc_system_ping(c, &out, &err), err, DC_OK);
    dc_string_free(out);
    dc_client_free(c);
}

/* A save read by the program (dc_image_save_open, dc_reader_read): the same bytes as through
 * the callback, reads filled but for the last, the end only after a whole archive, and every
 * refusal. */
static void save_reader(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    dc_reader *r = NULL;
    const char *base = test_env("DC_TEST_BASE_IMAGE");
    char opts[1024];
    static uint8_t buf[100000];
    size_t n = 1, total = 0, reads = 0, short_reads = 0, last = 0;
    dc_status st;
    counter cnt;

    snprintf(opts, sizeof opts, "{\"names\": \"%s\"}", base);
    memset(&cnt, 0, sizeof cnt);
    CHECK_STATUS(dc_image_save(c, opts, count_chunk, &cnt, &err), err, DC_OK);

    CHECK_STATUS(dc_image_save_open(c, opts, &r, &err), err, DC_OK);
    CHECK(r != NULL, "a reader");
    while ((st = dc_reader_read(r, buf, sizeof buf, &n, &err)) == DC_OK && n > 0) {
        total += n;
        reads++;
        short_reads += n < sizeof buf;
        last = n;
    }
    CHECK_STATUS(st, err, DC_OK);
    CHECK(total == cnt.bytes, "read %lu bytes, the callback got %lu", (unsigned long)total, (unsigned long)cnt.bytes);
    CHECK(short_reads <= 1 && (short_reads == 0 || last < sizeof buf), "only the last read is short (%lu short of %lu)",
          (unsigned long)short_reads, (unsigned long)reads);
    CHECK(dc_reader_read(r, buf, sizeof buf, &n, NULL) == DC_OK && n == 0, "the end stays the end");
    dc_reader_free(r);

    /* Freed before its end: the client goes on. */
    CHECK_STATUS(dc_image_save_open(c, opts, &r, &err), err, DC_OK);
    CHECK_STATUS(dc_reader_read(r, buf, 10, &n, &err), err, DC_OK);
    CHECK(n == 10, "ten bytes (%lu)", (unsigned long)n);
    dc_reader_free(r);
    memset(&cnt, 0, sizeof cnt);
    CHECK_STATUS(dc_image_save(c, opts, count_chunk, &cnt, &err), err, DC_OK);

    /* Refusals. */
    r = (dc_reader *)1;
    EXPECT(dc_image_save_open(c, "{\"names\": \"dctest/absent-c:1\"}", &r, &err), DC_NOT_FOUND, "does not exist", "reader of a missing image");
    CHECK(r == NULL, "*out_reader is NULL on failure");
    EXPECT(dc_image_save_open(NULL, opts, &r, &err), DC_INVALID_ARGUMENT, "client", "reader without a client");
    EXPECT(dc_image_save_open(c, opts, NULL, &err), DC_INVALID_ARGUMENT, "out_reader", "reader without out_reader");
    EXPECT(dc_image_save_open(c, "{\"names\": \"a\", \"output_path\": \"/tmp/x.tar\"}", &r, &err), DC_INVALID_ARGUMENT,
           "output_path", "reader with output_path");
    EXPECT(dc_reader_read(NULL, buf, sizeof buf, &n, &err), DC_INVALID_ARGUMENT, "reader", "read of NULL");
    CHECK_STATUS(dc_image_save_open(c, opts, &r, &err), err, DC_OK);
    EXPECT(dc_reader_read(r, NULL, 10, &n, &err), DC_INVALID_ARGUMENT, "buf", "read into NULL");
    EXPECT(dc_reader_read(r, buf, 0, &n, &err), DC_INVALID_ARGUMENT, "room", "read of 0 bytes");
    EXPECT(dc_reader_read(r, buf, 10, NULL, &err), DC_INVALID_ARGUMENT, "out_n", "read without out_n");
    dc_reader_free(r);
    dc_reader_free(NULL);
    dc_client_free(c);
}

static void save_load_import(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;
    const char *base = test_env("DC_TEST_BASE_IMAGE");
    char opts[2048], path[512], missing_path[512], repo[256];
    counter cnt;
    size_t i;
    int zeros = 1, messages = 0;
    FILE *f;

    snprintf(path, sizeof path, "/tmp/dc-archive-c-%ld.tar", (long)getpid());
    snprintf(missing_path, sizeof missing_path, "/tmp/dc-archive-c-missing-%ld.tar", (long)getpid());
    snprintf(repo, sizeof repo, "dctest/archive-c-%ld:imported", (long)getpid());

    /* Save to a counting callback: big chunks, a whole tar (ends with two zero blocks). */
    memset(&cnt, 0, sizeof cnt);
    snprintf(opts, sizeof opts, "{\"names\": [\"%s\"]}", base);
    CHECK_STATUS(dc_image_save(c, opts, count_chunk, &cnt, &err), err, DC_OK);
    CHECK(cnt.bytes > 1000000, "archive of %lu bytes", (unsigned long)cnt.bytes);
    CHECK(cnt.max_chunk == 256 * 1024, "chunks of 256 KiB (largest %lu)", (unsigned long)cnt.max_chunk);
    for (i = 0; i < sizeof cnt.tail; i++) {
        zeros &= cnt.tail[i] == 0;
    }
    CHECK(zeros, "the archive ends with the end-of-archive marker");

    /* A callback that stops: cancelled, and the client goes on. */
    memset(&cnt, 0, sizeof cnt);
    cnt.stop_after = 1;
    CHECK_STATUS(dc_image_save(c, opts, count_chunk, &cnt, &err), err, DC_CANCELLED);
    CHECK(cnt.calls == 1, "no call after stop (%lu)", (unsigned long)cnt.calls);

    /* Save to a file through the callback, then load it back from a read callback. */
    f = fopen(path, "wb");
    CHECK(f != NULL, "open %s", path);
    if (f) {
        CHECK_STATUS(dc_image_save(c, opts, to_file, f, &err), err, DC_OK);
        fclose(f);
    }
    f = fopen(path, "rb");
    if (f) {
        CHECK_STATUS(dc_image_load(c, "{\"progress\": \"json\"}", from_file, f, count_messages, &messages, &out, &err),
                     err, DC_OK);
        fclose(f);
        CHECK(out && strstr(out, base) != NULL && strstr(out, "\"id\":\"sha256:") != NULL, "load result %s",
              out ? out : "(null)");
        CHECK(messages >= 1, "progress messages: %d", messages);
        dc_string_free(out);
        out = NULL;
    }

    /* The same through input_path. */
    snprintf(opts, sizeof opts, "{\"input_path\": \"%s\"}", path);
    CHECK_STATUS(dc_image_load(c, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, base) != NULL, "load result %s", out ? out : "(null)");
    dc_string_free(out);
    out = NULL;

    /* Import: any tar is a root filesystem, the saved archive included. */
    f = fopen(path, "rb");
    if (f) {
        snprintf(opts, sizeof opts,
                 "{\"repository\": \"%s\", \"changes\": [\"CMD [\\\"/bin/sh\\\"]\", \"ENV FROM_C=1\"], \"message\": \"from C\"}",
                 repo);
        CHECK_STATUS(dc_image_import(c, opts, from_file, f, NULL, NULL, &out, &err), err, DC_OK);
        fclose(f);
        CHECK(out && strncmp(out, "{\"id\":\"sha256:", 14) == 0 && strlen(out) == 14 + 64 + 2, "import result %s",
              out ? out : "(null)");
        dc_string_free(out);
        out = NULL;
        docker_rmi(repo);
    }

    /* A read callback failing mid-import: cancelled; the client goes on. */
    CHECK_STATUS(dc_image_import(c, NULL, read_fails, NULL, NULL, NULL, &out, &err), err, DC_CANCELLED);

    /* Save of a missing image to a path: not found, and no file. */
    snprintf(opts, sizeof opts, "{\"names\": \"dctest/archive-c-missing-%ld:nope\", \"output_path\": \"%s\"}",
             (long)getpid(), missing_path);
    CHECK_STATUS(dc_image_save(c, opts, NULL, NULL, &err), err, DC_NOT_FOUND);
    CHECK(!file_exists(missing_path), "no file at output_path after a failed save");

    /* Save to output_path: the file is there, 0644 less the umask. */
    snprintf(opts, sizeof opts, "{\"names\": \"%s\", \"output_path\": \"%s\"}", base, missing_path);
    CHECK_STATUS(dc_image_save(c, opts, NULL, NULL, &err), err, DC_OK);
    {
        struct stat st;
        CHECK(stat(missing_path, &st) == 0 && st.st_size > 1000000, "archive written to output_path");
        CHECK(stat(missing_path, &st) == 0 && (st.st_mode & 0111) == 0 && (st.st_mode & 0400) != 0,
              "a readable, non-executable file (mode %o)", (unsigned)st.st_mode);
    }

    remove(path);
    remove(missing_path);
    dc_client_free(c);
}

int main(void) {
    null_and_bad_input();
    save_load_import();
    save_reader();
    DONE();
}
