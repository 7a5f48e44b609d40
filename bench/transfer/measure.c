/* Runs a command and prints "WALL_S CPU_S MAXRSS_KIB" for it: wall time from a monotonic clock,
 * CPU as user+sys of the child (and its children) from wait4's rusage with microseconds (GNU
 * time rounds to 10 ms, too coarse for a client that mostly waits), peak RSS of the child.
 * Usage: measure OUTFILE CMD [ARGS...]   (exit status: the command's) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char **argv) {
    struct timespec t0, t1;
    struct rusage ru;
    int status = 0;
    pid_t pid;
    FILE *out;
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUTFILE CMD [ARGS...]\n", argv[0]);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("exec");
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 2;
    }
    fprintf(out, "%.4f %.6f %ld\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            seconds(ru.ru_utime) + seconds(ru.ru_stime), ru.ru_maxrss);
    fclose(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
