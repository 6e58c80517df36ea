// Gather: rows of data picked along one axis by int32/int64 indices (negative
// ones count from the back). Indices known at load are range-checked there;
// indices computed at run time cannot fail the hot path, so an out-of-range
// index yields a zero-filled slice instead of reading out of bounds.
#include <cstring>

#include "ops/tensor/shape_helpers.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class GatherOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 2);
    const ValueDesc& data = context.input(0);
    const ValueDesc& indices = context.input(1);
    if (indices.dtype != DType::Int32 && indices.dtype != DType::Int64)
      context.fail(std::string("indices (input 1) must be int32 or int64, got ") + dtype_name(indices.dtype));
    if (data.shape.empty()) context.fail("data (input 0) must have rank >= 1, got a scalar");
    const std::int64_t axis = normalize_axis(context, context.attr_int("axis", 0), data.shape);
    const std::size_t a = static_cast<std::size_t>(axis);

    axis_size_ = data.shape[a];
    outer_ = inner_ = 1;
    for (std::size_t d = 0; d < a; ++d) outer_ *= data.shape[d];
    for (std::size_t d = a + 1; d < data.shape.size(); ++d) inner_ *= data.shape[d];
    index_count_ = element_count(context, indices.shape);
    int64_indices_ = indices.dtype == DType::Int64;
    row_bytes_ = static_cast<std::size_t>(inner_) * dtype_size(data.dtype);

    if (indices.constant) {
      const Ints values = int_values(context, *indices.constant, "indices");
      for (std::int64_t v : values)
        if (v < -axis_size_ || v >= axis_size_)
          context.fail("index " + std::to_string(v) + " is out of range for axis " + std::to_string(axis) +
                       " of data shape " + shape_to_string(data.shape));
    }

    Shape out(data.shape.begin(), data.shape.begin() + axis);
    out.insert(out.end(), indices.shape.begin(), indices.shape.end());
    out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
    context.set_output(0, data.dtype, out);
  }

  void run(const RunContext& context) const override {
    const std::byte* data = context.input<std::byte>(0);
    const void* indices = context.inputs[1];
    std::byte* out = context.output<std::byte>(0);
    const std::int64_t rows = outer_ * index_count_;
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, inner_));
    context.pool->parallel_for(rows, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t row = begin; row < end; ++row) {
        const std::int64_t o = row / index_count_, j = row % index_count_;
        std::int64_t index = int64_indices_ ? static_cast<const std::int64_t*>(indices)[j]
                                            : static_cast<const std::int32_t*>(indices)[j];
        if (index < 0) index += axis_size_;
        std::byte* destination = out + static_cast<std::size_t>(row) * row_bytes_;
        if (row_bytes_ == 0) continue;
        if (index < 0 || index >= axis_size_)
          std::memset(destination, 0, row_bytes_);
        else
          std::memcpy(destination, data + static_cast<std::size_t>(o * axis_size_ + index) * row_bytes_, row_bytes_);
      }
    }, grain);
  }

 private:
  std::int64_t axis_size_ = 0, outer_ = 1, inner_ = 1, index_count_ = 0;
  std::size_t row_bytes_ = 0;
  bool int64_indices_ = true;
};

}  // namespace

void register_gather_op(OpRegistry& registry) {
  registry.add("Gather", 1, 21, [](const Node&) { return std::make_unique<GatherOp>(); });
}

}  // namespace onnxrun
