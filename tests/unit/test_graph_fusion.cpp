// Fusion passes: Conv [+ Add residual] [+ activation] -> com.onnxrun.FusedConv,
// Gemm + activation -> com.onnxrun.FusedGemm, and the whole optimize_graph
// pipeline. Each case checks the rewritten graph and that the optimized
// session's outputs equal the unoptimized one's.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <random>

#include "runtime/graph/optimize.hpp"
#include "tests/support/graph_pass_support.hpp"

using namespace onnxrun;
using namespace onnxrun::testing;

namespace {

using Strings = std::vector<std::string>;

const Attribute* attribute(const Node& node, const std::string& name) { return node.attributes.find(name); }

void check_fused_conv(const Node& node, const std::string& activation) {
  CHECK(node.domain == "com.onnxrun");
  CHECK(node.op_type == "FusedConv");
  CHECK(node.opset == 1);
  // The Conv's own attributes come along.
  REQUIRE(attribute(node, "pads"));
  CHECK(attribute(node, "pads")->ints == std::vector<std::int64_t>{1, 1, 1, 1});
  if (activation.empty()) {
    CHECK(!attribute(node, "activation"));
  } else {
    REQUIRE(attribute(node, "activation"));
    CHECK(attribute(node, "activation")->s == activation);
  }
}

float float_attribute(const Node& node, const std::string& name) {
  const Attribute* a = attribute(node, name);
  REQUIRE(a);
  REQUIRE(a->kind == Attribute::Kind::Float);
  return a->f;
}

}  // namespace

TEST_CASE("graph fusion: Conv + Relu becomes FusedConv") {
  std::mt19937 rng(10);
  ModelBuilder model = conv_model(rng);
  model.node("Relu", {"c"}, {"Y"}, "relu").output("Y");
  Graph graph = load_graph(model);
  CHECK(fuse_conv_residual_activation(graph) == 1);
  CHECK(op_types(graph) == "com.onnxrun.FusedConv");
  check_fused_conv(graph.nodes[0], "Relu");
  CHECK(graph.nodes[0].name == "conv");
  CHECK(value_names(graph, graph.nodes[0].inputs) == Strings{"X", "W", "B"});
  CHECK(value_names(graph, graph.nodes[0].outputs) == Strings{"Y"});
  CHECK(!attribute(graph.nodes[0], "activation_alpha"));
  check_optimized_matches(model, conv_inputs(rng));
}

TEST_CASE("graph fusion: Conv + Add(residual) + Relu; without bias the bias slot stays empty") {
  std::mt19937 rng(11);
  for (bool bias : {true, false})
    for (bool residual_first : {false, true}) {
      INFO("bias " << bias << " residual is Add input 0: " << residual_first);
      ModelBuilder model = conv_model(rng, bias);
      model.input("R", FLOAT, {1, 4, 6, 6})
          .node("Add", residual_first ? Strings{"R", "c"} : Strings{"c", "R"}, {"s"}, "add")
          .node("Relu", {"s"}, {"Y"}, "relu")
          .output("Y");
      Graph graph = load_graph(model);
      CHECK(fuse_conv_residual_activation(graph) == 1);
      REQUIRE(op_types(graph) == "com.onnxrun.FusedConv");
      check_fused_conv(graph.nodes[0], "Relu");
      CHECK(value_names(graph, graph.nodes[0].inputs) == Strings{"X", "W", bias ? "B" : "", "R"});
      CHECK(value_names(graph, graph.nodes[0].outputs) == Strings{"Y"});
      check_optimized_matches(model, conv_inputs(rng, true));
    }
}

TEST_CASE("graph fusion: Conv + Add alone, and an Add that broadcasts a constant") {
  std::mt19937 rng(12);
  ModelBuilder model = conv_model(rng);
  model.initializer(raw_tensor<float>("shift", {1, 4, 1, 1}, random_values(rng, 4)))
      .node("Add", {"c", "shift"}, {"Y"}, "add")
      .output("Y");
  Graph graph = load_graph(model);
  CHECK(fuse_conv_residual_activation(graph) == 1);
  check_fused_conv(graph.nodes[0], "");
  CHECK(value_names(graph, graph.nodes[0].inputs) == Strings{"X", "W", "B", "shift"});
  check_optimized_matches(model, conv_inputs(rng));
}

