#!/usr/bin/env bash
# The Go and Python packages (bindings/go, bindings/python) against the private test engine, on
# a fresh Debian machine as root, after the release library was built (`make`; this script
# never builds it):
#
#   - installs what is missing: golang-go, pkg-config, gcc, Debian's go-dockerclient (for the
#     compatibility check), and pytest into a throwaway venv;
#   - stages the library with `make install DESTDIR=…` (a copy, no build) and uses it through
#     pkg-config (Go) and DOCKERCLIENT_LIBRARY (Python);
#   - Go: go vet, go test ./..., and testdata/gdc-compat, a go-dockerclient program compiled
#     unchanged but for its import against go-dockerclient and against this package: both run
#     against the engine and must print the same lines;
#   - Python: pip install of bindings/python into the venv, pytest, and
#     examples-python/list_images.py.
#
#   bash scripts/test-bindings.sh        (last line: "bindings: N passed, M failed")
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

lib_built=target/release/libdockerclient.so
[ -f "$lib_built" ] || { echo "$lib_built is missing: build the library first (make)"; exit 1; }

# ---- what the packages need ------------------------------------------------------------------
need=()
command -v go >/dev/null || need+=(golang-go)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v gcc >/dev/null || need+=(gcc)
[ -d /usr/share/gocode/src/github.com/fsouza/go-dockerclient ] || need+=(golang-github-fsouza-go-dockerclient-dev)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ "${#need[@]}" -gt 0 ]; then
    echo "== installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/dc-bindings-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== staging the library (make install DESTDIR=…, no build)"
make -s install DESTDIR="$work/stage" PREFIX=/usr/local
export PKG_CONFIG_PATH="$work/stage/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$work/stage"
# Go's build cache keys a cgo package on CGO_* flags, not on what pkg-config answers: naming the
# stage here makes a new stage rebuild the package instead of linking against a gone directory.
export CGO_CFLAGS="-I$work/stage/usr/local/include" CGO_LDFLAGS="-L$work/stage/usr/local/lib"
export LD_LIBRARY_PATH="$work/stage/usr/local/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOCKERCLIENT_LIBRARY="$work/stage/usr/local/lib/libdockerclient.so.0"
echo "library $(pkg-config --modversion dockerclient) staged in $work/stage/usr/local"

bash scripts/test-engine.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-engine.sh env)

passed=0
failed=0
pass() { passed=$((passed + $1)); }
fail() { failed=$((failed + $1)); echo "FAILED: $2"; }

# ---- Go ---------------------------------------------------------------------------------------
# The module needs no other module: GOPROXY=off proves it builds offline.
export GOPROXY=off
echo "== go vet ($(go version))"
if (cd bindings/go && nice -n 10 go vet ./...); then pass 1; else fail 1 "go vet"; fi

echo "== go test ./... (the engine at $DC_TEST_UNIX)"
set +e
(cd bindings/go && nice -n 10 go test -count=1 -v ./... 2>&1) | tee "$work/go-test.log" | grep -E '^(--- |ok|FAIL|PASS|panic)|^\s+\S+_test\.go'
go_status=${PIPESTATUS[0]}
set -e
go_passed=$(grep -c '^--- PASS' "$work/go-test.log" || true)
go_failed=$(grep -c '^--- FAIL' "$work/go-test.log" || true)
pass "$go_passed"
if [ "$go_status" -ne 0 ] && [ "$go_failed" -eq 0 ]; then go_failed=1; fi
[ "$go_failed" -eq 0 ] || fail "$go_failed" "go test"
echo "go test: $go_passed passed, $go_failed failed"

echo "== a go-dockerclient program compiled unchanged (but for its import) against both, same output"
compat=bindings/go/testdata/gdc-compat/main.go
mkdir -p "$work/compat/mod"
sed 's|"github.com/fsouza/go-dockerclient"|"github.com/dockerclient/dockerclient/bindings/go"|' "$compat" >"$work/compat/mod/main.go"
cat >"$work/compat/mod/go.mod" <<EOF
module gdccompat

go 1.19

require github.com/dockerclient/dockerclient/bindings/go v0.0.0

replace github.com/dockerclient/dockerclient/bindings/go => $root/bindings/go
EOF
# The two sources differ in the import line only.
if [ "$(diff "$compat" "$work/compat/mod/main.go" | grep -c '^[<>]')" = 2 ] &&
    GO111MODULE=off GOPATH=/usr/share/gocode nice -n 10 go build -o "$work/compat/with-go-dockerclient" "./$(dirname "$compat")" &&
    (cd "$work/compat/mod" && nice -n 10 go build -o "$work/compat/with-dockerclient" .) &&
    "$work/compat/with-go-dockerclient" "$DC_TEST_UNIX" "$DC_TEST_REGISTRY" "$DC_TEST_BASE_IMAGE" >"$work/compat/theirs.out" &&
    "$work/compat/with-dockerclient" "$DC_TEST_UNIX" "$DC_TEST_REGISTRY" "$DC_TEST_BASE_IMAGE" >"$work/compat/ours.out" &&
    diff "$work/compat/theirs.out" "$work/compat/ours.out" && ! grep -q ': false$' "$work/compat/ours.out"; then
    sed 's/^/  /' "$work/compat/ours.out"
    pass 1
else
    fail 1 "go-dockerclient compatibility"
fi

# ---- Python -----------------------------------------------------------------------------------
echo "== pip install ./bindings/python into a throwaway venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pytest
# Installed from a copy: a build writes build/ and *.egg-info next to the sources.
cp -r bindings/python "$work/pysrc"
"$work/venv/bin/pip" install -q "$work/pysrc"

echo "== pytest (the installed package)"
set +e
(cd "$work" && "$work/venv/bin/pytest" -p no:cacheprovider -q -rfE "$root/bindings/python/tests" 2>&1) | tee "$work/pytest.log"
py_status=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed)' "$work/pytest.log" | tail -1)
py_passed=$(sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p' <<<"$summary")
py_failed=$(sed -n 's/.*\b\([0-9][0-9]*\) failed.*/\1/p' <<<"$summary")
py_errors=$(sed -n 's/.*\b\([0-9][0-9]*\) error.*/\1/p' <<<"$summary")
py_passed=${py_passed:-0}
py_failed=$((${py_failed:-0} + ${py_errors:-0}))
# pytest's 5 (no test collected) and any other failure without a count are failures too.
if [ "$py_status" -ne 0 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; fi
pass "$py_passed"
[ "$py_failed" -eq 0 ] || fail "$py_failed" "pytest"

echo "== examples-python/list_images.py through the package"
if out=$(DOCKER_HOST=$DC_TEST_UNIX python3 examples-python/list_images.py "$root/$lib_built") &&
    grep -q '^daemon speaks API 1\.' <<<"$out" && grep -q '^bad option refused: INVALID_ARGUMENT' <<<"$out"; then
    pass 1
else
    fail 1 "examples-python/list_images.py"
fi

echo "bindings: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
