#!/usr/bin/env bash
# Build benchmark: the same build from a context directory, side by side in one run, by
#   dockerclient-c   bench/build/build_c.c: dc_image_build with "context_dir", text progress
#   docker-cli       DOCKER_BUILDKIT=0 docker build (/usr/local/bin/docker), output into a pipe
#   go-dockerclient  bench/build/build_go.go: BuildImage with ContextDir
# The context (bench/build/gen_context.py, generated under /tmp and deleted at the end):
# 20,000 files, about 1 GiB, some of them large files of random data, with a .dockerignore of
# 50 patterns that excludes a 500 MiB subtree (node_modules); ~517 MiB are sent. The
# Dockerfile is `FROM base` + `LABEL`, so the build itself is the same small step for all and
# the time is the context's: walking, filtering, tarring, sending, and the daemon extracting.
# Each client runs under /usr/bin/time -v: wall time, client CPU (user+sys) and peak RSS. The
# clients alternate within each round; the table shows the median of the rounds and the
# ratios dockerclient / other.
# Then BuildKit: the same context built with "version": "2" through the C API (a tar upload,
# no session) and with DOCKER_BUILDKIT=1 /usr/bin/docker build (the Debian CLI 20.10, whose
# session sends the context on demand), each a first time and a second time after touching one
# file: the session's second build sends only that file, the upload sends everything again.
# (For this part the Dockerfile copies the whole context, so that BuildKit fetches all of it.)
# Last, a 2 GiB context is built through the C API once more to check that its peak RSS stays
# under 32 MiB.
# Usage: bash bench/build/run.sh [ROUNDS]   (default 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rounds=${1:-3}

# shellcheck source=../setup.sh
source bench/setup.sh

out=target/bench/build
mkdir -p "$out"
gcc -O2 -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude \
    -o "$out/build_c" bench/build/build_c.c target/release/libdockerclient.a -lpthread -ldl -lm
(cd bench/build && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$root/$out/gocache" \
    go build -o "$root/$out/build_go" build_go.go)

ctx=/tmp/dc-bench-build-ctx
big=/tmp/dc-bench-build-2g
cleanup() {
    rm -rf "$ctx" "$big"
    "$docker_cli" rmi dc-bench-build:dockerclient-c dc-bench-build:docker-cli dc-bench-build:go-dockerclient \
        dc-bench-build:2g >/dev/null 2>&1 || true
}
trap cleanup EXIT
rm -rf "$ctx" "$big"
echo "generating the context in $ctx…" >&2
python3 bench/build/gen_context.py "$ctx"
files=$(find "$ctx" -type f | wc -l)
size=$(du -sm "$ctx" | cut -f1)
excluded=$(du -sm "$ctx/node_modules" | cut -f1)
echo "context: $files files, $size MiB, .dockerignore excludes node_modules ($excluded MiB)" >&2

measure() { # client dir tag → "client wall cpu rss_kib"
    local client=$1 dir=$2 tag=$3 cmd
    case $client in
        dockerclient-c) cmd=("$out/build_c" "$dir" "$tag") ;;
        dockerclient-c-bk) cmd=("$out/build_c" "$dir" "$tag" 2 true) ;;
        dockerclient-c-bk-upload) cmd=("$out/build_c" "$dir" "$tag" 2 false) ;;
        docker-cli) cmd=(env DOCKER_BUILDKIT=0 "$docker_cli" build -t "$tag" "$dir") ;;
        docker-cli-bk) cmd=(env DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain -t "$tag" "$dir") ;;
        go-dockerclient) cmd=("$out/build_go" "$dir" "$tag") ;;
    esac
    [ -n "${keep_image:-}" ] || "$docker_cli" rmi "$tag" >/dev/null 2>&1 || true
    /usr/bin/time -v -o "$out/time.txt" "${cmd[@]}" >"$out/stdout.txt" 2>"$out/stderr.txt" || {
        echo "$client failed:" >&2; cat "$out/stderr.txt" "$out/time.txt" >&2; exit 1; }
    # No run counts unless the image is really there afterwards.
    "$docker_cli" image inspect "$tag" >/dev/null 2>&1 || {
        echo "$client reported success but $tag is missing" >&2; exit 1; }
    awk -v client="$client" '
        /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
        /User time/ { user = $NF } /System time/ { sys = $NF }
        /Maximum resident set size/ { rss = $NF }
        END { printf "%s %.2f %.2f %d\n", client, wall, user + sys, rss }' "$out/time.txt"
}

# One unmeasured build first, so that every measured one finds the same warm cache.
measure dockerclient-c "$ctx" dc-bench-build:dockerclient-c >/dev/null
results=$out/results.txt
: > "$results"
for r in $(seq "$rounds"); do
    for client in dockerclient-c docker-cli go-dockerclient; do
        measure "$client" "$ctx" "dc-bench-build:$client" | tee -a "$results" >&2
    done
    echo "round $r done" >&2
