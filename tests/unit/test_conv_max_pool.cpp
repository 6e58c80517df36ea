// A MaxPool folded into the convolution before it (fuse_max_pool_into_conv,
// ops/conv/conv_max_pool.hpp): which graphs fold, and that the folded node's
// output equals the unfolded Conv + MaxPool's, through the banded direct
// path (rows kept between bands, threads splitting the rows, images) and
// through the fallback that pools the whole convolution output.
#include <doctest/doctest.h>

#include <random>

#include "onnxrun/profile.hpp"
#include "runtime/graph/optimize.hpp"
#include "tests/support/graph_pass_support.hpp"

using namespace onnxrun;
using namespace onnxrun::testing;

namespace {

using Strings = std::vector<std::string>;
using Ints = std::vector<std::int64_t>;

struct Layer {
  Shape x;  // [N, C, H, W]
  std::int64_t out_channels, kernel, stride, pad;
  std::vector<onnx::AttributeProto> pool;
};

std::vector<Dim> dims(const Shape& shape) { return std::vector<Dim>(shape.begin(), shape.end()); }

// The first pools of ResNet (and GoogLeNet) and of SqueezeNet.
std::vector<onnx::AttributeProto> resnet_pool() {
  return {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})};
}
std::vector<onnx::AttributeProto> squeezenet_pool() {
  return {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_int("ceil_mode", 1)};
}

// X -> Conv (+ Relu) -> MaxPool -> `pooled`.
ModelBuilder conv_pool_nodes(std::mt19937& rng, const Layer& layer, bool relu, const std::string& pooled) {
  ModelBuilder model(17);
  const std::int64_t weights = layer.out_channels * layer.x[1] * layer.kernel * layer.kernel;
  model.input("X", FLOAT, dims(layer.x))
      .initializer(raw_tensor<float>("W", {layer.out_channels, layer.x[1], layer.kernel, layer.kernel},
                                     random_values(rng, static_cast<std::size_t>(weights))))
      .initializer(raw_tensor<float>("B", {layer.out_channels},
                                     random_values(rng, static_cast<std::size_t>(layer.out_channels))))
      .node("Conv", {"X", "W", "B"}, {"c"}, "conv",
            {attr_ints("strides", {layer.stride, layer.stride}),
             attr_ints("pads", {layer.pad, layer.pad, layer.pad, layer.pad})});
  std::string pooled_input = "c";
  if (relu) {
    model.node("Relu", {"c"}, {"r"}, "relu");
    pooled_input = "r";
  }
  model.node("MaxPool", {pooled_input}, {pooled}, "pool", layer.pool);
  return model;
}

// X -> Conv (+ Relu) -> MaxPool -> Y.
ModelBuilder conv_pool_model(std::mt19937& rng, const Layer& layer, bool relu = true) {
  ModelBuilder model = conv_pool_nodes(rng, layer, relu, "Y");
  model.output("Y");
  return model;
}

// X -> Conv (+ Relu) -> MaxPool -> depthwise 3x3 conv -> 1x1 conv -> Y:
// the pool's output enters a blocked region (use_nchwc_layout), as
// SqueezeNet's and GoogLeNet's first layers' do.
ModelBuilder conv_pool_region_model(std::mt19937& rng, const Layer& layer) {
  ModelBuilder model = conv_pool_nodes(rng, layer, true, "p");
  const std::int64_t c = layer.out_channels;
  model.initializer(raw_tensor<float>("Wd", {c, 1, 3, 3}, random_values(rng, static_cast<std::size_t>(c * 9))))
      .initializer(raw_tensor<float>("Wp", {8, c, 1, 1}, random_values(rng, static_cast<std::size_t>(8 * c))))
      .node("Conv", {"p", "Wd"}, {"d"}, "depthwise", {attr_int("group", c), attr_ints("pads", {1, 1, 1, 1})})
      .node("Conv", {"d", "Wp"}, {"Y"}, "project")
      .output("Y");
  return model;
}

