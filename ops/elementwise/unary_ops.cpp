// Element-wise unary ops, one table-driven class: Relu, LeakyRelu, Sigmoid,
// HardSigmoid, HardSwish, Tanh, Erf, Gelu, Sqrt, Exp, Log, Reciprocal, Floor,
// Ceil, Round, Sign, Abs, Neg, Softplus, Elu, Selu, Not. Clip lives in
// clip.cpp, Cast in cast.cpp. Float ops compute in the input's own type (float for float32),
// as PyTorch does, with the formulas PyTorch and numpy use. On float32, the
// ops with a `simd` function run the SIMD kernel it describes
// (ops/kernels/elementwise_kernels.hpp); the scalar `apply` is their reference
// and serves the other types.
#include <array>
#include <cmath>
#include <optional>

#include "ops/elementwise/elementwise_common.hpp"
#include "ops/kernels/elementwise_kernels.hpp"
#include "ops/register_ops.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

namespace {

// Attribute values an op reads at load; what a and b mean is per op.
struct UnaryParams {
  float a = 0, b = 0;
  bool tanh_approximation = false;  // Gelu
};

using kernels::Activation;
using kernels::UnaryFunction;
using kernels::UnaryKind;

UnaryFunction simd_activation(Activation kind, float alpha = 0, float beta = 0) {
  return UnaryFunction{UnaryKind::Activation, kernels::ActivationParams{kind, alpha, beta}};
}

// max(x, 0) written so that NaN passes through, as torch.relu does.
struct Relu {
  static constexpr DTypeSet types = dtype_bit(DType::Float32);
  template <class T> static T apply(T x, const UnaryParams&) { return x < T(0) ? T(0) : x; }
  static UnaryFunction simd(const UnaryParams&) { return simd_activation(Activation::Relu); }
};
struct LeakyRelu {  // a = alpha
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams& p) { return x < T(0) ? x * T(p.a) : x; }
  static UnaryFunction simd(const UnaryParams& p) { return simd_activation(Activation::LeakyRelu, p.a); }
};
// Two branches so that exp never overflows: for x < 0 exp(x) <= 1, and the
// result keeps its relative accuracy down to the denormals instead of
// rounding 1 + exp(-x) to infinity first.
struct Sigmoid {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
  // 1 / (1 + exp(-x)) alone: below x = -88 exp(-x) overflows and the result is
  // 0 instead of a denormal, an absolute error under 1e-38.
  static UnaryFunction simd(const UnaryParams&) { return simd_activation(Activation::Sigmoid); }
};
// Clamp written with comparisons so that NaN propagates (std::clamp would not).
template <class T> T clamp01(T v) { return v < T(0) ? T(0) : (v > T(1) ? T(1) : v); }
struct HardSigmoid {  // a = alpha, b = beta
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams& p) { return clamp01(T(p.a) * x + T(p.b)); }
  static UnaryFunction simd(const UnaryParams& p) { return simd_activation(Activation::HardSigmoid, p.a, p.b); }
};
struct HardSwish {  // ONNX's alpha = 1/6, beta = 0.5, written as PyTorch's x / 6
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return x * clamp01(x / T(6) + T(0.5)); }
  // x * (1/6) rounds differently from x / 6 by an ulp at most.
  static UnaryFunction simd(const UnaryParams&) { return simd_activation(Activation::HardSwish, 1.0f / 6.0f, 0.5f); }
};
struct Tanh {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::tanh(x); }
  static UnaryFunction simd(const UnaryParams&) { return UnaryFunction{UnaryKind::Tanh, {}}; }
};
struct Erf {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::erf(x); }
  // ConvNeXt's GELU is exported as Div, Erf, Add, Mul, Mul: the scalar erf
  // was a fifth of its run time.
  static UnaryFunction simd(const UnaryParams&) { return UnaryFunction{UnaryKind::Erf, {}}; }
};
struct Gelu {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams& p) {
    if (p.tanh_approximation) {
      const T sqrt_2_over_pi = T(0.79788456080286535588);
      return T(0.5) * x * (T(1) + std::tanh(sqrt_2_over_pi * (x + T(0.044715) * x * x * x)));
    }
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
};
struct Sqrt {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::sqrt(x); }
};
struct Exp {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::exp(x); }
  static UnaryFunction simd(const UnaryParams&) { return UnaryFunction{UnaryKind::Exp, {}}; }
};
struct Log {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::log(x); }
};
struct Reciprocal {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return T(1) / x; }
};
struct Floor {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::floor(x); }
};
struct Ceil {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::ceil(x); }
};
// Halves to even, as numpy.round and torch.round do (nearbyint in the default
// rounding mode, which onnxrun never changes).
struct Round {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) { return std::nearbyint(x); }
};
// NaN gives NaN, as numpy.sign and ONNX's reference do.
struct Sign {
  static constexpr DTypeSet types = kNumericTypes;
  template <class T> static T apply(T x, const UnaryParams&) {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(x)) return x;
    if constexpr (std::is_unsigned_v<T>) return static_cast<T>(x != T(0));
    else return static_cast<T>((T(0) < x) - (x < T(0)));
  }
};
// Integers wrap: Abs(INT_MIN) and Neg(INT_MIN) are INT_MIN, as in numpy.
struct Abs {
  static constexpr DTypeSet types = kNumericTypes;
  template <class T> static T apply(T x, const UnaryParams&) {
    if constexpr (std::is_floating_point_v<T>) return std::abs(x);
    else if constexpr (std::is_unsigned_v<T>) return x;
    else return x < T(0) ? wrap_neg(x) : x;
  }
};
struct Neg {
  static constexpr DTypeSet types = kSignedTypes;
  template <class T> static T apply(T x, const UnaryParams&) {
    if constexpr (std::is_floating_point_v<T>) return -x;
    else return wrap_neg(x);
  }
};
// log(1 + exp(x)) without overflow for large x and with log1p's accuracy for
// very negative x.
struct Softplus {
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams&) {
    return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
};
// expm1 keeps the accuracy near 0 that exp(x) - 1 loses (PyTorch uses it too).
struct Elu {  // a = alpha
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams& p) { return x < T(0) ? T(p.a) * std::expm1(x) : x; }
};
struct Selu {  // a = alpha, b = gamma
  static constexpr DTypeSet types = kFloatTypes;
  template <class T> static T apply(T x, const UnaryParams& p) {
    return x > T(0) ? T(p.b) * x : T(p.b) * (T(p.a) * std::expm1(x));
  }
};
struct Not {
  static constexpr DTypeSet types = dtype_bit(DType::Bool);
  static bool apply(bool x, const UnaryParams&) { return !x; }
};

