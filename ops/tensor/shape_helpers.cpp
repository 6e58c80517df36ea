#include "ops/tensor/shape_helpers.hpp"

#include <algorithm>
#include <limits>

#include "runtime/core/checked_math.hpp"

namespace onnxrun {

std::int64_t normalize_axis(const InferContext& context, std::int64_t axis, std::int64_t rank, const std::string& what) {
  if (axis < -rank || axis >= rank)
    context.fail(what + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

std::int64_t normalize_axis(const InferContext& context, std::int64_t axis, const Shape& shape, const std::string& what) {
  const std::int64_t rank = static_cast<std::int64_t>(shape.size());
  if (axis < -rank || axis >= rank)
    context.fail(what + " " + std::to_string(axis) + " is out of range for input shape " + shape_to_string(shape));
  return axis < 0 ? axis + rank : axis;
}

Ints normalize_axes(const InferContext& context, const Ints& axes, std::int64_t rank, const std::string& what) {
  Ints out;
  out.reserve(axes.size());
  for (std::int64_t axis : axes) {
    const std::int64_t a = normalize_axis(context, axis, rank, what);
    if (std::find(out.begin(), out.end(), a) != out.end())
      context.fail(what + " " + ints_to_string(axes) + " name axis " + std::to_string(a) + " twice");
    out.push_back(a);
  }
  return out;
}

Ints int_values(const InferContext& context, const Tensor& tensor, const std::string& what) {
  Ints values(static_cast<std::size_t>(tensor.element_count()));
  if (tensor.dtype() == DType::Int64) {
    std::copy_n(tensor.data_as<std::int64_t>(), values.size(), values.begin());
  } else if (tensor.dtype() == DType::Int32) {
    std::copy_n(tensor.data_as<std::int32_t>(), values.size(), values.begin());
  } else {
    context.fail(what + " must be int32 or int64, got " + dtype_name(tensor.dtype()));
  }
  return values;
}

Ints constant_ints(const InferContext& context, std::size_t index, const std::string& what) {
  const Tensor& tensor = context.constant_input(index, what);
  if (tensor.rank() > 1)
    context.fail(what + " (input " + std::to_string(index) + ") must be 1-D, got shape " +
                 shape_to_string(tensor.shape()));
  return int_values(context, tensor, what + " (input " + std::to_string(index) + ")");
}

std::int64_t element_count(const InferContext& context, const Shape& shape) {
  return checked_element_count(shape, context.node().describe());
}

std::string ints_to_string(const Ints& values) { return shape_to_string(values); }

namespace {

// Saturates instead of the undefined behaviour of an out-of-range cast; NaN becomes 0.
template <class T>
T saturate(double value) {
  if (value != value) return T{0};
  if (value <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (value >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(value);
}

}  // namespace

void store_scalar(DType dtype, double value, void* out) {
  switch (dtype) {
    case DType::Float32: *static_cast<float*>(out) = static_cast<float>(value); break;
    case DType::Float64: *static_cast<double*>(out) = value; break;
    case DType::Int32: *static_cast<std::int32_t*>(out) = saturate<std::int32_t>(value); break;
    case DType::Int64: *static_cast<std::int64_t*>(out) = saturate<std::int64_t>(value); break;
    case DType::UInt8: *static_cast<std::uint8_t*>(out) = saturate<std::uint8_t>(value); break;
    case DType::Bool: *static_cast<bool*>(out) = value != 0; break;
  }
}

}  // namespace onnxrun
