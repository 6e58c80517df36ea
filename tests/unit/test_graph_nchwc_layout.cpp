// The NCHW8c layout pass (use_nchwc_layout): which convolutions go blocked,
// where the reorders land, and that the blocked graph computes what the
// unoptimized one and the optimized NCHW one do.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>

#include "runtime/exec/op_registry.hpp"
#include "runtime/exec/value_shapes.hpp"
#include "runtime/graph/optimize.hpp"
#include "tests/support/graph_pass_support.hpp"

using namespace onnxrun;
using namespace onnxrun::testing;

namespace {

using Strings = std::vector<std::string>;

// Adds a conv node named `name`: weights [out, in / group, k, k] from rng,
// a bias, "same" padding.
void add_conv(ModelBuilder& model, std::mt19937& rng, const std::string& name, const std::string& input,
              const std::string& output, std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t group = 1,
              std::int64_t stride = 1) {
  const std::int64_t count = out * (in / group) * k * k;
  model.initializer(raw_tensor<float>(name + "_w", {out, in / group, k, k},
                                      random_values(rng, static_cast<std::size_t>(count), -0.5f, 0.5f)))
      .initializer(raw_tensor<float>(name + "_b", {out}, random_values(rng, static_cast<std::size_t>(out))))
      .node("Conv", {input, name + "_w", name + "_b"}, {output}, name,
            {attr_ints("pads", {k / 2, k / 2, k / 2, k / 2}), attr_int("group", group),
             attr_ints("strides", {stride, stride})});
}

int count_ops(const Graph& graph, const std::string& op_type) {
  int n = 0;
  for (const Node& node : graph.nodes) n += node.op_type == op_type;
  return n;
}

Session open_layout_session(const ModelBuilder& model, bool blocked, int threads) {
  const std::string bytes = model.bytes();
  SessionOptions options;
  options.threads = threads;
  options.blocked_layout = blocked;
  return Session::from_bytes(bytes.data(), bytes.size(), options);
}

// The blocked session matches the unoptimized one (check_optimized_matches)
// and the optimized NCHW one.
void check_layouts_match(const ModelBuilder& model, const std::vector<NamedTensor>& inputs) {
  check_optimized_matches(model, inputs);
  for (int threads : {1, 2}) {
    const std::vector<NamedTensor> nchw = open_layout_session(model, false, threads).run(inputs);
    const std::vector<NamedTensor> blocked = open_layout_session(model, true, threads).run(inputs);
    REQUIRE(blocked.size() == nchw.size());
    for (std::size_t i = 0; i < nchw.size(); ++i) check_close(blocked[i].tensor, nchw[i].tensor);
  }
}

// MobileNetV2's inverted residual: 1x1 expand, ReLU6, 3x3 depthwise, ReLU6,
// 1x1 project, + input.
ModelBuilder inverted_residual(std::mt19937& rng) {
  ModelBuilder model(17);
  model.input("X", FLOAT, {1, 16, 9, 10})
      .initializer(raw_tensor<float>("lo", {}, {0.0f}))
      .initializer(raw_tensor<float>("hi", {}, {6.0f}));
  add_conv(model, rng, "expand", "X", "e", 16, 48, 1);
  model.node("Clip", {"e", "lo", "hi"}, {"e6"}, "expand_relu6");
  add_conv(model, rng, "depthwise", "e6", "d", 48, 48, 3, 48);
  model.node("Clip", {"d", "lo", "hi"}, {"d6"}, "depthwise_relu6");
  add_conv(model, rng, "project", "d6", "p", 48, 16, 1);
  model.node("Add", {"p", "X"}, {"Y"}, "residual").output("Y");
  return model;
}

}  // namespace

TEST_CASE("NCHW8c layout: an inverted residual block runs blocked between two reorders") {
  std::mt19937 rng(3);
  const ModelBuilder model = inverted_residual(rng);
  Graph graph = load_graph(model);
  optimize_graph(graph);
  CHECK(count_ops(graph, "NchwcConv") == 3);
  CHECK(count_ops(graph, "FusedConv") == 0);
  // X is reordered once (read by the expand conv and as the residual); Y is
  // restored once, under its own name, for the graph output.
  CHECK(count_ops(graph, "ReorderToNchwc") == 1);
  CHECK(count_ops(graph, "ReorderFromNchwc") == 1);
  const Node& project = node_named(graph, "project");
  CHECK(project.domain == "com.onnxrun");
  CHECK(value_names(graph, project.inputs)[3] == "X_nchwc");
  for (const Node& node : graph.nodes)
    if (node.op_type == "ReorderFromNchwc") CHECK(value_names(graph, node.outputs) == Strings{"Y"});
  CHECK_NOTHROW(graph.topological_order());
  check_layouts_match(model, {{"X", random_tensor(rng, {1, 16, 9, 10})}});
}

