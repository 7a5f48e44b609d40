/* Progress without a JSON parser, through the C surface and under valgrind: dc_progress_parse
 * on every kind of delivery (canned), then on what real operations deliver: a pull with
 * "aggregate": true whose bar never goes back once its total is final and ends at 100 %, and a
 * BuildKit build whose steps, output and image arrive as typed figures. "aggregate" with text
 * progress is refused. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static dc_progress parse(const char *s) {
    dc_progress p;
    dc_error *err = NULL;
    memset(&p, 0x5a, sizeof p); /* every field must be written */
    CHECK_STATUS(dc_progress_parse((const uint8_t *)s, strlen(s), &p, &err), err, DC_OK);
    return p;
}

static void canned_deliveries(void) {
    dc_progress p;
    dc_error *err = NULL;
    char big[3000];

    p = parse("{\"aggregate\":{\"current\":1500,\"total\":3000,\"layers\":3,\"layers_done\":1,"
              "\"total_final\":true,\"extract_current\":200,\"extract_total\":1000}}\n");
    CHECK(p.kind == DC_PROGRESS_AGGREGATE, "kind %d", p.kind);
    CHECK(p.aggregate_current == 1500 && p.aggregate_total == 3000, "%lld/%lld", (long long)p.aggregate_current,
          (long long)p.aggregate_total);
    CHECK(p.layers == 3 && p.layers_done == 1 && p.total_final == 1, "layers %lld/%lld final %d", (long long)p.layers_done,
          (long long)p.layers, p.total_final);
    CHECK(p.extract_current == 200 && p.extract_total == 1000, "extract");
    CHECK(p.id[0] == '\0' && p.text[0] == '\0' && p.text_truncated == 0, "empty strings");

    p = parse("{\"status\":\"Downloading\",\"progressDetail\":{\"current\":512,\"total\":1024},"
              "\"progress\":\"[=>  ] 512B/1.024kB\",\"id\":\"a3ed95caeb02\"}");
    CHECK(p.kind == DC_PROGRESS_LAYER && strcmp(p.id, "a3ed95caeb02") == 0 && strcmp(p.text, "Downloading") == 0,
          "layer: %d %s %s", p.kind, p.id, p.text);
    CHECK(p.current == 512 && p.total == 1024, "layer bytes");

    p = parse("{\"status\":\"Digest: sha256:c5b1\"}");
    CHECK(p.kind == DC_PROGRESS_STATUS && strcmp(p.text, "Digest: sha256:c5b1") == 0, "status: %d %s", p.kind, p.text);

    p = parse("{\"stream\":\"Step 1/2 : FROM busybox\\n\"}");
    CHECK(p.kind == DC_PROGRESS_OUTPUT && strcmp(p.text, "Step 1/2 : FROM busybox\n") == 0, "output: %s", p.text);

    p = parse("{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}");
    CHECK(p.kind == DC_PROGRESS_ERROR && strcmp(p.text, "manifest unknown") == 0, "error: %d %s", p.kind, p.text);

    p = parse("{\"type\":\"vertex\",\"vertex\":\"sha256:abc\",\"number\":3,\"name\":\"[2/3] RUN make\",\"state\":\"cached\","
              "\"started\":1,\"completed\":2,\"duration\":1}");
    CHECK(p.kind == DC_PROGRESS_VERTEX && p.state == DC_VERTEX_CACHED && p.number == 3, "vertex %d %d %lld", p.kind,
          p.state, (long long)p.number);
    CHECK(strcmp(p.id, "sha256:abc") == 0 && strcmp(p.text, "[2/3] RUN make") == 0, "vertex %s %s", p.id, p.text);

    p = parse("{\"type\":\"status\",\"vertex\":\"sha256:abc\",\"number\":1,\"id\":\"transferring context:\","
              "\"name\":\"\",\"current\":4096,\"total\":0,\"completed\":true}");
    CHECK(p.kind == DC_PROGRESS_COUNTER && p.current == 4096 && p.total == 0 && p.state == 1, "counter %d %lld %d",
          p.kind, (long long)p.current, p.state);

    p = parse("{\"type\":\"log\",\"vertex\":\"sha256:abc\",\"number\":4,\"stream\":\"stdout\",\"text\":\"hello\\n\"}");
    CHECK(p.kind == DC_PROGRESS_LOG && p.number == 4 && strcmp(p.text, "hello\n") == 0, "log %d %s", p.kind, p.text);

    p = parse("{\"type\":\"image\",\"id\":\"sha256:0123\"}");
    CHECK(p.kind == DC_PROGRESS_IMAGE && strcmp(p.id, "sha256:0123") == 0, "image %d %s", p.kind, p.id);

    /* Text mode: the delivery, whole. */
    p = parse("3.19: Pulling from library/alpine\n");
    CHECK(p.kind == DC_PROGRESS_TEXT && strcmp(p.text, "3.19: Pulling from library/alpine\n") == 0, "text %d", p.kind);

    /* Longer than the array: cut, NUL-terminated, said so. */
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    p = parse(big);
    CHECK(p.text_truncated == 1 && strlen(p.text) == sizeof p.text - 1, "truncated %d %zu", p.text_truncated,
          strlen(p.text));

    /* Unknown JSON is OTHER, never an error; bad pointers are. */
    p = parse("{\"aux\":{\"ID\":\"sha256:1\"}}");
    CHECK(p.kind == DC_PROGRESS_OTHER, "aux: %d", p.kind);
    CHECK_STATUS(dc_progress_parse((const uint8_t *)"{}", 2, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_progress_parse(NULL, 5, &p, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_progress_parse(NULL, 0, &p, &err), err, DC_OK);
}

/* ---- a real pull ---------------------------------------------------------------------------- */

typedef struct {
    int aggregates, layers, statuses, went_back, final_seen, bad;
    dc_progress last;
    int last_percent;
} pull_view;

static int32_t on_pull(void *userdata, const uint8_t *buf, size_t len) {
    pull_view *v = (pull_view *)userdata;
    dc_progress p;
    if (dc_progress_parse(buf, len, &p, NULL) != DC_OK) {
        v->bad++;
        return 0;
    }
    if (p.kind == DC_PROGRESS_LAYER) v->layers++;
    if (p.kind == DC_PROGRESS_STATUS) v->statuses++;
    if (p.kind != DC_PROGRESS_AGGREGATE) return 0;
    v->aggregates++;
    if (p.aggregate_current > p.aggregate_total || (v->aggregates > 1 && p.aggregate_current < v->last.aggregate_current))
        v->bad++;
    if (p.total_final) {
        /* Once the total is final, the bar's percentage never goes back. */
        int percent = (int)(100 * p.aggregate_current / (p.aggregate_total ? p.aggregate_total : 1));
        if (v->final_seen && percent < v->last_percent) v->went_back++;
        v->last_percent = percent;
        v->final_seen = 1;
    } else if (v->final_seen) {
        v->went_back++; /* final, then not final again */
    }
    v->last = p;
    return 0;
}

static void docker(const char *args) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "DOCKER_CONFIG=%s/cli-config docker -H %s %s >/dev/null", test_env("DC_TEST_DIR"),
             test_env("DC_TEST_UNIX"), args);
    CHECK(system(cmd) == 0, "%s", cmd);
}

