#pragma once
// A vector loaded once and kept in a register for all its uses. Where a
// loaded vector feeds several FMAs (a depthwise tile's input vector serves
// every tap that reads it), GCC folds the load into each FMA as a memory
// operand instead, loading it once per use: 72 loads instead of 51 per
// AVX-512 3x3 tile of 16 pixels, half of them split across cache lines.
// An empty asm that claims to change the register stops the folding.
#include <xsimd/xsimd.hpp>

namespace onnxrun::kernels {
namespace {  // per ISA file: see simd_partial.hpp

// kKeep false: a plain load (the depthwise 5x5 tiles, which measured
// slower with the loads kept; the cause was not found).
template <class Batch, bool kKeep = true>
inline Batch load_once(const float* at) {
  if constexpr (!kKeep) {
    return Batch::load_unaligned(at);
  } else {
    typename Batch::register_type v = Batch::load_unaligned(at);
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    asm("" : "+v"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
    asm("" : "+w"(v));
#endif
    return Batch(v);
  }
}

}  // namespace
}  // namespace onnxrun::kernels
