// Shape and Size: outputs known from the input's shape alone. They become
// constants at load (set_output_constant), which is what lets the planner
// fold PyTorch's Shape -> Gather -> Concat -> Reshape chains away.
#include <algorithm>

#include "ops/tensor/shape_helpers.hpp"

namespace onnxrun {

namespace {

class ShapeOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    const Shape& shape = context.input(0).shape;
    const std::int64_t rank = static_cast<std::int64_t>(shape.size());
    // Opset 15 start/end: negative counts from the back, both clamp to [0, rank].
    auto clamp = [rank](std::int64_t v) { return std::clamp(v < 0 ? v + rank : v, std::int64_t{0}, rank); };
    const std::int64_t start = clamp(context.attr_int("start", 0));
    const std::int64_t end = std::max(start, clamp(context.attr_int("end", rank)));
    Ints dims(shape.begin() + start, shape.begin() + end);
    context.set_output_constant(0, Tensor::from_values<std::int64_t>({end - start}, dims));
  }
  void run(const RunContext&) const override {}  // never called: the output is a constant
};

class SizeOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    const std::int64_t count = element_count(context, context.input(0).shape);
    context.set_output_constant(0, Tensor::from_values<std::int64_t>({}, {count}));
  }
  void run(const RunContext&) const override {}
};

}  // namespace

void register_shape_query_ops(OpRegistry& registry) {
  registry.add("Shape", 1, 21, [](const Node&) { return std::make_unique<ShapeOp>(); });
  registry.add("Size", 1, 21, [](const Node&) { return std::make_unique<SizeOp>(); });
}

}  // namespace onnxrun
