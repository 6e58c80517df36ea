// Element-wise binary ops with numpy broadcasting, one table-driven class:
// Add, Sub, Mul, Div, Pow (opsets 7+), Mod (10+), Equal, Less, Greater (7+),
// LessOrEqual, GreaterOrEqual (12+), And, Or, Xor (7+). The variadic Max, Min,
// Sum and Mean are in variadic_ops.cpp, Where in where.cpp.
//
// Integer semantics, all defined for every input:
//  - Add, Sub, Mul wrap modulo 2^bits, as numpy and PyTorch do;
//  - Div truncates toward zero (ONNX's reference: numpy's true division cast
//    back to the integer type). x / 0 is 0, as numpy's integer floor_divide
//    gives, rather than a crash; INT_MIN / -1 wraps to INT_MIN;
//  - Pow with an integer exponent is exact modulo 2^bits; a negative exponent
//    gives the real result truncated toward zero (0 unless |base| is 1, and 0
//    for base 0, as for division by zero). An integer base with a float
//    exponent is computed in double and converted as Cast does.
//
// Float32 Add, Sub, Mul and Div run the SIMD kernels of
// ops/kernels/elementwise_kernels.hpp along each run of the broadcast plan
// (same shapes, a scalar, a per-channel [C,1,1] or per-(n,c) [N,C,1,1]
// operand are all runs with each operand dense or constant). One more case
// has its own path: an operand that repeats a short innermost pattern, such
// as a squeeze-excitation scale [N, C/8, 1, 1, 8] against an NCHW8c tensor
// [N, C/8, H, W, 8] (the broadcast plan's runs would be 8 values long).
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "ops/elementwise/elementwise_common.hpp"
#include "ops/kernels/elementwise_kernels.hpp"
#include "ops/register_ops.hpp"

namespace onnxrun {

namespace {

struct Add {
  static constexpr kernels::BinaryArith simd = kernels::BinaryArith::Add;
  template <class T> static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) return wrap_add(a, b);
    else return a + b;
  }
};
struct Sub {
  static constexpr kernels::BinaryArith simd = kernels::BinaryArith::Sub;
  template <class T> static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) return wrap_sub(a, b);
    else return a - b;
  }
};
struct Mul {
  static constexpr kernels::BinaryArith simd = kernels::BinaryArith::Mul;
  template <class T> static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) return wrap_mul(a, b);
    else return a * b;
  }
};
struct Div {
  static constexpr kernels::BinaryArith simd = kernels::BinaryArith::Div;
  template <class T> static T apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return a / b;
    } else {
      if (b == T(0)) return T(0);
      if constexpr (std::is_signed_v<T>)
        if (b == T(-1)) return wrap_neg(a);
      return static_cast<T>(a / b);
    }
  }
};

// Mod with fmod=0: the remainder takes the divisor's sign (Python's %,
// numpy.mod); with fmod=1 the dividend's (C's % and fmod). Integer x mod 0 is
// 0, as numpy gives, and INT_MIN mod -1 is 0 (C++ leaves both undefined);
// float x mod 0 is NaN (IEEE fmod).
template <bool c_style> struct Mod {
  template <class T> static T apply(T a, T b) {
    T r;
    if constexpr (std::is_floating_point_v<T>) {
      r = std::fmod(a, b);
    } else {
      if (b == T(0)) return T(0);
      if constexpr (std::is_signed_v<T>)
        if (b == T(-1)) return T(0);
      r = static_cast<T>(a % b);
    }
    if constexpr (!c_style && std::is_signed_v<T>)
      if (r != T(0) && ((r < T(0)) != (b < T(0)))) r = static_cast<T>(r + b);  // opposite signs: no overflow
    return r;
  }
};

template <class T, class E> T integer_pow(T base, E exponent) {
  if constexpr (std::is_signed_v<E>) {
    if (exponent < 0) {
      if (base == T(1)) return T(1);
      if constexpr (std::is_signed_v<T>)
        if (base == T(-1)) return (exponent & 1) ? T(-1) : T(1);
      return T(0);
    }
  }
  // Square and multiply, in the wrapping unsigned type.
  WrapType<T> result = 1, factor = static_cast<WrapType<T>>(base);
  for (auto e = static_cast<std::make_unsigned_t<E>>(exponent); e != 0; e >>= 1) {
    if (e & 1) result = static_cast<WrapType<T>>(result * factor);
    factor = static_cast<WrapType<T>>(factor * factor);
  }
  return static_cast<T>(result);
}

