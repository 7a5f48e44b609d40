#!/usr/bin/env bash
# The packages keep the library's lead (issue 13): N (default 1000) image inspects and one
# save of a SAVE_MIB (default 512) MiB incompressible image to /dev/null, through
#
#   - bindings/go (the Go package)        vs  go-dockerclient  (one program, go/main.go, written
#     against go-dockerclient's API and compiled twice, unchanged but for its import);
#   - bindings/python (the Python package) vs  docker-py's APIClient (bench_py.py, the same calls).
#
# Prints calls/s (inspect) or wall time (save), the client's CPU over the operation (getrusage:
# user + system, all threads) and its peak RSS (/usr/bin/time), the median of RUNS (default 3)
# rounds with the clients interleaved, the ratios (package / peer), and checks the target: at
# least the peer's speed (a save's wall time within 5%: the daemon, which copies the whole image
# before its first byte, is most of it) and at most its CPU.
#
#   bash bench/bindings/run.sh [N]         (environment: RUNS, SAVE_MIB)
#
# Uses the release library as built (`make`; nothing is built here but the Go programs), staged
# with `make install DESTDIR=…`, and the private test engine; installs Go, go-dockerclient and
# docker-py when missing; removes its image and files when it ends, whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
n=${1:-1000}
RUNS=${RUNS:-3}
SAVE_MIB=${SAVE_MIB:-512}

[ -f target/release/libdockerclient.so ] || { echo "target/release/libdockerclient.so is missing: run make first"; exit 1; }
# shellcheck source=../install-go-dockerclient.sh
source bench/install-go-dockerclient.sh
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
python3 -c 'import docker' 2>/dev/null || pip install --quiet docker

work=$(mktemp -d /tmp/dc-bindings-bench.XXXXXX)
image="dcbench-bindings-$$:big"
bash scripts/test-engine.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-engine.sh env)
host=$DC_TEST_UNIX
cleanup() {
    docker -H "$host" rmi -f "$image" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---- the library, the programs, the image -----------------------------------------------------
make -s install DESTDIR="$work/stage" PREFIX=/usr/local
export PKG_CONFIG_PATH="$work/stage/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$work/stage"
# Go's build cache keys a cgo package on CGO_* flags, not on what pkg-config answers: naming the
# stage here makes a new stage rebuild the package instead of linking against a gone directory.
export CGO_CFLAGS="-I$work/stage/usr/local/include" CGO_LDFLAGS="-L$work/stage/usr/local/lib"
export LD_LIBRARY_PATH="$work/stage/usr/local/lib"
export DOCKERCLIENT_LIBRARY="$work/stage/usr/local/lib/libdockerclient.so.0"
export PYTHONPATH="$root/bindings/python"

GO111MODULE=off GOPATH=/usr/share/gocode nice -n 10 go build -o "$work/go-dockerclient" ./bench/bindings/go/
mkdir -p "$work/gomod"
sed 's|"github.com/fsouza/go-dockerclient"|"github.com/dockerclient/dockerclient/bindings/go"|' bench/bindings/go/main.go >"$work/gomod/main.go"
cat >"$work/gomod/go.mod" <<EOF
module benchbindings

go 1.19

require github.com/dockerclient/dockerclient/bindings/go v0.0.0

replace github.com/dockerclient/dockerclient/bindings/go => $root/bindings/go
EOF
(cd "$work/gomod" && GOPROXY=off nice -n 10 go build -o "$work/dockerclient-go" .)

echo "creating $image (${SAVE_MIB} MiB of random bytes)" >&2
python3 bench/bindings/make_image.py "$host" "$image" "$SAVE_MIB" >/dev/null
echo "machine: $(nproc) CPUs; engine API $(docker -H "$host" version --format '{{.Server.APIVersion}}'); library $(pkg-config --modversion dockerclient); $(go version | cut -d' ' -f3); Python $(python3 -c 'import sys; print(sys.version.split()[0])'), docker-py $(python3 -c 'import docker; print(docker.__version__)')"

# ---- measure ----------------------------------------------------------------------------------
command_for() { # client op
    case $1 in
    dockerclient-go) echo "$work/dockerclient-go $host" ;;
    go-dockerclient) echo "$work/go-dockerclient $host" ;;
    dockerclient-py) echo "python3 bench/bindings/bench_py.py dockerclient $host" ;;
    docker-py) echo "python3 bench/bindings/bench_py.py docker-py $host" ;;
    esac
}
args_for() { # op
    case $1 in
    inspect) echo "inspect $n $DC_TEST_BASE_IMAGE" ;;
    save) echo "save $image /dev/null" ;;
    esac
}
clients=(dockerclient-go go-dockerclient dockerclient-py docker-py)
for op in inspect save; do
    for c in "${clients[@]}"; do echo "  $op $c: \$ $(command_for "$c") $(args_for "$op")"; done
