"""The Python side of the bindings benchmark: the same work through the dockerclient package
(bindings/python) and through docker-py's APIClient, with the same method calls.

    python3 bench_py.py dockerclient|docker-py ENDPOINT inspect N NAME
    python3 bench_py.py dockerclient|docker-py ENDPOINT save NAME PATH

Prints "<op> <calls> <wall_s> <cpu_s> <bytes>" for the loop alone (CPU: getrusage of this
process, user + system, all threads).
"""
import resource
import sys
import time


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main():
    which, endpoint, op = sys.argv[1], sys.argv[2], sys.argv[3]
    if which == "dockerclient":
        import dockerclient

        api = dockerclient.APIClient(endpoint)
    else:
        import docker

        api = docker.APIClient(base_url=endpoint, version="auto")
    if op == "inspect":
        n, name = int(sys.argv[4]), sys.argv[5]
        api.inspect_image(name)  # connection and version settled
        t0, c0 = time.monotonic(), cpu()
        for _ in range(n):
            api.inspect_image(name)
        print("inspect %d %.6f %.6f 0" % (n, time.monotonic() - t0, cpu() - c0))
    elif op == "save":
        name, path = sys.argv[4], sys.argv[5]
        api.ping()  # connection and version settled before the clock starts, as for inspect
        written = 0
        t0, c0 = time.monotonic(), cpu()
        with open(path, "wb") as out:
            for chunk in api.get_image(name):
                written += out.write(chunk)
        print("save 1 %.6f %.6f %d" % (time.monotonic() - t0, cpu() - c0, written))
    else:
        sys.exit("unknown operation " + op)


if __name__ == "__main__":
    main()