TEST_CASE("graph fusion: each activation carries its parameters") {
  std::mt19937 rng(13);
  constexpr float inf = INFINITY;
  struct Case {
    const char* name;
    std::int64_t opset;
    std::function<void(ModelBuilder&)> add;
    const char* activation;
    float alpha, beta;  // NaN: attribute absent
  };
  const Case cases[] = {
      {"Clip opset 11, constant min and max", 13,
       [](ModelBuilder& m) {
         m.initializer(raw_tensor<float>("lo", {}, {-0.5f}))
             .initializer(raw_tensor<float>("hi", {}, {0.25f}))
             .node("Clip", {"c", "lo", "hi"}, {"Y"}, "act");
       },
       "Clip", -0.5f, 0.25f},
      {"Clip opset 13, max only", 13,
       [](ModelBuilder& m) {
         m.initializer(raw_tensor<float>("hi", {}, {0.25f})).node("Clip", {"c", "", "hi"}, {"Y"}, "act");
       },
       "Clip", -inf, 0.25f},
      {"Clip opset 6, attributes", 6,
       [](ModelBuilder& m) {
         m.node("Clip", {"c"}, {"Y"}, "act", {attr_float("min", 0.0f), attr_float("max", 6.0f)});
       },
       "Clip", 0.0f, 6.0f},
      {"Clip opset 6, no max", 6,
       [](ModelBuilder& m) { m.node("Clip", {"c"}, {"Y"}, "act", {attr_float("min", -0.1f)}); }, "Clip", -0.1f, inf},
      {"LeakyRelu", 17,
       [](ModelBuilder& m) { m.node("LeakyRelu", {"c"}, {"Y"}, "act", {attr_float("alpha", 0.2f)}); }, "LeakyRelu",
       0.2f, NAN},
      {"LeakyRelu default alpha", 17, [](ModelBuilder& m) { m.node("LeakyRelu", {"c"}, {"Y"}, "act"); }, "LeakyRelu",
       0.01f, NAN},
      {"Sigmoid", 17, [](ModelBuilder& m) { m.node("Sigmoid", {"c"}, {"Y"}, "act"); }, "Sigmoid", NAN, NAN},
      {"HardSigmoid", 17,
       [](ModelBuilder& m) {
         m.node("HardSigmoid", {"c"}, {"Y"}, "act", {attr_float("alpha", 0.3f), attr_float("beta", 0.4f)});
       },
       "HardSigmoid", 0.3f, 0.4f},
      {"HardSwish", 17, [](ModelBuilder& m) { m.node("HardSwish", {"c"}, {"Y"}, "act"); }, "HardSwish", 1.0f / 6.0f,
       0.5f},
      {"SiLU as PyTorch exports it: Sigmoid and Mul", 17,
       [](ModelBuilder& m) { m.node("Sigmoid", {"c"}, {"g"}, "sigmoid").node("Mul", {"c", "g"}, {"Y"}, "mul"); },
       "Silu", NAN, NAN},
      {"SiLU, Mul operands swapped", 17,
       [](ModelBuilder& m) { m.node("Sigmoid", {"c"}, {"g"}, "sigmoid").node("Mul", {"g", "c"}, {"Y"}, "mul"); },
       "Silu", NAN, NAN},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    ModelBuilder model = conv_model(rng, true, c.opset);
    c.add(model);
    model.output("Y");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 1);
    REQUIRE(graph.nodes.size() == 1);
    const Node& fused = graph.nodes[0];
    check_fused_conv(fused, c.activation);
    if (std::isnan(c.alpha)) CHECK(!attribute(fused, "activation_alpha"));
    else CHECK(float_attribute(fused, "activation_alpha") == c.alpha);
    if (std::isnan(c.beta)) CHECK(!attribute(fused, "activation_beta"));
    else CHECK(float_attribute(fused, "activation_beta") == c.beta);
    check_optimized_matches(model, conv_inputs(rng));
  }
}

