#pragma once
// Shared by the element-wise ops: dtype dispatch and dtype sets, integer
// arithmetic with defined overflow, the float->integer conversion that Cast
// and Pow share, and the parallel walk of a BinaryBroadcastPlan.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "ops/common/broadcast.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

// Calls f.template operator()<T>() with T the C++ element type of dtype.
template <class F> void visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32: f.template operator()<float>(); break;
    case DType::Float64: f.template operator()<double>(); break;
    case DType::Int32: f.template operator()<std::int32_t>(); break;
    case DType::Int64: f.template operator()<std::int64_t>(); break;
    case DType::UInt8: f.template operator()<std::uint8_t>(); break;
    case DType::Bool: f.template operator()<bool>(); break;
  }
}

// Calls f.template operator()<T>() for every element type, bool last.
template <class F> void for_each_dtype(F&& f) {
  f.template operator()<float>();
  f.template operator()<double>();
  f.template operator()<std::int32_t>();
  f.template operator()<std::int64_t>();
  f.template operator()<std::uint8_t>();
  f.template operator()<bool>();
}

// A set of dtypes as a bit mask, for "which types does this op take".
using DTypeSet = unsigned;
constexpr DTypeSet dtype_bit(DType dtype) { return 1u << static_cast<unsigned>(dtype); }
inline constexpr DTypeSet kFloatTypes = dtype_bit(DType::Float32) | dtype_bit(DType::Float64);
inline constexpr DTypeSet kSignedTypes = kFloatTypes | dtype_bit(DType::Int32) | dtype_bit(DType::Int64);
inline constexpr DTypeSet kNumericTypes = kSignedTypes | dtype_bit(DType::UInt8);
inline constexpr DTypeSet kAllTypes = kNumericTypes | dtype_bit(DType::Bool);
constexpr bool dtype_in(DType dtype, DTypeSet set) { return (set & dtype_bit(dtype)) != 0; }

// "float32, float64, int32" for error messages.
inline std::string dtype_set_names(DTypeSet set) {
  std::string names;
  for (DType d : {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::UInt8, DType::Bool})
    if (dtype_in(d, set)) names += (names.empty() ? "" : ", ") + std::string(dtype_name(d));
  return names;
}

// Integer arithmetic wraps modulo 2^bits (as numpy and PyTorch do) instead of
// overflowing, which is undefined on signed types. It is done in an unsigned
// type at least as wide as `unsigned`, so that uint8 operands do not promote
// to a signed int whose product could overflow.
template <class T>
using WrapType = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
template <class T> T wrap_add(T a, T b) { return static_cast<T>(WrapType<T>(a) + WrapType<T>(b)); }
template <class T> T wrap_sub(T a, T b) { return static_cast<T>(WrapType<T>(a) - WrapType<T>(b)); }
template <class T> T wrap_mul(T a, T b) { return static_cast<T>(WrapType<T>(a) * WrapType<T>(b)); }
template <class T> T wrap_neg(T a) { return static_cast<T>(WrapType<T>(0) - WrapType<T>(a)); }

