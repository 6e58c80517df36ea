// Registers the shape and data-movement ops: Shape, Size, Gather, Squeeze,
// Unsqueeze, Concat, Split, Slice, Transpose, Expand, Tile, ConstantOfShape,
// Range, Pad. Each file of ops/tensor/ registers its own; this is the list.
#include "ops/register_ops.hpp"
#include "ops/tensor/shape_helpers.hpp"

namespace onnxrun {

void register_shape_ops(OpRegistry& registry) {
  register_shape_query_ops(registry);
  register_gather_op(registry);
  register_squeeze_ops(registry);
  register_concat_split_ops(registry);
  register_slice_op(registry);
  register_transpose_op(registry);
  register_expand_tile_ops(registry);
  register_generator_ops(registry);
  register_pad_op(registry);
}

}  // namespace onnxrun
