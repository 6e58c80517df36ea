// Ops whose output is made from load-time values rather than read from data:
// ConstantOfShape (a shape filled with one value) and Range (an arithmetic
// sequence). Their inputs must be known at load, so the planner folds them
// into constants unless the output is too big to keep.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "ops/tensor/shape_helpers.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Beyond this many elements a Range is a broken model, not a plan to honour;
// also keeps the double -> int64 conversion of the count defined.
constexpr double kMaxRangeCount = 4.0e18;

class ConstantOfShapeOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    const ValueDesc& shape_input = context.input(0);
    if (shape_input.dtype != DType::Int64 || shape_input.shape.size() != 1)
      context.fail("the shape (input 0) must be a 1-D int64 tensor, got " + std::string(dtype_name(shape_input.dtype)) +
                   " " + shape_to_string(shape_input.shape));
    const Ints dims = constant_ints(context, 0, "the shape");
    for (std::int64_t dim : dims)
      if (dim < 0) context.fail("the shape " + ints_to_string(dims) + " has a negative dim");
    count_ = element_count(context, dims);

    dtype_ = DType::Float32;
    value_.assign(sizeof(float), std::byte{0});  // the spec's default: float32 0
    if (const Attribute* value = context.node().attributes.find("value")) {
      if (value->kind != Attribute::Kind::Tensor) context.fail("attribute 'value' must be a tensor");
      if (value->tensor.element_count() != 1)
        context.fail("attribute 'value' must hold one element, got shape " + shape_to_string(value->tensor.shape()));
      dtype_ = value->tensor.dtype();
      value_.resize(dtype_size(dtype_));
      std::memcpy(value_.data(), value->tensor.data(), value_.size());
    }
    context.set_output(0, dtype_, dims);
  }

  void run(const RunContext& context) const override {
    std::byte* out = context.output<std::byte>(0);
    const std::size_t size = value_.size();
    context.pool->parallel_for(count_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) std::memcpy(out + static_cast<std::size_t>(i) * size, value_.data(), size);
    }, 65536);
  }

 private:
  DType dtype_ = DType::Float32;
  std::vector<std::byte> value_;  // one element of dtype_
  std::int64_t count_ = 0;
};

template <class T>
const T& scalar_of(const InferContext& context, std::size_t index, const char* what) {
  const Tensor& t = context.constant_input(index, what);
  if (t.element_count() != 1)
    context.fail(std::string(what) + " (input " + std::to_string(index) + ") must be a scalar, got shape " +
                 shape_to_string(t.shape()));
  return *t.data_as<T>();
}

class RangeOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(3, 3);
    dtype_ = context.input(0).dtype;
    for (std::size_t i = 1; i < 3; ++i)
      if (context.input(i).dtype != dtype_)
        context.fail("start, limit and delta must share a type; input " + std::to_string(i) + " is " +
                     dtype_name(context.input(i).dtype) + ", start is " + dtype_name(dtype_));
    switch (dtype_) {
      case DType::Float32: count_ = float_count<float>(context); break;
      case DType::Float64: count_ = float_count<double>(context); break;
      case DType::Int32: count_ = int_count<std::int32_t>(context); break;
      case DType::Int64: count_ = int_count<std::int64_t>(context); break;
      default: context.fail(std::string("type ") + dtype_name(dtype_) + " is not supported");
    }
    context.set_output(0, dtype_, Shape{count_});
  }

  void run(const RunContext& context) const override {
    switch (dtype_) {
      case DType::Float32: fill<float>(context); break;
      case DType::Float64: fill<double>(context); break;
      case DType::Int32: fill<std::int32_t>(context); break;
      case DType::Int64: fill<std::int64_t>(context); break;
      default: break;  // rejected by infer()
    }
  }

 private:
  template <class T> std::int64_t float_count(const InferContext& context) const {
    const double start = scalar_of<T>(context, 0, "start"), limit = scalar_of<T>(context, 1, "limit");
    const double delta = scalar_of<T>(context, 2, "delta");
    const double count = std::ceil((limit - start) / delta);
    if (delta == 0 || !std::isfinite(count) || count > kMaxRangeCount)
      context.fail("start " + std::to_string(start) + ", limit " + std::to_string(limit) + " and delta " +
                   std::to_string(delta) + " do not give a finite range");
    return count > 0 ? static_cast<std::int64_t>(count) : 0;
  }

  template <class T> std::int64_t int_count(const InferContext& context) const {
    // 128 bits: limit - start overflows int64 for extreme inputs.
    const __int128 start = scalar_of<T>(context, 0, "start"), limit = scalar_of<T>(context, 1, "limit");
    const __int128 delta = scalar_of<T>(context, 2, "delta");
    if (delta == 0) context.fail("delta is 0");
    const __int128 span = limit - start;
    __int128 count = 0;
    if (delta > 0 && span > 0) count = (span + delta - 1) / delta;
    if (delta < 0 && span < 0) count = (-span - delta - 1) / -delta;
    return static_cast<std::int64_t>(count);
  }

  template <class T> void fill(const RunContext& context) const {
    const T start = *context.input<T>(0), delta = *context.input<T>(2);
    T* out = context.output<T>(0);
    for (std::int64_t i = 0; i < count_; ++i) {
      if constexpr (std::is_integral_v<T>)
        out[i] = static_cast<T>(static_cast<__int128>(start) + static_cast<__int128>(i) * delta);
      else
        out[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    }
  }

  DType dtype_ = DType::Float32;
  std::int64_t count_ = 0;
};

}  // namespace

void register_generator_ops(OpRegistry& registry) {
  registry.add("ConstantOfShape", 9, 21, [](const Node&) { return std::make_unique<ConstantOfShapeOp>(); });
  registry.add("Range", 11, 21, [](const Node&) { return std::make_unique<RangeOp>(); });
}

}  // namespace onnxrun
