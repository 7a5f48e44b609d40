/* Benchmark client: one pull through the C API with JSON progress (every daemon message is
 * delivered to a callback that counts it), as a program embedding the library would do.
 * Usage: pull_c IMAGE   (the daemon from DOCKER_HOST) */
#include <stdio.h>
#include <stdlib.h>

#include "dockerclient.h"

struct counts {
    unsigned long messages;
    unsigned long long bytes;
};

static int on_progress(void *userdata, const uint8_t *buf, size_t len) {
    struct counts *c = (struct counts *)userdata;
    (void)buf;
    c->messages++;
    c->bytes += len;
    return 0;
}

int main(int argc, char **argv) {
    dc_client *client = NULL;
    dc_error *err = NULL;
    char *result = NULL;
    char options[2048];
    struct counts counts = {0, 0};
    if (argc != 2) {
        fprintf(stderr, "usage: %s IMAGE\n", argv[0]);
        return 2;
    }
    if (dc_client_new(NULL, &client, &err) != DC_OK) {
        fprintf(stderr, "client: %s\n", dc_error_message(err));
        dc_error_free(err);
        return 1;
    }
    snprintf(options, sizeof options, "{\"image\": \"%s\", \"progress\": \"json\"}", argv[1]);
    if (dc_image_pull(client, options, on_progress, &counts, &result, &err) != DC_OK) {
        fprintf(stderr, "pull: %s\n", dc_error_message(err));
        dc_error_free(err);
        dc_client_free(client);
        return 1;
    }
    fprintf(stderr, "dockerclient-c: %lu messages, %llu bytes of progress; %s\n", counts.messages,
            counts.bytes, result);
    dc_string_free(result);
    dc_client_free(client);
    return 0;
}
