// The Reduce* family (opsets 1+): ReduceSum, ReduceMean, ReduceMax, ReduceMin,
// ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and
// ReduceLogSumExp. Axes come from the attribute before opset 18 (ReduceSum:
// 13) and from the optional input 1 after; keepdims, noop_with_empty_axes and
// negative axes throughout.
#include <algorithm>
#include <cstring>

#include "ops/reduce/reduce_ops.hpp"
#include "ops/reference/reduce_reference.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

using reference::ReduceKind;

bool supports(ReduceKind kind, DType dtype) {
  const bool floating = dtype == DType::Float32 || dtype == DType::Float64;
  const bool integer = dtype == DType::Int32 || dtype == DType::Int64;
  switch (kind) {
    case ReduceKind::Max:
    case ReduceKind::Min: return floating || integer || dtype == DType::UInt8 || dtype == DType::Bool;
    case ReduceKind::Sum:
    case ReduceKind::Mean:
    case ReduceKind::Prod: return floating || integer;
    default: return floating;
  }
}

class ReduceOp final : public Op {
 public:
  ReduceOp(ReduceKind kind, std::int64_t axes_input_since) : kind_(kind), axes_input_since_(axes_input_since) {}

  void infer(InferContext& context) override {
    const bool axes_as_input = context.node().opset >= axes_input_since_;
    context.require_input_count(1, axes_as_input ? 2 : 1);
    const ValueDesc& data = context.input(0);
    dtype_ = data.dtype;
    if (!supports(kind_, dtype_)) context.fail(std::string("type ") + dtype_name(dtype_) + " is not supported");
    const Shape& x = data.shape;
    const bool keepdims = context.attr_int("keepdims", 1) != 0;
    const bool noop_with_empty_axes = context.attr_int("noop_with_empty_axes", 0) != 0;
    std::vector<std::int64_t> axes = read_axes(context, axes_as_input);

    const std::int64_t rank = static_cast<std::int64_t>(x.size());
    std::vector<bool> reduced(x.size(), axes.empty());
    for (std::int64_t axis : axes) {
      if (axis < -rank || axis >= rank)
        context.fail("axes " + shape_to_string(axes) + " has " + std::to_string(axis) + ", outside [" +
                     std::to_string(-rank) + ", " + std::to_string(rank - 1) + "] for input 0 of shape " +
                     shape_to_string(x));
      const std::size_t d = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
      if (reduced[d])
        context.fail("axes " + shape_to_string(axes) + " names dim " + std::to_string(d) + " twice (input 0 of shape " +
                     shape_to_string(x) + ")");
      reduced[d] = true;
    }
    identity_ = false;
    if (axes.empty() && noop_with_empty_axes) {
      // The input passes through unreduced; ONNX's reference still squares it
      // for ReduceSumSquare, which reducing over no dims does.
      if (kind_ == ReduceKind::SumSquare)
        reduced.assign(x.size(), false);
      else
        identity_ = true;
    }

    Shape y;
    for (std::size_t d = 0; d < x.size(); ++d)
      if (!reduced[d] || identity_) y.push_back(x[d]);
      else if (keepdims) y.push_back(1);
    build_params(x, reduced);
    outputs_ = 1;
    for (std::int64_t dim : y) outputs_ *= dim;
    if (!identity_ && kind_ == ReduceKind::Mean && dtype_ != DType::Float32 && dtype_ != DType::Float64 &&
        params_.reduced_count == 0 && outputs_ > 0)
      context.fail("the mean of an empty set of integers is undefined (input 0 of shape " + shape_to_string(x) +
                   ", axes " + shape_to_string(axes) + ")");
    context.set_output(0, dtype_, y);
  }

  void run(const RunContext& context) const override {
    switch (dtype_) {
      case DType::Float32: run_typed<float>(context); break;
      case DType::Float64: run_typed<double>(context); break;
      case DType::Int32: run_typed<std::int32_t>(context); break;
      case DType::Int64: run_typed<std::int64_t>(context); break;
      case DType::UInt8: run_typed<std::uint8_t>(context); break;
      case DType::Bool: run_typed<bool>(context); break;
    }
  }

