"""Generates the build benchmark's context.

Usage: gen_context.py DIR [big]

Default: 20,000 files, about 1 GiB, with a `.dockerignore` of 50 patterns one of which
(`node_modules`) excludes a 500 MiB subtree:
  src/        15,000 files of 1-15 KiB (random bytes), in 150 directories     ~117 MiB, sent
  assets/     4 files of 100 MiB of random data (incompressible)                 400 MiB, sent
  node_modules/ 4 files of 100 MiB + 4,992 files of ~20 KiB                   ~500 MiB, excluded
  Dockerfile, .dockerignore
`big`: a 2 GiB context (two 1 GiB files of random data, a Dockerfile), for the memory check.
"""
import os
import random
import sys

MIB = 1 << 20
rng = random.Random(20251201)


def write(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 8 * MIB)
            f.write(os.urandom(n))
            left -= n


DOCKERFILE = "FROM dctest/busybox:latest\nLABEL dc.bench=build\n"

IGNORE = """node_modules
**/*.log
**/*.tmp
**/.DS_Store
.git
.gitignore
coverage
dist
build
target
*.swp
**/*~
.idea
.vscode
**/__pycache__
**/*.pyc
.env
.env.*
docs/**/*.bak
tmp
temp
**/Thumbs.db
*.orig
*.rej
npm-debug.log*
yarn-error.log
.cache
.pytest_cache
.mypy_cache
.tox
.venv
venv
*.egg-info
bower_components
jspm_packages
.next
.nuxt
out
.serverless
.terraform
*.tfstate
*.tfstate.*
**/*.class
**/*.o
**/*.a
**/*.so
vendor/bundle
logs
!logs/keep.txt
src/**/*.snap
"""


def main():
    root = sys.argv[1]
    big = len(sys.argv) > 2 and sys.argv[2] == "big"
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "Dockerfile"), "w") as f:
        f.write(DOCKERFILE)
    if big:
        for i in range(2):
            write(os.path.join(root, f"data/part{i}.bin"), 1024 * MIB)
        return
    patterns = [l for l in IGNORE.splitlines() if l.strip()]
    assert len(patterns) == 50, len(patterns)
    with open(os.path.join(root, ".dockerignore"), "w") as f:
        f.write(IGNORE)
    for i in range(15000):
        write(os.path.join(root, f"src/pkg{i // 100:03d}/file{i % 100:03d}.dat"), rng.randint(1024, 15 * 1024))
    for i in range(4):
        write(os.path.join(root, f"assets/blob{i}.bin"), 100 * MIB)
        write(os.path.join(root, f"node_modules/big/blob{i}.bin"), 100 * MIB)
    for i in range(4992):
        write(os.path.join(root, f"node_modules/mod{i // 64:03d}/lib/file{i % 64:02d}.js"), 20 * 1024)


main()
