#pragma once
// Helpers for graph-pass tests: load a ModelBuilder model into a Graph, find
// its nodes, and check that a session with the passes computes what the one
// without them does.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_loader.hpp"
#include "onnxrun/onnxrun.hpp"
#include "runtime/graph/graph.hpp"
#include "tests/support/compare.hpp"
#include "tests/support/model_builder.hpp"

namespace onnxrun::testing {

inline Graph load_graph(const ModelBuilder& model) {
  const std::string bytes = model.bytes();
  return load_onnx_bytes(bytes.data(), bytes.size(), "");
}

// "Conv Relu Add": the op types in node order, fused ones with their domain.
inline std::string op_types(const Graph& graph) {
  std::string text;
  for (const Node& node : graph.nodes)
    text += (text.empty() ? "" : " ") + (node.domain.empty() ? node.op_type : node.domain + "." + node.op_type);
  return text;
}

inline const Node& node_named(const Graph& graph, const std::string& name) {
  for (const Node& node : graph.nodes)
    if (node.name == name) return node;
  FAIL("no node named " << name << " in: " << op_types(graph));
  throw Error("unreachable");
}

// The names of a node's inputs ("" for an absent one) or outputs.
inline std::vector<std::string> value_names(const Graph& graph, const std::vector<ValueId>& ids) {
  std::vector<std::string> names;
  for (ValueId id : ids) names.push_back(id == kNoValue ? "" : graph.values[id].name);
  return names;
}

inline std::vector<float> random_values(std::mt19937& rng, std::size_t count, float low = -1.0f, float high = 1.0f) {
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return values;
}

inline Tensor random_tensor(std::mt19937& rng, const Shape& shape, float low = -1.0f, float high = 1.0f) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  return Tensor::from_values<float>(shape, random_values(rng, static_cast<std::size_t>(count), low, high));
}

inline Session open_session(const ModelBuilder& model, bool optimize, int threads) {
  const std::string bytes = model.bytes();
  SessionOptions options;
  options.threads = threads;
  options.optimize = optimize;
  return Session::from_bytes(bytes.data(), bytes.size(), options);
}

// X [1, 3, 6, 6] -> Conv(W [4, 3, 3, 3], B?) named "conv", output "c": the
// model most graph-pass tests grow from.
inline ModelBuilder conv_model(std::mt19937& rng, bool bias = true, std::int64_t opset = 17) {
  ModelBuilder model(opset);
  model.input("X", FLOAT, {1, 3, 6, 6})
      .initializer(raw_tensor<float>("W", {4, 3, 3, 3}, random_values(rng, 108)));
  std::vector<std::string> inputs{"X", "W"};
  if (bias) {
    model.initializer(raw_tensor<float>("B", {4}, random_values(rng, 4)));
    inputs.push_back("B");
  }
  model.node("Conv", inputs, {"c"}, "conv", {attr_ints("pads", {1, 1, 1, 1})});
  return model;
}

// Inputs for conv_model: X, and a residual R [1, 4, 6, 6] when asked.
inline std::vector<NamedTensor> conv_inputs(std::mt19937& rng, bool residual = false) {
  std::vector<NamedTensor> inputs{{"X", random_tensor(rng, {1, 3, 6, 6})}};
  if (residual) inputs.push_back({"R", random_tensor(rng, {1, 4, 6, 6})});
  return inputs;
}

// The optimized session's outputs (names and values) equal the unoptimized
// one's within the project tolerance, with 1 and 2 threads.
inline void check_optimized_matches(const ModelBuilder& model, const std::vector<NamedTensor>& inputs) {
  for (int threads : {1, 2}) {
    const Session plain = open_session(model, false, threads);
    const Session optimized = open_session(model, true, threads);
    const std::vector<NamedTensor> expected = plain.run(inputs);
    const std::vector<NamedTensor> actual = optimized.run(inputs);
    REQUIRE(actual.size() == expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
      INFO("output " << i << " '" << expected[i].name << "' threads " << threads);
      CHECK(actual[i].name == expected[i].name);
      check_close(actual[i].tensor, expected[i].tensor);
    }
  }
}

}  // namespace onnxrun::testing
