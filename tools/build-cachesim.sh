#!/usr/bin/env bash
# Build libCacheSim's `cachesim` (C; https://github.com/1a1a11a/libCacheSim), the simulator
# issue 14's trace targets are stated against, for `npm run bench:trace -- --cachesim PATH`.
# Not part of npm test or CI: it needs the network, a C toolchain, cmake and glib's headers.
#
#   tools/build-cachesim.sh [DIR]     (default DIR: ./.cachesim; prints the binary's path;
#                                      CACHESIM_REPO=URL clones another copy, e.g. a local mirror)
#
# Pinned to the commit measured in docs/trace.md. Debian: apt-get install cmake gcc g++
# libglib2.0-dev (libzstd-dev optional: compressed traces).
set -euo pipefail
COMMIT=aa0fc40914b2b786f4b9f4dafb099f8f332b216a
DIR=${1:-.cachesim}
for tool in git cmake cc c++ pkg-config; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-cachesim: error: '$tool' not found (Debian: apt-get install git cmake gcc g++ pkg-config)" >&2; exit 2; }
done
pkg-config --exists glib-2.0 || { echo "build-cachesim: error: glib-2.0 headers not found (Debian: apt-get install libglib2.0-dev)" >&2; exit 2; }
if [ ! -d "$DIR/src/.git" ]; then
  mkdir -p "$DIR"
  git clone --no-checkout "${CACHESIM_REPO:-https://github.com/1a1a11a/libCacheSim}" "$DIR/src"
fi
# the repository keeps large sample traces in data/: leave them out
git -C "$DIR/src" checkout -q "$COMMIT" -- . ':!data' 2>/dev/null || git -C "$DIR/src" checkout -q "$COMMIT"
cmake -S "$DIR/src" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$DIR/build" --target cachesim -j "$(nproc)" >/dev/null
echo "$(cd "$DIR/build/bin" && pwd)/cachesim"