namespace {

// EfficientNet's block: expand, depthwise (stride 2, 5x5), GlobalAveragePool
// -> 1x1 (to 8) -> Relu -> 1x1 (to 32) -> Sigmoid, scale, project (k x k,
// stride `stride`, to `out` channels). The expand output is also a graph
// output, so it is restored to NCHW too.
ModelBuilder squeeze_excitation(std::mt19937& rng, const Shape& x, std::int64_t out, std::int64_t k,
                                std::int64_t stride) {
  ModelBuilder model(17);
  model.input("X", FLOAT, std::vector<Dim>(x.begin(), x.end()));
  add_conv(model, rng, "expand", "X", "e", 8, 32, 1);
  model.node("Sigmoid", {"e"}, {"es"}, "expand_sigmoid").node("Mul", {"e", "es"}, {"silu"}, "expand_silu");
  add_conv(model, rng, "depthwise", "silu", "d", 32, 32, 5, 32, 2);
  model.node("GlobalAveragePool", {"d"}, {"pooled"}, "pool");
  add_conv(model, rng, "squeeze", "pooled", "sq", 32, 8, 1);
  model.node("Relu", {"sq"}, {"sqr"}, "squeeze_relu");
  add_conv(model, rng, "excite", "sqr", "ex", 8, 32, 1);
  model.node("Sigmoid", {"ex"}, {"scale"}, "excite_sigmoid").node("Mul", {"d", "scale"}, {"scaled"}, "se_scale");
  add_conv(model, rng, "project", "scaled", "Y", 32, out, k, 1, stride);
  model.output("Y").output("e");
  return model;
}

}  // namespace

TEST_CASE("NCHW8c layout: squeeze-excitation, a stride-2 depthwise conv and a value also read in NCHW") {
  std::mt19937 rng(5);
  const ModelBuilder model = squeeze_excitation(rng, {2, 8, 11, 12}, 16, 1, 1);
  Graph graph = load_graph(model);
  optimize_graph(graph);
  // The pooling goes into the depthwise conv as its second output; the
  // scale [2, 32, 1, 1] is reordered to [2, 4, 1, 1, 8], and the Mul goes
  // into the projection as its Scale input.
  const Node& depthwise = node_named(graph, "depthwise");
  CHECK(depthwise.op_type == "NchwcConv");
  CHECK(value_names(graph, depthwise.outputs) == Strings{"d_nchwc", "pooled"});
  CHECK(count_ops(graph, "NchwcGlobalAveragePool") == 0);
  CHECK(count_ops(graph, "Mul") == 1);  // the expand's SiLU only
  const Node& project = node_named(graph, "project");
  CHECK(project.op_type == "NchwcConv");
  REQUIRE(project.inputs.size() == 5);
  CHECK(value_names(graph, {project.inputs[0], project.inputs[4]}) == Strings{"d_nchwc", "scale_nchwc"});
  CHECK(count_ops(graph, "ReorderFromNchwc") == 2);  // Y and e
  check_layouts_match(model, {{"X", random_tensor(rng, {2, 8, 11, 12})}});
}

TEST_CASE(
    "NCHW8c layout: a squeeze-excitation's pooling goes into the conv before it, its scale into the weights or the "
    "input of the conv after it") {
  std::mt19937 rng(8);
  // Weights no larger than the input: scaled weights per image, for a 1x1 and
  // a 3x3 stride-2 projection (every tap's weights scaled); else the input.
  struct Case {
    Shape x;
    std::int64_t out, k, stride;
  };
  // The last: a plane that 2 threads split into runs of pixels, whose pooled
  // sums are added up.
  for (const Case& c : {Case{{2, 8, 11, 12}, 24, 1, 1}, Case{{1, 8, 31, 33}, 16, 3, 2}, Case{{2, 8, 5, 6}, 64, 1, 1},
                        Case{{2, 8, 13, 9}, 24, 3, 2}, Case{{1, 8, 64, 64}, 16, 1, 1}}) {
    CAPTURE(c.out);
    CAPTURE(c.k);
    const ModelBuilder model = squeeze_excitation(rng, c.x, c.out, c.k, c.stride);
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(node_named(graph, "project").inputs.size() == 5);
    check_layouts_match(model, {{"X", random_tensor(rng, c.x)}});
  }
}

