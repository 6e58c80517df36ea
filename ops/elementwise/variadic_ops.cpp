// Variadic element-wise ops over 1..N inputs, all broadcast together (numpy
// rules): Max, Min, Sum, Mean (opsets 6+; opsets 6-7 required equal shapes,
// of which broadcasting is a superset). The output is folded in place, one
// input at a time, with the binary broadcast plan: out = f(in0, in1), then
// out = f(out, in_k). The order of the fold is fixed, so thread counts agree.
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/elementwise/elementwise_common.hpp"
#include "ops/register_ops.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

namespace {

// NaN wins, as in numpy.maximum / torch.maximum: comparisons with NaN are
// false, so the `a != a` test and the final `: b` both hand NaN on.
struct Max {
  static constexpr DTypeSet types = kNumericTypes;
  template <class T> static T apply(T a, T b) { return (a > b || a != a) ? a : b; }
};
struct Min {
  static constexpr DTypeSet types = kNumericTypes;
  template <class T> static T apply(T a, T b) { return (a < b || a != a) ? a : b; }
};
struct Sum {  // integers wrap, as Add's do
  static constexpr DTypeSet types = kNumericTypes;
  template <class T> static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) return wrap_add(a, b);
    else return a + b;
  }
};
// Mean is Sum followed by one division by N, as ONNX's reference computes it.
struct Mean : Sum {
  static constexpr DTypeSet types = kFloatTypes;
};

using FoldKernel = void (*)(const BinaryBroadcastPlan&, const void* a, const void* b, void* out, ThreadPool&);
using FoldKernels = std::array<FoldKernel, 6>;  // indexed by DType

template <class F, class T>
void fold_kernel(const BinaryBroadcastPlan& plan, const void* a, const void* b, void* out, ThreadPool& pool) {
  broadcast_apply(plan, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(out), pool,
                  [](T x, T y) { return F::apply(x, y); });
}

template <class F> FoldKernels fold_kernels() {
  FoldKernels kernels{};
  for_each_dtype([&]<class T>() {
    if constexpr (dtype_in(dtype_of<T>(), F::types))
      kernels[static_cast<std::size_t>(dtype_of<T>())] = &fold_kernel<F, T>;
  });
  return kernels;
}

class VariadicOp final : public Op {
 public:
  VariadicOp(const char* op_type, DTypeSet types, FoldKernels kernels, bool mean)
      : op_type_(op_type), types_(types), kernels_(kernels), mean_(mean) {}

  void infer(InferContext& context) override {
    context.require_input_count(1, std::numeric_limits<int>::max());
    const ValueDesc& first = context.input(0);
    dtype_ = first.dtype;
    if (!dtype_in(dtype_, types_))
      context.fail("input 0 is " + std::string(dtype_name(dtype_)) + " " + shape_to_string(first.shape) + "; " +
                   op_type_ + " takes " + dtype_set_names(types_));
    Shape out = first.shape;
    for (std::size_t k = 1; k < context.input_count(); ++k) {
      const ValueDesc& in = context.input(k);
      if (in.dtype != dtype_)
        context.fail("input " + std::to_string(k) + " is " + dtype_name(in.dtype) + " " + shape_to_string(in.shape) +
                     ", input 0 is " + dtype_name(dtype_) + " " + shape_to_string(first.shape));
      out = broadcast_shapes(context, out, in.shape);
    }
    plans_.clear();
    for (std::size_t k = 1; k < context.input_count(); ++k)
      plans_.push_back(BinaryBroadcastPlan::make(k == 1 ? first.shape : out, context.input(k).shape, out));
    kernel_ = kernels_[static_cast<std::size_t>(dtype_)];
    count_ = checked_element_count(out, context.node().describe());
    context.set_output(0, dtype_, out);
  }

  void run(const RunContext& context) const override {
    void* out = context.outputs[0];
    if (plans_.empty()) {
      // One input: the output is that input (its mean too).
      if (count_) std::memcpy(out, context.inputs[0], static_cast<std::size_t>(count_) * dtype_size(dtype_));
      return;
    }
    kernel_(plans_[0], context.inputs[0], context.inputs[1], out, *context.pool);
    for (std::size_t k = 1; k < plans_.size(); ++k) kernel_(plans_[k], out, context.inputs[k + 1], out, *context.pool);
    if (mean_) {
      const double n = static_cast<double>(context.inputs.size());
      if (dtype_ == DType::Float32) divide(static_cast<float*>(out), static_cast<float>(n), *context.pool);
      else divide(static_cast<double*>(out), n, *context.pool);
    }
  }

 private:
  template <class T> void divide(T* out, T n, ThreadPool& pool) const {
    pool.parallel_for(count_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) out[i] /= n;
    }, kElementwiseChunk);
  }

  const char* op_type_;
  DTypeSet types_;
  FoldKernels kernels_;
  bool mean_;
  DType dtype_ = DType::Float32;
  FoldKernel kernel_ = nullptr;
  std::vector<BinaryBroadcastPlan> plans_;  // plans_[k - 1] folds input k in
  std::int64_t count_ = 0;
};

template <class F> void add_variadic(OpRegistry& registry, const char* op_type, bool mean) {
  static const FoldKernels kernels = fold_kernels<F>();
  registry.add(op_type, 6, 21, [op_type, mean](const Node&) {
    return std::make_unique<VariadicOp>(op_type, F::types, kernels, mean);
  });
}

}  // namespace

void register_variadic_ops(OpRegistry& registry) {
  add_variadic<Max>(registry, "Max", false);
  add_variadic<Min>(registry, "Min", false);
  add_variadic<Sum>(registry, "Sum", false);
  add_variadic<Mean>(registry, "Mean", true);
}

}  // namespace onnxrun
