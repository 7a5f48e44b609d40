/* The C side of the archive benchmark and memory check: save, load and import through
 * libdockerclient's C API, with plain read/write callbacks on file descriptors.
 *
 *   archive_tool HOST import REPO:TAG MIB      import a rootfs tar holding one file of MIB MiB of
 *                                              /dev/urandom data, generated while it streams
 *   archive_tool HOST save NAME PATH           save NAME to PATH ("/dev/null" is fine) through a
 *                                              write callback on a file descriptor
 *   archive_tool HOST save-reader NAME PATH    the same read by the program (dc_reader_read)
 *   archive_tool HOST save-path NAME PATH      the same with the "output_path" option: the
 *                                              library writes PATH itself (zero-copy over a
 *                                              Unix socket or plain TCP)
 *   archive_tool HOST load PATH                load the archive at PATH
 *   archive_tool HOST cycle REPO:TAG MIB PATH  import, save to PATH, load PATH: all three in one
 *                                              process, for the peak-memory measurement
 *
 * HOST is a daemon address such as unix:///var/run/docker.sock. Prints one line per step on
 * stderr; exits non-zero on failure. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dockerclient.h"

/* ---- a rootfs tar generated on the fly ---------------------------------------------------- */

typedef struct {
    int urandom;
    uint64_t data_size;   /* bytes of the single file */
    uint64_t produced;    /* bytes of the whole tar produced so far */
    uint64_t total;       /* 512 header + data + padding + 1024 end marker */
    unsigned char header[512];
} rootfs_stream;

static void octal(char *field, size_t width, uint64_t value) {
    /* width includes the terminating NUL */
    snprintf(field, width, "%0*llo", (int)(width - 1), (unsigned long long)value);
}

static void rootfs_init(rootfs_stream *s, uint64_t data_size) {
    unsigned sum = 0;
    size_t i;
    memset(s, 0, sizeof *s);
    s->data_size = data_size;
    s->total = 512 + data_size + (512 - data_size % 512) % 512 + 1024;
    strcpy((char *)s->header, "random.bin");
    octal((char *)s->header + 100, 8, 0644);           /* mode */
    octal((char *)s->header + 108, 8, 0);              /* uid */
    octal((char *)s->header + 116, 8, 0);              /* gid */
    octal((char *)s->header + 124, 12, data_size);     /* size (< 8 GiB) */
    octal((char *)s->header + 136, 12, 1700000000);    /* mtime */
    memset(s->header + 148, ' ', 8);                   /* checksum, counted as spaces */
    s->header[156] = '0';                              /* regular file */
    memcpy(s->header + 257, "ustar\0" "00", 8);        /* POSIX ustar magic and version */
    for (i = 0; i < 512; i++) {
        sum += s->header[i];
    }
    snprintf((char *)s->header + 148, 8, "%06o", sum);
    s->urandom = open("/dev/urandom", O_RDONLY);
}

static ptrdiff_t rootfs_read(void *userdata, uint8_t *buf, size_t cap) {
    rootfs_stream *s = (rootfs_stream *)userdata;
    size_t n = 0;
    while (n < cap && s->produced < s->total) {
        uint64_t at = s->produced;
        size_t want;
        if (at < 512) {
            want = (size_t)(512 - at) < cap - n ? (size_t)(512 - at) : cap - n;
            memcpy(buf + n, s->header + at, want);
        } else if (at < 512 + s->data_size) {
            uint64_t left = 512 + s->data_size - at;
            ssize_t got;
            want = left < cap - n ? (size_t)left : cap - n;
            got = read(s->urandom, buf + n, want);
            if (got <= 0) {
                return -1;
            }
            want = (size_t)got;
        } else {
            uint64_t left = s->total - at;
            want = left < cap - n ? (size_t)left : cap - n;
            memset(buf + n, 0, want);
        }
        n += want;
        s->produced += want;
    }
    return (ptrdiff_t)n;
}

/* ---- file descriptors as callbacks -------------------------------------------------------- */

static double now(void);

/* When a save's first chunk arrived (0 = not yet): the daemon prepares the whole archive
 * before sending a byte, so the streaming itself is what follows. */
static double first_chunk_at = 0;