TEST_CASE("graph fusion: what must not fuse") {
  std::mt19937 rng(14);
  SUBCASE("SiLU whose gate is also a graph output") {
    ModelBuilder model = conv_model(rng);
    model.node("Sigmoid", {"c"}, {"g"}, "sigmoid").node("Mul", {"c", "g"}, {"Y"}, "mul").output("Y").output("g");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 0);
    CHECK(op_types(graph) == "Conv Sigmoid Mul");
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("SiLU whose input is read by a third node") {
    ModelBuilder model = conv_model(rng);
    model.node("Sigmoid", {"c"}, {"g"}, "sigmoid")
        .node("Mul", {"c", "g"}, {"Y"}, "mul")
        .node("Neg", {"c"}, {"Z"}, "neg")
        .output("Y")
        .output("Z");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 0);
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("Sigmoid(c) * c2: not a SiLU") {
    ModelBuilder model = conv_model(rng);
    model.node("Sigmoid", {"c"}, {"g"}, "sigmoid")
        .node("Relu", {"c"}, {"r"}, "relu")
        .node("Mul", {"r", "g"}, {"Y"}, "mul")
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 0);
    CHECK(op_types(graph) == "Conv Sigmoid Relu Mul");
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("Clip bounds fed at run time") {
    ModelBuilder model = conv_model(rng);
    model.input("lo", FLOAT, {}).node("Clip", {"c", "lo"}, {"Y"}, "clip").output("Y");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 0);
    std::vector<NamedTensor> inputs = conv_inputs(rng);
    inputs.push_back({"lo", Tensor::from_values<float>({}, {0.1f})});
    check_optimized_matches(model, inputs);
  }
  SUBCASE("the conv output is also a graph output") {
    ModelBuilder model = conv_model(rng);
    model.node("Relu", {"c"}, {"Y"}, "relu").output("Y").output("c");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 0);
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("Add(c, c) has no residual; the Add output feeds two nodes") {
    ModelBuilder model = conv_model(rng);
    model.node("Add", {"c", "c"}, {"s"}, "add")
        .node("Relu", {"s"}, {"Y"}, "relu")
        .node("Neg", {"s"}, {"Z"}, "neg")
        .output("Y")
        .output("Z");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 0);
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("an activation after a residual Add read twice stays separate") {
    ModelBuilder model = conv_model(rng);
    model.input("R", FLOAT, {1, 4, 6, 6})
        .node("Add", {"c", "R"}, {"s"}, "add")
        .node("Relu", {"s"}, {"Y"}, "relu")
        .output("Y")
        .output("s");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 1);
    CHECK(op_types(graph) == "com.onnxrun.FusedConv Relu");
    check_fused_conv(node_named(graph, "conv"), "");
    check_optimized_matches(model, conv_inputs(rng, true));
  }
}

TEST_CASE("graph fusion: two convs into one Add (ResNet downsample) fuse the later one") {
  std::mt19937 rng(15);
  ModelBuilder model = conv_model(rng);
  model.initializer(raw_tensor<float>("Wd", {4, 3, 1, 1}, random_values(rng, 12)))
      .node("Conv", {"X", "Wd"}, {"d"}, "downsample")
      .node("Add", {"c", "d"}, {"s"}, "add")
      .node("Relu", {"s"}, {"Y"}, "relu")
      .output("Y");
  Graph graph = load_graph(model);
  CHECK(fuse_conv_residual_activation(graph) == 1);
  CHECK(op_types(graph) == "Conv com.onnxrun.FusedConv");
  const Node& fused = node_named(graph, "downsample");
  CHECK(value_names(graph, fused.inputs) == Strings{"X", "Wd", "", "c"});
  CHECK(value_names(graph, fused.outputs) == Strings{"Y"});
  CHECK_NOTHROW(graph.topological_order());
  check_optimized_matches(model, conv_inputs(rng));
}

