// Registers the ops of this family: the Reduce* ops (ReduceSum, ReduceMean,
// ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare,
// ReduceLogSum, ReduceLogSumExp), Softmax, LogSoftmax and LayerNormalization.
#include "ops/norm/norm_ops.hpp"
#include "ops/reduce/reduce_ops.hpp"
#include "ops/register_ops.hpp"

namespace onnxrun {

void register_reduction_ops(OpRegistry& registry) {
  register_reduce_ops(registry);
  register_softmax_ops(registry);
  register_layer_normalization_ops(registry);
}

}  // namespace onnxrun