// A session on X [1, 3, 8, 8] -> a hand-written `op_type` node of the
// com.onnxrun domain named `name` (3x3 weights, `out_channels` outputs) with
// `attributes` and `pool_attributes` -> Y, not optimized.
Session load_conv_node(std::mt19937& rng, const std::string& op_type, const std::string& name,
                       std::int64_t out_channels, std::vector<onnx::AttributeProto> attributes,
                       const std::vector<onnx::AttributeProto>& pool_attributes) {
  ModelBuilder model(17);
  model.opset(1, "com.onnxrun");
  attributes.insert(attributes.end(), pool_attributes.begin(), pool_attributes.end());
  model.input("X", FLOAT, {1, 3, 8, 8})
      .initializer(raw_tensor<float>("W", {out_channels, 3, 3, 3},
                                     random_values(rng, static_cast<std::size_t>(out_channels * 27))))
      .node(op_type, {"X", "W"}, {"Y"}, name, attributes, "com.onnxrun")
      .output("Y");
  return open_session(model, false, 1);
}

std::string first_algorithm(const ModelBuilder& model, const std::vector<NamedTensor>& inputs) {
  const Session session = open_session(model, true, 1);
  RunProfile profile;
  session.run(inputs, profile);
  REQUIRE(!profile.ops.empty());
  return profile.ops[0].algorithm;
}

}  // namespace

TEST_CASE("conv + max pool: Conv, Relu and MaxPool become one FusedConv with the pool's attributes") {
  std::mt19937 rng(40);
  const Layer layer{{1, 3, 12, 12}, 8, 3, 2, 1, {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}),
                                                 attr_int("ceil_mode", 1)}};
  const ModelBuilder model = conv_pool_model(rng, layer);
  Graph graph = load_graph(model);
  CHECK(fuse_conv_residual_activation(graph) == 1);
  CHECK(fuse_max_pool_into_conv(graph) == 1);
  REQUIRE(op_types(graph) == "com.onnxrun.FusedConv");
  const Node& node = graph.nodes[0];
  CHECK(value_names(graph, node.outputs) == Strings{"Y"});
  REQUIRE(node.attributes.find("pool_kernel_shape"));
  CHECK(node.attributes.find("pool_kernel_shape")->ints == Ints{3, 3});
  CHECK(node.attributes.find("pool_ceil_mode")->i == 1);
  CHECK(node.attributes.find("activation")->s == "Relu");
  CHECK(node.attributes.find("strides")->ints == Ints{2, 2});  // the conv's own stay
  const std::vector<NamedTensor> inputs{{"X", random_tensor(rng, layer.x)}};
  check_optimized_matches(model, inputs);
  const std::string algorithm = first_algorithm(model, inputs);
  CHECK(algorithm.size() > 8);
  CHECK(algorithm.substr(algorithm.size() - 8) == "+maxpool");
}

TEST_CASE("conv + max pool: folded results equal the separate ops'") {
  std::mt19937 rng(41);
  const std::vector<onnx::AttributeProto> k3s2p1 = resnet_pool(), k3s2_ceil = squeezenet_pool();
  struct Case {
    const char* name;
    Layer layer;
    bool relu;
  };
  const Case cases[] = {
      // ResNet's first layer and pool, smaller, two images.
      {"7x7/2 conv, 3x3/2 pool padded, batch 2", {{2, 3, 30, 30}, 10, 7, 2, 3, k3s2p1}, true},
      // SqueezeNet's: ceil mode, the last window past the rows.
      {"3x3/2 conv, 3x3/2 pool ceil mode", {{1, 3, 33, 33}, 16, 3, 2, 0, k3s2_ceil}, true},
      // 64 channels of 120-wide rows: 256 KiB bands of 3 pooled rows, so the
      // row two bands share is kept across some 20 bands.
      {"many bands", {{1, 3, 120, 120}, 64, 3, 1, 1, k3s2p1}, true},
      {"pool at stride 1, no activation",
       {{1, 2, 20, 17}, 6, 3, 1, 1, {attr_ints("kernel_shape", {3, 3}), attr_ints("pads", {1, 1, 1, 1})}},
       false},
      {"2x2/2 pool, an odd last row dropped", {{1, 3, 23, 23}, 5, 3, 1, 0, {attr_ints("kernel_shape", {2, 2}),
                                                                         attr_ints("strides", {2, 2})}},
       true},
      {"uneven pool strides and pads",
       {{1, 3, 19, 21}, 7, 5, 2, 2,
        {attr_ints("kernel_shape", {2, 3}), attr_ints("strides", {1, 2}), attr_ints("pads", {0, 1, 1, 0})}},
       true},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const ModelBuilder model = conv_pool_model(rng, c.layer, c.relu);
    const std::vector<NamedTensor> inputs{{"X", random_tensor(rng, c.layer.x)}};
    check_optimized_matches(model, inputs);
    CHECK(first_algorithm(model, inputs) == "direct+maxpool");
  }
}

