// Tests for the arena memory planner: every plan is valid (no two buffers
// alive at one step share bytes, offsets aligned), close to the lower bound
// peak_live_bytes on graph-like and random lifetimes, and a real model's arena
// is smaller than keeping every intermediate tensor apart.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <vector>

#include "frontends/onnx/onnx_loader.hpp"
#include "onnxrun/onnxrun.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/core/checked_math.hpp"
#include "runtime/exec/memory_planner.hpp"
#include "runtime/exec/op_registry.hpp"

namespace fs = std::filesystem;
using namespace onnxrun;

namespace {

bool alive_together(const UsageRecord& a, const UsageRecord& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}

// The contract of plan_memory, checked pairwise (quadratic, fine at test sizes).
void check_valid(const std::vector<UsageRecord>& records, const MemoryPlan& plan) {
  REQUIRE(plan.offsets.size() == records.size());
  CHECK(plan.arena_bytes % kBufferAlignment == 0);
  CHECK(plan.arena_bytes >= peak_live_bytes(records));
  for (std::size_t i = 0; i < records.size(); ++i) {
    INFO("record " << i << " [" << records[i].first_use << ", " << records[i].last_use << "] " << records[i].bytes
                   << " bytes at " << plan.offsets[i]);
    CHECK(plan.offsets[i] % kBufferAlignment == 0);
    if (records[i].bytes == 0) continue;
    CHECK(plan.offsets[i] + records[i].bytes <= plan.arena_bytes);
    for (std::size_t j = 0; j < i; ++j) {
      if (records[j].bytes == 0 || !alive_together(records[i], records[j])) continue;
      const bool disjoint = plan.offsets[i] + records[i].bytes <= plan.offsets[j] ||
                            plan.offsets[j] + records[j].bytes <= plan.offsets[i];
      INFO("overlaps record " << j << " [" << records[j].first_use << ", " << records[j].last_use << "] "
                              << records[j].bytes << " bytes at " << plan.offsets[j]);
      CHECK(disjoint);
    }
  }
}

double ratio_to_peak(const std::vector<UsageRecord>& records, const MemoryPlan& plan) {
  return static_cast<double>(plan.arena_bytes) / static_cast<double>(peak_live_bytes(records));
}

// Sizes like a CNN's activations: a few KiB to a few MiB, mostly not multiples
// of the alignment. Raw mt19937 output, so the cases are the same everywhere.
std::size_t random_bytes(std::mt19937& random) {
  const unsigned shift = 10 + random() % 12;
  return (std::size_t{1} << shift) + random() % (std::size_t{1} << shift);
}

fs::path fixtures_dir() {
#ifdef ONNXRUN_FIXTURES_DIR
  return ONNXRUN_FIXTURES_DIR;
#else
  return fs::path(__FILE__).parent_path().parent_path() / "models" / "fixtures";
#endif
}

// Sum over every non-constant node output that is not a graph output (64-byte
// rounded, as the arena places them) plus every op's workspace: the arena a
// planner without reuse would need. Shapes come from the ops' own inference.
std::size_t unshared_intermediate_bytes(const Graph& graph) {
  std::vector<ValueDesc> descs(graph.values.size());
  for (std::size_t v = 0; v < graph.values.size(); ++v)
    if (graph.values[v].constant)
      descs[v] = ValueDesc{graph.values[v].constant->dtype(), graph.values[v].constant->shape(),
                           &*graph.values[v].constant, true};
  for (const GraphInput& input : graph.inputs) {
    Shape shape;
    for (const DeclaredDim& dim : input.dims) shape.push_back(dim.value >= 0 ? dim.value : 1);
    descs[input.value] = ValueDesc{graph.values[input.value].dtype, shape, nullptr, true};
  }
  std::vector<bool> is_output(graph.values.size(), false);
  for (const GraphOutput& output : graph.outputs) is_output[output.value] = true;

  std::size_t total = 0;
  for (int n : graph.topological_order()) {
    const Node& node = graph.nodes[n];
    const OpRegistration* registration = builtin_op_registry().find(node.domain, node.op_type, node.opset);
    REQUIRE(registration != nullptr);
    std::vector<ValueDesc> inputs;
    for (ValueId in : node.inputs) inputs.push_back(in == kNoValue ? ValueDesc{} : descs[in]);
    std::unique_ptr<Op> op = registration->factory(node);
    InferContext infer(node, inputs, node.outputs.size());
    op->infer(infer);
    std::vector<ValueDesc> outputs;
    for (std::size_t i = 0; i < node.outputs.size(); ++i) {
      outputs.push_back(infer.outputs()[i]);
      if (node.outputs[i] == kNoValue) continue;
      descs[node.outputs[i]] = infer.outputs()[i];
      if (!is_output[node.outputs[i]])
        total += round_up_to_alignment(static_cast<std::size_t>(
            checked_byte_count(infer.outputs()[i].shape, dtype_size(infer.outputs()[i].dtype), "test")));
    }
    PrepareContext prepare(inputs, outputs, 1);
    op->prepare(prepare);
    total += round_up_to_alignment(prepare.workspace_bytes());
  }
  return total;
}

}  // namespace

