#pragma once
// Linear ops kept in their own files; register_linear_ops (gemm.cpp) calls these.
#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

void register_matmul_ops(OpRegistry& registry);  // matmul.cpp

}  // namespace onnxrun
