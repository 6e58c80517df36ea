#pragma once
// Resize (opsets 10-19) and Upsample (opsets 7-9): one Op, which reads each
// opset's inputs and attributes into per-axis resampling tables at load.
#include <memory>

#include "runtime/exec/op.hpp"

namespace onnxrun {

std::unique_ptr<Op> make_resize_op(const Node& node);
std::unique_ptr<Op> make_upsample_op(const Node& node);

}  // namespace onnxrun
