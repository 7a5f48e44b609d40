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
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Whether `needle` occurs in the first `len` bytes of `buf` (memmem is not in C99). */
static int memmem_like(const uint8_t *buf, size_t len, const char *needle) {
    size_t n = strlen(needle), i;
    for (i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(buf + i, needle, n) == 0) {
            return 1;
        }
    }
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

    printf("\n== System: which daemon (and why), ping, negotiated API version, daemon version\n");
    /* DOCKER_HOST, a docker context, or the default socket: as the docker CLI decides. */
    if (!report("dc_client_endpoint", dc_client_endpoint(c, &json, &err), err)) return 0;
    show("endpoint", json, 300);
    dc_string_free(json);
    json = NULL;
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

/* Progress callbacks receive one message per call: in text mode, the lines the docker CLI
 * prints; in JSON mode, one daemon message plus "\n". Returning non-zero cancels. */
static int print_text(void *userdata, const uint8_t *buf, size_t len) {
    size_t i, start = 0;
    (void)userdata;
    for (i = 0; i <= len; i++) {
        if (i == len || buf[i] == '\n') {
            if (i > start) {
                printf("    | %.*s\n", (int)(i - start), (const char *)buf + start);
            }
            start = i + 1;
        }
    }
    return 0;
}

/* Keeps the last aggregate message ({"aggregate": {"current", "total", ...}}) of a JSON stream. */
struct last_line {
    char text[512];
    size_t messages;
};

static int keep_aggregate(void *userdata, const uint8_t *buf, size_t len) {
    struct last_line *last = (struct last_line *)userdata;
    last->messages++;
    if (len < sizeof last->text && memmem_like(buf, len, "\"aggregate\"")) {
        memcpy(last->text, buf, len);
        last->text[len ? len - 1 : 0] = '\0'; /* drop the "\n" */
    }
    return 0;
}

/* Counts the bytes of a saved archive. */
static int count_bytes(void *userdata, const uint8_t *buf, size_t len) {
    (void)buf;
    *(size_t *)userdata += len;
    return 0;
}

/* A read callback over a FILE*: fills at most cap bytes, 0 at the end, -1 on error. */
static ptrdiff_t read_file(void *userdata, uint8_t *buf, size_t cap) {
    FILE *f = (FILE *)userdata;
    size_t n = fread(buf, 1, cap, f);
    return (n == 0 && ferror(f)) ? -1 : (ptrdiff_t)n;
}

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}

static int tour_metadata(dc_client *c, const char *base) {
    dc_error *err = NULL;
    char *json = NULL;
    char opts[512];

    printf("\n== Images: list, inspect, history, tag\n");
    if (!report("dc_image_list", dc_image_list(c, "{\"filters\": {\"dangling\": [\"false\"]}}", &json, &err), err)) return 0;
    show("list (not dangling)", json, 160);
    dc_string_free(json);

    if (!report("dc_image_inspect", dc_image_inspect(c, base, NULL, &json, &err), err)) return 0;
    show("inspect", json, 160);
    dc_string_free(json);

    if (!report("dc_image_history", dc_image_history(c, base, NULL, &json, &err), err)) return 0;
    show("history", json, 160);
    dc_string_free(json);

    snprintf(opts, sizeof opts, "{\"repo\": \"dockerclient-demo/base\", \"tag\": \"tour\"}");
    if (!report("dc_image_tag", dc_image_tag(c, base, opts, &err), err)) return 0;
    printf("  tagged %s as dockerclient-demo/base:tour\n", base);

    /* Errors carry a status class and the daemon's message. */
    {
        dc_status s = dc_image_inspect(c, "dockerclient-demo/no-such-image", NULL, &json, &err);
        printf("  inspect of a missing image: %s: %s\n", dc_status_name(s), dc_error_message(err));
        dc_error_free(err);
        err = NULL;
    }
    return 1;
}

static int tour_build(dc_client *c, const char *dir) {
    dc_error *err = NULL;
    char *json = NULL;
    char opts[1024];

    printf("\n== Build from a directory (classic builder, text progress as the CLI prints it)\n");
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"tags\": [\"dockerclient-demo/app:1\"],"
             " \"build_args\": {\"GREETING\": \"hello from the tour\"},"
             " \"labels\": {\"org.example.demo\": \"dockerclient\"}, \"network_mode\": \"none\","
             " \"progress\": \"text\"}",
             dir);
    if (!report("dc_image_build", dc_image_build(c, opts, NULL, NULL, print_text, NULL, &json, &err), err)) return 0;
    show("build result", json, 200);
    dc_string_free(json);
    return 1;
}

/* BuildKit ("version": "2"): a Dockerfile only BuildKit runs (a cache mount), with the
 * progress buildx prints (--progress=plain). The Dockerfile is given inline; the context is
 * the same directory. */
