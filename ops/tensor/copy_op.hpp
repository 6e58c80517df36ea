#pragma once
// The base of ops whose output is their input's bytes under another shape
// (Identity, Dropout, Flatten, Reshape, Squeeze, Unsqueeze): run() is one memcpy.
#include <cstring>

#include "runtime/core/checked_math.hpp"
#include "runtime/exec/op.hpp"

namespace onnxrun {

class CopyOp : public Op {
 public:
  void run(const RunContext& context) const override {
    if (bytes_) std::memcpy(context.outputs[0], context.inputs[0], bytes_);
  }

 protected:
  void set_copy_output(InferContext& context, const Shape& shape) {
    const ValueDesc& x = context.input(0);
    bytes_ = static_cast<std::size_t>(checked_element_count(x.shape, context.node().describe())) * dtype_size(x.dtype);
    context.set_output(0, x.dtype, shape);
  }

 private:
  std::size_t bytes_ = 0;
};

}  // namespace onnxrun