using UnaryKernel = void (*)(const void* x, void* y, std::int64_t begin, std::int64_t end, const UnaryParams&);
using UnaryKernels = std::array<UnaryKernel, 6>;  // indexed by DType

template <class F, class T>
void unary_kernel(const void* x, void* y, std::int64_t begin, std::int64_t end, const UnaryParams& params) {
  const T* in = static_cast<const T*>(x);
  T* out = static_cast<T*>(y);
  const UnaryParams p = params;  // a local copy: visibly loop-invariant
  for (std::int64_t i = begin; i < end; ++i) out[i] = F::apply(in[i], p);
}

template <class F> UnaryKernels kernels_for() {
  UnaryKernels kernels{};
  auto add = [&]<class T>() {
    if constexpr (dtype_in(dtype_of<T>(), F::types))
      kernels[static_cast<std::size_t>(dtype_of<T>())] = &unary_kernel<F, T>;
  };
  for_each_dtype(add);
  return kernels;
}

struct FloatAttr {
  const char* name = nullptr;  // nullptr: the op has no such attribute
  float fallback = 0;
};

struct UnaryOpInfo {
  const char* op_type;
  std::int64_t since_opset, until_opset;
  DTypeSet types;
  UnaryKernels kernels;
  FloatAttr a, b;  // read into UnaryParams::a and ::b
  bool reads_approximate;  // Gelu's string attribute
  UnaryFunction (*simd)(const UnaryParams&);  // the float32 SIMD kernel, or null
};

template <class F>
UnaryOpInfo unary(const char* op_type, std::int64_t since, std::int64_t until, FloatAttr a = {}, FloatAttr b = {}) {
  UnaryFunction (*simd)(const UnaryParams&) = nullptr;
  if constexpr (requires { &F::simd; }) simd = &F::simd;
  return UnaryOpInfo{op_type, since, until, F::types, kernels_for<F>(), a, b, std::is_same_v<F, Gelu>, simd};
}