TEST_CASE("NCHW8c layout: a Mul stays when its scale is not pooled from the scaled tensor, or others read it") {
  std::mt19937 rng(9);
  SUBCASE("the scale is pooled from another tensor") {
    ModelBuilder model(17);
    model.input("X", FLOAT, {1, 16, 8, 8});
    add_conv(model, rng, "expand", "X", "e", 16, 32, 1);
    add_conv(model, rng, "depthwise", "e", "d", 32, 32, 3, 32);
    model.node("GlobalAveragePool", {"e"}, {"pooled"}, "pool").node("Sigmoid", {"pooled"}, {"scale"}, "sigmoid");
    model.node("Mul", {"d", "scale"}, {"scaled"}, "se_scale");
    add_conv(model, rng, "project", "scaled", "Y", 32, 16, 1);
    model.output("Y");
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(node_named(graph, "se_scale").op_type == "Mul");
    CHECK(node_named(graph, "project").inputs.size() < 5);
    check_layouts_match(model, {{"X", random_tensor(rng, {1, 16, 8, 8})}});
  }
  SUBCASE("the product is also a graph output") {
    ModelBuilder model = squeeze_excitation(rng, {1, 8, 11, 12}, 16, 1, 1);
    model.output("scaled");
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(node_named(graph, "se_scale").op_type == "Mul");
    check_layouts_match(model, {{"X", random_tensor(rng, {1, 8, 11, 12})}});
  }
}

TEST_CASE("NCHW8c layout: a first layer on RGB writes the blocked output itself, unless NCHW readers need it") {
  // MobileNetV2's start: a 3-channel stride-2 conv with ReLU, then a depthwise
  // region. The stem reads the NCHW image and writes NCHW8c: no reorder.
  std::mt19937 rng(13);
  const auto stem_model = [&](bool stem_is_output) {
    ModelBuilder model(17);
    model.input("X", FLOAT, {2, 3, 13, 11});
    add_conv(model, rng, "stem", "X", "s", 3, 16, 3, 1, 2);
    model.node("Relu", {"s"}, {"sr"}, "stem_relu");
    add_conv(model, rng, "depthwise", "sr", "d", 16, 16, 3, 16);
    add_conv(model, rng, "project", "d", "Y", 16, 8, 1);
    model.output("Y");
    if (stem_is_output) model.output("sr");
    return model;
  };
  SUBCASE("only the region reads the stem's output") {
    const ModelBuilder model = stem_model(false);
    Graph graph = load_graph(model);
    optimize_graph(graph);
    const Node& stem = node_named(graph, "stem");
    CHECK(stem.op_type == "NchwcConv");
    CHECK(stem.attributes.get_int("nchw_input", 0, "test") == 1);
    CHECK(stem.attributes.get_string("activation", "", "test") == "Relu");
    CHECK(value_names(graph, stem.inputs)[0] == "X");
    CHECK(count_ops(graph, "ReorderToNchwc") == 0);
    CHECK(count_ops(graph, "ReorderFromNchwc") == 1);  // Y
    CHECK_NOTHROW(graph.topological_order());
    check_layouts_match(model, {{"X", random_tensor(rng, {2, 3, 13, 11})}});
  }
  SUBCASE("the stem's output is also a graph output") {
    const ModelBuilder model = stem_model(true);
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(node_named(graph, "stem").op_type == "FusedConv");
    CHECK(count_ops(graph, "ReorderToNchwc") == 1);
    check_layouts_match(model, {{"X", random_tensor(rng, {2, 3, 13, 11})}});
  }
}

