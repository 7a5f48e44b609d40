/* Cancelling from another thread, through the C surface and under valgrind: dc_cancel tokens
 * named in options ("cancel": id) and bound to a client (dc_client_with_cancel), a list and an
 * info against a daemon that never answers, a silent build step on the real engine; the time
 * from trigger to return is printed, the status must be DC_CANCELLED, the client must go on. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- a server that accepts and never answers ----------------------------------------------- */

static int silent_fd = -1;

static void *silent_server(void *arg) {
    int held[16];
    int n = 0;
    (void)arg;
    for (;;) {
        int c = accept(silent_fd, NULL, NULL);
        if (c < 0) break;
        if (n < 16) held[n++] = c; /* kept open, never answered */
    }
    while (n > 0) close(held[--n]);
    return NULL;
}

static int start_silent_server(void) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    pthread_t t;
    silent_fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(silent_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(silent_fd, 16) != 0) exit(2);
    getsockname(silent_fd, (struct sockaddr *)&a, &len);
    pthread_create(&t, NULL, silent_server, NULL);
    pthread_detach(t);
    return ntohs(a.sin_port);
}

/* ---- a trigger on another thread ------------------------------------------------------------ */

typedef struct {
    dc_cancel *cancel;
    unsigned delay_ms;
    volatile int *wait_for; /* trigger only once *wait_for is non-zero (NULL: do not wait) */
    double fired_at;
} trigger;

static void *trigger_later(void *arg) {
    trigger *t = (trigger *)arg;
    struct timespec d;
    while (t->wait_for && !*t->wait_for) {
        d.tv_sec = 0;
        d.tv_nsec = 20 * 1000000L;
        nanosleep(&d, NULL);
    }
    d.tv_sec = t->delay_ms / 1000;
    d.tv_nsec = (long)(t->delay_ms % 1000) * 1000000L;
    nanosleep(&d, NULL);
    t->fired_at = now_s();
    dc_cancel_trigger(t->cancel);
    return NULL;
}

typedef struct {
    volatile int running;
} step_seen;

static int contains(const uint8_t *buf, size_t n, const char *needle) {
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++) {
        if (memcmp(buf + i, needle, k) == 0) return 1;
    }
    return 0;
}

static int32_t watch_progress(void *userdata, const uint8_t *buf, size_t n) {
    step_seen *s = (step_seen *)userdata;
    if (contains(buf, n, "Step 2/2")) s->running = 1;
    return 0;
}