static char scratch[256];

static void real_pull(dc_client *c) {
    dc_error *err = NULL;
    char *out = NULL;
    char name[256], opts[1024], dockerfile[512], args[512];
    pull_view v;

    /* An image with a layer of its own (random bytes), so that the pull downloads something. */
    snprintf(dockerfile, sizeof dockerfile, "FROM %s\nRUN head -c 400000 /dev/urandom > /blob\n",
             test_env("DC_TEST_BASE_IMAGE"));
    write_file_in(scratch, "Dockerfile", dockerfile);
    snprintf(name, sizeof name, "%s/dc-c-progress-%ld:v1", test_env("DC_TEST_REGISTRY"), (long)getpid());
    snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"tags\": [\"%s\"], \"network_mode\": \"none\"}", scratch,
             name);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, NULL, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_image_push(c, name, NULL, NULL, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;
    snprintf(args, sizeof args, "rmi %s", name);
    docker(args);

    /* "aggregate" is a JSON message: with text progress it is refused, not ignored. */
    snprintf(opts, sizeof opts, "{\"image\": \"%s\", \"aggregate\": true, \"progress\": \"text\"}", name);
    CHECK_STATUS(dc_image_pull(c, opts, on_pull, &v, &out, &err), err, DC_INVALID_ARGUMENT);

    memset(&v, 0, sizeof v);
    snprintf(opts, sizeof opts, "{\"image\": \"%s\", \"aggregate\": true}", name);
    CHECK_STATUS(dc_image_pull(c, opts, on_pull, &v, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"new\":true"), "pull result %s", out ? out : "");
    dc_string_free(out);
    out = NULL;
    CHECK(v.bad == 0, "%d bad deliveries", v.bad);
    CHECK(v.layers > 0 && v.statuses > 0 && v.aggregates > 0, "kinds: %d layers, %d statuses, %d aggregates", v.layers,
          v.statuses, v.aggregates);
    CHECK(v.went_back == 0, "the bar went back %d times", v.went_back);
    CHECK(v.last.total_final == 1 && v.last.aggregate_current == v.last.aggregate_total, "ends final at 100%%: %lld/%lld",
          (long long)v.last.aggregate_current, (long long)v.last.aggregate_total);
    /* The blob layer (400 kB of random bytes, compressed to about as much) was downloaded. */
    CHECK(v.last.aggregate_total >= 400000, "total %lld", (long long)v.last.aggregate_total);
    CHECK(v.last.layers >= 2 && v.last.layers_done == v.last.layers, "layers %lld/%lld", (long long)v.last.layers_done,
          (long long)v.last.layers);
    CHECK(v.last.extract_total > 0 && v.last.extract_current == v.last.extract_total, "unpacked %lld/%lld",
          (long long)v.last.extract_current, (long long)v.last.extract_total);
    printf("pull: %d aggregate deliveries, last %lld/%lld bytes, %lld layers, unpacked %lld/%lld\n", v.aggregates,
           (long long)v.last.aggregate_current, (long long)v.last.aggregate_total, (long long)v.last.layers,
           (long long)v.last.extract_current, (long long)v.last.extract_total);
    snprintf(args, sizeof args, "rmi %s", name);
    docker(args);
}