 private:
  std::vector<std::int64_t> read_axes(const InferContext& context, bool axes_as_input) const {
    if (!axes_as_input) return context.attr_ints("axes", {});
    if (context.node().attributes.has("axes"))
      context.fail("the axes attribute is not allowed at opset " + std::to_string(context.node().opset) +
                   ", where axes are input 1");
    if (!context.has_input(1)) return {};
    const Tensor& axes = context.constant_input(1, "axes");
    if (axes.dtype() != DType::Int64)
      context.fail(std::string("axes (input 1) is ") + dtype_name(axes.dtype()) + ", expected int64");
    if (axes.rank() > 1) context.fail("axes (input 1) has shape " + shape_to_string(axes.shape()) + ", expected rank 1");
    const std::int64_t* values = axes.data_as<std::int64_t>();
    return std::vector<std::int64_t>(values, values + axes.element_count());
  }

  // Size-1 dims drop out; neighbours that are both kept or both reduced
  // merge, so that reducing [N, C, H, W] over H and W walks one run of H*W.
  void build_params(const Shape& x, const std::vector<bool>& reduced) {
    params_ = reference::ReduceParams{};
    std::vector<std::int64_t> sizes, strides;
    std::vector<bool> kinds;
    std::int64_t stride = 1;
    for (std::size_t d = x.size(); d-- > 0;) {
      if (x[d] != 1) {
        if (!sizes.empty() && kinds.back() == reduced[d]) {
          sizes.back() *= x[d];
        } else {
          sizes.push_back(x[d]);
          strides.push_back(stride);
          kinds.push_back(reduced[d]);
        }
      }
      stride *= x[d];
    }
    for (std::size_t i = sizes.size(); i-- > 0;) {
      auto& out_sizes = kinds[i] ? params_.reduced_sizes : params_.kept_sizes;
      auto& out_strides = kinds[i] ? params_.reduced_strides : params_.kept_strides;
      out_sizes.push_back(sizes[i]);
      out_strides.push_back(strides[i]);
      if (kinds[i]) params_.reduced_count *= sizes[i];
    }
  }

  template <class T> void run_typed(const RunContext& context) const {
    const T* x = context.input<T>(0);
    T* y = context.output<T>(0);
    if (identity_) {
      if (outputs_ > 0) std::memcpy(y, x, static_cast<std::size_t>(outputs_) * sizeof(T));
      return;
    }
    // Outputs are independent; each costs about reduced_count reads.
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, params_.reduced_count));
    context.pool->parallel_for(outputs_, [&](std::int64_t begin, std::int64_t end) {
      reference::reduce_reference<T>(kind_, params_, x, y, begin, end);
    }, grain);
  }

  ReduceKind kind_;
  std::int64_t axes_input_since_;
  DType dtype_ = DType::Float32;
  bool identity_ = false;
  std::int64_t outputs_ = 0;
  reference::ReduceParams params_;
};

}  // namespace

void register_reduce_ops(OpRegistry& registry) {
  struct Entry {
    const char* op_type;
    ReduceKind kind;
    std::int64_t axes_input_since;
  };
  static const Entry entries[] = {
      {"ReduceSum", ReduceKind::Sum, 13},         {"ReduceMean", ReduceKind::Mean, 18},
      {"ReduceMax", ReduceKind::Max, 18},         {"ReduceMin", ReduceKind::Min, 18},
      {"ReduceProd", ReduceKind::Prod, 18},       {"ReduceL1", ReduceKind::L1, 18},
      {"ReduceL2", ReduceKind::L2, 18},           {"ReduceSumSquare", ReduceKind::SumSquare, 18},
      {"ReduceLogSum", ReduceKind::LogSum, 18},   {"ReduceLogSumExp", ReduceKind::LogSumExp, 18},
  };
  for (const Entry& entry : entries)
    registry.add(entry.op_type, 1, 21, [entry](const Node&) {
      return std::make_unique<ReduceOp>(entry.kind, entry.axes_input_since);
    });
}

}  // namespace onnxrun