TEST_CASE("conv + max pool: a convolution that is not direct pools its whole output") {
  std::mt19937 rng(42);
  // 32 input channels: the cost model picks a GEMM or Winograd, not direct.
  const Layer layer{{1, 32, 14, 14}, 16, 3, 1, 1, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}};
  const ModelBuilder model = conv_pool_model(rng, layer);
  const std::vector<NamedTensor> inputs{{"X", random_tensor(rng, layer.x)}};
  check_optimized_matches(model, inputs);
  const std::string algorithm = first_algorithm(model, inputs);
  CHECK(algorithm.find("+maxpool") != std::string::npos);
  CHECK(algorithm.rfind("direct", 0) != 0);
}

TEST_CASE("conv + max pool: what must not fold") {
  std::mt19937 rng(43);
  const std::vector<onnx::AttributeProto> k2s2{attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})};
  const Layer layer{{1, 3, 8, 8}, 4, 3, 1, 1, k2s2};
  const std::vector<NamedTensor> inputs{{"X", random_tensor(rng, layer.x)}};
  SUBCASE("the pool's Indices are used") {
    ModelBuilder model(17);
    model.input("X", FLOAT, dims(layer.x))
        .initializer(raw_tensor<float>("W", {4, 3, 3, 3}, random_values(rng, 108)))
        .node("Conv", {"X", "W"}, {"c"}, "conv", {attr_ints("pads", {1, 1, 1, 1})})
        .node("MaxPool", {"c"}, {"Y", "I"}, "pool", k2s2)
        .output("Y")
        .output("I");
    Graph graph = load_graph(model);
    CHECK(fuse_max_pool_into_conv(graph) == 0);
    CHECK(op_types(graph) == "Conv MaxPool");
  }
  SUBCASE("the convolution's output is read again") {
    ModelBuilder model = conv_pool_model(rng, layer, false);
    model.node("Neg", {"c"}, {"Z"}, "neg").output("Z");
    Graph graph = load_graph(model);
    CHECK(fuse_max_pool_into_conv(graph) == 0);
    check_optimized_matches(model, inputs);
  }
  SUBCASE("the convolution's output is a graph output") {
    ModelBuilder model = conv_pool_model(rng, layer, false);
    model.output("c");
    Graph graph = load_graph(model);
    CHECK(fuse_max_pool_into_conv(graph) == 0);
    check_optimized_matches(model, inputs);
  }
  SUBCASE("a residual is added in the convolution") {
    ModelBuilder model(17);
    model.input("X", FLOAT, dims(layer.x))
        .input("R", FLOAT, {1, 4, 8, 8})
        .initializer(raw_tensor<float>("W", {4, 3, 3, 3}, random_values(rng, 108)))
        .node("Conv", {"X", "W"}, {"c"}, "conv", {attr_ints("pads", {1, 1, 1, 1})})
        .node("Add", {"c", "R"}, {"s"}, "add")
        .node("MaxPool", {"s"}, {"Y"}, "pool", k2s2)
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(fuse_conv_residual_activation(graph) == 1);
    CHECK(fuse_max_pool_into_conv(graph) == 0);
    check_optimized_matches(model, {inputs[0], {"R", random_tensor(rng, {1, 4, 8, 8})}});
  }
  SUBCASE("auto_pad") {
    ModelBuilder model = conv_pool_model(
        rng, Layer{layer.x, 4, 3, 1, 1, {attr_ints("kernel_shape", {3, 3}), attr_string("auto_pad", "SAME_UPPER")}});
    Graph graph = load_graph(model);
    CHECK(fuse_max_pool_into_conv(graph) == 0);
    check_optimized_matches(model, inputs);
  }
  SUBCASE("a 1D pool") {
    ModelBuilder model(17);
    model.input("X", FLOAT, {1, 3, 16})
        .initializer(raw_tensor<float>("W", {4, 3, 3}, random_values(rng, 36)))
        .node("Conv", {"X", "W"}, {"c"}, "conv")
        .node("MaxPool", {"c"}, {"Y"}, "pool", {attr_ints("kernel_shape", {2})})
        .output("Y");
    Graph graph = load_graph(model);
    CHECK(fuse_max_pool_into_conv(graph) == 0);
  }
}

