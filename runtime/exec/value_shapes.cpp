#include "runtime/exec/value_shapes.hpp"

#include <deque>
#include <optional>

namespace onnxrun {

std::vector<ValueDesc> seed_value_descs(const Graph& graph, const std::vector<Shape>& input_shapes) {
  std::vector<ValueDesc> descs(graph.values.size());
  for (std::size_t v = 0; v < graph.values.size(); ++v)
    if (const auto& constant = graph.values[v].constant)
      descs[v] = ValueDesc{constant->dtype(), constant->shape(), &*constant, true};
  for (std::size_t i = 0; i < graph.inputs.size(); ++i) {
    const ValueId v = graph.inputs[i].value;
    descs[v] = ValueDesc{graph.values[v].dtype, input_shapes.at(i), nullptr, true, static_cast<int>(i)};
  }
  return descs;
}

ValueShapes infer_value_shapes(const Graph& graph, const OpRegistry& registry, const std::vector<Shape>& input_shapes) {
  std::vector<ValueDesc> descs = seed_value_descs(graph, input_shapes);  // not present: not known
  std::deque<Tensor> folded;  // values infer computed from shapes alone; a deque keeps them in place
  for (int n : graph.topological_order()) {
    const Node& node = graph.nodes[static_cast<std::size_t>(n)];
    const OpRegistration* registration = registry.find(node.domain, node.op_type, node.opset);
    std::vector<ValueDesc> inputs;
    bool known = registration != nullptr;
    for (ValueId in : node.inputs) {
      if (in == kNoValue) {
        inputs.push_back(ValueDesc{});
        continue;
      }
      known = known && descs[in].present;
      if (known) inputs.push_back(descs[in]);
    }
    if (!known) continue;
    try {
      std::unique_ptr<Op> op = registration->factory(node);
      InferContext context(node, std::move(inputs), node.outputs.size());
      op->infer(context);
      for (std::size_t i = 0; i < node.outputs.size(); ++i) {
        const ValueId out = node.outputs[i];
        if (out == kNoValue || !context.outputs()[i].present) continue;
        descs[out] = context.outputs()[i];
        descs[out].constant = nullptr;
        if (std::optional<Tensor>& value = context.constant_output(i)) {
          folded.push_back(std::move(*value));
          descs[out].constant = &folded.back();
        }
      }
    } catch (...) {
      // A node that needs computed values (NeedsInputValue, which is no
      // std::exception), or a malformed one, which planning will report:
      // its outputs stay unknown.
    }
  }
  ValueShapes shapes(graph.values.size());
  for (std::size_t v = 0; v < descs.size(); ++v)
    if (descs[v].present) shapes[v] = descs[v].shape;
  return shapes;
}

}  // namespace onnxrun
