/* Benchmark: N sequential dc_image_list calls, then N dc_image_inspect calls cycling over the
 * images "<repo>:0" .. "<repo>:<count-1>", on one client (DOCKER_HOST).
 * Prints one line per operation: "dockerclient-c <op> <calls> <wall_s> <cpu_s> <bytes>"
 * (client CPU = user + system of this process; bytes = JSON received, to show every client got
 * the same answers). Usage: meta_c N REPO COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dockerclient.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static void fail(dc_error *err) {
    fprintf(stderr, "meta_c: %s\n", dc_error_message(err));
    dc_error_free(err);
    exit(1);
}

int main(int argc, char **argv) {
    int n, count, i;
    const char *repo;
    dc_client *c = NULL;
    dc_error *err = NULL;
    char *out = NULL;
    char name[512];
    double t0, c0;
    size_t bytes = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: meta_c N REPO COUNT\n");
        return 2;
    }
    n = atoi(argv[1]);
    repo = argv[2];
    count = atoi(argv[3]);
    if (dc_client_new(NULL, &c, &err) != DC_OK) fail(err);

    /* Warm up: version negotiation and the first connection are not what is measured. */
    if (dc_image_list(c, NULL, &out, &err) != DC_OK) fail(err);
    dc_string_free(out);
    snprintf(name, sizeof name, "%s:0", repo);
    if (dc_image_inspect(c, name, NULL, &out, &err) != DC_OK) fail(err);
    dc_string_free(out);

    t0 = now();
    c0 = cpu();
    for (i = 0; i < n; i++) {
        if (dc_image_list(c, NULL, &out, &err) != DC_OK) fail(err);
        bytes += strlen(out);
        dc_string_free(out);
    }
    printf("dockerclient-c list %d %.6f %.6f %lu\n", n, now() - t0, cpu() - c0, (unsigned long)bytes);

    bytes = 0;
    t0 = now();
    c0 = cpu();
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s:%d", repo, i % count);
        if (dc_image_inspect(c, name, NULL, &out, &err) != DC_OK) fail(err);
        bytes += strlen(out);
        dc_string_free(out);
    }
    printf("dockerclient-c inspect %d %.6f %.6f %lu\n", n, now() - t0, cpu() - c0, (unsigned long)bytes);
    dc_client_free(c);
    return 0;
}
