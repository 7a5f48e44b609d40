#!/usr/bin/env bash
# ssh:// benchmark (issue 12): N (default 1000) inspects of one image and one save of a
# SAVE_MIB (default 512) MiB incompressible image to /dev/null, over the same ssh:// host
# (the private sshd of scripts/test-remote.sh, whose remote `docker system dial-stdio` reaches
# the private test engine), through the library (bench/ssh/ssh_c.c) and through the docker CLI
# (`docker image inspect` given the name N times: one process, one connection, N requests, as
# the library's one client; `docker save IMAGE > /dev/null`).
#
# Each measured unit is a whole process: wall and peak RSS from /usr/bin/time, CPU (user +
# system) of the process and everything it started, ssh included, from a cgroup of its own.
# RUNS (default 3) rounds alternate the two clients; the best round of each is kept. Prints
# the ratios library / CLI; the library must not be the slower one.
#
#   bash bench/ssh/run.sh [N]            (environment: RUNS, SAVE_MIB)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
n=${1:-1000}
RUNS=${RUNS:-3}
SAVE_MIB=${SAVE_MIB:-512}

# shellcheck source=../setup.sh
source bench/setup.sh
bash scripts/test-remote.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-remote.sh env)
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

out=target/bench
mkdir -p "$out"
gcc -O2 -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -o "$out/ssh_c" bench/ssh/ssh_c.c \
    target/release/libdockerclient.a -lpthread -ldl -lm

image=dctest/bench-ssh:big
work=$(mktemp -d /tmp/dc-bench-ssh.XXXXXX)
cleanup() {
    rm -rf "$work"
    "$docker_cli" -H "$DC_TEST_UNIX" rmi -f "$image" >/dev/null 2>&1 || true
}
trap cleanup EXIT
echo "creating $image (${SAVE_MIB} MiB of random bytes)" >&2
head -c "$((SAVE_MIB * 1024 * 1024))" /dev/urandom >"$work/big.bin"
tar -C "$work" -c big.bin | "$docker_cli" -H "$DC_TEST_UNIX" import - "$image" >/dev/null
rm -f "$work/big.bin"

# From here on, DOCKER_HOST is the ssh:// host, and `ssh` is the test's wrapper.
export DOCKER_HOST=$DC_TEST_SSH_HOST
export PATH="$DC_TEST_SSH_BIN:$PATH"
names=()
for _ in $(seq "$n"); do names+=("$DC_TEST_BASE_IMAGE"); done

# CPU is counted in a cgroup of its own (cpuacct, v1 or v2) so that every process a client
# starts counts, also an ssh it does not wait for (the docker CLI leaves its ssh to exit by
# itself; /usr/bin/time would miss it). Without a usable cgroup, /usr/bin/time's user + system.
cg_root=""
for d in /sys/fs/cgroup/cpuacct /sys/fs/cgroup; do
    if [ -w "$d" ] && { [ -f "$d/cpuacct.usage" ] || [ -f "$d/cgroup.procs" ]; } && mkdir "$d/dcbench-probe-$$" 2>/dev/null; then
        rmdir "$d/dcbench-probe-$$"
        cg_root=$d
        break
    fi
done
[ -n "$cg_root" ] || echo "no writable cgroup: CPU from /usr/bin/time (processes left running are not counted)" >&2

cg_cpu() { # cgroup dir: CPU seconds used in it
    if [ -f "$1/cpuacct.usage" ]; then
        awk '{ printf "%.2f", $1 / 1e9 }' "$1/cpuacct.usage"
    else
        awk '/^usage_usec/ { printf "%.2f", $2 / 1e6 }' "$1/cpu.stat"
    fi
}

timed() { # label, command...: prints "label wall cpu rss_kib"
    local label=$1 cg="" procs
    shift
    if [ -n "$cg_root" ]; then
        cg="$cg_root/dcbench-$$-$label"
        mkdir -p "$cg"
        procs=$cg/cgroup.procs
        [ -f "$procs" ] || procs=$cg/tasks
        /usr/bin/time -f "$label %e %U %S %M" -o "$work/time" sh -c 'echo $$ > "$0" && exec "$@"' "$procs" "$@" >/dev/null
        # Whatever the client left running (an ssh exiting by itself) finishes first.
        for _ in $(seq 100); do [ -z "$(cat "$procs")" ] && break; sleep 0.1; done
        awk -v cpu="$(cg_cpu "$cg")" '{ printf "%s %s %s %s\n", $1, $2, cpu, $5 }' "$work/time"
        rmdir "$cg"
    else
        /usr/bin/time -f "$label %e %U %S %M" -o "$work/time" "$@" >/dev/null
        awk '{ printf "%s %s %.2f %s\n", $1, $2, $3 + $4, $5 }' "$work/time"
    fi
}

results=$(for _ in $(seq "$RUNS"); do
    timed lib-inspect "$out/ssh_c" inspect "$n" "$DC_TEST_BASE_IMAGE"
    timed cli-inspect "$docker_cli" image inspect "${names[@]}"
    timed lib-save "$out/ssh_c" save "$image"
    timed cli-save sh -c "\"$docker_cli\" save \"$image\" > /dev/null"
done)
echo "$results" | awk -v n="$n" -v mib="$SAVE_MIB" '
    { if (!($1 in wall) || $2 < wall[$1]) { wall[$1] = $2 } if (!($1 in cpu) || $3 < cpu[$1]) cpu[$1] = $3;
      if (!($1 in rss) || $4 < rss[$1]) rss[$1] = $4 }
    END {
        printf "%-12s %10s %10s %12s\n", "client", "wall s", "CPU s", "peak RSS MiB";
        split("lib-inspect cli-inspect lib-save cli-save", order, " ");
        for (i = 1; i <= 4; i++) { k = order[i]; printf "%-12s %10.2f %10.2f %12.1f\n", k, wall[k], cpu[k], rss[k] / 1024 }
        printf "%d inspects over ssh: calls/s library %.0f, CLI %.0f; ratio wall (library / CLI) %.2f, CPU %.2f\n",
            n, n / wall["lib-inspect"], n / wall["cli-inspect"], wall["lib-inspect"] / wall["cli-inspect"], cpu["lib-inspect"] / cpu["cli-inspect"];
        printf "save of %d MiB over ssh: ratio wall (library / CLI) %.2f, CPU %.2f\n",
            mib, wall["lib-save"] / wall["cli-save"], cpu["lib-save"] / cpu["cli-save"];
        slower = (wall["lib-inspect"] > wall["cli-inspect"] * 1.05) || (wall["lib-save"] > wall["cli-save"] * 1.05);
        print (slower ? "TARGET MISSED: the library is the slower one" : "target met: the library is not the slower one");
    }'