// Two ResNet basic blocks without stride (the second widened by 1x1 convs,
// its shortcut a 1x1 projection), then GlobalAveragePool.
ModelBuilder basic_blocks(std::mt19937& rng, std::int64_t c_stride, std::int64_t batch = 2, std::int64_t size = 16) {
  ModelBuilder model(17);
  model.input("X", FLOAT, {batch, 32, size, size});
  add_conv(model, rng, "a", "X", "a_out", 32, 32, 3);
  model.node("Relu", {"a_out"}, {"a_relu"}, "a_act");
  add_conv(model, rng, "b", "a_relu", "b_out", 32, 32, 3);
  model.node("Add", {"b_out", "X"}, {"sum1"}, "add1").node("Relu", {"sum1"}, {"block1"}, "block1_act");
  add_conv(model, rng, "c", "block1", "c_out", 32, 64, c_stride == 1 ? 1 : 3, 1, c_stride);
  model.node("Relu", {"c_out"}, {"c_relu"}, "c_act");
  add_conv(model, rng, "d", "c_relu", "d_out", 64, 64, 3);
  add_conv(model, rng, "projection", "block1", "e_out", 32, 64, 1, 1, c_stride);
  model.node("Add", {"d_out", "e_out"}, {"sum2"}, "add2").node("Relu", {"sum2"}, {"block2"}, "block2_act");
  model.node("GlobalAveragePool", {"block2"}, {"Y"}, "pool").output("Y");
  return model;
}

TEST_CASE("NCHW8c layout: ResNet blocks without strides run blocked, Winograd in NCHW8c, the pool folded in") {
  // One region, one reorder at its entry, none at its exit (the pool reads
  // the blocked tensor, here folded into the last conv, a Winograd one with
  // a residual and a ReLU). At batch 1 the 64-channel conv d has as many
  // transformed weights as twice its 16 tiles: it runs NCHW Winograd between
  // reorders (conv_choice.cpp); at batch 2, 32 tiles, blocked Winograd.
  std::mt19937 rng(31);
  for (std::int64_t batch : {1, 2}) {
    CAPTURE(batch);
    const ModelBuilder model = basic_blocks(rng, 1, batch);
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(count_ops(graph, "NchwcConv") == 5);
    CHECK(count_ops(graph, "ReorderToNchwc") == 1);
    CHECK(count_ops(graph, "ReorderFromNchwc") == 0);
    const std::vector<NamedTensor> inputs{{"X", random_tensor(rng, {batch, 32, 16, 16})}};
    check_layouts_match(model, inputs);
    for (int threads : {1, 2}) {
      RunProfile profile;
      open_layout_session(model, true, threads).run(inputs, profile);
      std::map<std::string, std::string> algorithm;
      for (const OpProfile& op : profile.ops) algorithm[op.node] = op.algorithm;
      CHECK(algorithm["a"].rfind("nchwc_winograd_f", 0) == 0);
      CHECK(algorithm["b"].rfind("nchwc_winograd_f", 0) == 0);
      const std::string d = algorithm["d"];
      CHECK((batch == 1 ? d.rfind("winograd_f", 0) == 0 && d.find("_via_nchw") != std::string::npos
                        : d.rfind("nchwc_winograd_f", 0) == 0));
      CHECK(algorithm["c"] == "nchwc_direct_1x1");
    }
  }
}

// Two SqueezeNet fire modules (squeeze 1x1, expand 1x1 and 3x3, Concat) with
// a ceil_mode MaxPool between them, a 1x1 classifier and GlobalAveragePool.
// squeeze_channels 4 leaves the first squeeze's output unblockable.
ModelBuilder fire_modules(std::mt19937& rng, std::int64_t squeeze_channels) {
  ModelBuilder model(17);
  model.input("X", FLOAT, {1, 16, 19, 19});
  const auto fire = [&](const std::string& name, const std::string& input, std::int64_t in, std::int64_t squeeze,
                        std::int64_t expand, const std::string& output) {
    add_conv(model, rng, name + "_squeeze", input, name + "_s", in, squeeze, 1);
    model.node("Relu", {name + "_s"}, {name + "_sr"}, name + "_squeeze_act");
    add_conv(model, rng, name + "_e1", name + "_sr", name + "_a", squeeze, expand, 1);
    model.node("Relu", {name + "_a"}, {name + "_ar"}, name + "_e1_act");
    add_conv(model, rng, name + "_e3", name + "_sr", name + "_b", squeeze, expand, 3);
    model.node("Relu", {name + "_b"}, {name + "_br"}, name + "_e3_act");
    model.node("Concat", {name + "_ar", name + "_br"}, {output}, name + "_concat", {attr_int("axis", 1)});
  };
  fire("fire1", "X", 16, squeeze_channels, 16, "f1");
  model.node("MaxPool", {"f1"}, {"pooled"}, "maxpool",
             {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_int("ceil_mode", 1)});
  fire("fire2", "pooled", 32, 16, 32, "f2");
  add_conv(model, rng, "classifier", "f2", "c", 64, 24, 1);
  model.node("Relu", {"c"}, {"cr"}, "classifier_act");
  model.node("GlobalAveragePool", {"cr"}, {"Y"}, "pool").output("Y");
  return model;
}