// The output has the base's type (Pow-12+ lets the exponent's type differ).
// float32 ** float32 uses powf as PyTorch does; mixed types go through double,
// which is what numpy's type promotion does for ONNX's reference outputs.
struct Pow {
  template <class A, class B> static A apply(A a, B b) {
    if constexpr (std::is_floating_point_v<A> && std::is_same_v<A, B>)
      return std::pow(a, b);
    else if constexpr (std::is_floating_point_v<A>)
      return static_cast<A>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    else if constexpr (std::is_floating_point_v<B>)
      return convert_value<A>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    else
      return integer_pow(a, b);
  }
};

// Comparisons follow IEEE: anything compared with NaN is false.
struct Equal {
  template <class T> static bool apply(T a, T b) { return a == b; }
};
struct Less {
  template <class T> static bool apply(T a, T b) { return a < b; }
};
struct Greater {
  template <class T> static bool apply(T a, T b) { return a > b; }
};
struct LessOrEqual {
  template <class T> static bool apply(T a, T b) { return a <= b; }
};
struct GreaterOrEqual {
  template <class T> static bool apply(T a, T b) { return a >= b; }
};
struct And {
  static bool apply(bool a, bool b) { return a && b; }
};
struct Or {
  static bool apply(bool a, bool b) { return a || b; }
};
struct Xor {
  static bool apply(bool a, bool b) { return a != b; }
};

using BinaryKernel = void (*)(const BinaryBroadcastPlan&, const void* a, const void* b, void* out, ThreadPool&);

template <class F, class A, class B>
void binary_kernel(const BinaryBroadcastPlan& plan, const void* a, const void* b, void* out, ThreadPool& pool) {
  using O = decltype(F::apply(A{}, B{}));
  broadcast_apply(plan, static_cast<const A*>(a), static_cast<const B*>(b), static_cast<O*>(out), pool,
                  [](A x, B y) { return F::apply(x, y); });
}

struct BinaryKernelEntry {
  BinaryKernel kernel = nullptr;
  DType output = DType::Float32;
};
using BinaryKernelTable = std::array<std::array<BinaryKernelEntry, 6>, 6>;  // [dtype a][dtype b]

struct BinaryOpInfo {
  const char* op_type;
  std::int64_t since_opset, until_opset;
  DTypeSet a_types, b_types;
  bool mixed_types;  // whether a and b may have different dtypes
  BinaryKernelTable kernels;
  std::optional<kernels::BinaryArith> simd;  // the float32 SIMD kernel, if any
};

// a_types: what input 0 may be; b_types: input 1, when it may differ from input
// 0 (0: it must match). Template arguments, so that no kernel is instantiated
// for a pair of types the op does not take.
template <class F, DTypeSet a_types, DTypeSet b_types = 0>
BinaryOpInfo binary(const char* op_type, std::int64_t since, std::int64_t until) {
  constexpr bool mixed = b_types != 0;
  BinaryKernelTable table{};
  for_each_dtype([&]<class A>() {
    for_each_dtype([&]<class B>() {
      if constexpr (dtype_in(dtype_of<A>(), a_types) && dtype_in(dtype_of<B>(), mixed ? b_types : a_types) &&
                    (mixed || std::is_same_v<A, B>)) {
        using O = decltype(F::apply(A{}, B{}));
        table[static_cast<std::size_t>(dtype_of<A>())][static_cast<std::size_t>(dtype_of<B>())] =
            BinaryKernelEntry{&binary_kernel<F, A, B>, dtype_of<O>()};
      }
    });
  });
  std::optional<kernels::BinaryArith> simd;
  if constexpr (requires { F::simd; }) simd = F::simd;
  return BinaryOpInfo{op_type, since, until, a_types, mixed ? b_types : a_types, mixed, table, simd};
}

class BinaryOp final : public Op {
 public:
  explicit BinaryOp(const BinaryOpInfo& info) : info_(info) {}

