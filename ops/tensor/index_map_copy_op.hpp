#pragma once
// The Op around an IndexMapCopy, for the data-movement ops that are nothing
// else (Transpose, Slice, Expand, Tile): infer() builds the map once, run()
// only walks it from input 0 to output 0.
#include <cstdint>
#include <utility>
#include <vector>

#include "ops/tensor/index_map_copy.hpp"
#include "runtime/exec/op.hpp"

namespace onnxrun {

class IndexMapCopyOp : public Op {
 public:
  void run(const RunContext& context) const override {
    copy_.run(context.inputs[0], context.outputs[0], nullptr, *context.pool);
  }

 protected:
  // Output 0 gets input 0's dtype and shape `out`, whose element count the
  // axes' sizes must multiply to (Tile splits each dim into two axes).
  void set_copy(InferContext& context, std::vector<IndexMapCopy::Axis> map, const Shape& out) {
    const DType dtype = context.input(0).dtype;
    copy_ = IndexMapCopy(std::move(map), dtype_size(dtype));
    context.set_output(0, dtype, out);
  }

 private:
  IndexMapCopy copy_;
};

// Element strides of a contiguous row-major tensor of `shape`.
inline std::vector<std::int64_t> row_major_strides(const Shape& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

}  // namespace onnxrun
