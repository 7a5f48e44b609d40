#!/usr/bin/env bash
# Image metadata benchmark (issue 3): with 200 distinct images on the private test engine,
# N (default 1000) sequential image lists and N inspects through libdockerclient's C API
# (target/release/libdockerclient.so), go-dockerclient (ListImages/InspectImage) and docker-py
# (APIClient.images/inspect_image), in the same run, interleaved round by round so machine
# noise hits them alike. Prints calls/s and client CPU per call (getrusage of each client
# process: user + system), the median of ROUNDS rounds, and the ratios.
#
#   bash bench/metadata/run.sh [N]            (environment: ROUNDS, default 3)
#
# The 200 images are tiny imports of distinct one-file rootfs tars, named
# dcbench-meta-<pid>:0..199 and labelled dc.bench.meta=<pid>; they are removed when the script
# ends, whatever happens. Note what each client returns: the C API hands out the daemon's JSON
# text; go-dockerclient and docker-py decode it into structs/dicts, which is part of their cost.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
n=${1:-1000}
ROUNDS=${ROUNDS:-3}
count=200

bash scripts/test-engine.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-engine.sh env)
export DOCKER_HOST=$DC_TEST_UNIX
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
sock=${DOCKER_HOST#unix://}
docker=(docker -H "$DOCKER_HOST")
api=$("${docker[@]}" version --format '{{.Server.APIVersion}}')

# shellcheck source=../install-go-dockerclient.sh
source bench/install-go-dockerclient.sh

# ---- build the clients ----------------------------------------------------------------------
out=target/bench/metadata
mkdir -p "$out/lib"
CARGO_BUILD_JOBS=2 cargo build --release -j2 --quiet
ln -sf "$root/target/release/libdockerclient.so" "$out/lib/libdockerclient.so.0"
ln -sf libdockerclient.so.0 "$out/lib/libdockerclient.so"
gcc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=200809L -Iinclude \
    -o "$out/meta_c" bench/metadata/meta_c.c -L"$out/lib" -ldockerclient -Wl,-rpath,"$root/$out/lib"
(cd bench/metadata && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$root/$out/gocache" \
    go build -o "$root/$out/meta_go" meta_go.go)
python3 -c 'import docker' 2>/dev/null || pip install --quiet docker

# ---- 200 images, removed at the end ---------------------------------------------------------
run=$$
repo=dcbench-meta-$run
work=$(mktemp -d /tmp/dc-meta-bench.XXXXXX)
cleanup() {
    "${docker[@]}" images -q --filter "label=dc.bench.meta=$run" | sort -u | xargs -r "${docker[@]}" rmi -f >/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
echo "creating $count images ($repo:0..$((count - 1)))" >&2
for i in $(seq 0 $((count - 1))); do
    echo "dc metadata benchmark image $i of run $run" > "$work/file"
    tar -C "$work" -cf "$work/rootfs.tar" file
    answer=$(curl -sS --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
        --data-binary @"$work/rootfs.tar" \
        "http://docker/v$api/images/create?fromSrc=-&repo=$repo&tag=$i&changes=LABEL%20dc.bench.meta%3D$run")
    case $answer in *errorDetail*) echo "import $i failed: $answer" >&2; exit 1 ;; esac
done
made=$("${docker[@]}" images -q --filter "label=dc.bench.meta=$run" | sort -u | wc -l)
[ "$made" -eq "$count" ] || { echo "expected $count images, found $made" >&2; exit 1; }
total=$("${docker[@]}" images -q | wc -l)
echo "engine: API $api, $total images listed (of which $count are this run's); $n calls per operation, $ROUNDS rounds" >&2

# ---- measure --------------------------------------------------------------------------------
results=$(for _ in $(seq "$ROUNDS"); do
    "$out/meta_c" "$n" "$repo" "$count"
    "$out/meta_go" "$n" "$repo" "$count"
    python3 bench/metadata/meta_py.py "$n" "$repo" "$count"
done)
# Raw lines (client, op, calls, wall s, CPU s, bytes or decoded images), for the record.
echo "$results" | sed 's/^/raw: /' >&2
echo "$results" | awk -v rounds="$ROUNDS" '
    function median(key,   arr, m, i, j, t) {
        m = cnt[key]
        for (i = 1; i <= m; i++) arr[i] = vals[key, i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
        return (m % 2) ? arr[(m + 1) / 2] : (arr[m / 2] + arr[m / 2 + 1]) / 2
    }
    { k = $1 SUBSEP $2; calls[k] = $3
      cnt[k "w"]++; vals[k "w", cnt[k "w"]] = $4
      cnt[k "c"]++; vals[k "c", cnt[k "c"]] = $5 }
    END {
        split("dockerclient-c go-dockerclient docker-py", clients, " ")
        split("list inspect", ops, " ")
        printf "%-16s %-8s %7s %10s %14s\n", "client", "op", "calls", "calls/s", "CPU us/call"
        for (o = 1; o <= 2; o++) for (c = 1; c <= 3; c++) {
            k = clients[c] SUBSEP ops[o]
            w[k] = median(k "w"); u[k] = median(k "c")
            printf "%-16s %-8s %7d %10.0f %14.1f\n", clients[c], ops[o], calls[k], calls[k] / w[k], 1e6 * u[k] / calls[k]
        }
        for (o = 1; o <= 2; o++) for (c = 2; c <= 3; c++) {
            d = "dockerclient-c" SUBSEP ops[o]; k = clients[c] SUBSEP ops[o]
            printf "%-8s dockerclient-c vs %-16s calls/s x%.2f, CPU/call x%.2f\n", ops[o], clients[c] ":", w[k] / w[d], u[d] / u[k]
        }
        printf "(median of %d rounds; calls/s ratio > 1 and CPU/call ratio < 1 mean dockerclient-c is ahead)\n", rounds
    }'