static int32_t write_fd(void *userdata, const uint8_t *buf, size_t len) {
    int fd = *(int *)userdata;
    if (first_chunk_at == 0) {
        first_chunk_at = now();
    }
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

static ptrdiff_t read_fd(void *userdata, uint8_t *buf, size_t cap) {
    int fd = *(int *)userdata;
    for (;;) {
        ssize_t r = read(fd, buf, cap);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return r;
    }
}

/* ---- steps -------------------------------------------------------------------------------- */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int report(const char *step, dc_status s, dc_error *err, double t0, const char *result) {
    if (s != DC_OK) {
        fprintf(stderr, "%s failed: %s: %s\n", step, dc_status_name(s), dc_error_message(err));
        dc_error_free(err);
        return 1;
    }
    fprintf(stderr, "%s: ok in %.2f s%s%s\n", step, now() - t0, result ? ": " : "", result ? result : "");
    return 0;
}

static int do_import(dc_client *c, const char *repo, uint64_t mib) {
    rootfs_stream s;
    dc_error *err = NULL;
    char *out = NULL;
    char opts[1024];
    double t0 = now();
    dc_status st;
    rootfs_init(&s, mib * 1024 * 1024);
    if (s.urandom < 0) {
        perror("/dev/urandom");
        return 1;
    }
    snprintf(opts, sizeof opts, "{\"repository\": \"%s\"}", repo);
    st = dc_image_import(c, opts, rootfs_read, &s, NULL, NULL, &out, &err);
    close(s.urandom);
    st = report("import", st, err, t0, out);
    dc_string_free(out);
    return st;
}

static int do_save(dc_client *c, const char *name, const char *path) {
    dc_error *err = NULL;
    char opts[1024];
    double t0 = now();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dc_status st;
    if (fd < 0) {
        perror(path);
        return 1;
    }
    snprintf(opts, sizeof opts, "{\"names\": \"%s\"}", name);
    first_chunk_at = 0;
    st = dc_image_save(c, opts, write_fd, &fd, &err);
    close(fd);
    if (st == DC_OK) {
        fprintf(stderr, "save: first byte after %.3f s, streamed in %.3f s\n", first_chunk_at - t0,
                now() - first_chunk_at);
    }
    return report("save", st, err, t0, NULL);
}

/* The save read by the program (dc_image_save_open + dc_reader_read) into a 256 KiB buffer,
 * written to PATH: what a program that wants the bytes in its own memory pays. */
static int do_save_reader(dc_client *c, const char *name, const char *path) {
    static uint8_t buf[256 * 1024];
    dc_error *err = NULL;
    dc_reader *r = NULL;
    char opts[1024];
    double t0 = now();
    size_t n = 0;
    dc_status st;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    snprintf(opts, sizeof opts, "{\"names\": \"%s\"}", name);
    st = dc_image_save_open(c, opts, &r, &err);
    while (st == DC_OK && (st = dc_reader_read(r, buf, sizeof buf, &n, &err)) == DC_OK && n > 0) {
        if (write_fd(&fd, buf, n) != 0) {
            perror(path);
            dc_reader_free(r);
            close(fd);
            return 1;
        }
    }
    dc_reader_free(r);
    close(fd);
    return report("save", st, err, t0, NULL);
}

static int do_save_path(dc_client *c, const char *name, const char *path) {
    dc_error *err = NULL;
    char opts[2048];
    double t0 = now();
    snprintf(opts, sizeof opts, "{\"names\": \"%s\", \"output_path\": \"%s\"}", name, path);
    return report("save", dc_image_save(c, opts, NULL, NULL, &err), err, t0, NULL);
}

static int do_load(dc_client *c, const char *path) {
    dc_error *err = NULL;
    char *out = NULL;
    double t0 = now();
    int fd = open(path, O_RDONLY);
    dc_status st;
    if (fd < 0) {
        perror(path);
        return 1;
    }
    st = dc_image_load(c, NULL, read_fd, &fd, NULL, NULL, &out, &err);
    close(fd);
    st = report("load", st, err, t0, out);
    dc_string_free(out);
    return st;
}

int main(int argc, char **argv) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    char opts[1024];
    int rc = 2;
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST import|save|save-path|save-reader|load|cycle ARGS...\n", argv[0]);
        return 2;
    }
    snprintf(opts, sizeof opts, "{\"host\": \"%s\"}", argv[1]);
    if (dc_client_new(opts, &c, &err) != DC_OK) {
        fprintf(stderr, "client: %s\n", dc_error_message(err));
        dc_error_free(err);
        return 1;
    }
    if (strcmp(argv[2], "import") == 0 && argc == 5) {
        rc = do_import(c, argv[3], strtoull(argv[4], NULL, 10));
    } else if (strcmp(argv[2], "save") == 0 && argc == 5) {
        rc = do_save(c, argv[3], argv[4]);
    } else if (strcmp(argv[2], "save-reader") == 0 && argc == 5) {
        rc = do_save_reader(c, argv[3], argv[4]);
    } else if (strcmp(argv[2], "save-path") == 0 && argc == 5) {
        rc = do_save_path(c, argv[3], argv[4]);
    } else if (strcmp(argv[2], "load") == 0 && argc == 4) {
        rc = do_load(c, argv[3]);
    } else if (strcmp(argv[2], "cycle") == 0 && argc == 6) {
        rc = do_import(c, argv[3], strtoull(argv[4], NULL, 10));
        rc = rc ? rc : do_save(c, argv[3], argv[5]);
        rc = rc ? rc : do_load(c, argv[5]);
    } else {
        fprintf(stderr, "bad arguments\n");
    }
    dc_client_free(c);
    return rc;
}
