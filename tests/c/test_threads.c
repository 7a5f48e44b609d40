/* One dc_client shared by several threads at once, as the header promises. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"

#define THREADS 8
#define CALLS 25

static dc_client *shared;

static void *worker(void *arg) {
    int i;
    long failures = 0;
    (void)arg;
    for (i = 0; i < CALLS; i++) {
        char *out = NULL;
        dc_error *err = NULL;
        if (dc_system_version(shared, &out, &err) != DC_OK || !out || !strstr(out, "ApiVersion")) {
            failures++;
        }
        dc_string_free(out);
        dc_error_free(err);
    }
    return (void *)failures;
}

int main(void) {
    pthread_t t[THREADS];
    int i;
    shared = test_client();
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&t[i], NULL, worker, NULL) == 0, "thread %d started", i);
    }
    for (i = 0; i < THREADS; i++) {
        void *failures = NULL;
        pthread_join(t[i], &failures);
        CHECK(failures == NULL, "thread %d: %ld failed calls", i, (long)failures);
    }
    dc_client_free(shared);
    DONE();
}
