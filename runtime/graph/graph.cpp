#include "runtime/graph/graph.hpp"

#include <deque>

namespace onnxrun {

std::string Node::describe() const {
  const std::string type = domain.empty() || domain == "ai.onnx" ? op_type : domain + "." + op_type;
  return "node '" + name + "' (" + type + ")";
}

ValueId Graph::value_id(const std::string& name) {
  auto it = ids_by_name_.find(name);
  if (it != ids_by_name_.end()) return it->second;
  const ValueId id = static_cast<ValueId>(values.size());
  values.push_back(Value{name, DType::Float32, std::nullopt});
  ids_by_name_.emplace(name, id);
  return id;
}

std::optional<ValueId> Graph::find_value(const std::string& name) const {
  auto it = ids_by_name_.find(name);
  if (it == ids_by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<int> Graph::topological_order() const {
  // Kahn's algorithm over value readiness. ONNX requires graphs to be sorted
  // already, but exporters and hand-edited models do not always comply.
  std::vector<int> producer(values.size(), -1);
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (ValueId out : nodes[n].outputs)
      if (out != kNoValue) {
        if (producer[out] != -1)
          throw Error(source + ": value '" + values[out].name + "' is produced by both " +
                      nodes[producer[out]].describe() + " and " + nodes[n].describe());
        producer[out] = static_cast<int>(n);
      }

  std::vector<bool> available(values.size(), false);
  for (const GraphInput& input : inputs) available[input.value] = true;
  for (std::size_t v = 0; v < values.size(); ++v)
    if (values[v].constant) available[v] = true;

  std::vector<int> missing(nodes.size(), 0);
  std::vector<std::vector<int>> consumers(values.size());
  std::deque<int> ready;
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    for (ValueId in : nodes[n].inputs) {
      if (in == kNoValue || available[in]) continue;
      if (producer[in] == -1)
        throw Error(source + ": " + nodes[n].describe() + " reads '" + values[in].name +
                    "', which is neither a graph input, an initializer nor any node's output");
      ++missing[n];
      consumers[in].push_back(static_cast<int>(n));
    }
    if (missing[n] == 0) ready.push_back(static_cast<int>(n));
  }

  std::vector<int> order;
  order.reserve(nodes.size());
  while (!ready.empty()) {
    const int n = ready.front();
    ready.pop_front();
    order.push_back(n);
    for (ValueId out : nodes[n].outputs)
      if (out != kNoValue)
        for (int consumer : consumers[out])
          if (--missing[consumer] == 0) ready.push_back(consumer);
  }
  if (order.size() != nodes.size()) {
    for (std::size_t n = 0; n < nodes.size(); ++n)
      if (missing[n] > 0) throw Error(source + ": the graph has a cycle through " + nodes[n].describe());
  }
  return order;
}

}  // namespace onnxrun