TEST_CASE("memory planner: no records, zero-size records") {
  CHECK(plan_memory({}).arena_bytes == 0);
  CHECK(plan_memory({}).offsets.empty());
  CHECK(peak_live_bytes({}) == 0);

  const std::vector<UsageRecord> zeros{{0, 3, 0}, {1, 2, 0}, {2, 2, 0}};
  const MemoryPlan zero_plan = plan_memory(zeros);
  check_valid(zeros, zero_plan);
  CHECK(zero_plan.arena_bytes == 0);
  CHECK(peak_live_bytes(zeros) == 0);

  // Zero-size records among real ones take no room and change nothing.
  const std::vector<UsageRecord> mixed{{0, 1, 100}, {0, 4, 0}, {1, 2, 200}, {2, 2, 0}, {2, 3, 64}};
  const MemoryPlan mixed_plan = plan_memory(mixed);
  check_valid(mixed, mixed_plan);
  const std::vector<UsageRecord> without_zeros{{0, 1, 100}, {1, 2, 200}, {2, 3, 64}};
  CHECK(peak_live_bytes(mixed) == peak_live_bytes(without_zeros));
  CHECK(mixed_plan.arena_bytes == plan_memory(without_zeros).arena_bytes);
}

TEST_CASE("memory planner: small cases with known answers") {
  // One buffer: its size rounded up to the alignment.
  CHECK(plan_memory({{0, 0, 1}}).arena_bytes == 64);
  CHECK(plan_memory({{0, 0, 64}}).arena_bytes == 64);
  CHECK(plan_memory({{0, 0, 65}}).arena_bytes == 128);
  CHECK(peak_live_bytes({{0, 0, 65}}) == 128);

  // Never alive together: all share offset 0.
  const std::vector<UsageRecord> disjoint{{0, 0, 1000}, {1, 1, 3000}, {2, 2, 2000}};
  const MemoryPlan disjoint_plan = plan_memory(disjoint);
  check_valid(disjoint, disjoint_plan);
  CHECK(disjoint_plan.arena_bytes == round_up_to_alignment(3000));
  for (std::size_t offset : disjoint_plan.offsets) CHECK(offset == 0);

  // All alive together: nothing can share, the arena is the sum.
  const std::vector<UsageRecord> together{{0, 5, 100}, {1, 4, 200}, {2, 3, 300}};
  const MemoryPlan together_plan = plan_memory(together);
  check_valid(together, together_plan);
  CHECK(together_plan.arena_bytes == 128 + 256 + 320);

  // Lifetimes are inclusive: last_use == first_use of the next still conflict.
  const std::vector<UsageRecord> touching{{0, 1, 64}, {1, 2, 64}};
  check_valid(touching, plan_memory(touching));
  CHECK(plan_memory(touching).arena_bytes == 128);
}

