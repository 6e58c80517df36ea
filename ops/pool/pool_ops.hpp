#pragma once
// Registration of the pooling ops kept in their own files; register_pool_ops
// (max_pool.cpp) calls these.
#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

void register_average_pool_ops(OpRegistry& registry);

}  // namespace onnxrun
