#!/usr/bin/env bash
# Renders the header's documentation to HTML with Doxygen (Debian's package, installed when
# missing) into target/docs/html; fails on any Doxygen warning.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v doxygen >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq doxygen >/dev/null
fi
mkdir -p target/docs
doxygen docs/Doxyfile
echo "docs: target/docs/html/index.html"
