#!/usr/bin/env bash
# Configures and builds onnxrun in build/ (Release). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
log="${TMPDIR:-/tmp}/onnxrun-build.log"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
if ! cmake --build build -j "$(nproc)" >> "$log" 2>&1; then
  grep -E -A5 "error|Error" "$log" | head -n 80
  echo "build failed; full log in $log" >&2
  exit 1
fi
grep -E "warning:" "$log" | head -n 20 || true
echo "built build/onnxrun"
