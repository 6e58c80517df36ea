#!/usr/bin/env bash
# Fails when a weak (inline or template) function of an AVX2 or SSE2 kernel
# instantiation holds AVX-512 code: zmm registers, xmm/ymm16-31 or mask
# registers. Such functions are emitted by every kernel file that uses them,
# and the linker keeps one copy; when an AVX-512 file's copy wins, a CPU
# without AVX-512 faults on code it dispatched to as AVX2. Kernel templates
# shared between ISA files must have internal linkage (unnamed namespaces).
# Usage: check_isa_symbols.sh BINARY
set -euo pipefail
binary=${1:?usage: check_isa_symbols.sh BINARY}
for tool in nm objdump c++filt; do
  command -v "$tool" > /dev/null || { echo "check_isa_symbols: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Mangled names of weak functions whose demangled name names a non-AVX-512
# xsimd architecture (and no AVX-512 one).
nm --defined-only "$binary" | awk '$2 == "W" || $2 == "w" { print $3 }' > "$work/weak"
c++filt < "$work/weak" > "$work/weak_demangled"
paste -d '\t' "$work/weak" "$work/weak_demangled" |
  awk -F '\t' '$2 ~ /xsimd::(avx2|fma3<|sse[234]|ssse3|avx[^5])/ && $2 !~ /avx512/ { print $1 }' |
  sort -u > "$work/checked"
checked=$(wc -l < "$work/checked")
if [ "$checked" -eq 0 ]; then
  echo "check_isa_symbols: no weak AVX2/SSE function found in $binary; the check would prove nothing" >&2
  exit 1
fi

objdump -d --no-show-raw-insn "$binary" |
  awk -v list="$work/checked" '
    BEGIN { while ((getline name < list) > 0) wanted[name] = 1 }
    /^[0-9a-f]+ <.*>:$/ {
      current = $0; sub(/^[0-9a-f]+ </, "", current); sub(/>:$/, "", current)
      inside = (current in wanted); next
    }
    inside && /%zmm|%[xy]mm(1[6-9]|2[0-9]|3[01])|%k[0-7]/ { bad[current] = 1 }
    END { for (name in bad) print name }
  ' | sort > "$work/bad"

if [ -s "$work/bad" ]; then
  echo "AVX-512 code in $(wc -l < "$work/bad") of $checked weak AVX2/SSE kernel functions:"
  c++filt < "$work/bad" | cut -c1-240
  exit 1
fi
echo "no AVX-512 code in $checked weak AVX2/SSE kernel functions"
