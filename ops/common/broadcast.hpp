#pragma once
// Numpy-style broadcasting: output shapes, and walking two inputs against one
// output with the inner loop kept contiguous where possible.
#include <cstdint>
#include <vector>

#include "runtime/exec/op.hpp"

namespace onnxrun {

// The broadcast of a and b; throws naming the node and both shapes when a
// dimension pair is neither equal nor has a 1.
Shape broadcast_shapes(const InferContext& context, const Shape& a, const Shape& b);

// Element strides of `input` when read as `output` (0 along broadcast dims),
// right-aligned to the output's rank.
std::vector<std::int64_t> broadcast_strides(const Shape& input, const Shape& output);

// Precomputed walk of out = f(a, b) for one pair of shapes. The output is split
// into rows of `inner` elements along which both inputs advance by a fixed
// stride (1 or 0), so that the per-element loop has no index arithmetic.
struct BinaryBroadcastPlan {
  std::int64_t rows = 0, inner = 0;
  std::int64_t a_inner_stride = 0, b_inner_stride = 0;
  std::vector<std::int64_t> outer_shape;  // output dims outside the inner run
  std::vector<std::int64_t> a_outer_strides, b_outer_strides;

  static BinaryBroadcastPlan make(const Shape& a, const Shape& b, const Shape& out);
  // Element offsets of a and b at the start of output row `row`.
  void row_offsets(std::int64_t row, std::int64_t& a_offset, std::int64_t& b_offset) const;
};

}  // namespace onnxrun
