#pragma once
// Small pieces shared by the shape and data-movement ops: axis handling,
// integer inputs that may be int32 or int64, per-family registration.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/exec/op.hpp"
#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

using Ints = std::vector<std::int64_t>;

// axis in [-rank, rank-1] mapped to [0, rank-1]; fails naming `what` and the shape.
std::int64_t normalize_axis(const InferContext& context, std::int64_t axis, const Shape& shape,
                            const std::string& what = "axis");
// Same for a rank with no input shape to show (Unsqueeze's output rank).
std::int64_t normalize_axis(const InferContext& context, std::int64_t axis, std::int64_t rank,
                            const std::string& what = "axis");
// Normalizes each axis and rejects repeats.
Ints normalize_axes(const InferContext& context, const Ints& axes, std::int64_t rank, const std::string& what = "axes");

// The values of an int32 or int64 tensor, widened; fails for any other dtype.
Ints int_values(const InferContext& context, const Tensor& tensor, const std::string& what);
// constant_input() of an int32/int64 input of rank 0 or 1, read as a list.
Ints constant_ints(const InferContext& context, std::size_t index, const std::string& what);

// Element count of a shape, overflow-checked, naming the node.
std::int64_t element_count(const InferContext& context, const Shape& shape);

// "[1,2,3]" for attribute and input lists in messages.
std::string ints_to_string(const Ints& values);

// Writes `value` converted to dtype into `out` (one element); for fill values
// given as a float attribute (Pad-2's value) whatever the data's type.
void store_scalar(DType dtype, double value, void* out);

// One registration function per file of ops/tensor/; register_shape_ops.cpp calls them.
void register_shape_query_ops(OpRegistry& registry);  // Shape, Size
void register_gather_op(OpRegistry& registry);
void register_squeeze_ops(OpRegistry& registry);  // Squeeze, Unsqueeze
void register_concat_split_ops(OpRegistry& registry);
void register_slice_op(OpRegistry& registry);
void register_transpose_op(OpRegistry& registry);
void register_expand_tile_ops(OpRegistry& registry);
void register_generator_ops(OpRegistry& registry);  // ConstantOfShape, Range
void register_pad_op(OpRegistry& registry);

}  // namespace onnxrun