done

python3 - "$results" "$files" "$size" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
data = {}
for client, wall, cpu, rss in rows:
    data.setdefault(client, []).append((float(wall), float(cpu), int(rss)))
clients = ["dockerclient-c", "docker-cli", "go-dockerclient"]
med = {c: [statistics.median(x[i] for x in data[c]) for i in range(3)] for c in clients}
n = len(data["dockerclient-c"])
print(f"context: {sys.argv[2]} files, {sys.argv[3]} MiB, 50 .dockerignore patterns excluding a 500 MiB subtree")
print(f"median of {n} rounds; client CPU = user+sys of the client process; RSS = its peak (/usr/bin/time -v)")
print(f"{'client':<16} {'wall s':>8} {'wall min-max':>13} {'CPU s':>7} {'peak RSS MiB':>13}")
for c in clients:
    w, cpu, rss = med[c]
    walls = [x[0] for x in data[c]]
    print(f"{c:<16} {w:>8.2f} {min(walls):>6.2f}-{max(walls):<6.2f} {cpu:>7.2f} {rss/1024:>13.1f}")
print()
print(f"{'dockerclient-c / ':<16} {'wall':>8} {'CPU':>8} {'peak RSS':>10}")
me = med["dockerclient-c"]
for c in clients[1:]:
    o = med[c]
    print(f"{c:<16} {me[0]/o[0]:>8.3f} {me[1]/o[1]:>8.3f} {me[2]/o[2]:>10.3f}")
EOF

# The context bytes the library's session sent ("context_bytes_sent" of the result, which
# build_c prints to stderr); "-" for the others.
sent_bytes() {
    sed -n 's/.*"context_bytes_sent":\([0-9]*\).*/\1/p' "$out/stderr.txt" | tail -1 | grep . || echo -
}

# BuildKit asks a session only for what the Dockerfile uses: with the LABEL-only Dockerfile
# above it would fetch the Dockerfile and nothing else. A COPY of the whole context makes the
# daemon fetch every file the .dockerignore keeps, so that the transfer itself is measured.
printf 'FROM dctest/busybox:latest\nCOPY . /ctx\nLABEL dc.bench=build\n' > "$ctx/Dockerfile"
echo
echo "BuildKit (\"version\": \"2\", Dockerfile: COPY . /ctx): first build, then a rebuild after touching one file (builder cache pruned first)"
bk_results=$out/bk_results.txt
: > "$bk_results"
for client in dockerclient-c-bk dockerclient-c-bk-upload docker-cli-bk; do
    "$docker_cli" builder prune -af >/dev/null 2>&1 || true
    first=$(measure "$client" "$ctx" "dc-bench-build:$client")
    echo "$first first $(sent_bytes)" | tee -a "$bk_results" >&2
    head -c 4096 /dev/urandom > "$ctx/touched-$client.txt" # one new 4 KiB file
    second=$(keep_image=1 measure "$client" "$ctx" "dc-bench-build:$client")
    echo "$second rebuild $(sent_bytes)" | tee -a "$bk_results" >&2
    "$docker_cli" rmi "dc-bench-build:$client" >/dev/null 2>&1 || true
done
python3 - "$bk_results" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print(f"{'client':<24} {'build':<8} {'wall s':>8} {'CPU s':>7} {'peak RSS MiB':>13} {'context bytes sent':>19}")
for client, wall, cpu, rss, which, sent in rows:
    print(f"{client:<24} {which:<8} {float(wall):>8.2f} {float(cpu):>7.2f} {int(rss)/1024:>13.1f} {sent:>19}")
d = {(r[0], r[4]): r for r in rows}
for which in ("first", "rebuild"):
    b = d[("docker-cli-bk", which)]
    for mine in ("dockerclient-c-bk", "dockerclient-c-bk-upload"):
        a = d[(mine, which)]
        print(f"{which}: {mine} / docker-cli (BuildKit): wall {float(a[1])/float(b[1]):.3f}, CPU {float(a[2])/max(float(b[2]), 0.01):.3f}")
print("(with a session, the library and the CLI send a rebuild's changed file and the directory's listing (about 50 bytes an entry); a tar upload sends the whole context again)")
EOF

rm -rf "$ctx"
echo "generating a 2 GiB context in $big…" >&2
python3 bench/build/gen_context.py "$big" big
line=$(measure dockerclient-c "$big" dc-bench-build:2g)
read -r _ wall cpu rss <<< "$line"
verdict=$([ "$rss" -lt $((32 * 1024)) ] && echo "under 32 MiB: yes" || echo "under 32 MiB: NO")
echo
awk -v w="$wall" -v c="$cpu" -v r="$rss" -v v="$verdict" 'BEGIN {
    printf "2 GiB context through the C API: wall %.2f s, CPU %.2f s, peak RSS %.1f MiB (%s)\n", w, c, r / 1024, v }'