  void infer(InferContext& context) override {
    context.require_input_count(2, 2);
    const ValueDesc& a = context.input(0);
    const ValueDesc& b = context.input(1);
    auto described = [](const ValueDesc& v) { return std::string(dtype_name(v.dtype)) + " " + shape_to_string(v.shape); };
    if (!info_.mixed_types && a.dtype != b.dtype)
      context.fail("inputs have different types: " + described(a) + " and " + described(b));
    if (!dtype_in(a.dtype, info_.a_types))
      context.fail("input 0 is " + described(a) + "; " + info_.op_type + " takes " + dtype_set_names(info_.a_types));
    if (!dtype_in(b.dtype, info_.b_types))
      context.fail("input 1 is " + described(b) + "; " + info_.op_type + " takes " + dtype_set_names(info_.b_types));
    const BinaryKernelEntry& entry = info_.kernels[static_cast<std::size_t>(a.dtype)][static_cast<std::size_t>(b.dtype)];
    if (!entry.kernel) context.fail("cannot combine " + described(a) + " with " + described(b));
    kernel_ = entry.kernel;
    const Shape out = broadcast_shapes(context, a.shape, b.shape);
    plan_ = BinaryBroadcastPlan::make(a.shape, b.shape, out);
    // Runs along which both operands are constant (rare, and short) stay scalar.
    simd_.reset();
    const bool one_dense = plan_.a_inner_stride == 1 || plan_.b_inner_stride == 1;
    if (a.dtype == DType::Float32 && b.dtype == DType::Float32 && one_dense) simd_ = info_.simd;
    pattern_ = simd_ ? find_pattern(a.shape, b.shape, out) : std::nullopt;
    context.set_output(0, entry.output, out);
  }

  void run(const RunContext& context) const override {
    if (pattern_) return run_pattern(context);
    if (simd_) return run_simd(context);
    kernel_(plan_, context.inputs[0], context.inputs[1], context.outputs[0], *context.pool);
  }

 private:
  void run_simd(const RunContext& context) const {
    const float* a = context.input<float>(0);
    const float* b = context.input<float>(1);
    float* out = context.output<float>(0);
    const kernels::BinaryArith op = *simd_;
    const bool a_dense = plan_.a_inner_stride == 1, b_dense = plan_.b_inner_stride == 1;
    const std::int64_t inner = plan_.inner;
    for_each_broadcast_chunk(plan_, *context.pool, [&](std::int64_t row, std::int64_t first, std::int64_t last,
                                                        std::int64_t a_offset, std::int64_t b_offset) {
      const float* ar = a + a_offset + (a_dense ? first : 0);
      const float* br = b + b_offset + (b_dense ? first : 0);
      float* o = out + row * inner + first;
      if (a_dense && b_dense) kernels::elementwise_binary(op, ar, br, o, last - first);
      else if (a_dense) kernels::elementwise_binary_vs(op, ar, *br, o, last - first);
      else kernels::elementwise_binary_sv(op, *ar, br, o, last - first);
    });
  }

  // One operand has the output's shape; the other (`small`) has its leading
  // dims, then dims of 1 where the output's are larger, then the output's
  // last dim of `length` values (2 to 64): per group of the leading dims it
  // is one pattern repeated `repeat` times.
  struct Pattern {
    int small = 1;  // input index of the repeating operand
    std::int64_t groups = 1, repeat = 1, length = 1;
  };
  // Floats per tile of repeated patterns: lengths dividing it are taken.
  static constexpr std::int64_t kPatternTile = 256;

  static std::optional<Pattern> find_pattern(const Shape& a, const Shape& b, const Shape& out) {
    const std::size_t rank = out.size();
    for (int small = 0; small < 2; ++small) {
      const Shape& s = small == 0 ? a : b;
      const Shape& full = small == 0 ? b : a;
      if (full != out || s.size() != rank || rank < 3) continue;
      const std::int64_t length = out.back();
      if (s.back() != length || length < 2 || length > 64 || kPatternTile % length != 0) continue;
      std::size_t k = 0;
      while (k + 1 < rank && s[k] == out[k]) ++k;
      Pattern p{small, 1, 1, length};
      bool ok = k + 1 < rank;
      for (std::size_t d = 0; d < k; ++d) p.groups *= out[d];
      for (std::size_t d = k; d + 1 < rank; ++d) {
        ok = ok && s[d] == 1;
        p.repeat *= out[d];
      }
      if (ok && p.repeat > 1) return p;
    }
    return std::nullopt;
  }