static int tour_buildkit(dc_client *c, const char *dir, const char *base) {
    dc_error *err = NULL;
    char *json = NULL;
    char opts[2048];

    printf("\n== Build with BuildKit (RUN --mount=type=cache; progress as buildx --progress=plain prints it)\n");
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"tags\": [\"dockerclient-demo/buildkit:1\"],"
             " \"dockerfile_content\": \"FROM %s\\nRUN --mount=type=cache,target=/cache"
             " echo built-with-buildkit >> /cache/runs && wc -l < /cache/runs\\n\","
             " \"network_mode\": \"none\", \"progress\": \"text\"}",
             dir, base);
    if (!report("dc_image_build", dc_image_build(c, opts, NULL, NULL, print_text, NULL, &json, &err), err)) return 0;
    show("BuildKit build result", json, 200);
    dc_string_free(json);
    return 1;
}

/* A BuildKit session: a secret for one RUN step (mounted at /run/secrets/<id>, never stored in
 * the image), from an environment variable; the daemon asks the library for it while it
 * builds. */
static int tour_buildkit_secret(dc_client *c, const char *dir, const char *base) {
    dc_error *err = NULL;
    char *json = NULL;
    char opts[2048];

    printf("\n== BuildKit secret through a session (RUN --mount=type=secret; the value never enters the image)\n");
    setenv("DEMO_API_TOKEN", "s3cr3t-demo-token", 1);
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"no_cache\": true, \"network_mode\": \"none\","
             " \"dockerfile_content\": \"FROM %s\\nRUN --mount=type=secret,id=token,required=true"
             " echo the secret has $(wc -c < /run/secrets/token) bytes\\n\","
             " \"secrets\": {\"token\": {\"env\": \"DEMO_API_TOKEN\"}}, \"progress\": \"text\"}",
             dir, base);
    if (!report("dc_image_build", dc_image_build(c, opts, NULL, NULL, print_text, NULL, &json, &err), err)) return 0;
    show("build result", json, 200);
    dc_string_free(json);
    return 1;
}

/* Cancel from another thread: the token is named in the call's options ("cancel": id) and
 * triggered by a second thread while the daemon is silent (a RUN step sleeping). */
static void *trigger_after_a_second(void *cancel) {
    struct timespec one = {1, 0};
    nanosleep(&one, NULL);
    dc_cancel_trigger((dc_cancel *)cancel);
    return NULL;
}

static int tour_cancel(dc_client *c, const char *dir, const char *base) {
    dc_error *err = NULL;
    dc_cancel *cancel = NULL;
    char *json = NULL;
    char opts[1024];
    pthread_t t;
    struct timespec t0, t1;
    dc_status s;

    printf("\n== Cancel from another thread (a build step that sleeps 60 s, stopped after 1 s)\n");
    if (!report("dc_cancel_new", dc_cancel_new(&cancel, &err), err)) return 0;
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"dockerfile_content\": \"FROM %s\\nRUN sleep 60\\n\", \"no_cache\": true,"
             " \"network_mode\": \"none\", \"cancel\": %llu}",
             dir, base, (unsigned long long)dc_cancel_id(cancel));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&t, NULL, trigger_after_a_second, cancel);
    s = dc_image_build(c, opts, NULL, NULL, NULL, NULL, &json, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(t, NULL);
    printf("  dc_image_build returned %s after %.2f s: %s\n", dc_status_name(s),
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, err ? dc_error_message(err) : "");
    dc_error_free(err);
    dc_string_free(json);
    dc_cancel_free(cancel);
    return s == DC_CANCELLED;
}

/* Copies the string value of the first `"key":"` in `json` into `out` ("" when absent). */
static void string_field(const char *json, const char *key, char *out, size_t cap) {
    char pattern[64];
    const char *at, *end;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    out[0] = '\0';
    at = strstr(json, pattern);
    if (!at) return;
    at += strlen(pattern);
    end = strchr(at, '"');
    snprintf(out, cap, "%.*s", end ? (int)(end - at) : 0, at);
}

/* How many times `needle` occurs in `haystack`. */
static int occurrences(const char *haystack, const char *needle) {
    int n = 0;
    for (const char *at = strstr(haystack, needle); at; at = strstr(at + 1, needle)) n++;
    return n;
}

/* Disk usage as `docker system df` summarizes it: images, and BuildKit's cache records. */
static int show_disk_usage(dc_client *c, const char *when) {
    dc_error *err = NULL;
    char *json = NULL;
    const char *builder;
    if (!report("dc_system_df", dc_system_df(c, NULL, &json, &err), err)) return 0;
    builder = strstr(json, "\"BuilderSize\":");
    printf("  %s: %d images, build cache %d records, %lld bytes\n", when, occurrences(json, "\"RepoTags\""),
           occurrences(json, "\"ID\":\""), builder ? strtoll(builder + 14, NULL, 10) : -1LL);
    dc_string_free(json);
    return 1;
}

