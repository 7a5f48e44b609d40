#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine as root: installs what is missing, starts
# the private test engine and registries, builds the library, runs the Rust unit and
# integration tests and the C tests (valgrind), and checks the install and the header.
#
#   bash scripts/test-all.sh        (what `make test` and .ci/run call)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Tools the C tests and the install check use; the engine's packages come with test-engine.sh.
need=()
for p in gcc g++ make pkg-config valgrind python3 cmake doxygen; do
    command -v "$p" >/dev/null || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

bash scripts/test-engine.sh up

echo "== build (release)"
cargo build --release -j2

echo "== the committed header is what the build generates"
git diff --exit-code include/ || { echo "include/dockerclient.h drifted: commit the regenerated header"; exit 1; }

echo "== clippy (all targets, both platform paths), the minimum Rust version, cargo package"
cargo clippy -q -j2 --all-targets -- -D warnings
cargo clippy -q -j2 --all-targets --features portable -- -D warnings
bash scripts/check-msrv.sh
# The packaged crate builds on its own (verification), without writing into the source tree.
cargo package -q -j2 --allow-dirty
git diff --exit-code include/ || { echo "cargo package changed include/"; exit 1; }

echo "== Rust tests (unit + integration, on the private engine)"
rust_log=$(mktemp)
trap 'rm -f "$rust_log"' EXIT
set +e
CARGO_BUILD_JOBS=2 cargo test -j2 --no-fail-fast 2>&1 | tee "$rust_log"
rust_status=${PIPESTATUS[0]}
set -e
read -r rust_passed rust_failed < <(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$rust_log")
[ "$rust_status" -eq 0 ] || { echo "Rust tests failed"; echo "summary: $rust_passed passed, $rust_failed failed"; exit 1; }

echo "== Rust tests again through the portable path (--features portable: POSIX calls only)"
set +e
CARGO_BUILD_JOBS=2 cargo test -j2 --no-fail-fast --features portable 2>&1 | tee "$rust_log"
rust_status=${PIPESTATUS[0]}
set -e
read -r portable_passed portable_failed < <(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$rust_log")
[ "$rust_status" -eq 0 ] || { echo "Rust tests (portable) failed"; echo "summary: $((rust_passed + portable_passed)) passed, $portable_failed failed"; exit 1; }

echo "== C tests (strict flags, C++ header, valgrind)"
bash scripts/test-c.sh

echo "== Go and Python packages (bindings/go, bindings/python; examples-python through the package)"
bindings_log=$(mktemp)
set +e
bash scripts/test-bindings.sh 2>&1 | tee "$bindings_log"
bindings_status=${PIPESTATUS[0]}
set -e
bindings_passed=$(sed -n 's/^bindings: \([0-9]*\) passed.*/\1/p' "$bindings_log" | tail -1)
rm -f "$bindings_log"
[ "$bindings_status" -eq 0 ] || { echo "Go/Python packages failed"; exit 1; }

echo "== make install: layout, pkg-config (shared and --static), the CMake package"
bash scripts/test-install.sh

echo "== make docs: the header's documentation renders without a Doxygen warning"
bash scripts/docs.sh

c_passed=$(grep -c . <<<"$(ls tests/c/test_*.c)")
echo "Rust: $rust_passed passed (and $portable_passed through the portable path); C programs: $c_passed passed (valgrind), C++ wrapper, header as C++, Go and Python packages: ${bindings_passed:-0} passed, install (pkg-config, CMake), docs"
echo "summary: $((rust_passed + portable_passed + c_passed + ${bindings_passed:-0} + 3)) passed, 0 failed"
