#pragma once
// Element-wise float32 kernels over contiguous buffers: the activations of
// ops/kernels/epilogue.hpp plus Tanh and Exp, and Add/Sub/Mul/Div with both
// operands vectors or one of them a scalar. Each call runs the variant for
// active_isa().
//
// The last n % width values go through the same vector code (via a padded
// copy), so a value's result does not depend on where a range starts or ends:
// callers may split a buffer between threads anywhere and get identical bits.
#include <cstdint>

#include "ops/kernels/epilogue.hpp"

namespace onnxrun::kernels {

enum class UnaryKind { Activation, Tanh, Exp, Erf };

struct UnaryFunction {
  UnaryKind kind = UnaryKind::Activation;
  ActivationParams activation;  // read for UnaryKind::Activation only
};

// y[i] = f(x[i]) for i in [0, n); y may be x. NaN stays NaN for every
// function, as in the scalar ops (torch.relu and torch.clamp pass it through).
void elementwise_unary(const UnaryFunction& f, const float* x, float* y, std::int64_t n);

enum class BinaryArith { Add, Sub, Mul, Div };

// out[i] = a[i] op b[i]; out may be a or b.
void elementwise_binary(BinaryArith op, const float* a, const float* b, float* out, std::int64_t n);
// out[i] = a[i] op b; out may be a.
void elementwise_binary_vs(BinaryArith op, const float* a, float b, float* out, std::int64_t n);
// out[i] = a op b[i]; out may be b.
void elementwise_binary_sv(BinaryArith op, float a, const float* b, float* out, std::int64_t n);

}  // namespace onnxrun::kernels