static int tour_disk_usage(dc_client *c) {
    dc_error *err = NULL;
    char *json = NULL;

    printf("\n== Disk usage before and after a build-cache prune (docker system df, docker builder prune)\n");
    if (!show_disk_usage(c, "before")) return 0;
    if (!report("dc_build_prune", dc_build_prune(c, "{\"all\": true}", &json, &err), err)) return 0;
    show("build prune", json, 120);
    dc_string_free(json);
    return show_disk_usage(c, "after ");
}

/* Prints each image event as `docker events` would, and stops after three. */
static int print_event(void *userdata, const uint8_t *buf, size_t len) {
    int *printed = userdata;
    char event[2048], action[64], name[256];
    snprintf(event, sizeof event, "%.*s", (int)len, (const char *)buf);
    string_field(event, "Action", action, sizeof action);
    string_field(event, "name", name, sizeof name);
    printf("  image %s %s\n", action, name);
    return ++*printed == 3; /* non-zero: enough, stop the stream */
}

static int tour_events(dc_client *c, long since) {
    dc_error *err = NULL;
    char opts[512];
    int printed = 0;
    dc_status s;

    printf("\n== Image events of this tour (docker events --filter type=image), the first three\n");
    snprintf(opts, sizeof opts,
             "{\"since\": \"%ld\", \"until\": \"%ld\", \"filters\": {\"type\": [\"image\"],"
             " \"event\": [\"push\", \"pull\", \"save\", \"load\"]}}",
             since, (long)time(NULL) + 1);
    s = dc_system_events(c, opts, print_event, &printed, &err);
    /* The callback asked to stop after three: DC_CANCELLED is that stop. */
    if (s == DC_CANCELLED && printed == 3) {
        dc_error_free(err);
        return 1;
    }
    return report("dc_system_events", s, err) && printed > 0;
}

static int tour_registry(dc_client *c, const char *registry) {
    dc_error *err = NULL;
    char *json = NULL;
    char name[256], opts[512];
    struct last_line last;

    printf("\n== Push and pull through the registry at %s\n", registry);
    snprintf(name, sizeof name, "%s/dockerclient-demo/app", registry);
    snprintf(opts, sizeof opts, "{\"repo\": \"%s\", \"tag\": \"1\"}", name);
    if (!report("dc_image_tag", dc_image_tag(c, "dockerclient-demo/app:1", opts, &err), err)) return 0;

    if (!report("dc_auth_resolve", dc_auth_resolve(c, registry, &json, &err), err)) return 0;
    show("credentials the library would use (redacted)", json, 200);
    dc_string_free(json);

    memset(&last, 0, sizeof last);
    snprintf(opts, sizeof opts, "{\"tag\": \"1\", \"aggregate\": true}");
    if (!report("dc_image_push", dc_image_push(c, name, opts, keep_aggregate, &last, &json, &err), err)) return 0;
    printf("  push: %zu progress messages, last summary %s\n", last.messages, last.text);
    show("push result", json, 200);
    dc_string_free(json);

    snprintf(opts, sizeof opts, "{\"repo\": \"%s\", \"tag\": \"1\"}", name);
    {
        char ref[300];
        snprintf(ref, sizeof ref, "%s:1", name);
        if (!report("dc_image_distribution", dc_image_distribution(c, ref, NULL, &json, &err), err)) return 0;
        show("distribution (the registry's view)", json, 160);
        dc_string_free(json);
        if (!report("dc_image_remove", dc_image_remove(c, ref, NULL, &json, &err), err)) return 0;
        dc_string_free(json);
        snprintf(opts, sizeof opts, "{\"image\": \"%s\", \"progress\": \"text\"}", ref);
        if (!report("dc_image_pull", dc_image_pull(c, opts, print_text, NULL, &json, &err), err)) return 0;
        show("pull result", json, 200);
        dc_string_free(json);
        if (!report("dc_image_remove", dc_image_remove(c, ref, NULL, &json, &err), err)) return 0;
        dc_string_free(json);
    }
    return 1;
}

