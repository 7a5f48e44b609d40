/* A tour of dockerclient: run with `make demo`.
 *
 * It talks to the daemon named by DOCKER_HOST (the project's private test engine when none
 * answers) and shows each capability in turn. Every call follows the same pattern:
 *
 *     dc_error *err = NULL;
 *     char *json = NULL;
 *     if (dc_something(client, ..., &json, &err) != DC_OK) {
 *         fprintf(stderr, "%s\n", dc_error_message(err));
 *         dc_error_free(err);
 *     } else {
 *         ... use json ...
 *         dc_string_free(json);
 *     }
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dockerclient.h>

/* Prints a failed call's status and message, frees the error, returns 0. */
static int report(const char *what, dc_status s, dc_error *err) {
    if (s == DC_OK) {
        return 1;
    }
    fprintf(stderr, "%s failed: %s: %s\n", what, dc_status_name(s), dc_error_message(err));
    dc_error_free(err);
    return 0;
}

/* Prints at most `max` bytes of a JSON document. */
static void show(const char *label, const char *json, size_t max) {
    size_t n = strlen(json);
    printf("  %s: %.*s%s\n", label, (int)(n < max ? n : max), json, n > max ? " ..." : "");
}

static int tour_system(dc_client *c) {
    dc_error *err = NULL;
    char *json = NULL;
    char *version = NULL;

    printf("\n== System: ping, negotiated API version, daemon version\n");
    if (!report("dc_system_ping", dc_system_ping(c, &json, &err), err)) return 0;
    show("ping", json, 200);
    dc_string_free(json);

    if (!report("dc_client_api_version", dc_client_api_version(c, &version, &err), err)) return 0;
    printf("  API version in use: %s\n", version);
    dc_string_free(version);

    if (!report("dc_system_version", dc_system_version(c, &json, &err), err)) return 0;
    show("version", json, 160);
    dc_string_free(json);
    return 1;
}

int main(int argc, char **argv) {
    dc_client *client = NULL;
    dc_error *err = NULL;
    int ok = 1;

    (void)argc;
    (void)argv;
    printf("dockerclient %s\n", dc_version());
    /* NULL options: everything from the environment, as the docker CLI reads it. */
    if (!report("dc_client_new", dc_client_new(NULL, &client, &err), err)) {
        return 1;
    }
    ok = tour_system(client) && ok;

    dc_client_free(client);
    printf("\n%s\n", ok ? "tour complete" : "tour had failures");
    return ok ? 0 : 1;
}