TEST_CASE("memory planner: chain lifetimes stay at the peak") {
  // A plain sequential network: each activation is produced by one step and
  // read by the next, so at most two are alive at once.
  std::mt19937 random(1234);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<UsageRecord> records;
    const int length = 2 + static_cast<int>(random() % 40);
    for (int i = 0; i < length; ++i) records.push_back({i, i + 1, random_bytes(random)});
    const MemoryPlan plan = plan_memory(records);
    INFO("trial " << trial << ", " << length << " records");
    check_valid(records, plan);
    // Greedy by size is optimal on chains in practice; allow a little slack.
    CHECK(ratio_to_peak(records, plan) <= 1.25);
  }
}

TEST_CASE("memory planner: diamond (residual block) lifetimes stay near the peak") {
  // Residual blocks: x -> conv -> conv -> add(x, .): x stays alive across the
  // whole branch, the way ResNet's skip connections hold their input.
  std::mt19937 random(99);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<UsageRecord> records;
    const int blocks = 1 + static_cast<int>(random() % 12);
    for (int b = 0; b < blocks; ++b) {
      const int s = 3 * b;
      const std::size_t size = random_bytes(random);
      records.push_back({s, s + 3, size});                     // block input, read by the add
      records.push_back({s + 1, s + 2, random_bytes(random)}); // first conv
      records.push_back({s + 2, s + 3, size});                 // second conv
    }
    const MemoryPlan plan = plan_memory(records);
    INFO("trial " << trial << ", " << blocks << " blocks");
    check_valid(records, plan);
    CHECK(ratio_to_peak(records, plan) <= 1.25);
  }
}

TEST_CASE("memory planner: random lifetimes are valid and near the peak") {
  // Random intervals are harder than real graphs (long-lived buffers of
  // unrelated sizes). Greedy by size is a heuristic with no worst-case bound;
  // on these fixed-seed cases it measures at most ~1.14x the peak, so 1.25x
  // leaves headroom while still catching a planner that stops reusing memory:
  // without reuse 58 of these 60 cases exceed 1.25x (median 3.5x).
  std::mt19937 random(20240611);
  double worst = 0;
  for (int trial = 0; trial < 60; ++trial) {
    std::vector<UsageRecord> records;
    const int steps = 10 + static_cast<int>(random() % 90);
    const int count = 1 + static_cast<int>(random() % 120);
    for (int i = 0; i < count; ++i) {
      const int first = static_cast<int>(random() % steps);
      const int length = static_cast<int>(random() % 6 == 0 ? random() % (steps / 2) : random() % 5);
      // About one in ten records is empty (a zero-element tensor).
      const std::size_t bytes = random() % 10 == 0 ? 0 : random_bytes(random);
      records.push_back({first, first + length, bytes});
    }
    const MemoryPlan plan = plan_memory(records);
    INFO("trial " << trial << ", " << count << " records over " << steps << " steps");
    check_valid(records, plan);
    if (peak_live_bytes(records) == 0) {
      CHECK(plan.arena_bytes == 0);
      continue;
    }
    const double ratio = ratio_to_peak(records, plan);
    worst = std::max(worst, ratio);
    CHECK(ratio <= 1.25);
  }
  MESSAGE("worst arena / peak on random lifetimes: " << worst);
}

TEST_CASE("memory planner: a real model's arena reuses memory") {
  for (const std::string name : {"resnet_basic_block", "cifar_classifier"}) {
    INFO("fixture " << name);
    const fs::path model = fixtures_dir() / name / "model.onnx";
    Session session(model.string(), SessionOptions{1, ""});
    // The session plans at load with the declared input shapes.
    const std::size_t planned = session.arena_bytes();
    CHECK(planned > 0);
    const std::size_t unshared = unshared_intermediate_bytes(load_onnx_file(model.string()));
    MESSAGE(name << ": arena " << planned << " bytes, intermediates " << unshared << " bytes");
    CHECK(planned <= unshared);

    // Running the declared input does not change the plan.
    std::vector<NamedTensor> inputs{{session.inputs()[0].name, read_npy((model.parent_path() / "input_0.npy").string())}};
    session.run(inputs);
    CHECK(session.arena_bytes() == planned);
  }
}
