#!/usr/bin/env bash
# Image archives in bounded memory and at the speed of the socket (issue 5).
#
#   bash bench/archive/run.sh [all|memory|bench]      (default: all)
#
# memory: one C program imports a 2 GiB image (a rootfs tar of /dev/urandom data generated while
#         it streams, never held), saves it to a file and loads that file back, all through
#         libdockerclient's C API; its peak RSS (/usr/bin/time -v) must stay under 16 MiB.
# bench:  on a 1 GiB incompressible image, save to /dev/null and load back from a file with
#         the C API (save three ways: "libdockerclient" with output_path, which splices the socket
#         into the file, "libdockerclient-reader" read by the program with dc_reader_read and
#         written out, and "libdockerclient-cb" through a write callback that write(2)s to
#         the file), `curl --unix-socket` (the floor: what the daemon itself produces/accepts),
#         go-dockerclient ExportImage/LoadImage, docker-py get_image/load_image and the docker
#         CLI; prints wall time, client CPU, peak RSS and ratios (median of RUNS runs, the tools
#         interleaved so background load hits them alike), then checks the targets: save wall
#         within 5% of curl, client CPU no more than curl's and below half of go-dockerclient's,
#         peak under 16 MiB.
#
# The daemon (20.10) copies the whole image to a temporary directory before it sends the first
# byte of a save, so a save's wall time is mostly the daemon's; the "stream" columns show the
# part after the first byte, where the client is what is measured (curl and the C API only).
#
# Environment: RUNS (default 3), BENCH_MIB (1024), MEMORY_MIB (2048), WORK (where archives go,
# default /tmp), LIB (a libdockerclient.so to measure instead of building target/release's).
# Runs against the private test engine (scripts/test-engine.sh); removes its images and files
# when it ends, whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mode=${1:-all}
RUNS=${RUNS:-3}
BENCH_MIB=${BENCH_MIB:-1024}
MEMORY_MIB=${MEMORY_MIB:-2048}