TEST_CASE("conv + max pool: a hand-written FusedConv with bad pool attributes fails at load, naming it") {
  std::mt19937 rng(44);
  const auto load = [&](const std::vector<onnx::AttributeProto>& pool_attributes) {
    return load_conv_node(rng, "FusedConv", "fused", 4, {attr_ints("pads", {1, 1, 1, 1})}, pool_attributes);
  };
  CHECK_THROWS_WITH_AS(load({attr_ints("pool_kernel_shape", {3, 3}), attr_ints("pool_strides", {0, 1})}),
                       doctest::Contains("node 'fused'"), Error);
  CHECK_THROWS_WITH_AS(load({attr_ints("pool_kernel_shape", {3, 3, 3})}), doctest::Contains("node 'fused'"), Error);
  CHECK_THROWS_WITH_AS(load({attr_ints("pool_kernel_shape", {100, 100})}), doctest::Contains("node 'fused'"), Error);
  CHECK_THROWS_WITH_AS(load({attr_ints("pool_kernel_shape", {2, 2}), attr_ints("pool_pads", {-1, 0, 0, 0})}),
                       doctest::Contains("node 'fused'"), Error);
  // Well-formed, the same node loads and pools: 8x8 -> 4x4.
  const Session session = load({attr_ints("pool_kernel_shape", {2, 2}), attr_ints("pool_strides", {2, 2})});
  const std::vector<NamedTensor> outputs = session.run({{"X", random_tensor(rng, {1, 3, 8, 8})}});
  REQUIRE(outputs.size() == 1);
  CHECK(outputs[0].tensor.shape() == Shape{1, 4, 4, 4});
}

TEST_CASE("conv + max pool: a hand-written NchwcConv pools its blocked output, or says why it cannot") {
  std::mt19937 rng(47);
  const auto load = [&](const std::vector<onnx::AttributeProto>& pool_attributes) {
    return load_conv_node(rng, "NchwcConv", "blocked", 8, {attr_ints("pads", {1, 1, 1, 1}), attr_int("nchw_input", 1)},
                          pool_attributes);
  };
  CHECK_THROWS_WITH_AS(load({attr_ints("pool_kernel_shape", {2, 2}), attr_ints("pool_dilations", {2, 2})}),
                       doctest::Contains("node 'blocked'"), Error);
  CHECK_THROWS_WITH_AS(load({attr_ints("pool_kernel_shape", {2, 2, 2})}), doctest::Contains("node 'blocked'"), Error);
  // On a blocked input (a pointwise layer's plane is computed as one row, which bands do not fit).
  {
    ModelBuilder model(17);
    model.opset(1, "com.onnxrun");
    model.input("X", FLOAT, {1, 1, 4, 4, 8})
        .initializer(raw_tensor<float>("W", {8, 8, 1, 1}, random_values(rng, 64)))
        .node("NchwcConv", {"X", "W"}, {"Y"}, "pointwise",
              {attr_ints("pool_kernel_shape", {2, 2}), attr_ints("pool_strides", {2, 2})}, "com.onnxrun")
        .output("Y");
    CHECK_THROWS_WITH_AS(open_session(model, false, 1), doctest::Contains("taken only with nchw_input = 1"), Error);
  }
  const Session session = load({attr_ints("pool_kernel_shape", {2, 2}), attr_ints("pool_strides", {2, 2})});
  const std::vector<NamedTensor> outputs = session.run({{"X", random_tensor(rng, {1, 3, 8, 8})}});
  REQUIRE(outputs.size() == 1);
  CHECK(outputs[0].tensor.shape() == Shape{1, 1, 4, 4, 8});  // 8x8 pooled to 4x4, blocked
}

