/* Benchmark: N sequential dc_system_ping and dc_system_version calls on one client.
 * Prints one line: "<name> <calls> <wall_s> <cpu_s>" (client CPU = user + system). */
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    dc_client *c = NULL;
    dc_error *err = NULL;
    double t0, c0;
    int i;

    if (dc_client_new(NULL, &c, &err) != DC_OK) {
        fprintf(stderr, "%s\n", dc_error_message(err));
        return 1;
    }
    /* Warm up: negotiation and the first connection are not what is measured. */
    {
        char *out = NULL;
        if (dc_system_ping(c, &out, &err) != DC_OK) {
            fprintf(stderr, "%s\n", dc_error_message(err));
            return 1;
        }
        dc_string_free(out);
    }
    t0 = now();
    c0 = cpu();
    for (i = 0; i < n; i++) {
        char *out = NULL;
        if (dc_system_ping(c, &out, &err) != DC_OK) {
            fprintf(stderr, "%s\n", dc_error_message(err));
            return 1;
        }
        dc_string_free(out);
        if (dc_system_version(c, &out, &err) != DC_OK) {
            fprintf(stderr, "%s\n", dc_error_message(err));
            return 1;
        }
        dc_string_free(out);
    }
    printf("dockerclient-c %d %.6f %.6f\n", 2 * n, now() - t0, cpu() - c0);
    dc_client_free(c);
    return 0;
}
