#pragma once
// The element-wise kernels, written once over xsimd batches and instantiated
// per instruction set (elementwise_<isa>.cpp, each compiled with its own
// flags). Included only by those files.
#include <xsimd/xsimd.hpp>

#include "ops/kernels/elementwise_kernels.hpp"
#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/simd_partial.hpp"

namespace onnxrun::kernels {

template <class Arch>
struct ElementwiseKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kWidth = static_cast<std::int64_t>(Batch::size);

  // An operand read one vector at a time: a buffer, or one value for all.
  struct Vector {
    const float* p;
    Batch at(std::int64_t i) const { return Batch::load_unaligned(p + i); }
    Batch partial(std::int64_t i, std::int64_t count) const { return load_partial<Batch>(p + i, count); }
  };
  struct Splat {
    Batch v;
    Batch at(std::int64_t) const { return v; }
    Batch partial(std::int64_t, std::int64_t) const { return v; }
  };

  // out[i] = f(a[i], b[i]), the tail through the vector code too (see
  // elementwise_kernels.hpp). Each vector is loaded before its store, so out
  // may alias an operand.
  template <class A, class B, class F>
  static void map2(A a, B b, float* out, std::int64_t n, F f) {
    std::int64_t i = 0;
    for (; i + kWidth <= n; i += kWidth) f(a.at(i), b.at(i)).store_unaligned(out + i);
    if (i < n) store_partial(f(a.partial(i, n - i), b.partial(i, n - i)), out + i, n - i);
  }

  template <class F>
  static void map(const float* x, float* y, std::int64_t n, F f) {
    map2(Vector{x}, Splat{Batch(0.0f)}, y, n, [f](Batch v, Batch) { return f(v); });
  }

  // One activation kind per instantiation: with the kind a constant, the
  // epilogue's switch folds away and the loop body is just the formula.
  template <Activation kKind>
  static void activation(const float* x, float* y, std::int64_t n, ActivationParams params) {
    params.kind = kKind;
    map(x, y, n, [params](Batch v) {
      const Batch r = apply_activation_simd(v, params);
      // xsimd::max and min return their second operand when either is NaN, so
      // the epilogue's Relu and Clip map NaN to a bound; the scalar ops (and
      // torch.relu, torch.clamp) pass NaN through. (isnan, not v != v: xsimd
      // 8.1 compares != ordered on AVX and AVX-512, false for NaN.)
      if constexpr (kKind == Activation::Relu || kKind == Activation::Clip) return xsimd::select(xsimd::isnan(v), v, r);
      return r;
    });
  }

  static void unary(const UnaryFunction& f, const float* x, float* y, std::int64_t n) {
    switch (f.kind) {
      case UnaryKind::Tanh: return map(x, y, n, [](Batch v) { return xsimd::tanh(v); });
      case UnaryKind::Exp: return map(x, y, n, [](Batch v) { return xsimd::exp(v); });
      case UnaryKind::Erf: return map(x, y, n, [](Batch v) { return xsimd::erf(v); });
      case UnaryKind::Activation: break;
    }
    const ActivationParams& p = f.activation;
    switch (p.kind) {
      case Activation::None: return map(x, y, n, [](Batch v) { return v; });
      case Activation::Relu: return activation<Activation::Relu>(x, y, n, p);
      case Activation::Clip: return activation<Activation::Clip>(x, y, n, p);
      case Activation::LeakyRelu: return activation<Activation::LeakyRelu>(x, y, n, p);
      case Activation::Sigmoid: return activation<Activation::Sigmoid>(x, y, n, p);
      case Activation::HardSigmoid: return activation<Activation::HardSigmoid>(x, y, n, p);
      case Activation::HardSwish: return activation<Activation::HardSwish>(x, y, n, p);
      case Activation::Silu: return activation<Activation::Silu>(x, y, n, p);
    }
  }

  template <class A, class B>
  static void arith(BinaryArith op, A a, B b, float* out, std::int64_t n) {
    switch (op) {
      case BinaryArith::Add: return map2(a, b, out, n, [](Batch x, Batch y) { return x + y; });
      case BinaryArith::Sub: return map2(a, b, out, n, [](Batch x, Batch y) { return x - y; });
      case BinaryArith::Mul: return map2(a, b, out, n, [](Batch x, Batch y) { return x * y; });
      case BinaryArith::Div: return map2(a, b, out, n, [](Batch x, Batch y) { return x / y; });
    }
  }

  static void binary(BinaryArith op, const float* a, const float* b, float* out, std::int64_t n) {
    arith(op, Vector{a}, Vector{b}, out, n);
  }
  static void binary_vs(BinaryArith op, const float* a, float b, float* out, std::int64_t n) {
    arith(op, Vector{a}, Splat{Batch(b)}, out, n);
  }
  static void binary_sv(BinaryArith op, float a, const float* b, float* out, std::int64_t n) {
    arith(op, Splat{Batch(a)}, Vector{b}, out, n);
  }
};

}  // namespace onnxrun::kernels
