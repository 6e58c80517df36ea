#pragma once
// One register function per op family; register_all_ops.cpp calls them all.
#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

void register_conv_ops(OpRegistry& registry);
void register_conv_transpose_ops(OpRegistry& registry);  // called by register_conv_ops
void register_pool_ops(OpRegistry& registry);
void register_normalization_ops(OpRegistry& registry);
void register_unary_elementwise_ops(OpRegistry& registry);
void register_binary_elementwise_ops(OpRegistry& registry);
void register_linear_ops(OpRegistry& registry);
void register_tensor_ops(OpRegistry& registry);
void register_shape_ops(OpRegistry& registry);
void register_reduction_ops(OpRegistry& registry);
void register_resize_ops(OpRegistry& registry);
void register_layout_ops(OpRegistry& registry);  // the NCHW8c layout (ops/layout)

}  // namespace onnxrun
