"""Benchmark: the same loops as meta_c.c with docker-py's low-level APIClient (images(),
inspect_image()) on one client from DOCKER_HOST. Prints "docker-py <op> <calls> <wall_s> <cpu_s>
<images>". Usage: meta_py.py N REPO COUNT"""
import os
import resource
import sys
import time

import docker


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main():
    n, repo, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    api = docker.APIClient(base_url=os.environ["DOCKER_HOST"], version="auto")
    api.images()
    api.inspect_image(repo + ":0")

    t0, c0 = time.monotonic(), cpu()
    images = 0
    for _ in range(n):
        images += len(api.images())
    print("docker-py list %d %.6f %.6f %d" % (n, time.monotonic() - t0, cpu() - c0, images))

    t0, c0 = time.monotonic(), cpu()
    for i in range(n):
        api.inspect_image("%s:%d" % (repo, i % count))
    print("docker-py inspect %d %.6f %.6f %d" % (n, time.monotonic() - t0, cpu() - c0, n))


if __name__ == "__main__":
    main()
