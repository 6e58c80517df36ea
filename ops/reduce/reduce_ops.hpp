#pragma once
// The Reduce* ops (reduce.cpp); register_reduction_ops calls this.
#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

void register_reduce_ops(OpRegistry& registry);

}  // namespace onnxrun