TEST_CASE("graph fusion: Gemm + activation becomes FusedGemm") {
  std::mt19937 rng(16);
  for (const char* activation : {"Relu", "Sigmoid", "LeakyRelu"}) {
    INFO(activation);
    ModelBuilder model;
    model.input("X", FLOAT, {3, 10})
        .initializer(raw_tensor<float>("Wg", {7, 10}, random_values(rng, 70)))
        .initializer(raw_tensor<float>("Bg", {7}, random_values(rng, 7)))
        .node("Gemm", {"X", "Wg", "Bg"}, {"g"}, "fc", {attr_int("transB", 1), attr_float("alpha", 0.5f)})
        .node(activation, {"g"}, {"Y"}, "act")
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(fuse_gemm_activation(graph) == 1);
    REQUIRE(op_types(graph) == "com.onnxrun.FusedGemm");
    const Node& fused = graph.nodes[0];
    CHECK(fused.opset == 1);
    CHECK(attribute(fused, "activation")->s == activation);
    CHECK(attribute(fused, "transB")->i == 1);
    CHECK(float_attribute(fused, "alpha") == 0.5f);
    CHECK(value_names(graph, fused.inputs) == Strings{"X", "Wg", "Bg"});
    check_optimized_matches(model, {{"X", random_tensor(rng, {3, 10})}});
  }
  SUBCASE("a Gemm output read twice stays a Gemm") {
    ModelBuilder model;
    model.input("X", FLOAT, {3, 10})
        .initializer(raw_tensor<float>("Wg", {10, 7}, random_values(rng, 70)))
        .node("Gemm", {"X", "Wg"}, {"g"}, "fc")
        .node("Relu", {"g"}, {"Y"}, "relu")
        .node("Neg", {"g"}, {"Z"}, "neg")
        .output("Y")
        .output("Z");
    Graph graph = load_graph(model);
    CHECK(fuse_gemm_activation(graph) == 0);
    check_optimized_matches(model, {{"X", random_tensor(rng, {3, 10})}});
  }
}

TEST_CASE("graph fusion: the whole pipeline on a small CNN") {
  // Conv -> BN -> Identity -> Add(X1) -> Relu -> Dropout -> GlobalAveragePool
  // -> Flatten -> Gemm -> Relu, with a dead branch.
  std::mt19937 rng(17);
  ModelBuilder model = conv_model(rng, false);
  model.initializer(raw_tensor<float>("bn_scale", {4}, random_values(rng, 4, 0.5f, 2.0f)))
      .initializer(raw_tensor<float>("bn_bias", {4}, random_values(rng, 4)))
      .initializer(raw_tensor<float>("bn_mean", {4}, random_values(rng, 4)))
      .initializer(raw_tensor<float>("bn_var", {4}, random_values(rng, 4, 0.1f, 2.0f)))
      .initializer(raw_tensor<float>("Wr", {4, 3, 1, 1}, random_values(rng, 12)))
      .initializer(raw_tensor<float>("Wg", {5, 4}, random_values(rng, 20)))
      .initializer(raw_tensor<float>("Bg", {5}, random_values(rng, 5)))
      .node("BatchNormalization", {"c", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {"n"}, "bn")
      .node("Identity", {"n"}, {"i"}, "identity")
      .node("Conv", {"X", "Wr"}, {"r"}, "shortcut")
      .node("Add", {"i", "r"}, {"s"}, "add")
      .node("Relu", {"s"}, {"a"}, "relu")
      .node("Dropout", {"a"}, {"dr"}, "dropout")
      .node("GlobalAveragePool", {"dr"}, {"p"}, "pool")
      .node("Flatten", {"p"}, {"f"}, "flatten")
      .node("Gemm", {"f", "Wg", "Bg"}, {"g"}, "fc", {attr_int("transB", 1)})
      .node("Relu", {"g"}, {"Y"}, "fc_relu")
      .node("Tanh", {"p"}, {"unused"}, "dead")
      .output("Y");
  Graph graph = load_graph(model);
  optimize_graph(graph);
  // The BatchNormalization folds into "conv"; the later conv of the two
  // feeding the Add, "shortcut", takes the other's output as its residual.
  CHECK(op_types(graph) == "Conv com.onnxrun.FusedConv GlobalAveragePool Flatten com.onnxrun.FusedGemm");
  CHECK(graph.opsets.at("com.onnxrun") == 1);
  CHECK(value_names(graph, node_named(graph, "conv").inputs).size() == 3);
  CHECK(value_names(graph, node_named(graph, "conv").outputs) == Strings{"n"});
  const Node& fused = node_named(graph, "shortcut");
  CHECK(value_names(graph, fused.inputs) == Strings{"X", "Wr", "", "n"});
  CHECK(attribute(fused, "activation")->s == "Relu");
  CHECK_NOTHROW(graph.topological_order());
  check_optimized_matches(model, conv_inputs(rng));
}