TEST_CASE("conv + max pool: a first layer whose pool enters a blocked region pools its blocked output in bands") {
  std::mt19937 rng(45);
  const std::vector<onnx::AttributeProto> k3s2p1 = resnet_pool(), k3s2_ceil = squeezenet_pool();
  struct Case {
    const char* name;
    Layer layer;
  };
  const Case cases[] = {
      {"GoogLeNet's: 7x7/2 conv, 3x3/2 pool padded, batch 2", {{2, 3, 30, 30}, 16, 7, 2, 3, k3s2p1}},
      {"SqueezeNet's: 3x3/2 conv, 3x3/2 pool ceil mode", {{1, 3, 33, 33}, 16, 3, 2, 0, k3s2_ceil}},
      // 64 channels of 120-wide rows: 256 KiB bands of 3 pooled rows, the
      // row two bands share kept across some 20 bands; AVX-512's groups of
      // 4 blocks.
      {"many bands", {{1, 3, 120, 120}, 64, 3, 1, 1, k3s2p1}},
      {"uneven pool strides and pads, 3 output blocks",
       {{1, 3, 19, 21}, 24, 5, 2, 2,
        {attr_ints("kernel_shape", {2, 3}), attr_ints("strides", {1, 2}), attr_ints("pads", {0, 1, 1, 0})}}},
      // Stride 3 along W: the NCHW pool kernel takes 1 and 2 only, the blocked one any.
      {"pool stride 3", {{1, 3, 26, 26}, 8, 3, 1, 1, {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {3, 3})}}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const ModelBuilder model = conv_pool_region_model(rng, c.layer);
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(op_types(graph) == "com.onnxrun.NchwcConv com.onnxrun.NchwcConv com.onnxrun.NchwcConv com.onnxrun.ReorderFromNchwc");
    const Node& stem = graph.nodes[0];
    CHECK(stem.attributes.get_int("nchw_input", 0, "test") == 1);
    CHECK(stem.attributes.find("pool_kernel_shape"));
    const std::vector<NamedTensor> inputs{{"X", random_tensor(rng, c.layer.x)}};
    check_optimized_matches(model, inputs);
    const std::string k = std::to_string(c.layer.kernel);
    CHECK(first_algorithm(model, inputs) == "nchw_to_nchwc_direct_" + k + "x" + k + "+maxpool");
  }
}

TEST_CASE("conv + max pool: a first layer's pool stays NCHW where NCHW readers need it") {
  std::mt19937 rng(46);
  const Layer layer{{1, 3, 17, 17}, 16, 3, 2, 1, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})}};
  const std::vector<NamedTensor> inputs{{"X", random_tensor(rng, layer.x)}};
  SUBCASE("the pool's output is a graph output") {
    ModelBuilder model = conv_pool_region_model(rng, layer);
    model.output("p");
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(graph.nodes[0].op_type == "FusedConv");
    CHECK(graph.nodes[0].attributes.find("pool_kernel_shape"));
    check_optimized_matches(model, inputs);
  }
  SUBCASE("the convolution's output is read again") {
    ModelBuilder model = conv_pool_region_model(rng, layer);
    model.node("Neg", {"r"}, {"Z"}, "neg").output("Z");
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(graph.nodes[0].op_type == "FusedConv");
    CHECK_FALSE(graph.nodes[0].attributes.find("pool_kernel_shape"));
    check_optimized_matches(model, inputs);
  }
}
