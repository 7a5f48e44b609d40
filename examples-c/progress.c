/* One-line progress bars without a JSON parser: dc_progress_parse() reads each delivery of the
 * progress callback into a struct of figures.
 *
 *   progress pull IMAGE        a pull with "aggregate": true: bytes over all layers, a
 *                              percentage once the total is final, then the unpacking phase
 *   progress build DIR         a BuildKit build: steps done out of steps seen
 *
 * The daemon comes from DOCKER_HOST (NULL client options). Part of `make demo`. */
#include <stdio.h>
#include <string.h>

#include "dockerclient.h"

static void bar(const char *label, double fraction, const char *tail) {
    char b[31];
    int i, n = (int)(fraction * 30.0 + 0.5);
    if (n > 30) n = 30;
    for (i = 0; i < 30; i++) b[i] = i < n ? '#' : '.';
    b[30] = '\0';
    printf("\r  %-8s [%s] %3d%% %-40s", label, b, (int)(fraction * 100.0 + 0.5), tail);
    fflush(stdout);
}

/* Bytes as the CLI shows them: B, kB, MB, GB (powers of 1000). */
static const char *human(int64_t n, char *buf, size_t cap) {
    static const char *units[] = {"B", "kB", "MB", "GB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1000.0 && u < 3) {
        v /= 1000.0;
        u++;
    }
    snprintf(buf, cap, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
    return buf;
}

/* A pull: the aggregate message after each layer update. */
static int32_t pull_bar(void *userdata, const uint8_t *buf, size_t len) {
    dc_progress p;
    char tail[64], done[16], all[16];
    (void)userdata;
    if (dc_progress_parse(buf, len, &p, NULL) != DC_OK || p.kind != DC_PROGRESS_AGGREGATE) return 0;
    if (p.extract_total > 0 && p.aggregate_current >= p.aggregate_total) {
        snprintf(tail, sizeof tail, "unpacking %s/%s", human(p.extract_current, done, sizeof done),
                 human(p.extract_total, all, sizeof all));
        bar("pull", (double)p.extract_current / (double)p.extract_total, tail);
    } else if (p.total_final && p.aggregate_total > 0) {
        snprintf(tail, sizeof tail, "%s/%s, %lld/%lld layers", human(p.aggregate_current, done, sizeof done),
                 human(p.aggregate_total, all, sizeof all), (long long)p.layers_done, (long long)p.layers);
        bar("pull", (double)p.aggregate_current / (double)p.aggregate_total, tail);
    } else {
        /* The total still grows: show the bytes, not a percentage that would jump back. */
        snprintf(tail, sizeof tail, "%s so far, %lld/%lld layers", human(p.aggregate_current, done, sizeof done),
                 (long long)p.layers_done, (long long)p.layers);
        printf("\r  %-8s %-73s", "pull", tail);
        fflush(stdout);
    }
    return 0;
}

/* A BuildKit build: steps seen and finished, from the JSON events. */
typedef struct {
    long long seen, finished;
    char step[48];
} steps;

static int32_t build_bar(void *userdata, const uint8_t *buf, size_t len) {
    steps *s = (steps *)userdata;
    dc_progress p;
    char tail[64];
    if (dc_progress_parse(buf, len, &p, NULL) != DC_OK || p.kind != DC_PROGRESS_VERTEX) return 0;
    if (p.state == DC_VERTEX_STARTED) {
        s->seen++;
        snprintf(s->step, sizeof s->step, "%.47s", p.text);
    } else {
        s->finished++;
    }
    snprintf(tail, sizeof tail, "%lld/%lld steps %.30s", s->finished, s->seen, s->step);
    bar("build", s->seen ? (double)s->finished / (double)s->seen : 0.0, tail);
    return 0;
}

int main(int argc, char **argv) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    char *out = NULL;
    char opts[1024];
    dc_status s;
    if (argc != 3 || (strcmp(argv[1], "pull") != 0 && strcmp(argv[1], "build") != 0)) {
        fprintf(stderr, "usage: progress pull IMAGE | progress build DIR\n");
        return 2;
    }
    if (dc_client_new(NULL, &c, &err) != DC_OK) {
        fprintf(stderr, "dc_client_new: %s\n", dc_error_message(err));
        dc_error_free(err);
        return 1;
    }
    if (strcmp(argv[1], "pull") == 0) {
        /* The image name is written by the caller; no JSON escaping is done here. */
        snprintf(opts, sizeof opts, "{\"image\": \"%s\", \"aggregate\": true}", argv[2]);
        s = dc_image_pull(c, opts, pull_bar, NULL, &out, &err);
    } else {
        steps st;
        memset(&st, 0, sizeof st);
        snprintf(opts, sizeof opts,
                 "{\"context_dir\": \"%s\", \"version\": \"2\", \"network_mode\": \"none\", \"no_cache\": true}", argv[2]);
        s = dc_image_build(c, opts, NULL, NULL, build_bar, &st, &out, &err);
    }
    printf("\n");
    if (s != DC_OK) {
        fprintf(stderr, "%s: %s\n", dc_status_name(s), dc_error_message(err));
        dc_error_free(err);
        dc_client_free(c);
        return 1;
    }
    printf("  result: %s\n", out);
    dc_string_free(out);
    dc_client_free(c);
    return 0;
}