// Opset ranges start where an op's current semantics start (the opset 1-5
// versions differ only by the long-removed consumed_inputs attribute).
const std::array<UnaryOpInfo, 22>& unary_ops() {
  static const std::array<UnaryOpInfo, 22> ops = {
      unary<Relu>("Relu", 6, 21),
      unary<LeakyRelu>("LeakyRelu", 6, 21, {"alpha", 0.01f}),
      unary<Sigmoid>("Sigmoid", 6, 21),
      unary<HardSigmoid>("HardSigmoid", 6, 21, {"alpha", 0.2f}, {"beta", 0.5f}),
      unary<HardSwish>("HardSwish", 14, 21),
      unary<Tanh>("Tanh", 6, 21),
      unary<Erf>("Erf", 9, 21),
      unary<Gelu>("Gelu", 20, 21),
      unary<Sqrt>("Sqrt", 6, 21),
      unary<Exp>("Exp", 6, 21),
      unary<Log>("Log", 6, 21),
      unary<Reciprocal>("Reciprocal", 6, 21),
      unary<Floor>("Floor", 6, 21),
      unary<Ceil>("Ceil", 6, 21),
      unary<Round>("Round", 11, 21),
      unary<Sign>("Sign", 9, 21),
      unary<Abs>("Abs", 6, 21),
      unary<Neg>("Neg", 6, 21),
      unary<Softplus>("Softplus", 1, 21),
      unary<Elu>("Elu", 6, 21, {"alpha", 1.0f}),
      // SELU's constants as ONNX rounds them to float.
      unary<Selu>("Selu", 6, 21, {"alpha", 1.67326319217681884765625f}, {"gamma", 1.05070102214813232421875f}),
      unary<Not>("Not", 1, 21),
  };
  return ops;
}

class UnaryOp final : public Op {
 public:
  explicit UnaryOp(const UnaryOpInfo& info) : info_(info) {}

  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    const ValueDesc& x = context.input(0);
    if (!dtype_in(x.dtype, info_.types))
      context.fail("input 0 is " + std::string(dtype_name(x.dtype)) + " " + shape_to_string(x.shape) + "; " +
                   info_.op_type + " takes " + dtype_set_names(info_.types));
    kernel_ = info_.kernels[static_cast<std::size_t>(x.dtype)];
    if (info_.a.name) params_.a = context.attr_float(info_.a.name, info_.a.fallback);
    if (info_.b.name) params_.b = context.attr_float(info_.b.name, info_.b.fallback);
    if (info_.reads_approximate) {
      const std::string approximate = context.attr_string("approximate", "none");
      if (approximate != "none" && approximate != "tanh")
        context.fail("approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
      params_.tanh_approximation = approximate == "tanh";
    }
    simd_.reset();
    if (x.dtype == DType::Float32 && info_.simd) simd_ = info_.simd(params_);
    count_ = checked_element_count(x.shape, context.node().describe());
    context.set_output(0, x.dtype, x.shape);
  }

  void run(const RunContext& context) const override {
    const void* x = context.inputs[0];
    void* y = context.outputs[0];
    if (simd_) {
      const float* in = static_cast<const float*>(x);
      float* out = static_cast<float*>(y);
      const UnaryFunction& f = *simd_;
      context.pool->parallel_for(count_, [&](std::int64_t begin, std::int64_t end) {
        kernels::elementwise_unary(f, in + begin, out + begin, end - begin);
      }, kElementwiseChunk);
      return;
    }
    const UnaryKernel kernel = kernel_;
    const UnaryParams& params = params_;
    context.pool->parallel_for(count_, [&](std::int64_t begin, std::int64_t end) {
      kernel(x, y, begin, end, params);
    }, kElementwiseChunk);
  }

 private:
  const UnaryOpInfo& info_;
  UnaryKernel kernel_ = nullptr;
  UnaryParams params_;
  std::optional<UnaryFunction> simd_;
  std::int64_t count_ = 0;
};

}  // namespace

void register_unary_elementwise_ops(OpRegistry& registry) {
  for (const UnaryOpInfo& info : unary_ops())
    registry.add(info.op_type, info.since_opset, info.until_opset,
                 [&info](const Node&) { return std::make_unique<UnaryOp>(info); });
  register_clip_op(registry);
  register_cast_ops(registry);
}

}  // namespace onnxrun
