// Transpose: output axis i is input axis perm[i]; perm defaults to reversing
// the axes. IndexMapCopy merges dims that stay adjacent and in order, so a
// permutation that keeps the last dims in place (ShuffleNet's channel shuffle,
// [N,g,C/g,H,W] -> [N,C/g,g,H,W]) copies whole H*W rows with memcpy; one that
// moves the last dim gathers element by element.
#include <algorithm>

#include "ops/tensor/index_map_copy_op.hpp"
#include "ops/tensor/shape_helpers.hpp"

namespace onnxrun {

namespace {

class TransposeOp final : public IndexMapCopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    const ValueDesc& x = context.input(0);
    const std::int64_t rank = static_cast<std::int64_t>(x.shape.size());
    Ints perm;
    for (std::int64_t d = rank; d-- > 0;) perm.push_back(d);
    perm = context.attr_ints("perm", perm);
    if (static_cast<std::int64_t>(perm.size()) != rank)
      context.fail("perm " + ints_to_string(perm) + " has " + std::to_string(perm.size()) +
                   " entries for input shape " + shape_to_string(x.shape));
    // Negative entries are not in the spec, but are as unambiguous as elsewhere.
    perm = normalize_axes(context, perm, rank, "perm");

    const Ints strides = row_major_strides(x.shape);
    Shape out;
    std::vector<IndexMapCopy::Axis> map;
    for (std::int64_t p : perm) {
      const std::size_t d = static_cast<std::size_t>(p);
      out.push_back(x.shape[d]);
      map.push_back(IndexMapCopy::Axis::affine(x.shape[d], 0, strides[d]));
    }
    set_copy(context, std::move(map), out);
  }
};

}  // namespace

void register_transpose_op(OpRegistry& registry) {
  registry.add("Transpose", 1, 21, [](const Node&) { return std::make_unique<TransposeOp>(); });
}

}  // namespace onnxrun
