#include "ops/register_ops.hpp"

namespace onnxrun {

const OpRegistry& builtin_op_registry() {
  // Built on first use, thread-safe by the rules of function-local statics.
  static const OpRegistry registry = [] {
    OpRegistry all;
    register_conv_ops(all);
    register_pool_ops(all);
    register_normalization_ops(all);
    register_unary_elementwise_ops(all);
    register_binary_elementwise_ops(all);
    register_linear_ops(all);
    register_tensor_ops(all);
    register_shape_ops(all);
    register_reduction_ops(all);
    register_resize_ops(all);
    register_layout_ops(all);
    return all;
  }();
  return registry;
}

}  // namespace onnxrun
