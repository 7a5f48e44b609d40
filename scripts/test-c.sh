#!/usr/bin/env bash
# Builds the C tests against the header and the shared library with strict flags, checks the
# header as C++, and runs every test under valgrind (zero leaks, zero errors) against the
# private test engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/test-engine.sh up >/dev/null
bash scripts/test-remote.sh up >/dev/null
# shellcheck disable=SC1090
source <(bash scripts/test-engine.sh env)
# shellcheck disable=SC1090
source <(bash scripts/test-remote.sh env)

out=target/c
# The library carries the SONAME libdockerclient.so.0: lay it out as an install would.
lib=$out/lib
mkdir -p "$lib"
ln -sf "$root/target/release/libdockerclient.so" "$lib/libdockerclient.so.0"
ln -sf libdockerclient.so.0 "$lib/libdockerclient.so"
CFLAGS=(-std=c99 -Wall -Wextra -Werror -pedantic -g -Iinclude -Itests/c)

# The header alone, as C and as C++.
gcc "${CFLAGS[@]}" -fsyntax-only -x c include/dockerclient.h
g++ -std=c++11 -Wall -Wextra -Werror -pedantic -Iinclude -o "$out/header_cxx" tests/c/header_cxx.cpp \
    -L"$lib" -ldockerclient -Wl,-rpath,"$root/$lib"
"$out/header_cxx"

passed=0
failed=0
# The C++17 header, under valgrind too.
g++ -std=c++17 -Wall -Wextra -Werror -pedantic -g -Iinclude -o "$out/test_cxx" tests/c/test_cxx.cpp \
    -L"$lib" -ldockerclient -lpthread -Wl,-rpath,"$root/$lib"
echo "== test_cxx (valgrind)"
if valgrind --quiet --suppressions=tests/c/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$out/test_cxx"; then
    passed=$((passed + 1))
else
    echo "FAILED: test_cxx (exit $?)"
    failed=$((failed + 1))
fi
for src in tests/c/test_*.c; do
    name=$(basename "$src" .c)
    gcc "${CFLAGS[@]}" -o "$out/$name" "$src" -L"$lib" -ldockerclient -lpthread -Wl,-rpath,"$root/$lib"
    echo "== $name (valgrind)"
    if valgrind --quiet --suppressions=tests/c/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        "$out/$name"; then
        passed=$((passed + 1))
    else
        echo "FAILED: $name (exit $?)"
        failed=$((failed + 1))
    fi
done
# The static library links with nothing but libc's usual companions.
gcc "${CFLAGS[@]}" -o "$out/test_foundation_static" tests/c/test_foundation.c \
    target/release/libdockerclient.a -lpthread -ldl -lm
echo "== test_foundation (static library)"
if "$out/test_foundation_static"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "C tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
