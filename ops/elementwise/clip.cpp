// Clip: opsets 6-10 take min and max as float attributes; 11+ as optional
// scalar inputs (either may be omitted), which onnxrun needs at load. Opset 12
// added the integer types. Float32 runs the SIMD kernel of
// ops/kernels/elementwise_kernels.hpp.
#include <cmath>
#include <limits>

#include "ops/elementwise/elementwise_common.hpp"
#include "ops/kernels/elementwise_kernels.hpp"
#include "ops/register_ops.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

namespace {

class ClipOp final : public Op {
 public:
  explicit ClipOp(std::int64_t opset) : opset_(opset) {}

  void infer(InferContext& context) override {
    const ValueDesc& x = context.input(0);
    const DTypeSet types = opset_ >= 12 ? kNumericTypes : kFloatTypes;
    if (!dtype_in(x.dtype, types))
      context.fail("input 0 is " + std::string(dtype_name(x.dtype)) + " " + shape_to_string(x.shape) +
                   "; Clip-" + std::to_string(opset_) + " takes " + dtype_set_names(types));
    dtype_ = x.dtype;
    if (opset_ < 11) {
      context.require_input_count(1, 1);
      // The attributes are float even for a float64 input.
      low_float_ = context.attr_float("min", std::numeric_limits<float>::lowest());
      high_float_ = context.attr_float("max", std::numeric_limits<float>::max());
    } else {
      context.require_input_count(1, 3);
      read_bound(context, 1, "min", low_float_, low_int_, true);
      read_bound(context, 2, "max", high_float_, high_int_, false);
    }
    count_ = checked_element_count(x.shape, context.node().describe());
    context.set_output(0, x.dtype, x.shape);
  }

  void run(const RunContext& context) const override {
    visit_dtype(dtype_, [&]<class T>() {
      if constexpr (!std::is_same_v<T, bool>) run_typed<T>(context);
    });
  }

 private:
  // An omitted bound is the type's extreme, so that it never clips.
  void read_bound(const InferContext& context, std::size_t index, const char* what, double& as_float,
                  std::int64_t& as_int, bool is_low) const {
    if (!context.has_input(index)) {
      as_float = is_low ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      visit_dtype(dtype_, [&]<class T>() {
        if constexpr (std::is_integral_v<T>)
          as_int = is_low ? std::int64_t{std::numeric_limits<T>::lowest()} : std::int64_t{std::numeric_limits<T>::max()};
      });
      return;
    }
    const ValueDesc& desc = context.input(index);
    const Tensor& bound = context.constant_input(index, what);
    if (desc.dtype != dtype_ || bound.element_count() != 1)
      context.fail(std::string(what) + " (input " + std::to_string(index) + ") must be a " + dtype_name(dtype_) +
                   " scalar like input 0, got " + dtype_name(desc.dtype) + " " + shape_to_string(desc.shape));
    visit_dtype(dtype_, [&]<class T>() {
      if constexpr (std::is_floating_point_v<T>) as_float = *bound.data_as<T>();
      else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) as_int = *bound.data_as<T>();
    });
  }

  template <class T> void run_typed(const RunContext& context) const {
    // Exact: the bounds came from values of type T (or float attributes).
    T low, high;
    if constexpr (std::is_floating_point_v<T>) {
      low = static_cast<T>(low_float_);
      high = static_cast<T>(high_float_);
    } else {
      low = static_cast<T>(low_int_);
      high = static_cast<T>(high_int_);
    }
    const T* x = context.input<T>(0);
    T* y = context.output<T>(0);
    if constexpr (std::is_same_v<T, float>) {
      // min(max(x, low), high) in the kernel gives high everywhere when
      // low > high, as below. A NaN bound clips nothing below (every comparison
      // with it is false); an infinite one clips nothing in the kernel too.
      kernels::UnaryFunction f;
      f.activation.kind = kernels::Activation::Clip;
      f.activation.alpha = std::isnan(low) ? -std::numeric_limits<float>::infinity() : low;
      f.activation.beta = std::isnan(high) ? std::numeric_limits<float>::infinity() : high;
      context.pool->parallel_for(count_, [&](std::int64_t begin, std::int64_t end) {
        kernels::elementwise_unary(f, x + begin, y + begin, end - begin);
      }, kElementwiseChunk);
      return;
    }
    // Comparisons rather than std::clamp: NaN passes through (torch.clamp), and
    // min > max gives max everywhere, as ONNX specifies.
    context.pool->parallel_for(count_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        const T v = x[i] < low ? low : x[i];
        y[i] = v > high ? high : v;
      }
    }, kElementwiseChunk);
  }

  std::int64_t opset_;
  DType dtype_ = DType::Float32;
  double low_float_ = 0, high_float_ = 0;
  std::int64_t low_int_ = 0, high_int_ = 0;
  std::int64_t count_ = 0;
};

}  // namespace

void register_clip_op(OpRegistry& registry) {
  registry.add("Clip", 6, 21, [](const Node& node) { return std::make_unique<ClipOp>(node.opset); });
}

}  // namespace onnxrun
