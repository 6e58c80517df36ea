// Expand (bidirectional numpy broadcast to a load-time shape) and Tile
// (repeat along each axis). Both are IndexMapCopy walks with stride-0 axes:
// Tile's output [r0*d0, r1*d1, ...] is laid out as [r0, d0, r1, d1, ...] with
// the r axes reading the same input again.
#include "ops/common/broadcast.hpp"
#include "ops/tensor/index_map_copy_op.hpp"
#include "ops/tensor/shape_helpers.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

namespace {

class ExpandOp final : public IndexMapCopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 2);
    const ValueDesc& x = context.input(0);
    const ValueDesc& shape_input = context.input(1);
    if (shape_input.dtype != DType::Int64 || shape_input.shape.size() != 1)
      context.fail("the shape (input 1) must be a 1-D int64 tensor, got " + std::string(dtype_name(shape_input.dtype)) +
                   " " + shape_to_string(shape_input.shape));
    const Ints target = constant_ints(context, 1, "the shape");
    for (std::int64_t dim : target)
      if (dim < 0) context.fail("the shape " + ints_to_string(target) + " has a negative dim");
    const Shape out = broadcast_shapes(context, x.shape, target);
    element_count(context, out);  // rejects an overflowing product before IndexMapCopy multiplies
    const Ints strides = broadcast_strides(x.shape, out);
    std::vector<IndexMapCopy::Axis> map;
    for (std::size_t d = 0; d < out.size(); ++d) map.push_back(IndexMapCopy::Axis::affine(out[d], 0, strides[d]));
    set_copy(context, std::move(map), out);
  }
};

class TileOp final : public IndexMapCopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 2);
    const ValueDesc& x = context.input(0);
    const Ints repeats = constant_ints(context, 1, "repeats");
    if (repeats.size() != x.shape.size())
      context.fail("repeats " + ints_to_string(repeats) + " must have one entry per dim of input shape " +
                   shape_to_string(x.shape));
    Shape out;
    std::vector<IndexMapCopy::Axis> map;
    const Ints strides = row_major_strides(x.shape);
    for (std::size_t d = 0; d < x.shape.size(); ++d) {
      if (repeats[d] < 0) context.fail("repeats " + ints_to_string(repeats) + " has a negative entry");
      out.push_back(checked_mul(x.shape[d], repeats[d], context.node().describe()));
      map.push_back(IndexMapCopy::Axis::affine(repeats[d], 0, 0));
      map.push_back(IndexMapCopy::Axis::affine(x.shape[d], 0, strides[d]));
    }
    element_count(context, out);  // rejects an overflowing product before IndexMapCopy multiplies
    set_copy(context, std::move(map), out);
  }
};

}  // namespace

void register_expand_tile_ops(OpRegistry& registry) {
  registry.add("Expand", 8, 21, [](const Node&) { return std::make_unique<ExpandOp>(); });
  registry.add("Tile", 6, 21, [](const Node&) { return std::make_unique<TileOp>(); });
}

}  // namespace onnxrun