bash scripts/test-engine.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-engine.sh env)
host=$DC_TEST_UNIX
sock=${host#unix://}
docker=(/usr/local/bin/docker -H "$host")
api=$("${docker[@]}" version --format '{{.Server.APIVersion}}')

# shellcheck source=../install-go-dockerclient.sh
source bench/install-go-dockerclient.sh

# ---- build the clients ----------------------------------------------------------------------
out=target/bench/archive
mkdir -p "$out/lib"
if [ -z "${LIB:-}" ]; then
    CARGO_BUILD_JOBS=2 cargo build --release -j2 --quiet
    LIB="$root/target/release/libdockerclient.so"
fi
ln -sf "$LIB" "$out/lib/libdockerclient.so.0"
ln -sf libdockerclient.so.0 "$out/lib/libdockerclient.so"
gcc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -Iinclude -o "$out/archive_tool" \
    bench/archive/archive_tool.c -L"$out/lib" -ldockerclient -Wl,-rpath,"$root/$out/lib"
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$root/$out/gocache" \
    go build -o "$out/go_archive" ./bench/archive/go_dockerclient/
python3 -c 'import docker' 2>/dev/null || pip install --quiet docker

# ---- scratch space and cleanup --------------------------------------------------------------
work=$(mktemp -d "${WORK:-/tmp}/dc-archive-bench.XXXXXX")
bench_image="dctest/archive-bench-$$:incompressible"
memory_image="dctest/archive-memory-$$:incompressible"
cleanup() {
    "${docker[@]}" rmi -f "$bench_image" "$memory_image" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# Runs a command under /usr/bin/time; prints "wall user sys peak_kb stream_s" (stream_s: the
# time from the first byte of a save to its end, when the client reports it, else "-").
measure() {
    if ! /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr"; then
        echo "FAILED: $*" >&2
        cat "$work/stderr" >&2
        exit 1
    fi
    local stream
    stream=$(sed -n 's/.*streamed in \([0-9.]*\) s.*/\1/p' "$work/stderr" | head -1)
    if [ -z "$stream" ]; then
        stream=$(awk -F_ '/^streamed_in_/ {printf "%.3f", $4 - $3}' "$work/stdout")
    fi
    echo "$(tail -n 1 "$work/time") ${stream:--}"
}

echo "library: $(readlink -f "$out/lib/libdockerclient.so.0")"
echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB RAM; engine API $api; $(curl --version | head -1 | cut -d' ' -f1-2)"

# ---- memory ---------------------------------------------------------------------------------
if [ "$mode" = all ] || [ "$mode" = memory ]; then
    echo
    echo "== peak memory: import + save + load of a ${MEMORY_MIB} MiB image in one C program"
    echo "\$ /usr/bin/time -v $out/archive_tool $host cycle $memory_image $MEMORY_MIB $work/memory.tar"
    /usr/bin/time -v "$out/archive_tool" "$host" cycle "$memory_image" "$MEMORY_MIB" "$work/memory.tar" \
        2>"$work/memory.log" || { cat "$work/memory.log"; exit 1; }
    grep -E '^(import|save|load):' "$work/memory.log" | sed 's/: {.*//; s/^/  /'
    archive_bytes=$(stat -c %s "$work/memory.tar")
    peak_kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/memory.log")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$work/memory.log")
    echo "  archive: $((archive_bytes / 1048576)) MiB; wall $wall; peak RSS ${peak_kb} KiB ($((peak_kb / 1024)) MiB)"
    if [ "$peak_kb" -lt 16384 ]; then echo "  PASS peak RSS < 16 MiB"; else echo "  FAIL peak RSS >= 16 MiB"; fi
    "${docker[@]}" rmi -f "$memory_image" >/dev/null
    rm -f "$work/memory.tar"
fi

# ---- benchmark ------------------------------------------------------------------------------
if [ "$mode" = all ] || [ "$mode" = bench ]; then
    echo
    echo "== benchmark: ${BENCH_MIB} MiB incompressible image, save to /dev/null, load from a file; median of $RUNS"
    "$out/archive_tool" "$host" import "$bench_image" "$BENCH_MIB" 2>/dev/null
    "$out/archive_tool" "$host" save "$bench_image" "$work/bench.tar" 2>/dev/null
    archive="$work/bench.tar"
    url="http://localhost/v$api"
    results="$work/results"
    : >"$results"
    save_cmd() {
        case $1 in
        curl) echo curl -sS --fail --unix-socket "$sock" -o /dev/null \
            -w "streamed_in_%{time_starttransfer}_%{time_total}" "$url/images/get?names=$bench_image" ;;
        libdockerclient) echo "$out/archive_tool" "$host" save-path "$bench_image" /dev/null ;;
        libdockerclient-cb) echo "$out/archive_tool" "$host" save "$bench_image" /dev/null ;;
        libdockerclient-reader) echo "$out/archive_tool" "$host" save-reader "$bench_image" /dev/null ;;
        go-dockerclient) echo "$out/go_archive" "$host" save "$bench_image" /dev/null ;;
        docker-py) echo python3 bench/archive/docker_py.py "$host" save "$bench_image" /dev/null ;;
        docker-cli) echo "${docker[@]}" save "$bench_image" ;;
        esac
    }
    load_cmd() {
        case $1 in
        curl) echo curl -sS --fail --unix-socket "$sock" -X POST -H Content-Type:application/x-tar -H Expect: \
            -T "$archive" -o /dev/null "$url/images/load?quiet=1" ;;
        libdockerclient | libdockerclient-cb) echo "$out/archive_tool" "$host" load "$archive" ;;
        go-dockerclient) echo "$out/go_archive" "$host" load "$archive" ;;
        docker-py) echo python3 bench/archive/docker_py.py "$host" load "$archive" ;;
        docker-cli) echo "${docker[@]}" load -q -i "$archive" ;;
        esac
    }
    tools=(curl libdockerclient libdockerclient-cb libdockerclient-reader go-dockerclient docker-py docker-cli)
    for op in save load; do
        for tool in "${tools[@]}"; do
            echo "  $op $tool: \$ $("${op}_cmd" "$tool")"
        done
        # The order rotates from run to run, and dirty pages are written back before each
        # measurement, so no client always follows the same neighbour's disk traffic.
        for ((run = 0; run < RUNS; run++)); do
            for ((k = 0; k < ${#tools[@]}; k++)); do
                tool=${tools[$(((k + run) % ${#tools[@]}))]}
                # Load has no output_path variant: the callback tool would load the same way.
                [ "$op" = load ] && [ "$tool" = libdockerclient-cb ] && continue
                [ "$op" = load ] && [ "$tool" = libdockerclient-reader ] && continue
                sync
                # shellcheck disable=SC2046
                echo "$op $tool $(measure $("${op}_cmd" "$tool"))" >>"$results"
            done
        done
    done
    cp "$results" "$out/results.txt"
    echo "  (raw figures: $out/results.txt)"
    python3 - "$results" "$BENCH_MIB" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
mib = int(sys.argv[2])
data = {}
for op, tool, wall, user, sys_, peak, stream in rows:
    data.setdefault((op, tool), []).append(
        (float(wall), float(user) + float(sys_), float(user), float(sys_), int(peak),
         float(stream) if stream != "-" else None))
def med(op, tool, i):
    values = [r[i] for r in data[(op, tool)] if r[i] is not None]
    return statistics.median(values) if values else None
tools = ["curl", "libdockerclient", "libdockerclient-cb", "libdockerclient-reader", "go-dockerclient", "docker-py", "docker-cli"]
print()
print(f"{'op':<5}{'client':<17}{'wall s':>8}{'cpu s':>7}{'user':>6}{'sys':>6}{'peak MiB':>9}"
      f"{'wall/curl':>10}{'cpu/curl':>9}{'cpu/go':>7}{'stream s':>9}{'MiB/s':>7}")
for op in ["save", "load"]:
    for t in tools:
        if (op, t) not in data:
            continue
        w, c, u, s, p, st = (med(op, t, i) for i in range(6))
        wc, cc, cg = med(op, "curl", 0), med(op, "curl", 1), med(op, "go-dockerclient", 1)
        stream = f"{st:>9.2f}{mib / st:>7.0f}" if st else f"{'-':>9}{'-':>7}"
        print(f"{op:<5}{t:<17}{w:>8.2f}{c:>7.2f}{u:>6.2f}{s:>6.2f}{p / 1024:>9.1f}"
              f"{w / wc:>10.3f}{(c / cc if cc else float('inf')):>9.2f}{c / cg:>7.2f}{stream}")
print()
def target(name, cond):
    print(("PASS " if cond else "FAIL ") + name)
w, c, p = med("save", "libdockerclient", 0), med("save", "libdockerclient", 1), med("save", "libdockerclient", 4)
cw, cc, gc = med("save", "curl", 0), med("save", "curl", 1), med("save", "go-dockerclient", 1)
target(f"save wall {w:.2f}s within 5% of curl's {cw:.2f}s", w <= 1.05 * cw)
st, cst = med("save", "libdockerclient-cb", 5), med("save", "curl", 5)
if st and cst:
    target(f"save streaming after the first byte {st:.2f}s within 5% of curl's {cst:.2f}s", st <= 1.05 * cst)
target(f"save client CPU {c:.2f}s <= curl's {cc:.2f}s", c <= cc)
target(f"save client CPU {c:.2f}s < half of go-dockerclient's {gc:.2f}s", c < 0.5 * gc)
target(f"save peak RSS {p / 1024:.1f} MiB < 16 MiB", p < 16 * 1024)
cbw, cbc, cbp = (med("save", "libdockerclient-cb", i) for i in (0, 1, 4))
print(f"info: through a write callback instead: wall {cbw:.2f}s ({cbw / cw:.3f}x curl), "
      f"CPU {cbc:.2f}s ({cbc / cc:.2f}x curl, {cbc / gc:.2f}x go), peak {cbp / 1024:.1f} MiB")
rw, rc, rp = (med("save", "libdockerclient-reader", i) for i in (0, 1, 4))
print(f"info: read by the program (dc_reader_read, 256 KiB buffer) instead: wall {rw:.2f}s ({rw / cw:.3f}x curl), "
      f"CPU {rc:.2f}s ({rc / cc:.2f}x curl, {rc / gc:.2f}x go), peak {rp / 1024:.1f} MiB")
lp = med("load", "libdockerclient", 4)
target(f"load peak RSS {lp / 1024:.1f} MiB < 16 MiB", lp < 16 * 1024)
EOF
fi