TEST_CASE("NCHW8c layout: fire modules run blocked through Concat and MaxPool, with one reorder") {
  std::mt19937 rng(37);
  const ModelBuilder model = fire_modules(rng, 8);
  Graph graph = load_graph(model);
  optimize_graph(graph);
  CHECK(count_ops(graph, "NchwcConv") == 7);
  CHECK(count_ops(graph, "NchwcMaxPool") == 1);
  CHECK(count_ops(graph, "ReorderToNchwc") == 1);
  CHECK(count_ops(graph, "ReorderFromNchwc") == 0);
  for (const char* concat : {"fire1_concat", "fire2_concat"}) {
    CAPTURE(concat);
    for (const std::string& input : value_names(graph, node_named(graph, concat).inputs))
      CHECK(input.find("_nchwc") != std::string::npos);
  }
  check_layouts_match(model, {{"X", random_tensor(rng, {1, 16, 19, 19})}});
}

TEST_CASE("NCHW8c layout: a Concat with an input of channels not whole blocks stays NCHW") {
  std::mt19937 rng(41);
  const ModelBuilder model = fire_modules(rng, 4);  // fire1: 4-channel squeeze, its expands unblocked
  Graph graph = load_graph(model);
  optimize_graph(graph);
  CHECK(node_named(graph, "fire1_concat").op_type == "Concat");
  CHECK(node_named(graph, "fire1_e3").op_type != "NchwcConv");
  CHECK(count_ops(graph, "NchwcMaxPool") == 0);  // its input, fire1's Concat, is NCHW
  check_layouts_match(model, {{"X", random_tensor(rng, {1, 16, 19, 19})}});
}

TEST_CASE("NCHW8c layout: with shapes, a ResNet stage's large planes run blocked between its strided layers") {
  // basic_blocks at 28x28: a, b (and the residual) on 28x28 planes; c and the
  // projection strided to 14x14, d on 14x14.
  std::mt19937 rng(14);
  const ModelBuilder model = basic_blocks(rng, 2, 1, 28);
  const Shape x{1, 32, 28, 28};
  const ValueShapesOf shapes_of = [&](const Graph& fused) {
    return infer_value_shapes(fused, builtin_op_registry(), {x});
  };
  Graph graph = load_graph(model);
  optimize_graph(graph, true, shapes_of);
  CHECK(node_named(graph, "a").op_type == "NchwcConv");
  CHECK(node_named(graph, "b").op_type == "NchwcConv");
  CHECK(node_named(graph, "c").op_type == "FusedConv");  // strided
  CHECK(node_named(graph, "projection").op_type == "Conv");  // strided
  CHECK(node_named(graph, "d").op_type == "FusedConv");  // 14x14: below kMinSplitRegionPlane
  CHECK(count_ops(graph, "ReorderToNchwc") == 1);  // X
  CHECK(count_ops(graph, "ReorderFromNchwc") == 1);  // block1, for c and the projection
  // The session infers the shapes itself; blocked and NCHW agree.
  check_layouts_match(model, {{"X", random_tensor(rng, x)}});
  SUBCASE("the same graph at 16x16 planes, or without shapes, stays NCHW") {
    Graph small = load_graph(basic_blocks(rng, 2, 1, 16));
    optimize_graph(small, true, [](const Graph& fused) {
      return infer_value_shapes(fused, builtin_op_registry(), {Shape{1, 32, 16, 16}});
    });
    CHECK(count_ops(small, "NchwcConv") == 0);
    Graph unknown = load_graph(model);
    optimize_graph(unknown);
    CHECK(count_ops(unknown, "NchwcConv") == 0);
  }
}

