#pragma once
// Normalization ops that reduce along axes and are registered with the
// reduction family (ops/reduce/register_reduction_ops.cpp).
#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

void register_softmax_ops(OpRegistry& registry);              // softmax.cpp: Softmax, LogSoftmax
void register_layer_normalization_ops(OpRegistry& registry);  // layer_normalization.cpp

}  // namespace onnxrun
