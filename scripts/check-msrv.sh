#!/usr/bin/env bash
# Checks that Cargo.toml's rust-version is the true minimum Rust version:
# - no dependency declares a higher one (cargo metadata);
# - clippy's incompatible_msrv lint (it reads rust-version) finds no newer std API in our code;
# - where a toolchain of exactly that version is installed (rustup), the crate builds with it.
# Language features are not covered by the lint: let-chains (Rust 1.88, edition 2024) are why
# the minimum is 1.88 even if no dependency needed it.
set -euo pipefail
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
echo "rust-version: $msrv"
cargo metadata --format-version 1 | python3 -c '
import json, sys
msrv = tuple(int(x) for x in sys.argv[1].split("."))
meta = json.load(sys.stdin)
root = meta["resolve"]["root"]
# Only what the library itself needs (not dev- or build-only dependencies of the tests).
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
pkgs = {p["id"]: p for p in meta["packages"]}
seen, todo = set(), [root]
while todo:
    i = todo.pop()
    if i in seen:
        continue
    seen.add(i)
    for d in nodes[i]["deps"]:
        if any(k["kind"] in (None, "normal") for k in d["dep_kinds"]):
            todo.append(d["pkg"])
worst = max((tuple(int(x) for x in pkgs[i]["rust_version"].split(".")), pkgs[i]["name"]) for i in seen if pkgs[i].get("rust_version"))
print("highest rust-version among the library and its dependencies: %s (%s)" % (".".join(map(str, worst[0])), worst[1]))
if worst[0] > msrv:
    sys.exit("Cargo.toml says %s, but %s needs %s" % (sys.argv[1], worst[1], ".".join(map(str, worst[0]))))
' "$msrv"
cargo clippy -q -j2 --lib -- -D clippy::incompatible_msrv
echo "clippy incompatible_msrv: clean"
if command -v rustup >/dev/null && rustup toolchain list | grep -q "^$msrv"; then
    cargo "+$msrv" check -q -j2 --lib
    echo "cargo +$msrv check: ok"
else
    echo "no $msrv toolchain installed here: the build with it is not tried"
fi
