#!/usr/bin/env bash
# Foundation benchmark: 2,000 sequential ping + version pairs on one client, through the C
# API and with go-dockerclient, in the same run against the private test engine.
# Usage: bash bench/system/run.sh [N] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
n=${1:-2000}
rounds=${2:-3}

# shellcheck source=../install-go-dockerclient.sh
source bench/install-go-dockerclient.sh

cargo build --release -j2 -q
bash scripts/test-engine.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-engine.sh env)
export DOCKER_HOST=$DC_TEST_UNIX
unset DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION

out=target/bench
mkdir -p "$out"
gcc -O2 -std=c99 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=200809L -Iinclude \
    -o "$out/ping_c" bench/system/ping_c.c target/release/libdockerclient.a -lpthread -ldl -lm
(cd bench/system && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$root/$out/gocache" \
    go build -o "$root/$out/ping_go" ping_go.go)

# Alternate the two so that machine noise hits both alike; keep each one's best round.
results=$(for _ in $(seq "$rounds"); do "$out/ping_c" "$n"; "$out/ping_go" "$n"; done)
echo "$results" | awk '
    { calls[$1] = $2; if (!($1 in wall) || $3 < wall[$1]) wall[$1] = $3;
      if (!($1 in cpu) || $4 < cpu[$1]) cpu[$1] = $4 }
    END {
        printf "%-16s %8s %12s %16s\n", "client", "calls", "calls/s", "CPU us/call";
        for (k in wall) printf "%-16s %8d %12.0f %16.1f\n", k, calls[k], calls[k]/wall[k], 1e6*cpu[k]/calls[k];
        c = "dockerclient-c"; g = "go-dockerclient";
        printf "ratio calls/s (dockerclient / go-dockerclient): %.2f\n", (calls[c]/wall[c]) / (calls[g]/wall[g]);
        printf "ratio CPU/call (dockerclient / go-dockerclient): %.2f\n", cpu[c] / cpu[g];
    }'
