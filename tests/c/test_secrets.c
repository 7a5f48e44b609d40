/* No credential ever shows: registry credentials, right and wrong, given as options, through a
 * docker config and through a credential helper, used by pull, push, search, distribution,
 * build and auth against the htpasswd registry. Every error message, error JSON, result,
 * progress message, and everything the process writes to stdout and stderr meanwhile is
 * searched for each secret, plain and in base64 / base64url (any alignment, any JSON around
 * it: base64-looking runs are decoded and searched). Under valgrind like every C test. */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define MAX_SECRETS 6
static const char *secrets[MAX_SECRETS];
static int n_secrets = 0;
static int leaks_found = 0;
static int texts_searched = 0;
static int report_finds = 1; /* off while the search checks itself */

/* ---- searching a text for the secrets -------------------------------------------------------- */

static int b64_value(char ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
}

/* Decodes the base64 (either alphabet) run s[0..n) into out; returns the decoded length. */
static size_t b64_decode(const char *s, size_t n, char *out, size_t cap) {
    size_t i, o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (i = 0; i < n && o + 1 < cap; i++) {
        int v = b64_value(s[i]);
        if (v < 0) break;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    return o;
}

static int contains(const char *hay, size_t n, const char *needle) {
    size_t m = strlen(needle), i;
    if (m == 0 || m > n) return 0;
    for (i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0) return 1;
    return 0;
}

/* Every secret, plain, and inside any base64 run of the text (tried at each of the 4
 * alignments, since a secret can sit anywhere in an encoded JSON document). */
static void search(const char *where, const char *text, size_t len) {
    size_t i = 0;
    int k;
    texts_searched++;
    for (k = 0; k < n_secrets; k++) {
        if (contains(text, len, secrets[k])) {
            leaks_found++;
            if (report_finds) fprintf(stderr, "FAIL: secret %d in %s (plain)\n", k, where);
        }
    }
    while (i < len) {
        size_t j = i;
        while (j < len && b64_value(text[j]) >= 0) j++;
        if (j - i >= 8) {
            size_t shift;
            for (shift = 0; shift < 4 && i + shift < j; shift++) {
                static char decoded[1 << 16];
                size_t d = b64_decode(text + i + shift, j - i - shift, decoded, sizeof decoded);
                for (k = 0; k < n_secrets; k++) {
                    if (contains(decoded, d, secrets[k])) {
                        leaks_found++;
                        if (report_finds) fprintf(stderr, "FAIL: secret %d in %s (base64)\n", k, where);
                    }
                }
            }
        }
        i = j + 1;
    }
}

static void search_error(const char *where, dc_error *err) {
    char label[256];
    if (!err) return;
    snprintf(label, sizeof label, "%s: error message", where);
    search(label, dc_error_message(err), strlen(dc_error_message(err)));
    snprintf(label, sizeof label, "%s: error JSON", where);
    search(label, dc_error_json(err), strlen(dc_error_json(err)));
}

/* Progress messages are searched as they arrive. */
static int32_t on_progress(void *userdata, const uint8_t *buf, size_t len) {
    search((const char *)userdata, (const char *)buf, len);
    return 0;
}

/* The search finds what it must: a secret inside base64 and base64url encodings of JSON, at
 * each alignment (made by the system's base64, as a header or a config file would hold it). */
static void the_search_finds_encoded_secrets(void) {
    static const char *docs[] = {
        "printf '{\"username\":\"u\",\"password\":\"%s\"}' | base64 -w0",
        "printf '{\"password\":\"%s\",\"x\":1}' | base64 -w0 | tr '+/' '-_' | tr -d =",
        "printf 'ab:%s' | base64 -w0",
        "printf 'abc:%s' | base64 -w0",
    };
    size_t i;
    for (i = 0; i < sizeof docs / sizeof *docs; i++) {
        char cmd[512], got[1024];
        size_t n;
        FILE *p;
        int before = leaks_found;
        snprintf(cmd, sizeof cmd, docs[i], secrets[1]);
        p = popen(cmd, "r");
        if (!p) exit(2);
        n = fread(got, 1, sizeof got - 1, p);
        pclose(p);
        got[n] = '\0';
        report_finds = 0;
        search("self-check", got, n);
        report_finds = 1;
        CHECK(leaks_found == before + 1, "the search misses an encoded secret: %s", got);
        leaks_found = before;
    }
}

/* ---- capturing the process's own stdout and stderr -------------------------------------------- */

static char capture_path[512];
static int saved_out = -1, saved_err = -1;

static void capture_start(void) {
    int fd;
    fflush(stdout);
    fflush(stderr);
    snprintf(capture_path, sizeof capture_path, "%s/dc-secrets-capture-%ld", test_env("DC_TEST_DIR"), (long)getpid());
    fd = open(capture_path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0) exit(2);
    saved_out = dup(1);
    saved_err = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
}

static void capture_end(void) {
    FILE *f;
    static char buf[1 << 20];
    size_t n;
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    f = fopen(capture_path, "r");
    if (!f) exit(2);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    search("the process's stdout and stderr", buf, n);
    printf("stdout and stderr during the operations: %zu bytes searched\n", n);
    remove(capture_path);
}

/* ---- the operations ------------------------------------------------------------------------ */

static void write_text(const char *path, const char *text, int mode) {
    FILE *f = fopen(path, "w");
    if (!f) exit(2);
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

/* Runs every operation with `auth` (a JSON object for the "auth" options, or NULL for the
 * client's docker config). */
static void every_operation(dc_client *c, const char *label, const char *auth, const char *image, const char *ctx) {
    char opts[4096], where[256];
    dc_error *err = NULL;
    char *out = NULL;
    const char *reg = test_env("DC_TEST_AUTH_REGISTRY");
    char auth_field[2048] = "";
    if (auth) snprintf(auth_field, sizeof auth_field, ", \"auth\": %s", auth);

#define RUN(op, call)                                                                              \
    do {                                                                                           \
        snprintf(where, sizeof where, "%s, %s", label, op);                                       \
        (void)(call);                                                                              \
        search_error(where, err);                                                                  \
        if (out) search(where, out, strlen(out));                                                  \
        dc_error_free(err);                                                                        \
        dc_string_free(out);                                                                       \
        err = NULL;                                                                                \
        out = NULL;                                                                                \
    } while (0)

    snprintf(opts, sizeof opts, "{\"image\": \"%s\"%s}", image, auth_field);
    RUN("pull", dc_image_pull(c, opts, on_progress, where, &out, &err));
    snprintf(opts, sizeof opts, "{\"progress\": \"json\"%s}", auth_field);
    RUN("push", dc_image_push(c, image, opts, on_progress, where, &out, &err));
    snprintf(opts, sizeof opts, "{\"term\": \"%s/dc\"%s}", reg, auth_field);
    RUN("search", dc_image_search(c, opts, &out, &err));
    /* distribution takes "auth" alone */
    if (auth) snprintf(opts, sizeof opts, "{\"auth\": %s}", auth);
    RUN("distribution", dc_image_distribution(c, image, auth ? opts : NULL, &out, &err));
    if (auth)
        snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"version\": \"1\", \"network_mode\": \"none\", \"pull\": true, "
                 "\"auth_configs\": {\"%s\": %s}}", ctx, reg, auth);
    else
        snprintf(opts, sizeof opts, "{\"context_dir\": \"%s\", \"version\": \"1\", \"network_mode\": \"none\", \"pull\": true}", ctx);
    RUN("build", dc_image_build(c, opts, NULL, NULL, on_progress, where, &out, &err));
    if (auth) {
        char creds[2048];
        /* dc_system_auth takes the credentials themselves, with the registry. */
        snprintf(creds, sizeof creds, "%s", auth);
        if (creds[strlen(creds) - 1] == '}') {
            creds[strlen(creds) - 1] = '\0';
            snprintf(opts, sizeof opts, "%s, \"serveraddress\": \"%s\"}", creds, reg);
        }
        RUN("auth", dc_system_auth(c, opts, &out, &err));
        {
            /* A kept login writes a config: a client of its own, on a scratch directory. */
            char dir[] = "/tmp/dc-secrets-login-XXXXXX", copts[1024], rm[64];
            dc_client *lc = NULL;
            if (mkdtemp(dir)) {
                snprintf(copts, sizeof copts, "{\"host\": \"%s\", \"docker_config\": \"%s\"}", test_env("DC_TEST_UNIX"), dir);
                if (dc_client_new(copts, &lc, &err) == DC_OK) {
                    RUN("login", dc_auth_login(lc, opts, NULL, &out, &err));
                    RUN("logout", dc_auth_logout(lc, reg, NULL, &out, &err));
                    dc_client_free(lc);
                }
                dc_error_free(err);
                err = NULL;
                snprintf(rm, sizeof rm, "rm -rf %s", dir);
                CHECK(system(rm) == 0, "cleanup");
            }
        }
    }
    RUN("auth_resolve", dc_auth_resolve(c, reg, &out, &err));
#undef RUN
}

int main(void) {
    const char *reg = test_env("DC_TEST_AUTH_REGISTRY");
    const char *user = test_env("DC_TEST_REGISTRY_USER");
    const char *password = test_env("DC_TEST_REGISTRY_PASSWORD");
    char wrong[64], idtoken[64], regtoken[64], helper_secret[64];
    char image[256], dir[512], path[700], text[4096], opts[1024], auth[1024], cmd[2048];
    dc_client *c = test_client();
    dc_client *cc;
    dc_error *err = NULL;
    char *out = NULL;
    const char *old_path = getenv("PATH");
    char new_path[4096];

    snprintf(wrong, sizeof wrong, "Wr0ng-pass-%ld-xq", (long)getpid());
    snprintf(idtoken, sizeof idtoken, "idtok-%ld-Kq9Zr", (long)getpid());
    snprintf(regtoken, sizeof regtoken, "regtok-%ld-Vb7Lm", (long)getpid());
    snprintf(helper_secret, sizeof helper_secret, "helper-%ld-Secret", (long)getpid());
    secrets[n_secrets++] = password;
    secrets[n_secrets++] = wrong;
    secrets[n_secrets++] = idtoken;
    secrets[n_secrets++] = regtoken;
    secrets[n_secrets++] = helper_secret;

    the_search_finds_encoded_secrets();

    /* An image in the htpasswd registry, and a build context that pulls it. */
    snprintf(image, sizeof image, "%s/dc-c-secrets-%ld:v1", reg, (long)getpid());
    snprintf(cmd, sizeof cmd, "DOCKER_CONFIG=%s/cli-config docker -H %s tag %s %s", test_env("DC_TEST_DIR"),
             test_env("DC_TEST_UNIX"), test_env("DC_TEST_BASE_IMAGE"), image);
    CHECK(system(cmd) == 0, "%s", cmd);
    snprintf(opts, sizeof opts, "{\"auth\": {\"username\": \"%s\", \"password\": \"%s\"}}", user, password);
    CHECK_STATUS(dc_image_push(c, image, opts, NULL, NULL, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;
    snprintf(dir, sizeof dir, "%s/dc-c-secrets-%ld", test_env("DC_TEST_DIR"), (long)getpid());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/Dockerfile", dir);
    snprintf(text, sizeof text, "FROM %s\nRUN true\n", image);
    write_text(path, text, 0644);

    capture_start();

    /* 1. As options: right, wrong, identity token, registry token. */
    snprintf(auth, sizeof auth, "{\"username\": \"%s\", \"password\": \"%s\"}", user, password);
    every_operation(c, "options, right password", auth, image, dir);
    snprintf(auth, sizeof auth, "{\"username\": \"%s\", \"password\": \"%s\"}", user, wrong);
    every_operation(c, "options, wrong password", auth, image, dir);
    snprintf(auth, sizeof auth, "{\"identitytoken\": \"%s\"}", idtoken);
    every_operation(c, "options, identity token", auth, image, dir);
    snprintf(auth, sizeof auth, "{\"registrytoken\": \"%s\"}", regtoken);
    every_operation(c, "options, registry token", auth, image, dir);

    /* 2. Through a docker config: right and wrong "auths" entries. */
    snprintf(path, sizeof path, "%s/config.json", dir);
    snprintf(cmd, sizeof cmd, "printf '{\"auths\":{\"%s\":{\"auth\":\"%%s\"}}}' \"$(printf '%%s:%%s' '%s' '%s' | base64 -w0)\" > %s",
             reg, user, password, path);
    CHECK(system(cmd) == 0, "config");
    snprintf(opts, sizeof opts, "{\"host\": \"%s\", \"docker_config\": \"%s\"}", test_env("DC_TEST_UNIX"), dir);
    CHECK_STATUS(dc_client_new(opts, &cc, &err), err, DC_OK);
    every_operation(cc, "docker config, right password", NULL, image, dir);
    snprintf(cmd, sizeof cmd, "printf '{\"auths\":{\"%s\":{\"auth\":\"%%s\"}}}' \"$(printf '%%s:%%s' '%s' '%s' | base64 -w0)\" > %s",
             reg, user, wrong, path);
    CHECK(system(cmd) == 0, "config");
    every_operation(cc, "docker config, wrong password", NULL, image, dir);

    /* 3. Through a credential helper on PATH (it answers with a wrong secret). */
    snprintf(path, sizeof path, "%s/docker-credential-dcsecrets", dir);
    snprintf(text, sizeof text, "#!/bin/sh\ncat >/dev/null\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}'\n",
             reg, user, helper_secret);
    write_text(path, text, 0755);
    snprintf(path, sizeof path, "%s/config.json", dir);
    snprintf(text, sizeof text, "{\"credHelpers\": {\"%s\": \"dcsecrets\"}}", reg);
    write_text(path, text, 0600);
    snprintf(new_path, sizeof new_path, "%s:%s", dir, old_path ? old_path : "/usr/bin:/bin");
    setenv("PATH", new_path, 1);
    every_operation(cc, "credential helper", NULL, image, dir);
    setenv("PATH", old_path ? old_path : "/usr/bin:/bin", 1);
    dc_client_free(cc);

    capture_end();

    CHECK(leaks_found == 0, "%d secrets found", leaks_found);
    printf("secrets: %d texts searched (errors, error JSON, results, progress, stdout/stderr), %d secrets found\n",
           texts_searched, leaks_found);
    snprintf(cmd, sizeof cmd, "rm -rf %s; DOCKER_CONFIG=%s/cli-config docker -H %s rmi -f %s >/dev/null 2>&1", dir,
             test_env("DC_TEST_DIR"), test_env("DC_TEST_UNIX"), image);
    CHECK(system(cmd) == 0, "cleanup");
    dc_client_free(c);
    DONE();
}
