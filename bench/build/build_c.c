/* Benchmark client: one build through the C API (dc_image_build) from a context directory,
 * text progress written to stdout as `docker build` prints it.
 * Usage: build_c CONTEXT_DIR TAG [VERSION [SESSION]]   (the daemon from DOCKER_HOST; VERSION "1"
 * classic, the default, or "2" BuildKit; SESSION "true" (BuildKit's default for a directory:
 * the context served on demand) or "false" (uploaded as a tar)). The result JSON goes to
 * stderr. */
#include <stdio.h>
#include <string.h>

#include "dockerclient.h"

static int32_t to_stdout(void *userdata, const uint8_t *buf, size_t len) {
    (void)userdata;
    return fwrite(buf, 1, len, stdout) == len ? 0 : 1;
}

int main(int argc, char **argv) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    char *result = NULL;
    char opts[4096];
    dc_status s;
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: build_c CONTEXT_DIR TAG [VERSION [SESSION]]\n");
        return 2;
    }
    /* Paths and tags of the benchmark need no JSON escaping. */
    if (argc == 5) {
        snprintf(opts, sizeof opts,
                 "{\"context_dir\": \"%s\", \"tags\": [\"%s\"], \"progress\": \"text\", \"version\": \"%s\", \"session\": %s}",
                 argv[1], argv[2], argv[3], strcmp(argv[4], "false") == 0 ? "false" : "true");
    } else {
        snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"tags\": [\"%s\"], \"progress\": \"text\", \"version\": \"%s\"}",
                 argv[1], argv[2], argc == 4 ? argv[3] : "1");
    }
    if (dc_client_new(NULL, &c, &err) != DC_OK) {
        fprintf(stderr, "dc_client_new: %s\n", dc_error_message(err));
        dc_error_free(err);
        return 1;
    }
    s = dc_image_build(c, opts, NULL, NULL, to_stdout, NULL, &result, &err);
    if (s != DC_OK) {
        fprintf(stderr, "dc_image_build: %s: %s\n", dc_status_name(s), dc_error_message(err));
        dc_error_free(err);
        dc_client_free(c);
        return 1;
    }
    fprintf(stderr, "%s\n", result);
    dc_string_free(result);
    dc_client_free(c);
    return 0;
}