done
results="$work/results"
: >"$results"
for ((run = 0; run < RUNS; run++)); do
    for op in inspect save; do
        # The order rotates from round to round, so no client always follows the same neighbour.
        for ((k = 0; k < ${#clients[@]}; k++)); do
            c=${clients[$(((k + run) % ${#clients[@]}))]}
            # shellcheck disable=SC2046
            /usr/bin/time -f "%M" -o "$work/peak" $(command_for "$c") $(args_for "$op") >"$work/out" 2>"$work/err" ||
                { echo "FAILED: $c $op"; cat "$work/err"; exit 1; }
            echo "$c $(cat "$work/out") $(tail -n 1 "$work/peak")" >>"$results"
        done
    done
done
sed 's/^/raw: /' "$results" >&2

python3 - "$results" "$SAVE_MIB" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
mib = int(sys.argv[2])
data = {}
for client, op, calls, wall, cpu, nbytes, peak in rows:
    data.setdefault((client, op), []).append((int(calls), float(wall), float(cpu), int(nbytes), int(peak)))
def med(client, op, i):
    return statistics.median(r[i] for r in data[(client, op)])
print()
print(f"{'client':<17}{'op':<9}{'calls/s':>9}{'wall s':>9}{'CPU s':>8}{'CPU us/call':>12}{'peak MiB':>10}")
for op in ("inspect", "save"):
    for c in ("dockerclient-go", "go-dockerclient", "dockerclient-py", "docker-py"):
        calls, wall, cpu, peak = med(c, op, 0), med(c, op, 1), med(c, op, 2), med(c, op, 4)
        print(f"{c:<17}{op:<9}{calls / wall:>9.0f}{wall:>9.3f}{cpu:>8.3f}{1e6 * cpu / calls:>12.1f}{peak / 1024:>10.1f}")
saved = {c: med(c, "save", 3) for c in ("dockerclient-go", "go-dockerclient", "dockerclient-py", "docker-py")}
print(f"(save: {mib} MiB image, archive {saved['dockerclient-go'] / 2**20:.1f} MiB; every client wrote the same bytes: {len(set(saved.values())) == 1})")
print()
ok = True
for ours, peer in (("dockerclient-go", "go-dockerclient"), ("dockerclient-py", "docker-py")):
    for op in ("inspect", "save"):
        w, pw = med(ours, op, 1), med(peer, op, 1)
        cpu, pcpu = med(ours, op, 2), med(peer, op, 2)
        rss, prss = med(ours, op, 4), med(peer, op, 4)
        print(f"{op:<8}{ours} vs {peer}: speed x{pw / w:.2f}, CPU x{cpu / pcpu:.2f}, peak RSS x{rss / prss:.2f}")
        speed_ok = w <= pw if op == "inspect" else w <= 1.05 * pw
        for name, good in ((f"{op} speed >= {peer}'s" + ("" if op == "inspect" else " (within 5%)"), speed_ok),
                           (f"{op} CPU <= {peer}'s", cpu <= pcpu)):
            print(("  PASS " if good else "  FAIL ") + f"{ours}: {name}")
            ok = ok and good
print("(speed > 1 and CPU, RSS < 1 mean the package is ahead; median of the rounds)")
sys.exit(0 if ok else 1)
EOF
