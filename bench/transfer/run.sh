#!/usr/bin/env bash
# Pull benchmark: the same pulls from the local registry, side by side in one run, by
#   dockerclient-c   bench/transfer/pull_c.c: dc_image_pull, JSON progress to a callback
#   go-dockerclient  bench/transfer/pull_go.go: PullImage, raw JSON progress to a writer
#   docker-cli       `docker pull` (/usr/local/bin/docker), output into a pipe
# of two images (made once and pushed to the open test registry):
#   big     one layer holding a single 512 MiB file of random data
#   layers  20 layers of 5 MiB of random data each
# For each run: wall time, client CPU (user+sys of the client process) and the client's peak
# RSS, from wait4's rusage (bench/transfer/measure.c: GNU time's 10 ms CPU resolution is too
# coarse for clients that mostly wait); the image is removed before every run and checked after it. The
# clients alternate within each round so machine noise hits them alike; the table shows the
# median of the rounds, and the ratios dockerclient / other.
# Usage: bash bench/transfer/run.sh [ROUNDS]   (default 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rounds=${1:-5}

# shellcheck source=../setup.sh
source bench/setup.sh

out=target/bench/transfer
mkdir -p "$out"
gcc -O2 -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude \
    -o "$out/pull_c" bench/transfer/pull_c.c target/release/libdockerclient.a -lpthread -ldl -lm
gcc -O2 -std=c99 -Wall -Wextra -Werror -o "$out/measure" bench/transfer/measure.c
(cd bench/transfer && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$root/$out/gocache" \
    go build -o "$root/$out/pull_go" pull_go.go)

big=$DC_TEST_REGISTRY/dc-bench-big:512m
layers=$DC_TEST_REGISTRY/dc-bench-layers:20

in_registry() { # name:tag → whether the registry has the manifest
    local ref=${1#*/}
    curl -sf -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$DC_TEST_REGISTRY/v2/${ref%:*}/manifests/${ref##*:}"
}

work=$DC_TEST_DIR/bench-transfer
if ! in_registry "$big"; then
    echo "making $big (512 MiB of random data, one layer)…" >&2
    rm -rf "$work" && mkdir -p "$work"
    head -c 512M /dev/urandom > "$work/big.bin"
    tar -C "$work" -cf "$work/big.tar" big.bin
    rm "$work/big.bin"
    "$docker_cli" import "$work/big.tar" "$big" >/dev/null
    rm "$work/big.tar"
    "$docker_cli" push "$big" >/dev/null
    "$docker_cli" rmi "$big" >/dev/null
fi
if ! in_registry "$layers"; then
    echo "making $layers (20 layers of 5 MiB of random data)…" >&2
    rm -rf "$work" && mkdir -p "$work"
    echo "FROM scratch" > "$work/Dockerfile"
    for i in $(seq 1 20); do
        head -c 5M /dev/urandom > "$work/l$i"
        echo "COPY l$i /l$i" >> "$work/Dockerfile"
    done
    DOCKER_BUILDKIT=0 "$docker_cli" build -q -t "$layers" "$work" >/dev/null 2>&1
    "$docker_cli" push "$layers" >/dev/null
    "$docker_cli" rmi "$layers" >/dev/null
fi
rm -rf "$work"

run() { # client image → "client image wall cpu rss_kib"
    local client=$1 image=$2 cmd
    "$docker_cli" rmi "$image" >/dev/null 2>&1 || true
    if "$docker_cli" image inspect "$image" >/dev/null 2>&1; then
        echo "cannot remove $image before the run" >&2; exit 1
    fi
    case $client in
        dockerclient-c) cmd=("$out/pull_c" "$image") ;;
        go-dockerclient) cmd=("$out/pull_go" "$image") ;;
        docker-cli) cmd=("$docker_cli" pull "$image") ;;
    esac
    "$out/measure" "$out/time.txt" "${cmd[@]}" >/dev/null 2>"$out/stderr.txt" || {
        echo "$client failed to pull $image:" >&2; cat "$out/stderr.txt" >&2; exit 1; }
    # No run counts unless the image is really there afterwards.
    "$docker_cli" image inspect "$image" >/dev/null 2>&1 || {
        echo "$client reported success but $image is missing" >&2; exit 1; }
    read -r wall cpu rss < "$out/time.txt"
    echo "$client ${image##*/} $wall $cpu $rss"
}

results=$out/results.txt
: > "$results"
for r in $(seq "$rounds"); do
    for image in "$big" "$layers"; do
        for client in dockerclient-c go-dockerclient docker-cli; do
            run "$client" "$image" | tee -a "$results" >&2
        done
    done
    echo "round $r done" >&2
done
"$docker_cli" rmi "$big" "$layers" >/dev/null 2>&1 || true

python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
data = {}
for client, image, wall, cpu, rss in rows:
    data.setdefault((image, client), []).append((float(wall), float(cpu), int(rss)))
images = sorted({k[0] for k in data}, reverse=True)
clients = ["dockerclient-c", "go-dockerclient", "docker-cli"]
med = {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in data.items()}
n = len(next(iter(data.values())))
print(f"median of {n} rounds; client CPU = user+sys of the client process; RSS = its peak")
print(f"{'image':<22} {'client':<16} {'wall s':>8} {'wall min-max':>13} {'CPU ms':>8} {'peak RSS MiB':>13}")
for image in images:
    for c in clients:
        w, cpu, rss = med[(image, c)]
        walls = [x[0] for x in data[(image, c)]]
        spread = f"{min(walls):.2f}-{max(walls):.2f}"
        print(f"{image:<22} {c:<16} {w:>8.2f} {spread:>13} {cpu*1000:>8.1f} {rss/1024:>13.1f}")
print()
print(f"{'ratios dockerclient-c /':<22} {'vs':<16} {'wall':>8} {'CPU':>8} {'peak RSS':>13}")
for image in images:
    me = med[(image, "dockerclient-c")]
    for c in clients[1:]:
        o = med[(image, c)]
        print(f"{image:<22} {c:<16} {me[0]/o[0]:>8.3f} {me[1]/o[1]:>8.3f} {me[2]/o[2]:>13.3f}")
EOF
