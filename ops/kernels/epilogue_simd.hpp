#pragma once
// The epilogue of ops/kernels/epilogue.hpp on xsimd batches, for kernels that
// store whole vectors. Included only by per-ISA kernel files.
#include <xsimd/xsimd.hpp>

#include "ops/kernels/epilogue.hpp"
#include "ops/kernels/simd_fma.hpp"
#include "ops/kernels/sigmoid_simd.hpp"

namespace onnxrun::kernels {
namespace {  // per ISA file: see simd_partial.hpp

template <class Batch>
inline Batch apply_activation_simd(Batch x, const ActivationParams& a) {
  switch (a.kind) {
    case Activation::None: return x;
    case Activation::Relu: return xsimd::max(x, Batch(0.0f));
    case Activation::Clip: return xsimd::min(xsimd::max(x, Batch(a.alpha)), Batch(a.beta));
    case Activation::LeakyRelu: return xsimd::select(x < Batch(0.0f), x * Batch(a.alpha), x);
    case Activation::Sigmoid: return sigmoid_simd(x);
    case Activation::HardSigmoid:
      return xsimd::max(Batch(0.0f), xsimd::min(Batch(1.0f), fmadd(x, Batch(a.alpha), Batch(a.beta))));
    case Activation::HardSwish:
      return x * xsimd::max(Batch(0.0f), xsimd::min(Batch(1.0f), fmadd(x, Batch(a.alpha), Batch(a.beta))));
    case Activation::Silu: return silu_simd(x);
  }
  return x;
}

// bias + residual + activation for one vector of row `row`; residual points at
// the vector's residual values or is null.
template <class Batch>
inline Batch apply_epilogue_simd(Batch v, const Epilogue& e, std::int64_t row, const float* residual) {
  if (e.row_bias) v += Batch(e.row_bias[row]);
  if (residual) v += Batch::load_unaligned(residual);
  return apply_activation_simd(v, e.activation);
}

// Calls f(activate), activate being a callable Batch -> Batch for a's kind:
// loops over many vectors take the switch once, outside the loop. The kinds
// most layers fuse (none, Relu, Clip, SiLU, Sigmoid) get their own loop; the
// rest keep apply_activation_simd's per-vector switch.
// Always inlined: GCC otherwise stops inlining it into the kernels' tiles
// once a file has many of them (the NCHW8c kernels), and the tile's sums
// then go through memory to an out-of-line store (depthwise 3x3 at 112x112:
// 184 us inlined, 423 us not).
template <class Batch, class F>
[[gnu::always_inline]] inline void with_activation_simd(const ActivationParams& a, F&& f) {
  switch (a.kind) {
    case Activation::None: return f([](Batch v) { return v; });
    case Activation::Relu: return f([](Batch v) { return xsimd::max(v, Batch(0.0f)); });
    case Activation::Clip: {
      const Batch lo(a.alpha), hi(a.beta);
      return f([lo, hi](Batch v) { return xsimd::min(xsimd::max(v, lo), hi); });
    }
    case Activation::Sigmoid: return f([](Batch v) { return sigmoid_simd(v); });
    case Activation::Silu: return f([](Batch v) { return silu_simd(v); });
    default: return f([&a](Batch v) { return apply_activation_simd(v, a); });
  }
}

// The same over n consecutive values (any n): whole vectors, then a scalar tail.
template <class Batch>
inline void apply_epilogue_row_simd(float* values, std::int64_t n, const Epilogue& e, std::int64_t row,
                                    const float* residual) {
  constexpr std::int64_t width = static_cast<std::int64_t>(Batch::size);
  std::int64_t j = 0;
  with_activation_simd<Batch>(e.activation, [&](auto activate) {
    const Batch bias(e.row_bias ? e.row_bias[row] : 0.0f);
    for (; j + width <= n; j += width) {
      Batch v = Batch::load_unaligned(values + j) + bias;
      if (residual) v += Batch::load_unaligned(residual + j);
      activate(v).store_unaligned(values + j);
    }
  });
  if (j < n) apply_epilogue_row(values + j, n - j, e, row, residual ? residual + j : nullptr);
}

}  // namespace
}  // namespace onnxrun::kernels