TEST_CASE("infer_value_shapes: shapes from the ops' inference; values computed at run time stay unknown") {
  std::mt19937 rng(15);
  ModelBuilder model(17);
  model.input("X", FLOAT, {1, 8, 10, 12}).input("S", INT64, {2});
  add_conv(model, rng, "conv", "X", "c", 8, 16, 3, 1, 2);
  model.node("Shape", {"c"}, {"s"}, "shape")
      .node("Reshape", {"c", "S"}, {"r"}, "reshape")
      .output("s")
      .output("r");
  Graph graph = load_graph(model);
  const ValueShapes shapes = infer_value_shapes(graph, builtin_op_registry(), {Shape{1, 8, 10, 12}, Shape{2}});
  const auto shape_of = [&](const std::string& name) { return shapes.at(static_cast<std::size_t>(graph.value_id(name))); };
  REQUIRE(shape_of("c").has_value());
  CHECK(*shape_of("c") == Shape{1, 16, 5, 6});
  CHECK(*shape_of("s") == Shape{4});
  CHECK_FALSE(shape_of("r").has_value());  // its shape is S's value
}

TEST_CASE("NCHW8c layout: what stays NCHW") {
  std::mt19937 rng(7);
  SUBCASE("a lone depthwise conv (a region of one)") {
    ModelBuilder model(17);
    model.input("X", FLOAT, {1, 16, 6, 6});
    add_conv(model, rng, "depthwise", "X", "Y", 16, 16, 3, 16);
    model.output("Y");
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(op_types(graph) == "Conv");
  }
  SUBCASE("a region with neither a depthwise conv nor a dense 3x3 stride-1 one") {
    ModelBuilder model(17);
    model.input("X", FLOAT, {1, 16, 6, 6});
    add_conv(model, rng, "a", "X", "a_out", 16, 16, 3, 1, 2);
    add_conv(model, rng, "b", "a_out", "b_out", 16, 16, 1);
    add_conv(model, rng, "c", "b_out", "Y", 16, 16, 1);
    model.output("Y");
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(count_ops(graph, "NchwcConv") == 0);
  }
  SUBCASE("a region with Winograd convs and a strided dense conv (ResNet's downsampling blocks)") {
    // Blocked, the strided layers ran 1.1-1.6x the time of im2col + GEMM
    // on ResNet-50 (pass_nchwc_layout.cpp).
    const ModelBuilder model = basic_blocks(rng, 2);
    Graph graph = load_graph(model);
    optimize_graph(graph);
    CHECK(count_ops(graph, "NchwcConv") == 0);
  }
  SUBCASE("channel counts that are not multiples of 8") {
    ModelBuilder model(17);
    model.input("X", FLOAT, {1, 12, 6, 6});
    add_conv(model, rng, "expand", "X", "e", 12, 24, 1);
    add_conv(model, rng, "depthwise", "e", "d", 24, 24, 3, 24);
    add_conv(model, rng, "project", "d", "Y", 24, 12, 1);
    model.output("Y");
    Graph graph = load_graph(model);
    optimize_graph(graph);
    // Only expand -> depthwise: the 12-channel input and output stay NCHW.
    CHECK(node_named(graph, "expand").op_type == "Conv");
    CHECK(node_named(graph, "project").op_type == "Conv");
    CHECK(node_named(graph, "depthwise").op_type == "Conv");  // alone in its region
    check_layouts_match(model, {{"X", random_tensor(rng, {1, 12, 6, 6})}});
  }
  SUBCASE("blocked_layout = false") {
    const ModelBuilder model = inverted_residual(rng);
    Graph graph = load_graph(model);
    optimize_graph(graph, false);
    CHECK(count_ops(graph, "NchwcConv") == 0);
    CHECK(count_ops(graph, "FusedConv") == 3);
  }
}

TEST_CASE("NCHW8c layout: an NchwcConv Scale input of the wrong shape is an error that says so") {
  std::mt19937 rng(10);
  for (const Shape& scale : {Shape{1, 3, 1, 1, 8}, Shape{1, 2, 2, 1, 8}, Shape{2, 2, 1, 1, 8}}) {
    CAPTURE(shape_to_string(scale));
    ModelBuilder model(17);
    model.opset(1, "com.onnxrun")
        .input("X", FLOAT, {1, 2, 4, 4, 8})
        .input("S", FLOAT, std::vector<Dim>(scale.begin(), scale.end()))
        .initializer(raw_tensor<float>("W", {16, 16, 1, 1}, random_values(rng, 256)))
        .node("NchwcConv", {"X", "W", "", "", "S"}, {"Y"}, "scaled_conv", {}, "com.onnxrun")
        .output("Y");
    CHECK_THROWS_WITH_AS(open_layout_session(model, true, 1), doctest::Contains("input 4 (Scale) has shape"), Error);
  }
}

