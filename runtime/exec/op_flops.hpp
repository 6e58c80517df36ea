#pragma once
// The arithmetic cost of a node, from the shapes known at plan time, for the
// ops the profiler reports as GFLOP/s. Counted the textbook way (2 x
// multiply-adds of the direct computation) whatever algorithm the op picked,
// so that Winograd or a faster GEMM shows as a higher rate on the same work.
#include <cstdint>
#include <vector>

#include "runtime/exec/op.hpp"
#include "runtime/graph/graph.hpp"

namespace onnxrun {

// 0 for ops not counted (everything but Conv, FusedConv, ConvTranspose, Gemm,
// FusedGemm, MatMul) and for shapes too malformed to say.
std::int64_t node_flops(const Node& node, const std::vector<ValueDesc>& inputs, const std::vector<ValueDesc>& outputs);

}  // namespace onnxrun
