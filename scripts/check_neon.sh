#!/usr/bin/env bash
# Compiles every SIMD kernel of ops/kernels/ for ARM NEON (xsimd::neon64) with
# the aarch64 cross compiler: the kernels are written once over xsimd batches,
# and this keeps them portable even though no ARM machine runs them here.
# Each <kernel>_avx2.cpp is turned into a <kernel>_neon.cpp (same templates,
# the architecture swapped) and compiled with -Wall -Wextra -Werror.
#   scripts/check_neon.sh       needs g++-aarch64-linux-gnu (scripts/install_deps.sh --cross)
set -euo pipefail
cd "$(dirname "$0")/.."

cxx=${CXX_AARCH64:-aarch64-linux-gnu-g++}
if ! command -v "$cxx" > /dev/null; then
  echo "check_neon.sh: $cxx not found; scripts/install_deps.sh --cross installs it" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Only xsimd's headers from the host: the rest must come from the cross toolchain.
mkdir -p "$work/include"
ln -s /usr/include/xsimd "$work/include/xsimd"

count=0
for source in ops/kernels/*_avx2.cpp; do
  name=$(basename "$source" _avx2.cpp)
  sed -e 's/xsimd::fma3<xsimd::avx2>/xsimd::neon64/g' -e 's/_avx2\b/_neon/g' "$source" > "$work/${name}_neon.cpp"
  if ! grep -q "xsimd::neon64" "$work/${name}_neon.cpp"; then
    echo "check_neon.sh: $source does not name xsimd::fma3<xsimd::avx2>; cannot derive its NEON variant" >&2
    exit 1
  fi
  "$cxx" -std=c++20 -O2 -Wall -Wextra -Werror -isystem "$work/include" -I. -c "$work/${name}_neon.cpp" \
    -o "$work/${name}_neon.o"
  count=$((count + 1))
done
echo "check_neon.sh: $count kernels compile for aarch64 NEON ($("$cxx" -dumpfullversion))"
