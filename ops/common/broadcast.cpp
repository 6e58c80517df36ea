#include "ops/common/broadcast.hpp"

namespace onnxrun {

Shape broadcast_shapes(const InferContext& context, const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      context.fail("shapes " + shape_to_string(a) + " and " + shape_to_string(b) + " cannot be broadcast (dim " +
                   std::to_string(i) + ": " + std::to_string(da) + " vs " + std::to_string(db) + ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<std::int64_t> broadcast_strides(const Shape& input, const Shape& output) {
  std::vector<std::int64_t> strides(output.size(), 0);
  std::int64_t stride = 1;
  for (std::size_t i = input.size(); i-- > 0;) {
    const std::size_t o = i + (output.size() - input.size());
    strides[o] = input[i] == 1 ? 0 : stride;
    stride *= input[i];
  }
  return strides;
}

BinaryBroadcastPlan BinaryBroadcastPlan::make(const Shape& a, const Shape& b, const Shape& out) {
  BinaryBroadcastPlan plan;
  const std::vector<std::int64_t> sa = broadcast_strides(a, out), sb = broadcast_strides(b, out);
  // Merge trailing output dims into the inner run while both inputs stay
  // either dense (contiguous) or constant along them.
  std::size_t split = out.size();
  std::int64_t inner = 1;
  plan.a_inner_stride = out.empty() ? 0 : (sa.back() == 0 ? 0 : 1);
  plan.b_inner_stride = out.empty() ? 0 : (sb.back() == 0 ? 0 : 1);
  while (split > 0) {
    const std::size_t d = split - 1;
    const bool a_ok = out[d] == 1 || (plan.a_inner_stride == 0 ? sa[d] == 0 : sa[d] == inner);
    const bool b_ok = out[d] == 1 || (plan.b_inner_stride == 0 ? sb[d] == 0 : sb[d] == inner);
    if (!a_ok || !b_ok) break;
    inner *= out[d];
    --split;
  }
  plan.inner = inner;
  plan.outer_shape.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(split));
  plan.a_outer_strides.assign(sa.begin(), sa.begin() + static_cast<std::ptrdiff_t>(split));
  plan.b_outer_strides.assign(sb.begin(), sb.begin() + static_cast<std::ptrdiff_t>(split));
  plan.rows = 1;
  for (std::int64_t dim : plan.outer_shape) plan.rows *= dim;
  if (inner == 0) plan.rows = 0;
  return plan;
}

void BinaryBroadcastPlan::row_offsets(std::int64_t row, std::int64_t& a_offset, std::int64_t& b_offset) const {
  a_offset = b_offset = 0;
  for (std::size_t d = outer_shape.size(); d-- > 0;) {
    const std::int64_t index = row % outer_shape[d];
    row /= outer_shape[d];
    a_offset += index * a_outer_strides[d];
    b_offset += index * b_outer_strides[d];
  }
}

}  // namespace onnxrun
