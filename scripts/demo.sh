#!/usr/bin/env bash
# Builds and runs the C tour (examples-c/demo.c) against the daemon named by DOCKER_HOST,
# or, where none answers, the project's private test engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=target/c
lib=$out/lib
mkdir -p "$lib"
ln -sf "$root/target/release/libdockerclient.so" "$lib/libdockerclient.so.0"
ln -sf libdockerclient.so.0 "$lib/libdockerclient.so"
gcc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -o "$out/demo" examples-c/demo.c \
    -L"$lib" -ldockerclient -lpthread -Wl,-rpath,"$root/$lib"
gcc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -o "$out/progress" examples-c/progress.c \
    -L"$lib" -ldockerclient -Wl,-rpath,"$root/$lib"

answers() {
    local host=$1
    case "$host" in
        unix://*) curl -fsS --max-time 3 --unix-socket "${host#unix://}" http://d/_ping >/dev/null 2>&1 ;;
        tcp://*) [ -z "${DOCKER_TLS_VERIFY:-}" ] && curl -fsS --max-time 3 "http://${host#tcp://}/_ping" >/dev/null 2>&1 ;;
        *) return 1 ;;
    esac
}

if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then
    echo "demo: using DOCKER_HOST=$DOCKER_HOST"
else
    [ -n "${DOCKER_HOST:-}" ] && echo "demo: DOCKER_HOST=$DOCKER_HOST does not answer; using the private engine"
    bash scripts/test-engine.sh up >/dev/null
    # shellcheck disable=SC1090
    source <(bash scripts/test-engine.sh env)
    export DOCKER_HOST=$DC_TEST_UNIX
    unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
fi
# The registry the tour pushes to and pulls from (a loopback registry is insecure by default).
export DEMO_REGISTRY=${DEMO_REGISTRY:-127.0.0.1:25000}
export DEMO_BASE_IMAGE=${DEMO_BASE_IMAGE:-dctest/busybox:latest}
export DEMO_CONTEXT=$root/examples-c/context
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DEMO_WORKDIR=$work
# A tiny root filesystem for the import step.
mkdir -p "$work/rootfs"
echo "imported by the dockerclient tour" > "$work/rootfs/hello.txt"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
export DEMO_ROOTFS_TAR=$work/rootfs.tar
"$out/demo"
echo
echo "== Progress bars without a JSON parser (examples-c/progress.c, dc_progress_parse)"
"$out/progress" pull "$DEMO_REGISTRY/dockerclient-demo/app:1"
"$out/progress" build "$DEMO_CONTEXT"
