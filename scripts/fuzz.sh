#!/usr/bin/env bash
# Runs every cargo-fuzz target (nightly, libFuzzer with AddressSanitizer) for a while, growing
# fuzz/corpus/<target>/ (commit what it adds after `cargo fuzz cmin`). A crash leaves its input
# in fuzz/artifacts/<target>/: fix the bug, then keep the input in fuzz/regressions/<target>/,
# which tests/fuzz_corpus.rs replays on stable in `make test`.
#
#   bash scripts/fuzz.sh [seconds per target, default 60] [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz -j2
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || mapfile -t targets < <(ls fuzz/fuzz_targets | sed 's/\.rs$//')
cd fuzz
for t in "${targets[@]}"; do
    echo "== $t ($seconds s)"
    mkdir -p "corpus/$t"
    CARGO_BUILD_JOBS=2 cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 2>&1 |
        grep -E "^Done [0-9]+ runs|INITED|ERROR|SUMMARY|panicked|Test unit written" || true
    [ -z "$(ls -A "artifacts/$t" 2>/dev/null)" ] || { echo "$t: crash inputs in fuzz/artifacts/$t"; exit 1; }
done
