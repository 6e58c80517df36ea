// Graph passes that remove nodes: Identity / inference Dropout, dead nodes,
// BatchNormalization folded into Conv. Each case checks the rewritten graph's
// structure and that a session with optimize on computes what one with it off
// does. Fusion passes: test_graph_fusion.cpp.
#include <doctest/doctest.h>

#include <random>

#include "runtime/graph/optimize.hpp"
#include "tests/support/graph_pass_support.hpp"

using namespace onnxrun;
using namespace onnxrun::testing;

namespace {

using Strings = std::vector<std::string>;

// BatchNormalization "bn" reading `input`, with statistics far from identity.
void add_batch_norm(ModelBuilder& model, std::mt19937& rng, const std::string& input, const std::string& output,
                    std::int64_t channels = 4) {
  const auto n = static_cast<std::size_t>(channels);
  model.initializer(raw_tensor<float>("bn_scale", {channels}, random_values(rng, n, 0.5f, 2.0f)))
      .initializer(raw_tensor<float>("bn_bias", {channels}, random_values(rng, n)))
      .initializer(raw_tensor<float>("bn_mean", {channels}, random_values(rng, n)))
      .initializer(raw_tensor<float>("bn_var", {channels}, random_values(rng, n, 0.1f, 3.0f)))
      .node("BatchNormalization", {input, "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {output}, "bn",
            {attr_float("epsilon", 1e-3f)});
}

}  // namespace

TEST_CASE("graph passes: Identity between nodes is bypassed") {
  std::mt19937 rng(1);
  ModelBuilder model = conv_model(rng);
  model.node("Identity", {"c"}, {"i"}, "identity").node("Relu", {"i"}, {"Y"}, "relu").output("Y");
  Graph graph = load_graph(model);
  CHECK(remove_noop_nodes(graph) == 1);
  CHECK(op_types(graph) == "Conv Relu");
  CHECK(value_names(graph, node_named(graph, "relu").inputs) == Strings{"c"});
  check_optimized_matches(model, conv_inputs(rng));
}

TEST_CASE("graph passes: an Identity producing a graph output hands the name to its producer") {
  std::mt19937 rng(2);
  ModelBuilder model = conv_model(rng);
  model.node("Relu", {"c"}, {"r"}, "relu").node("Identity", {"r"}, {"Y"}, "identity").output("Y");
  Graph graph = load_graph(model);
  CHECK(remove_noop_nodes(graph) == 1);
  CHECK(op_types(graph) == "Conv Relu");
  CHECK(value_names(graph, node_named(graph, "relu").outputs) == Strings{"Y"});
  REQUIRE(graph.outputs.size() == 1);
  CHECK(graph.values[graph.outputs[0].value].name == "Y");
  check_optimized_matches(model, conv_inputs(rng));
}

TEST_CASE("graph passes: a chain of Identities down to a graph output leaves the producer only") {
  std::mt19937 rng(21);
  ModelBuilder model = conv_model(rng);
  model.node("Identity", {"c"}, {"i1"}, "identity1")
      .node("Identity", {"i1"}, {"i2"}, "identity2")
      .node("Identity", {"i2"}, {"Y"}, "identity3")
      .output("Y");
  Graph graph = load_graph(model);
  CHECK(remove_noop_nodes(graph) == 3);
  CHECK(op_types(graph) == "Conv");
  CHECK(value_names(graph, graph.nodes[0].outputs) == Strings{"Y"});
  check_optimized_matches(model, conv_inputs(rng));
}

TEST_CASE("graph passes: an Identity stays when its output name cannot move") {
  std::mt19937 rng(3);
  SUBCASE("graph input to graph output") {
    ModelBuilder model;
    model.input("X", FLOAT, {2, 3}).node("Identity", {"X"}, {"Y"}, "identity").output("Y");
    Graph graph = load_graph(model);
    CHECK(remove_noop_nodes(graph) == 0);
    CHECK(op_types(graph) == "Identity");
    check_optimized_matches(model, {{"X", random_tensor(rng, {2, 3})}});
  }
  SUBCASE("its input is a graph output too") {
    ModelBuilder model = conv_model(rng);
    model.node("Identity", {"c"}, {"Y"}, "identity").output("c").output("Y");
    Graph graph = load_graph(model);
    CHECK(remove_noop_nodes(graph) == 0);
    CHECK(op_types(graph) == "Conv Identity");
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("constant to graph output") {
    ModelBuilder model;
    model.input("X", FLOAT, {2})
        .initializer(raw_tensor<float>("K", {2}, {1.0f, 2.0f}))
        .node("Identity", {"K"}, {"Y"}, "identity")
        .node("Neg", {"X"}, {"Z"}, "neg")
        .output("Y")
        .output("Z");
    Graph graph = load_graph(model);
    CHECK(remove_noop_nodes(graph) == 0);
    check_optimized_matches(model, {{"X", random_tensor(rng, {2})}});
  }
}

TEST_CASE("graph passes: inference Dropout is removed unless its mask is read or it trains") {
  std::mt19937 rng(4);
  SUBCASE("opset 12, ratio only, mask absent") {
    ModelBuilder model = conv_model(rng, true, 12);
    model.initializer(raw_tensor<float>("ratio", {}, {0.3f}))
        .node("Dropout", {"c", "ratio"}, {"d"}, "dropout")
        .node("Relu", {"d"}, {"Y"}, "relu")
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(remove_noop_nodes(graph) == 1);
    CHECK(op_types(graph) == "Conv Relu");
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("training_mode a constant false; unused mask output listed") {
    ModelBuilder model = conv_model(rng, true, 13);
    onnx::TensorProto training = tensor_proto("training", BOOL, {});
    training.set_raw_data(std::string(1, '\0'));
    model.initializer(raw_tensor<float>("ratio", {}, {0.3f}))
        .initializer(training)
        .node("Dropout", {"c", "ratio", "training"}, {"Y", "mask"}, "dropout")
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(remove_noop_nodes(graph) == 1);
    CHECK(op_types(graph) == "Conv");
    CHECK(value_names(graph, graph.nodes[0].outputs) == Strings{"Y"});
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("mask is a graph output: kept") {
    ModelBuilder model = conv_model(rng, true, 13);
    model.node("Dropout", {"c"}, {"Y", "mask"}, "dropout").output("Y").output("mask");
    Graph graph = load_graph(model);
    CHECK(remove_noop_nodes(graph) == 0);
    CHECK(op_types(graph) == "Conv Dropout");
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("training_mode true: kept") {
    ModelBuilder model = conv_model(rng, true, 13);
    onnx::TensorProto training = tensor_proto("training", BOOL, {});
    training.set_raw_data(std::string(1, '\1'));
    model.initializer(raw_tensor<float>("ratio", {}, {0.0f}))
        .initializer(training)
        .node("Dropout", {"c", "ratio", "training"}, {"Y"}, "dropout")
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(remove_noop_nodes(graph) == 0);
    // Ratio 0 in training keeps everything, so both sessions run it.
    check_optimized_matches(model, conv_inputs(rng));
  }
}

TEST_CASE("graph passes: dead nodes go, chains of them too; the support check runs after") {
  std::mt19937 rng(5);
  ModelBuilder model;
  model.input("X", FLOAT, {2, 3})
      .node("Relu", {"X"}, {"a"}, "dead_relu")
      .node("Sigmoid", {"a"}, {"b"}, "dead_sigmoid")
      .node("NoSuchOp", {"b"}, {"z"}, "dead_unknown", {}, "")
      .node("Neg", {"X"}, {"Y"}, "neg")
      .output("Y");
  Graph graph = load_graph(model);
  CHECK(remove_dead_nodes(graph) == 3);
  CHECK(op_types(graph) == "Neg");
  // Unoptimized, the unknown op refuses the model; optimized, it was never there.
  CHECK_THROWS_WITH_AS(open_session(model, false, 1), doctest::Contains("NoSuchOp"), Error);
  const Session session = open_session(model, true, 1);
  const Tensor x = random_tensor(rng, {2, 3});
  const Tensor y = session.run({{"X", x}})[0].tensor;
  for (std::int64_t i = 0; i < 6; ++i) CHECK(y.data_as<float>()[i] == -x.data_as<float>()[i]);
}

TEST_CASE("graph passes: BatchNormalization folds into the Conv before it") {
  std::mt19937 rng(6);
  for (bool bias : {true, false}) {
    INFO("conv bias " << bias);
    ModelBuilder model = conv_model(rng, bias);
    add_batch_norm(model, rng, "c", "Y");
    model.output("Y");
    Graph graph = load_graph(model);
    CHECK(fold_batch_norm_into_conv(graph) == 1);
    CHECK(op_types(graph) == "Conv");
    const Node& conv = node_named(graph, "conv");
    const Strings inputs = value_names(graph, conv.inputs);
    REQUIRE(inputs.size() == 3);
    // New constants: the originals may feed other nodes.
    CHECK(inputs[1] != "W");
    CHECK(inputs[2] != "B");
    CHECK(graph.values[conv.inputs[1]].constant->shape() == Shape{4, 3, 3, 3});
    CHECK(graph.values[conv.inputs[2]].constant->shape() == Shape{4});
    CHECK(value_names(graph, conv.outputs) == Strings{"Y"});
    // The whole pipeline drops what nobody reads any more.
    Graph optimized = load_graph(model);
    optimize_graph(optimized);
    CHECK(!optimized.values[*optimized.find_value("W")].constant);
    CHECK(!optimized.values[*optimized.find_value("bn_var")].constant);
    check_optimized_matches(model, conv_inputs(rng));
  }
}

TEST_CASE("graph passes: BatchNormalization folding of grouped, 1-D and shared-weight convs") {
  std::mt19937 rng(7);
  SUBCASE("depthwise 1-D conv") {
    ModelBuilder model;
    model.input("X", FLOAT, {2, 4, 9})
        .initializer(raw_tensor<float>("W", {4, 1, 3}, random_values(rng, 12)))
        .node("Conv", {"X", "W"}, {"c"}, "conv", {attr_int("group", 4)});
    add_batch_norm(model, rng, "c", "Y");
    model.output("Y");
    Graph graph = load_graph(model);
    CHECK(fold_batch_norm_into_conv(graph) == 1);
    check_optimized_matches(model, {{"X", random_tensor(rng, {2, 4, 9})}});
  }
  SUBCASE("the weights also feed a second conv, which keeps the originals") {
    ModelBuilder model = conv_model(rng);
    model.node("Conv", {"X", "W", "B"}, {"Z"}, "conv2", {attr_ints("pads", {1, 1, 1, 1})});
    add_batch_norm(model, rng, "c", "Y");
    model.output("Y").output("Z");
    Graph graph = load_graph(model);
    CHECK(fold_batch_norm_into_conv(graph) == 1);
    CHECK(value_names(graph, node_named(graph, "conv2").inputs) == Strings{"X", "W", "B"});
    CHECK(value_names(graph, node_named(graph, "conv").inputs)[1] != "W");
    check_optimized_matches(model, conv_inputs(rng));
  }
}

TEST_CASE("graph passes: BatchNormalization stays when folding would change what is observable") {
  std::mt19937 rng(8);
  SUBCASE("the conv output is a graph output") {
    ModelBuilder model = conv_model(rng);
    add_batch_norm(model, rng, "c", "Y");
    model.output("Y").output("c");
    Graph graph = load_graph(model);
    CHECK(fold_batch_norm_into_conv(graph) == 0);
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("the conv output has a second reader") {
    ModelBuilder model = conv_model(rng);
    add_batch_norm(model, rng, "c", "Y");
    model.node("Relu", {"c"}, {"Z"}, "relu").output("Y").output("Z");
    Graph graph = load_graph(model);
    CHECK(fold_batch_norm_into_conv(graph) == 0);
    check_optimized_matches(model, conv_inputs(rng));
  }
  SUBCASE("statistics fed at run time") {
    ModelBuilder model = conv_model(rng);
    model.input("var", FLOAT, {4});
    model.initializer(raw_tensor<float>("s", {4}, random_values(rng, 4)))
        .node("BatchNormalization", {"c", "s", "s", "s", "var"}, {"Y"}, "bn")
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(fold_batch_norm_into_conv(graph) == 0);
    std::vector<NamedTensor> inputs = conv_inputs(rng);
    inputs.push_back({"var", random_tensor(rng, {4}, 0.5f, 1.0f)});
    check_optimized_matches(model, inputs);
  }
  SUBCASE("weights fed at run time") {
    ModelBuilder model;
    model.input("X", FLOAT, {1, 3, 5, 5}).input("W", FLOAT, {4, 3, 1, 1}).node("Conv", {"X", "W"}, {"c"}, "conv");
    add_batch_norm(model, rng, "c", "Y");
    model.output("Y");
    Graph graph = load_graph(model);
    CHECK(fold_batch_norm_into_conv(graph) == 0);
    check_optimized_matches(model, {{"X", random_tensor(rng, {1, 3, 5, 5})}, {"W", random_tensor(rng, {4, 3, 1, 1})}});
  }
}