  // Each group's pattern is tiled into kPatternTile floats once, then the
  // dense kernel runs over the group in tiles.
  void run_pattern(const RunContext& context) const {
    const Pattern& p = *pattern_;
    const float* small = context.input<float>(static_cast<std::size_t>(p.small));
    const float* full = context.input<float>(static_cast<std::size_t>(1 - p.small));
    float* out = context.output<float>(0);
    const kernels::BinaryArith op = *simd_;
    const std::int64_t group_size = p.repeat * p.length;
    context.pool->parallel_for(p.groups, [&](std::int64_t begin, std::int64_t end) {
      alignas(64) float tile[kPatternTile];
      for (std::int64_t g = begin; g < end; ++g) {
        // A multiple of length (which divides kPatternTile): whole patterns,
        // copied without a division per float (that cost more than the
        // multiplies on 7x7 planes).
        const std::int64_t filled = std::min(kPatternTile, group_size);  // a group may be shorter than a tile
        const float* pattern = small + g * p.length;
        for (std::int64_t i = 0; i < filled; i += p.length) std::copy(pattern, pattern + p.length, tile + i);
        const float* x = full + g * group_size;
        float* y = out + g * group_size;
        for (std::int64_t i = 0; i < group_size; i += kPatternTile) {
          const std::int64_t n = std::min(kPatternTile, group_size - i);
          if (p.small == 1)
            kernels::elementwise_binary(op, x + i, tile, y + i, n);
          else
            kernels::elementwise_binary(op, tile, x + i, y + i, n);
        }
      }
    }, std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(group_size, 1)));
  }

  const BinaryOpInfo& info_;
  std::optional<Pattern> pattern_;
  BinaryKernel kernel_ = nullptr;
  BinaryBroadcastPlan plan_;
  std::optional<kernels::BinaryArith> simd_;
};

const std::array<BinaryOpInfo, 13>& binary_ops() {
  static const std::array<BinaryOpInfo, 13> ops = {
      binary<Add, kNumericTypes>("Add", 7, 21),
      binary<Sub, kNumericTypes>("Sub", 7, 21),
      binary<Mul, kNumericTypes>("Mul", 7, 21),
      binary<Div, kNumericTypes>("Div", 7, 21),
      // ONNX lets the exponent be any numeric type from Pow-12; earlier
      // opsets' models only ever have matching types, so one entry serves.
      binary<Pow, kSignedTypes, kNumericTypes>("Pow", 7, 21),
      binary<Equal, kAllTypes>("Equal", 7, 21),
      binary<Less, kNumericTypes>("Less", 7, 21),
      binary<Greater, kNumericTypes>("Greater", 7, 21),
      binary<LessOrEqual, kNumericTypes>("LessOrEqual", 12, 21),
      binary<GreaterOrEqual, kNumericTypes>("GreaterOrEqual", 12, 21),
      binary<And, dtype_bit(DType::Bool)>("And", 7, 21),
      binary<Or, dtype_bit(DType::Bool)>("Or", 7, 21),
      binary<Xor, dtype_bit(DType::Bool)>("Xor", 7, 21),
  };
  return ops;
}

}  // namespace

void register_binary_elementwise_ops(OpRegistry& registry) {
  for (const BinaryOpInfo& info : binary_ops())
    registry.add(info.op_type, info.since_opset, info.until_opset,
                 [&info](const Node&) { return std::make_unique<BinaryOp>(info); });
  // Mod picks its kernels by the fmod attribute.
  static const BinaryOpInfo mod = binary<Mod<false>, kNumericTypes>("Mod", 10, 21);
  static const BinaryOpInfo fmod = binary<Mod<true>, kNumericTypes>("Mod", 10, 21);
  registry.add("Mod", 10, 21, [](const Node& node) {
    const bool c_style = node.attributes.get_int("fmod", 0, node.describe()) != 0;
    return std::make_unique<BinaryOp>(c_style ? fmod : mod);
  });
  register_variadic_ops(registry);
  register_where_op(registry);
}

}  // namespace onnxrun