TEST_CASE("NCHW8c layout: a hand-written NchwcMaxPool with a bad input or attributes fails at load, naming it") {
  const auto load = [&](const std::vector<Dim>& x, const std::vector<onnx::AttributeProto>& attributes) {
    ModelBuilder model(17);
    model.opset(1, "com.onnxrun")
        .input("X", FLOAT, x)
        .node("NchwcMaxPool", {"X"}, {"Y"}, "blocked_pool", attributes, "com.onnxrun")
        .output("Y");
    return open_layout_session(model, true, 1);
  };
  const std::vector<Dim> good{1, 2, 6, 6, 8};
  CHECK_THROWS_WITH_AS(load({1, 16, 6, 6}, {attr_ints("kernel_shape", {2, 2})}), doctest::Contains("blocked_pool"),
                       Error);  // NCHW, not blocked
  CHECK_THROWS_WITH_AS(load({1, 2, 6, 6, 4}, {attr_ints("kernel_shape", {2, 2})}), doctest::Contains("blocked_pool"),
                       Error);  // blocks of 4
  CHECK_THROWS_WITH_AS(load(good, {}), doctest::Contains("blocked_pool"), Error);  // no kernel_shape
  CHECK_THROWS_WITH_AS(load(good, {attr_ints("kernel_shape", {2, 2, 2})}), doctest::Contains("blocked_pool"), Error);
  CHECK_THROWS_WITH_AS(load(good, {attr_ints("kernel_shape", {9, 9})}), doctest::Contains("blocked_pool"), Error);
  CHECK_THROWS_WITH_AS(load(good, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {0, 1})}),
                       doctest::Contains("blocked_pool"), Error);
  CHECK_THROWS_WITH_AS(load(good, {attr_ints("kernel_shape", {2, 2}), attr_ints("dilations", {2, 2})}),
                       doctest::Contains("dilations"), Error);
  // Well-formed, it pools: 6x6 -> 3x3, each lane the maximum of its window.
  std::mt19937 rng(43);
  const Tensor x = random_tensor(rng, {1, 2, 6, 6, 8});
  const Session session = load(good, {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})});
  const std::vector<NamedTensor> outputs = session.run({{"X", x}});
  REQUIRE(outputs.size() == 1);
  REQUIRE(outputs[0].tensor.shape() == Shape{1, 2, 3, 3, 8});
  const float* in = x.data_as<float>();
  const float* out = outputs[0].tensor.data_as<float>();
  for (int lane = 0; lane < 8; ++lane) {  // block 1, output pixel (2, 1): input rows 4-5, columns 2-3
    const auto at = [&](int y, int col) { return in[((1 * 6 + y) * 6 + col) * 8 + lane]; };
    const float expected = std::max({at(4, 2), at(4, 3), at(5, 2), at(5, 3)});
    CHECK(out[((1 * 3 + 2) * 3 + 1) * 8 + lane] == expected);
  }
}

TEST_CASE("NCHW8c layout: a blocked Concat of one value twice, and of a value that is also a graph output") {
  std::mt19937 rng(47);
  ModelBuilder model(17);
  model.input("X", FLOAT, {1, 16, 9, 9});
  add_conv(model, rng, "a", "X", "a_out", 16, 16, 1);
  model.node("Relu", {"a_out"}, {"r"}, "a_act");
  model.node("Concat", {"r", "r", "X"}, {"cat"}, "concat", {attr_int("axis", 1)});
  add_conv(model, rng, "b", "cat", "Y", 48, 16, 3);
  model.output("Y").output("r");
  Graph graph = load_graph(model);
  optimize_graph(graph);
  CHECK(node_named(graph, "b").op_type == "NchwcConv");
  CHECK(count_ops(graph, "ReorderFromNchwc") == 2);  // the graph outputs Y and r
  check_layouts_match(model, {{"X", random_tensor(rng, {1, 16, 9, 9})}});
}
