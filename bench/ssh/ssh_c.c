/* The library's side of the ssh:// benchmark (bench/ssh/run.sh): one client on DOCKER_HOST
 * (an ssh:// host), then either N sequential inspects of one image, or one save of an image
 * to /dev/null. The run script times the whole process (ssh children included).
 *
 *     ssh_c inspect N IMAGE
 *     ssh_c save IMAGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dockerclient.h>

static int fail(const char *what, dc_error *err) {
    fprintf(stderr, "%s: %s\n", what, dc_error_message(err));
    dc_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    char opts[1024];
    int i, n;

    if (argc < 3) {
        fprintf(stderr, "usage: ssh_c inspect N IMAGE | ssh_c save IMAGE\n");
        return 2;
    }
    if (dc_client_new(NULL, &c, &err) != DC_OK) return fail("dc_client_new", err);
    if (strcmp(argv[1], "inspect") == 0 && argc == 4) {
        n = atoi(argv[2]);
        for (i = 0; i < n; i++) {
            char *json = NULL;
            if (dc_image_inspect(c, argv[3], NULL, &json, &err) != DC_OK) return fail("dc_image_inspect", err);
            dc_string_free(json);
        }
    } else if (strcmp(argv[1], "save") == 0) {
        snprintf(opts, sizeof opts, "{\"names\": [\"%s\"], \"output_path\": \"/dev/null\"}", argv[2]);
        if (dc_image_save(c, opts, NULL, NULL, &err) != DC_OK) return fail("dc_image_save", err);
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    dc_client_free(c);
    return 0;
}
