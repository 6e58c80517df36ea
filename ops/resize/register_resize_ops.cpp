// Registers the ops of this family: Resize, Upsample.
#include "ops/register_ops.hpp"
#include "ops/resize/resize.hpp"

namespace onnxrun {

void register_resize_ops(OpRegistry& registry) {
  // Resize-10 has only X and scales; 11 adds roi, sizes and the coordinate
  // modes; 13 makes roi and scales optional; 18 adds antialias, axes and
  // keep_aspect_ratio_policy; 19 adds half_pixel_symmetric. One Op reads
  // node.opset and handles them all.
  registry.add("Resize", 10, 21, make_resize_op);
  // Upsample-7 takes scales as an attribute, 9 as an input; 10 deprecates it.
  registry.add("Upsample", 7, 9, make_upsample_op);
}

}  // namespace onnxrun