static int tour_archives(dc_client *c, const char *workdir, const char *rootfs_tar) {
    dc_error *err = NULL;
    char *json = NULL;
    char opts[1024], path[512];
    size_t bytes = 0;
    FILE *f;

    printf("\n== Save, load and import (streamed: memory stays bounded at any size)\n");
    if (!report("dc_image_save", dc_image_save(c, "{\"names\": [\"dockerclient-demo/app:1\"]}", count_bytes, &bytes, &err), err)) return 0;
    printf("  saved dockerclient-demo/app:1 through a callback: %zu bytes\n", bytes);

    /* The same archive read by the program, as from a file: the bytes go from the socket
     * straight into buf. A read returns 0 only once the whole archive was read and checked. */
    {
        dc_reader *r = NULL;
        static uint8_t buf[65536];
        size_t n = 0, total = 0, reads = 0;
        dc_status st;
        if (!report("dc_image_save_open", dc_image_save_open(c, "{\"names\": \"dockerclient-demo/app:1\"}", &r, &err), err)) return 0;
        while ((st = dc_reader_read(r, buf, sizeof buf, &n, &err)) == DC_OK && n > 0) {
            total += n;
            reads++;
        }
        dc_reader_free(r);
        if (!report("dc_reader_read", st, err)) return 0;
        printf("  read the same archive with dc_reader_read: %zu bytes in %zu reads of up to %zu\n", total, reads, sizeof buf);
    }

    snprintf(path, sizeof path, "%s/app.tar", workdir);
    snprintf(opts, sizeof opts, "{\"names\": [\"dockerclient-demo/app:1\", \"dockerclient-demo/base:tour\"], \"output_path\": \"%s\"}", path);
    if (!report("dc_image_save", dc_image_save(c, opts, NULL, NULL, &err), err)) return 0;
    printf("  saved two images into %s\n", path);

    if (!report("dc_image_remove", dc_image_remove(c, "dockerclient-demo/app:1", NULL, &json, &err), err)) return 0;
    dc_string_free(json);
    snprintf(opts, sizeof opts, "{\"input_path\": \"%s\", \"progress\": \"text\"}", path);
    if (!report("dc_image_load", dc_image_load(c, opts, NULL, NULL, print_text, NULL, &json, &err), err)) return 0;
    show("load result", json, 240);
    dc_string_free(json);

    f = fopen(rootfs_tar, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", rootfs_tar);
        return 0;
    }
    if (!report("dc_image_import",
                dc_image_import(c, "{\"repository\": \"dockerclient-demo/imported\", \"tag\": \"1\","
                                   " \"changes\": [\"CMD [\\\"/hello.txt\\\"]\", \"ENV SOURCE=tour\"]}",
                                read_file, f, NULL, NULL, &json, &err),
                err)) {
        fclose(f);
        return 0;
    }
    fclose(f);
    show("import from a read callback", json, 200);
    dc_string_free(json);
    return 1;
}

static void cleanup(dc_client *c) {
    static const char *names[] = {"dockerclient-demo/app:1", "dockerclient-demo/base:tour",
                                  "dockerclient-demo/imported:1", "dockerclient-demo/buildkit:1"};
    size_t i;
    printf("\n== Clean up\n");
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        dc_error *err = NULL;
        char *json = NULL;
        if (dc_image_remove(c, names[i], "{\"force\": true}", &json, &err) == DC_OK) {
            printf("  removed %s\n", names[i]);
        }
        dc_string_free(json);
        dc_error_free(err);
    }
    {
        /* Prune only what the tour built (its label), never anything else. */
        dc_error *err = NULL;
        char *json = NULL;
        if (dc_image_prune(c, "{\"filters\": {\"label\": [\"org.example.demo=dockerclient\"]}}", &json, &err) == DC_OK) {
            show("prune (label filter)", json, 160);
        }
        dc_string_free(json);
        dc_error_free(err);
    }
}

int main(int argc, char **argv) {
    dc_client *client = NULL;
    dc_error *err = NULL;
    int ok = 1;
    const char *base = env_or("DEMO_BASE_IMAGE", "busybox:latest");
    const char *registry = env_or("DEMO_REGISTRY", "127.0.0.1:25000");
    const char *workdir = env_or("DEMO_WORKDIR", "/tmp");
    const char *context = env_or("DEMO_CONTEXT", "examples-c/context");
    const char *rootfs = env_or("DEMO_ROOTFS_TAR", "/tmp/rootfs.tar");

    long tour_start = (long)time(NULL) - 1;

    (void)argc;
    (void)argv;
    printf("dockerclient %s\n", dc_version());
    /* NULL options: everything from the environment, as the docker CLI reads it. */
    if (!report("dc_client_new", dc_client_new(NULL, &client, &err), err)) {
        return 1;
    }
    ok = tour_system(client) && ok;
    ok = ok && tour_metadata(client, base);
    ok = ok && tour_build(client, context);
    ok = ok && tour_buildkit(client, context, base);
    ok = ok && tour_buildkit_secret(client, context, base);
    ok = ok && tour_cancel(client, context, base);
    ok = ok && tour_registry(client, registry);
    ok = ok && tour_archives(client, workdir, rootfs);
    ok = ok && tour_events(client, tour_start);
    ok = ok && tour_disk_usage(client);
    cleanup(client);

    dc_client_free(client);
    printf("\n%s\n", ok ? "tour complete" : "tour had failures");
    return ok ? 0 : 1;
}