/* ---- a real BuildKit build ------------------------------------------------------------------ */

typedef struct {
    int started, finished, logs_with_hello, images, bad;
    char image[128];
} build_view;

static int32_t on_build(void *userdata, const uint8_t *buf, size_t len) {
    build_view *v = (build_view *)userdata;
    dc_progress p;
    if (dc_progress_parse(buf, len, &p, NULL) != DC_OK) {
        v->bad++;
        return 0;
    }
    if (p.kind == DC_PROGRESS_VERTEX && p.state == DC_VERTEX_STARTED) v->started++;
    if (p.kind == DC_PROGRESS_VERTEX && (p.state == DC_VERTEX_DONE || p.state == DC_VERTEX_CACHED)) v->finished++;
    if (p.kind == DC_PROGRESS_VERTEX && p.number <= 0) v->bad++;
    if (p.kind == DC_PROGRESS_LOG && strstr(p.text, "hello from the step")) v->logs_with_hello++;
    if (p.kind == DC_PROGRESS_IMAGE) {
        v->images++;
        snprintf(v->image, sizeof v->image, "%s", p.id);
    }
    if (p.kind == DC_PROGRESS_TEXT) v->bad++; /* JSON mode never delivers text */
    return 0;
}

static void real_buildkit_build(dc_client *c) {
    dc_error *err = NULL;
    char *out = NULL;
    char opts[1024], dockerfile[512];
    build_view v;

    snprintf(dockerfile, sizeof dockerfile, "FROM %s\nRUN echo hello from the step\n", test_env("DC_TEST_BASE_IMAGE"));
    write_file_in(scratch, "Dockerfile", dockerfile);
    memset(&v, 0, sizeof v);
    snprintf(opts, sizeof opts,
             "{\"context_dir\": \"%s\", \"version\": \"2\", \"no_cache\": true, \"network_mode\": \"none\"}", scratch);
    CHECK_STATUS(dc_image_build(c, opts, NULL, NULL, on_build, &v, &out, &err), err, DC_OK);
    CHECK(v.bad == 0, "%d bad deliveries", v.bad);
    CHECK(v.started >= 2 && v.finished >= v.started, "steps: %d started, %d finished", v.started, v.finished);
    CHECK(v.logs_with_hello >= 1, "the step's output as a log delivery");
    CHECK(v.images == 1 && out && strstr(out, v.image), "the image: %s in %s", v.image, out ? out : "");
    printf("buildkit build: %d steps started, %d finished, image %.19s…\n", v.started, v.finished, v.image);
    if (out) {
        char id[80];
        char *rm = NULL;
        snprintf(id, sizeof id, "%.71s", v.image);
        if (dc_image_remove(c, id, "{\"force\": true}", &rm, &err) == DC_OK) dc_string_free(rm);
        dc_error_free(err);
        err = NULL;
    }
    dc_string_free(out);
}

int main(void) {
    dc_client *c = test_client();
    snprintf(scratch, sizeof scratch, "/tmp/dc-c-progress-%d", (int)getpid());
    mkdir(scratch, 0755);

    canned_deliveries();
    real_pull(c);
    real_buildkit_build(c);

    {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
        CHECK(system(cmd) == 0, "cleanup");
    }
    dc_client_free(c);
    DONE();
}
