// Element-wise binary ops with numpy broadcasting: Add (opsets 7+).
#include <type_traits>

#include "ops/common/broadcast.hpp"
#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Integer arithmetic wraps (as numpy and PyTorch do) instead of overflowing,
// which would be undefined behaviour on signed types.
template <class T, class F>
T wrapping(T a, T b, F f) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(f(static_cast<U>(a), static_cast<U>(b)));
  } else {
    return f(a, b);
  }
}

struct AddFunction {
  template <class T> T operator()(T a, T b) const {
    return wrapping(a, b, [](auto x, auto y) { return static_cast<decltype(x)>(x + y); });
  }
};

template <class Function>
class BinaryOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 2);
    const ValueDesc& a = context.input(0);
    const ValueDesc& b = context.input(1);
    if (a.dtype != b.dtype)
      context.fail(std::string("inputs have different types: ") + dtype_name(a.dtype) + " and " + dtype_name(b.dtype));
    dtype_ = a.dtype;
    if (dtype_ != DType::Float32 && dtype_ != DType::Float64 && dtype_ != DType::Int32 && dtype_ != DType::Int64)
      context.fail(std::string("type ") + dtype_name(dtype_) + " is not supported");
    const Shape out = broadcast_shapes(context, a.shape, b.shape);
    plan_ = BinaryBroadcastPlan::make(a.shape, b.shape, out);
    context.set_output(0, dtype_, out);
  }

  void run(const RunContext& context) const override {
    switch (dtype_) {
      case DType::Float32: run_typed<float>(context); break;
      case DType::Float64: run_typed<double>(context); break;
      case DType::Int32: run_typed<std::int32_t>(context); break;
      case DType::Int64: run_typed<std::int64_t>(context); break;
      default: break;  // rejected by infer()
    }
  }

 private:
  template <class T> void run_typed(const RunContext& context) const {
    const T* a = context.input<T>(0);
    const T* b = context.input<T>(1);
    T* out = context.output<T>(0);
    const Function f;
    const std::int64_t as = plan_.a_inner_stride, bs = plan_.b_inner_stride, inner = plan_.inner;
    // Rows are independent; small tensors are not worth waking the pool for.
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, inner));
    context.pool->parallel_for(plan_.rows, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t row = begin; row < end; ++row) {
        std::int64_t ao, bo;
        plan_.row_offsets(row, ao, bo);
        T* o = out + row * inner;
        if (as == 1 && bs == 1)
          for (std::int64_t i = 0; i < inner; ++i) o[i] = f(a[ao + i], b[bo + i]);
        else if (as == 1)
          for (std::int64_t i = 0; i < inner; ++i) o[i] = f(a[ao + i], b[bo]);
        else if (bs == 1)
          for (std::int64_t i = 0; i < inner; ++i) o[i] = f(a[ao], b[bo + i]);
        else
          for (std::int64_t i = 0; i < inner; ++i) o[i] = f(a[ao], b[bo]);
      }
    }, grain);
  }

  DType dtype_ = DType::Float32;
  BinaryBroadcastPlan plan_;
};

}  // namespace

void register_binary_elementwise_ops(OpRegistry& registry) {
  registry.add("Add", 7, 21, [](const Node&) { return std::make_unique<BinaryOp<AddFunction>>(); });
}

}  // namespace onnxrun
