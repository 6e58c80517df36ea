// MaxPool (opsets 1+): 1D/2D/3D, kernel_shape, strides, pads, dilations,
// ceil_mode, auto_pad, storage_order and the optional Indices output; and the
// global pools, GlobalAveragePool and GlobalMaxPool (opsets 1+). Float32 1D/2D
// max pooling without Indices, and the global pools, run the SIMD kernels of
// ops/kernels/pool_kernels.hpp; the rest runs the reference.
#include <algorithm>
#include <optional>
#include <type_traits>

#include "ops/common/spatial_geometry.hpp"
#include "ops/pool/pool_ops.hpp"
#include "ops/register_ops.hpp"
#include "ops/reference/pool_reference.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class MaxPoolOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    dtype_ = context.input(0).dtype;
    // uint8 (opset 12+) is the integer type ONNX's node tests pool.
    if (dtype_ != DType::Float32 && dtype_ != DType::UInt8)
      context.fail(std::string("input 0 is ") + dtype_name(dtype_) + ", expected float32 or uint8");
    const Shape& x = context.input(0).shape;
    if (x.size() < 3 || x.size() > 5)
      context.fail("input 0 has shape " + shape_to_string(x) + "; expected [N, C, spatial...] with 1 to 3 spatial dims");
    const SpatialAttributes attributes = read_spatial_attributes(context, true);
    if (attributes.kernel_shape.empty()) context.fail("the kernel_shape attribute is required");
    const std::int64_t storage_order = context.attr_int("storage_order", 0);
    if (storage_order != 0 && storage_order != 1)
      context.fail("storage_order " + std::to_string(storage_order) + " must be 0 (row major) or 1 (column major)");
    column_major_ = storage_order == 1;
    const SpatialGeometry geometry =
        compute_spatial_geometry(context, Shape(x.begin() + 2, x.end()), attributes.kernel_shape, attributes);

    static_cast<reference::SpatialParams&>(params_) = geometry.kernel_params();
    params_.batch = x[0];
    params_.channels = x[1];
    simd_.reset();
    if (dtype_ == DType::Float32 && !context.has_output(1)) simd_ = simd_pool2d_geometry(params_);
    Shape y{x[0], x[1]};
    for (std::int64_t size : geometry.output_spatial()) y.push_back(size);
    context.set_output(0, dtype_, y);
    if (context.has_output(1)) context.set_output(1, DType::Int64, y);
  }

  void run(const RunContext& context) const override {
    if (dtype_ == DType::UInt8)
      run_typed<std::uint8_t>(context);
    else
      run_typed<float>(context);
  }

 private:
  template <class T> void run_typed(const RunContext& context) const {
    const T* x = context.input<T>(0);
    T* y = context.output<T>(0);
    std::int64_t* indices = context.outputs.size() > 1 ? context.output<std::int64_t>(1) : nullptr;
    const std::int64_t grain = pool_grain(params_.in[0] * params_.in[1] * params_.in[2]);
    if constexpr (std::is_same_v<T, float>) {
      if (simd_) {
        const kernels::Pool2dGeometry& g = *simd_;
        context.pool->parallel_for(params_.batch * params_.channels, [&](std::int64_t begin, std::int64_t end) {
          kernels::maxpool2d(g, x, y, begin, end);
        }, grain);
        return;
      }
    }
    context.pool->parallel_for(params_.batch * params_.channels, [&](std::int64_t begin, std::int64_t end) {
      reference::maxpool_reference<T>(params_, x, y, indices, column_major_, begin, end);
    }, grain);
  }

  DType dtype_ = DType::Float32;
  reference::PoolParams params_;
  bool column_major_ = false;
  std::optional<kernels::Pool2dGeometry> simd_;  // set when the SIMD kernel applies
};

// Pools each (n, c) plane down to one value.
class GlobalPoolOp final : public Op {
 public:
  using Kernel = void (*)(const float*, float*, std::int64_t, std::int64_t, std::int64_t);
  explicit GlobalPoolOp(Kernel kernel) : kernel_(kernel) {}

  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    context.require_dtype(0, DType::Float32);
    const Shape& x = context.input(0).shape;
    if (x.size() < 2) context.fail("input 0 has shape " + shape_to_string(x) + "; expected [N, C, spatial...]");
    tasks_ = x[0] * x[1];
    plane_ = 1;
    Shape y{x[0], x[1]};
    for (std::size_t d = 2; d < x.size(); ++d) {
      plane_ *= x[d];
      y.push_back(1);
    }
    if (plane_ == 0 && tasks_ > 0) context.fail("input 0 has shape " + shape_to_string(x) + ": nothing to pool");
    context.set_output(0, DType::Float32, y);
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    const std::int64_t grain = pool_grain(plane_);
    context.pool->parallel_for(tasks_, [&](std::int64_t begin, std::int64_t end) {
      kernel_(x, y, plane_, begin, end);
    }, grain);
  }

 private:
  Kernel kernel_;
  std::int64_t tasks_ = 0, plane_ = 1;
};

}  // namespace

void register_pool_ops(OpRegistry& registry) {
  registry.add("MaxPool", 1, 21, [](const Node&) { return std::make_unique<MaxPoolOp>(); });
  registry.add("GlobalAveragePool", 1, 21,
               [](const Node&) { return std::make_unique<GlobalPoolOp>(kernels::global_average_pool); });
  registry.add("GlobalMaxPool", 1, 21,
               [](const Node&) { return std::make_unique<GlobalPoolOp>(kernels::global_max_pool); });
  register_average_pool_ops(registry);
}

}  // namespace onnxrun