// Every conversion between our dtypes, defined for every input:
//  - to bool: nonzero is true (NaN too, as numpy's astype(bool));
//  - from bool: 0 or 1;
//  - float to integer: truncation toward zero; NaN gives 0 and values beyond
//    the target's range saturate to its min or max (Rust's `as`, ARM's fcvtz*).
//    C++ leaves these undefined and x86 numpy/PyTorch return INT_MIN (or a
//    wrapped byte for uint8), which no model can meaningfully rely on;
//  - integer to narrower integer: modulo 2^bits (defined since C++20, numpy's too);
//  - float64 to float32: IEEE rounding, overflow to +-inf (GCC and Clang follow
//    IEC 559 here; UBSan does not flag float-to-float conversions).
template <class To, class From> To convert_value(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    return static_cast<To>(x ? 1 : 0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(x)) return To(0);
    // 2^bits of To, exact in any float type (a power of two); max() itself may
    // round up to it, so compare with >=.
    constexpr From upper = static_cast<From>(std::numeric_limits<To>::max() / 2 + 1) * From(2);
    if (x >= upper) return std::numeric_limits<To>::max();
    if (x <= static_cast<From>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

// Elements one pool task handles: 64 KiB of float32, large enough that the
// cost of handing out a task vanishes next to the work.
inline constexpr std::int64_t kElementwiseChunk = 16384;

// Calls chunk(row, first, last, a_offset, b_offset) over the pool for pieces
// [first, last) of every row of the plan, a_offset and b_offset being where
// the row starts in a and b. Rows are cut into pieces so that a single long
// row (two same-shape inputs) still spreads over the pool, and short rows are
// grouped so that a task covers about kElementwiseChunk elements.
template <class F> void for_each_broadcast_chunk(const BinaryBroadcastPlan& plan, ThreadPool& pool, F chunk) {
  const std::int64_t inner = plan.inner;
  if (plan.rows <= 0 || inner <= 0) return;
  const std::int64_t pieces = (inner + kElementwiseChunk - 1) / kElementwiseChunk;
  const std::int64_t grain = std::max<std::int64_t>(1, kElementwiseChunk / std::min(inner, kElementwiseChunk));
  pool.parallel_for(plan.rows * pieces, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t row = task / pieces, first = (task % pieces) * kElementwiseChunk;
      const std::int64_t last = std::min(inner, first + kElementwiseChunk);
      std::int64_t a_offset = 0, b_offset = 0;
      plan.row_offsets(row, a_offset, b_offset);
      chunk(row, first, last, a_offset, b_offset);
    }
  }, grain);
}

// For each output element: f(out[i], a[ia], b[ib]), with ia and ib following
// numpy broadcasting as planned. `a` may be `out` itself when a is read with
// the output's shape (an in-place fold): each element is read before it is
// written, by the same task.
template <class A, class B, class O, class F>
void broadcast_update(const BinaryBroadcastPlan& plan, const A* a, const B* b, O* out, ThreadPool& pool, F f) {
  const std::int64_t inner = plan.inner;
  const bool a_dense = plan.a_inner_stride == 1, b_dense = plan.b_inner_stride == 1;
  for_each_broadcast_chunk(plan, pool, [&](std::int64_t row, std::int64_t first, std::int64_t last,
                                           std::int64_t a_offset, std::int64_t b_offset) {
    const A* ar = a + a_offset;
    const B* br = b + b_offset;
    O* o = out + row * inner;
    if (a_dense && b_dense) {
      for (std::int64_t i = first; i < last; ++i) f(o[i], ar[i], br[i]);
    } else if (a_dense) {
      const B bv = br[0];
      for (std::int64_t i = first; i < last; ++i) f(o[i], ar[i], bv);
    } else if (b_dense) {
      const A av = ar[0];
      for (std::int64_t i = first; i < last; ++i) f(o[i], av, br[i]);
    } else {
      const A av = ar[0];
      const B bv = br[0];
      for (std::int64_t i = first; i < last; ++i) f(o[i], av, bv);
    }
  });
}

// out[i] = f(a[ia], b[ib]).
template <class A, class B, class O, class F>
void broadcast_apply(const BinaryBroadcastPlan& plan, const A* a, const B* b, O* out, ThreadPool& pool, F f) {
  broadcast_update(plan, a, b, out, pool, [f](O& o, A x, B y) { o = f(x, y); });
}

// Registration of the element-wise families that live in their own files;
// called from register_unary_elementwise_ops and register_binary_elementwise_ops.
class OpRegistry;
void register_clip_op(OpRegistry& registry);
void register_cast_ops(OpRegistry& registry);
void register_variadic_ops(OpRegistry& registry);
void register_where_op(OpRegistry& registry);

}  // namespace onnxrun