int main(void) {
    dc_client *engine = test_client();
    dc_client *silent = NULL;
    dc_client *bound = NULL;
    dc_cancel *cancel = NULL;
    dc_error *err = NULL;
    char *out = NULL;
    char opts[1024];
    pthread_t th;
    trigger t;
    double returned;
    int port = start_silent_server();

    /* NULL safety of the token functions. */
    CHECK(dc_cancel_id(NULL) == 0, "id of NULL");
    CHECK(dc_cancel_triggered(NULL) == 0, "NULL is not triggered");
    dc_cancel_trigger(NULL);
    dc_cancel_free(NULL);
    CHECK_STATUS(dc_cancel_new(NULL, &err), err, DC_INVALID_ARGUMENT);

    snprintf(opts, sizeof opts, "{\"host\": \"tcp://127.0.0.1:%d\", \"api_version\": \"1.41\"}", port);
    CHECK_STATUS(dc_client_new(opts, &silent, &err), err, DC_OK);

    /* A list against the silent daemon, cancelled from another thread through its options. */
    CHECK_STATUS(dc_cancel_new(&cancel, &err), err, DC_OK);
    CHECK(dc_cancel_id(cancel) > 0, "a token has a number");
    t.cancel = cancel;
    t.delay_ms = 300;
    t.wait_for = NULL;
    pthread_create(&th, NULL, trigger_later, &t);
    snprintf(opts, sizeof opts, "{\"all\": true, \"cancel\": %llu}", (unsigned long long)dc_cancel_id(cancel));
    CHECK_STATUS(dc_image_list(silent, opts, &out, &err), err, DC_CANCELLED);
    returned = now_s();
    pthread_join(th, NULL);
    CHECK(out == NULL, "no result when cancelled");
    CHECK(dc_cancel_triggered(cancel) == 1, "triggered");
    printf("list on a silent daemon: returned %.3f s after the trigger\n", returned - t.fired_at);
    /* Triggered already: the next call with it stops at once. */
    CHECK_STATUS(dc_image_list(silent, opts, &out, &err), err, DC_CANCELLED);
    dc_cancel_free(cancel);
    cancel = NULL;
    /* Its number is gone once freed. */
    CHECK_STATUS(dc_image_list(silent, opts, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_image_list(engine, "{\"cancel\": \"x\"}", &out, &err), err, DC_INVALID_ARGUMENT);

    /* A call without options, through a client bound to a token. */
    CHECK_STATUS(dc_cancel_new(&cancel, &err), err, DC_OK);
    CHECK_STATUS(dc_client_with_cancel(silent, cancel, &bound, &err), err, DC_OK);
    {
        dc_client *never = NULL;
        CHECK_STATUS(dc_client_with_cancel(silent, NULL, &never, &err), err, DC_INVALID_ARGUMENT);
        CHECK(never == NULL, "no handle on failure");
    }
    t.cancel = cancel;
    pthread_create(&th, NULL, trigger_later, &t);
    CHECK_STATUS(dc_system_info(bound, &out, &err), err, DC_CANCELLED);
    returned = now_s();
    pthread_join(th, NULL);
    printf("info on a silent daemon (bound client): returned %.3f s after the trigger\n", returned - t.fired_at);
    dc_client_free(bound);
    dc_cancel_free(cancel);
    cancel = NULL;

    /* A silent build step on the real engine, cancelled once it runs. */
    {
        char dir[256], path[300], df[512];
        FILE *f;
        step_seen seen = {0};
        snprintf(dir, sizeof dir, "/tmp/dc-c-cancel-%d", (int)getpid());
        mkdir(dir, 0755);
        snprintf(path, sizeof path, "%s/Dockerfile", dir);
        snprintf(df, sizeof df, "FROM %s\nRUN sleep %d\n", test_env("DC_TEST_BASE_IMAGE"), 700 + (int)(getpid() % 200));
        f = fopen(path, "w");
        fputs(df, f);
        fclose(f);
        CHECK_STATUS(dc_cancel_new(&cancel, &err), err, DC_OK);
        t.cancel = cancel;
        t.delay_ms = 500;
        t.wait_for = &seen.running;
        pthread_create(&th, NULL, trigger_later, &t);
        snprintf(opts, sizeof opts,
                 "{\"context_dir\": \"%s\", \"version\": \"1\", \"no_cache\": true, \"network_mode\": \"none\","
                 " \"progress\": \"text\", \"cancel\": %llu}",
                 dir, (unsigned long long)dc_cancel_id(cancel));
        CHECK_STATUS(dc_image_build(engine, opts, NULL, NULL, watch_progress, &seen, &out, &err), err, DC_CANCELLED);
        returned = now_s();
        pthread_join(th, NULL);
        printf("silent build step: returned %.3f s after the trigger\n", returned - t.fired_at);
        dc_cancel_free(cancel);
        snprintf(path, sizeof path, "rm -rf '%s'", dir);
        if (system(path) != 0) fprintf(stderr, "could not remove %s\n", dir);
    }

    /* The client goes on. */
    CHECK_STATUS(dc_system_ping(engine, &out, &err), err, DC_OK);
    dc_string_free(out);

    dc_client_free(silent);
    dc_client_free(engine);
    shutdown(silent_fd, SHUT_RDWR);
    close(silent_fd);
    DONE();
}
