#pragma once
// The runtime's IR: values (tensors) and nodes (ops) in a static graph. Built
// by a frontend, read by shape inference and the planner.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "onnxrun/session.hpp"
#include "onnxrun/tensor.hpp"
#include "runtime/graph/attributes.hpp"

namespace onnxrun {

using ValueId = int;
inline constexpr ValueId kNoValue = -1;  // an omitted optional input or output

// A dimension as a model declares it: a number, or a symbol such as "batch".
struct DeclaredDim {
  std::int64_t value = -1;  // -1 when symbolic or unknown
  std::string symbol;
};

struct Value {
  std::string name;
  DType dtype = DType::Float32;
  std::optional<Tensor> constant;  // initializers, Constant outputs, folded values
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" is the default ONNX domain
  std::int64_t opset = 0;  // the model's opset import for this node's domain
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attributes attributes;

  // "node 'conv1' (Conv)" — the prefix of every error about this node.
  std::string describe() const;
};

struct GraphInput {
  ValueId value = kNoValue;
  std::vector<DeclaredDim> dims;
  bool has_shape = false;  // false when the model declares no shape at all
};

struct GraphOutput {
  ValueId value = kNoValue;
  std::vector<DeclaredDim> dims;
  bool has_shape = false;
};

class Graph {
 public:
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<GraphInput> inputs;    // runtime inputs only (initializers excluded)
  std::vector<GraphOutput> outputs;
  std::map<std::string, std::int64_t> opsets;  // domain -> version
  std::string source;  // file name or "<bytes>", for messages

  // Returns the id of the named value, adding it when new.
  ValueId value_id(const std::string& name);
  std::optional<ValueId> find_value(const std::string& name) const;
  // Node indices in an order where every node follows its producers. Throws on a
  // cycle or a value that is consumed but never produced.
  std::vector<int> topological_order() const;

 private:
  std::map<std::string, ValueId> ids_by_name_;
};

}  // namespace onnxrun
