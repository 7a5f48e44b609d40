#!/usr/bin/env bash
# What a C or C++ user gets from `make install`, checked on a staged install (DESTDIR): the
# SONAME, pkg-config (shared and --static), the CMake package (a consumer project under
# tests/cmake configured, built and run against both imported targets and the C++ header),
# and that installing builds nothing. Needs `make` (the release build) to have run.
#
#   bash scripts/test-install.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v cmake >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >/dev/null
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
prefix=/usr/local
lib="$stage$prefix/lib"

# Installing must not build: the library's timestamp stays, and `make -n install` runs no cargo.
before=$(stat -c %Y target/release/libdockerclient.so)
if make -n install DESTDIR="$stage" PREFIX=$prefix | grep -q cargo; then
    echo "make install would run cargo"; exit 1
fi
make -s install DESTDIR="$stage" PREFIX=$prefix
[ "$(stat -c %Y target/release/libdockerclient.so)" = "$before" ] || { echo "make install rebuilt the library"; exit 1; }
readelf -d "$lib/libdockerclient.so" | grep -q 'SONAME.*libdockerclient.so.0'
for f in libdockerclient.so.0 libdockerclient.a cmake/dockerclient/dockerclientConfig.cmake \
         cmake/dockerclient/dockerclientConfigVersion.cmake pkgconfig/dockerclient.pc; do
    [ -e "$lib/$f" ] || { echo "not installed: lib/$f"; exit 1; }
done
[ -f "$stage$prefix/include/dockerclient.hpp" ] || { echo "not installed: include/dockerclient.hpp"; exit 1; }
# The shipped library carries no debug information (Cargo.toml's release profile).
if readelf -S "$lib/libdockerclient.so" | grep -q '\.debug_info'; then
    echo "the installed library has debug information"; exit 1
fi
echo "install layout: ok"

pc() { PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage" pkg-config "$@" dockerclient; }
pc --exists
# shellcheck disable=SC2046
gcc -std=c99 -Wall -Wextra -Werror -pedantic $(pc --cflags) -o "$stage/version" examples-c/version.c $(pc --libs)
LD_LIBRARY_PATH="$lib" "$stage/version" >/dev/null
# --static: the private libraries are all a program needs to link the archive.
static_libs=$(pc --static --libs | sed 's/-ldockerclient/-l:libdockerclient.a/')
# shellcheck disable=SC2086
gcc -std=c99 -Wall -Wextra -Werror -pedantic $(pc --cflags) -o "$stage/version_static" examples-c/version.c $static_libs
if ldd "$stage/version_static" | grep -q libdockerclient; then
    echo "pkg-config --static linked the shared library"; exit 1
fi
"$stage/version_static" >/dev/null
echo "pkg-config (shared and --static): ok"

build="$stage/cmake-build"
cmake -S tests/cmake -B "$build" -DCMAKE_PREFIX_PATH="$stage$prefix" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror -pedantic" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror -pedantic" >/dev/null
cmake --build "$build" -j2 >/dev/null
LD_LIBRARY_PATH="$lib" "$build/consumer_shared"
"$build/consumer_static"
if ldd "$build/consumer_static" | grep -q libdockerclient; then
    echo "dockerclient::dockerclient_static linked the shared library"; exit 1
fi
LD_LIBRARY_PATH="$lib" "$build/consumer_cxx"
# A version the package does not satisfy is refused at configure time.
if cmake -S tests/cmake -B "$stage/cmake-too-new" -DCMAKE_PREFIX_PATH="$stage$prefix" \
        -DDOCKERCLIENT_WANT=99.0 >/dev/null 2>&1; then
    echo "find_package(dockerclient 99.0) was satisfied"; exit 1
fi
echo "cmake package (shared, static, C++): ok"
