#!/usr/bin/env bash
# Runs every benchmark in turn (each prints its own table and ratios). Slow: the archive and
# build benchmarks move several GiB. Run one alone with `bash bench/<name>/run.sh`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for b in system metadata transfer archive build; do
    echo "=== bench/$b"
    bash "$root/bench/$b/run.sh"
done
