/* Tiny test harness for the C tests: CHECK records a failure and goes on; DONE prints the
 * summary line ("N passed, N failed") and returns the exit status. */
#ifndef DC_CHECK_H
#define DC_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerclient.h"

static int check_passed = 0;
static int check_failed = 0;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
            fprintf(stderr, __VA_ARGS__);                                        \
            fprintf(stderr, "\n");                                               \
        }                                                                        \
    } while (0)

/* Checks a status, printing the error's message when it differs; frees the error. */
#define CHECK_STATUS(call_status, err, want)                                     \
    do {                                                                         \
        dc_status got_ = (call_status);                                          \
        CHECK(got_ == (want), "status %s, want %s (%s)", dc_status_name(got_),  \
              dc_status_name(want), (err) ? dc_error_message(err) : "no error"); \
        if ((want) != DC_OK) {                                                   \
            CHECK((err) != NULL, "an error object is returned on failure");      \
        }                                                                        \
        dc_error_free(err);                                                      \
        (err) = NULL;                                                            \
    } while (0)

/* The test engine's variables (exported by scripts/test-c.sh from env.sh). */
static const char *test_env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "missing environment variable %s (run through scripts/test-c.sh)\n", name);
        exit(2);
    }
    return v;
}

/* A client on the test engine's Unix socket; exits when it cannot be made. */
static dc_client *test_client(void) {
    char opts[1024];
    dc_client *c = NULL;
    dc_error *err = NULL;
    snprintf(opts, sizeof opts, "{\"host\": \"%s\"}", test_env("DC_TEST_UNIX"));
    if (dc_client_new(opts, &c, &err) != DC_OK) {
        fprintf(stderr, "dc_client_new: %s\n", dc_error_message(err));
        dc_error_free(err);
        exit(2);
    }
    return c;
}

/* Writes content to dir/rel (made or truncated); exits when it cannot. */
static inline void write_file_in(const char *dir, const char *rel, const char *content) {
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(content, f);
    fclose(f);
}

#define DONE()                                                                   \
    do {                                                                         \
        printf("%s: %d passed, %d failed\n", __FILE__, check_passed, check_failed); \
        return check_failed ? 1 : 0;                                             \
    } while (0)

#endif
