#include "runtime/exec/plan.hpp"

#include <algorithm>
#include <cstring>

#include "runtime/core/aligned_buffer.hpp"
#include "runtime/core/checked_math.hpp"
#include "runtime/exec/memory_planner.hpp"
#include "runtime/exec/op_flops.hpp"
#include "runtime/exec/value_shapes.hpp"

namespace onnxrun {

namespace {

// Constant subgraphs bigger than this stay in the graph: folding them would
// trade arena reuse for permanently held memory.
constexpr std::int64_t kMaxFoldedBytes = std::int64_t{64} << 20;

bool all_inputs_constant(const Node& node, const std::vector<ValueDesc>& descs) {
  for (ValueId in : node.inputs)
    if (in != kNoValue && descs[in].constant == nullptr) return false;
  return true;
}

}  // namespace

Plan::Plan(const Graph& graph, const OpRegistry& registry, const std::vector<Shape>& input_shapes,
           const std::vector<const Tensor*>& input_values, ThreadPool& pool)
    : graph_(graph), input_shapes_(input_shapes) {
  infer_and_fold(registry, input_values, pool);
  place_values();
}

bool Plan::matches(const std::vector<Shape>& shapes, const std::vector<const Tensor*>& values) const {
  if (shapes != input_shapes_) return false;
  for (std::size_t i = 0; i < input_values_.size(); ++i) {
    const bool keyed = input_values_[i].has_value();
    if (keyed != (i < values.size() && values[i] != nullptr)) return false;
    if (keyed && std::memcmp(input_values_[i]->data(), values[i]->data(), input_values_[i]->byte_size()) != 0)
      return false;
  }
  return true;
}

void Plan::infer_and_fold(const OpRegistry& registry, const std::vector<const Tensor*>& input_values,
                          ThreadPool& pool) {
  descs_ = seed_value_descs(graph_, input_shapes_);
  input_values_.resize(graph_.inputs.size());
  for (std::size_t i = 0; i < graph_.inputs.size(); ++i) {
    const ValueId v = graph_.inputs[i].value;
    if (i < input_values.size() && input_values[i]) {
      // A private copy: the plan outlives the run whose tensor this is.
      Tensor copy = Tensor::allocate(input_values[i]->dtype(), input_values[i]->shape());
      if (copy.byte_size()) std::memcpy(copy.mutable_data(), input_values[i]->data(), copy.byte_size());
      input_values_[i] = std::move(copy);
      descs_[v].constant = &*input_values_[i];
    }
  }

  // Only nodes that some graph output depends on are planned.
  std::vector<bool> needed_value(graph_.values.size(), false);
  for (const GraphOutput& output : graph_.outputs) needed_value[output.value] = true;
  const std::vector<int> order = graph_.topological_order();
  std::vector<bool> needed_node(graph_.nodes.size(), false);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node& node = graph_.nodes[*it];
    for (ValueId out : node.outputs)
      if (out != kNoValue && needed_value[out]) needed_node[*it] = true;
    if (needed_node[*it])
      for (ValueId in : node.inputs)
        if (in != kNoValue) needed_value[in] = true;
  }

  for (int n : order) {
    if (!needed_node[n]) continue;
    const Node& node = graph_.nodes[n];
    const OpRegistration* registration = registry.find(node.domain, node.op_type, node.opset);
    if (!registration)
      throw Error(graph_.source + ": " + node.describe() + " is not supported at opset " + std::to_string(node.opset));
    std::vector<ValueDesc> inputs;
    inputs.reserve(node.inputs.size());
    for (ValueId in : node.inputs) inputs.push_back(in == kNoValue ? ValueDesc{} : descs_[in]);

    std::unique_ptr<Op> op = registration->factory(node);
    InferContext context(node, std::move(inputs), node.outputs.size());
    op->infer(context);
    for (std::size_t i = 0; i < node.outputs.size(); ++i) {
      const ValueId out = node.outputs[i];
      if (out == kNoValue) continue;
      const ValueDesc& desc = context.outputs()[i];
      if (!desc.present) context.fail("output " + std::to_string(i) + " is not produced by this op");
      checked_byte_count(desc.shape, dtype_size(desc.dtype), node.describe() + " output " + std::to_string(i));
      descs_[out] = desc;
      descs_[out].constant = nullptr;
    }

    // Outputs the op computed from shapes alone become constants right away.
    bool all_outputs_constant = true;
    for (std::size_t i = 0; i < node.outputs.size(); ++i) {
      const ValueId out = node.outputs[i];
      if (out == kNoValue) continue;
      if (std::optional<Tensor>& value = context.constant_output(i)) {
        folded_.push_back(std::move(*value));
        descs_[out].constant = &folded_.back();
      } else {
        all_outputs_constant = false;
      }
    }
    if (all_outputs_constant) continue;

    std::int64_t output_bytes = 0;
    for (ValueId out : node.outputs)
      if (out != kNoValue)
        output_bytes += checked_byte_count(descs_[out].shape, dtype_size(descs_[out].dtype), node.describe());

    std::vector<ValueDesc> input_descs;
    for (ValueId in : node.inputs) input_descs.push_back(in == kNoValue ? ValueDesc{} : descs_[in]);
    std::vector<ValueDesc> output_descs;
    for (ValueId out : node.outputs) output_descs.push_back(out == kNoValue ? ValueDesc{} : descs_[out]);
    PrepareContext prepare(input_descs, output_descs, pool.size());
    op->prepare(prepare);

    if (all_inputs_constant(node, descs_) && output_bytes <= kMaxFoldedBytes) {
      // Everything this node reads is known now: compute it once, here.
      AlignedBuffer workspace = allocate_aligned(prepare.workspace_bytes());
      std::vector<const void*> in_ptrs;
      for (ValueId in : node.inputs) in_ptrs.push_back(in == kNoValue ? nullptr : descs_[in].constant->data());
      std::vector<void*> out_ptrs;
      std::vector<Tensor*> produced;
      for (ValueId out : node.outputs) {
        if (out == kNoValue) {
          out_ptrs.push_back(nullptr);
          continue;
        }
        folded_.push_back(Tensor::allocate(descs_[out].dtype, descs_[out].shape));
        out_ptrs.push_back(folded_.back().mutable_data());
        produced.push_back(&folded_.back());
      }
      op->run(RunContext{in_ptrs, out_ptrs, workspace.get(), &pool});
      std::size_t k = 0;
      for (ValueId out : node.outputs)
        if (out != kNoValue) descs_[out].constant = produced[k++];
      continue;
    }
    // A small value computed only from constants and graph inputs would fold
    // if those inputs were known: name one of them, so that an op needing this
    // value (Pad's pads computed by Max/Sub/Div from a fed shape) makes the
    // session plan with that input's value instead of failing.
    if (output_bytes <= kMaxFoldedBytes) {
      int source_input = -1;
      bool foldable = true;
      for (ValueId in : node.inputs) {
        if (in == kNoValue || descs_[in].constant) continue;
        if (descs_[in].graph_input < 0) foldable = false;
        else if (source_input < 0) source_input = descs_[in].graph_input;
      }
      if (foldable)
        for (ValueId out : node.outputs)
          if (out != kNoValue) descs_[out].graph_input = source_input;
    }
    const std::int64_t multiply_adds = op->multiply_adds();
    const std::int64_t flops = multiply_adds >= 0 ? 2 * multiply_adds : node_flops(node, input_descs, output_descs);
    steps_.push_back(PlanStep{&node, std::move(op), 0, prepare.workspace_bytes(), flops});
  }
  for (const GraphOutput& output : graph_.outputs)
    if (!descs_[output.value].present)
      throw Error(graph_.source + ": graph output '" + graph_.values[output.value].name +
                  "' is neither a graph input, an initializer nor any node's output");
}

void Plan::place_values() {
  slots_.assign(graph_.values.size(), ValueSlot{});
  for (std::size_t v = 0; v < descs_.size(); ++v)
    if (descs_[v].constant) slots_[v] = ValueSlot{SlotKind::Constant, 0, -1, descs_[v].constant->data()};
  for (std::size_t i = 0; i < graph_.inputs.size(); ++i)
    if (!input_values_[i]) slots_[graph_.inputs[i].value] = ValueSlot{SlotKind::GraphInput, 0, static_cast<int>(i), nullptr};
  for (std::size_t i = 0; i < graph_.outputs.size(); ++i) {
    ValueSlot& slot = slots_[graph_.outputs[i].value];
    if (slot.kind == SlotKind::Unused) slot = ValueSlot{SlotKind::GraphOutput, 0, static_cast<int>(i), nullptr};
  }

  // Usage records for intermediates (and each step's workspace).
  std::vector<UsageRecord> records;
  std::vector<ValueId> record_value;  // kNoValue for a workspace record
  std::vector<int> record_step;
  std::vector<int> first_use(graph_.values.size(), -1), last_use(graph_.values.size(), -1);
  for (std::size_t s = 0; s < steps_.size(); ++s) {
    const Node& node = *steps_[s].node;
    for (ValueId in : node.inputs)
      if (in != kNoValue) last_use[in] = static_cast<int>(s);
    for (ValueId out : node.outputs)
      if (out != kNoValue && first_use[out] == -1) first_use[out] = last_use[out] = static_cast<int>(s);
  }
  std::vector<ValueSlice> slices = place_inputs_in_outputs(first_use);
  place_outputs_over_inputs(first_use, last_use, slices);
  for (std::size_t v = 0; v < graph_.values.size(); ++v) {
    if (first_use[v] == -1 || slots_[v].kind != SlotKind::Unused) continue;
    slots_[v].kind = SlotKind::Arena;
    if (slices[v].host != kNoValue) continue;  // lives inside its host, placed below
    const std::int64_t bytes = checked_byte_count(descs_[v].shape, dtype_size(descs_[v].dtype), graph_.values[v].name);
    records.push_back(UsageRecord{first_use[v], last_use[v], static_cast<std::size_t>(bytes)});
    record_value.push_back(static_cast<ValueId>(v));
    record_step.push_back(-1);
  }
  for (std::size_t s = 0; s < steps_.size(); ++s)
    if (steps_[s].workspace_bytes > 0) {
      records.push_back(UsageRecord{static_cast<int>(s), static_cast<int>(s), steps_[s].workspace_bytes});
      record_value.push_back(kNoValue);
      record_step.push_back(static_cast<int>(s));
    }

  const MemoryPlan memory = plan_memory(records);
  arena_bytes_ = memory.arena_bytes;
  for (std::size_t r = 0; r < records.size(); ++r) {
    if (record_value[r] != kNoValue)
      slots_[record_value[r]].offset = memory.offsets[r];
    else
      steps_[record_step[r]].workspace_offset = memory.offsets[r];
  }
  for (std::size_t v = 0; v < graph_.values.size(); ++v)
    if (slices[v].host != kNoValue) slots_[v].offset = slots_[slices[v].host].offset + slices[v].offset;
}

// Concat's inputs written straight into its output (Op::input_slices_of_output)
// where nothing else can see the difference: each input is an intermediate
// read by this one input slot and nowhere else, is not itself a host, and its slice
// keeps the arena's alignment (kernels may store aligned vectors). The host's
// lifetime then starts with its first input's (first_use is updated).
std::vector<Plan::ValueSlice> Plan::place_inputs_in_outputs(std::vector<int>& first_use) const {
  std::vector<ValueSlice> slices(graph_.values.size());
  std::vector<int> readers(graph_.values.size(), 0);
  for (const PlanStep& step : steps_)
    for (ValueId in : step.node->inputs)
      if (in != kNoValue) ++readers[in];
  std::vector<bool> is_host(graph_.values.size(), false);
  const auto intermediate = [&](ValueId v) { return first_use[v] != -1 && slots_[v].kind == SlotKind::Unused; };
  for (const PlanStep& step : steps_) {
    const std::vector<std::int64_t> offsets = step.op->input_slices_of_output();
    const Node& node = *step.node;
    if (offsets.empty() || offsets.size() != node.inputs.size() || node.outputs.empty()) continue;
    const ValueId host = node.outputs[0];
    if (host == kNoValue || !intermediate(host)) continue;
    bool placeable = true;
    for (std::size_t i = 0; placeable && i < node.inputs.size(); ++i) {
      const ValueId in = node.inputs[i];
      placeable = in != kNoValue && intermediate(in) && readers[in] == 1 && !is_host[in] &&
                  slices[in].host == kNoValue && offsets[i] % static_cast<std::int64_t>(kBufferAlignment) == 0;
    }
    if (!placeable) continue;
    is_host[host] = true;
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId in = node.inputs[i];
      slices[in] = ValueSlice{host, static_cast<std::size_t>(offsets[i])};
      first_use[host] = std::min(first_use[host], first_use[in]);
    }
  }
  return slices;
}

// Outputs written over an input's buffer (Op::input_overwritten_by_output)
// where no later step reads that input: the output becomes a slice at offset
// 0 of the buffer's owner (the input, or the value whose buffer the input
// itself took: ResNet's blocks chain this way), whose lifetime is extended to
// the output's. Values that Concat placement touched are left alone.
void Plan::place_outputs_over_inputs(const std::vector<int>& first_use, std::vector<int>& last_use,
                                     std::vector<ValueSlice>& slices) const {
  std::vector<bool> concat_host(graph_.values.size(), false), concat_slice(graph_.values.size(), false);
  for (std::size_t v = 0; v < slices.size(); ++v)
    if (slices[v].host != kNoValue) {
      concat_host[slices[v].host] = true;
      concat_slice[v] = true;
    }
  const auto intermediate = [&](ValueId v) { return first_use[v] != -1 && slots_[v].kind == SlotKind::Unused; };
  const auto bytes_of = [&](ValueId v) {
    return checked_byte_count(descs_[v].shape, dtype_size(descs_[v].dtype), graph_.values[v].name);
  };
  for (std::size_t s = 0; s < steps_.size(); ++s) {
    const int index = steps_[s].op->input_overwritten_by_output();
    const Node& node = *steps_[s].node;
    if (index < 0 || static_cast<std::size_t>(index) >= node.inputs.size() || node.outputs.empty()) continue;
    const ValueId in = node.inputs[static_cast<std::size_t>(index)], out = node.outputs[0];
    if (in == kNoValue || out == kNoValue || in == out || !intermediate(in) || !intermediate(out)) continue;
    if (concat_host[in] || concat_slice[in] || concat_host[out] || concat_slice[out]) continue;
    if (std::count(node.inputs.begin(), node.inputs.end(), in) != 1 || bytes_of(in) != bytes_of(out)) continue;
    const ValueId owner = slices[in].host == kNoValue ? in : slices[in].host;
    if (last_use[owner] != static_cast<int>(s) || last_use[in] != static_cast<int>(s)) continue;  // read later
    slices[out] = ValueSlice{owner, 0};
    last_use[owner] = std::max(last_use[owner], last_use[out]);
  }
}

template <bool kTimed>
void Plan::run_steps(RunState& state, ThreadPool& pool, [[maybe_unused]] StepTiming* timings) const {
  using Clock = std::chrono::steady_clock;
  std::byte* arena = static_cast<std::byte*>(state.arena.get());
  for (std::size_t s = 0; s < steps_.size(); ++s) {
    const PlanStep& step = steps_[s];
    const Node& node = *step.node;
    for (std::size_t i = 0; i < node.inputs.size(); ++i)
      state.step_inputs[i] = node.inputs[i] == kNoValue ? nullptr : state.pointers[node.inputs[i]];
    for (std::size_t i = 0; i < node.outputs.size(); ++i)
      state.step_outputs[i] =
          node.outputs[i] == kNoValue ? nullptr : const_cast<void*>(state.pointers[node.outputs[i]]);
    RunContext context{std::span<const void* const>(state.step_inputs.data(), node.inputs.size()),
                       std::span<void* const>(state.step_outputs.data(), node.outputs.size()),
                       step.workspace_bytes ? arena + step.workspace_offset : nullptr, &pool};
    if constexpr (kTimed) timings[s].begin = Clock::now();
    step.op->run(context);
    if constexpr (kTimed) timings[s].end = Clock::now();
  }
}

OpProfile Plan::describe_step(std::size_t index) const {
  const PlanStep& step = steps_.at(index);
  OpProfile profile;
  profile.node = step.node->name;
  profile.op_type = step.node->op_type;
  profile.algorithm = step.op->algorithm();
  for (ValueId in : step.node->inputs)
    if (in != kNoValue) profile.input_shapes.push_back(descs_[in].shape);
  for (ValueId out : step.node->outputs)
    if (out != kNoValue) profile.output_shapes.push_back(descs_[out].shape);
  profile.flops = step.flops;
  return profile;
}

std::unique_ptr<Plan::RunState> Plan::acquire_state() const {
  {
    std::lock_guard<std::mutex> lock(states_mutex_);
    if (!idle_states_.empty()) {
      std::unique_ptr<RunState> state = std::move(idle_states_.back());
      idle_states_.pop_back();
      return state;
    }
  }
  auto state = std::make_unique<RunState>();
  // Huge pages where the kernel grants them (aligned_buffer.hpp).
  state->arena = allocate_large(arena_bytes_);
  state->pointers.assign(graph_.values.size(), nullptr);
  std::size_t max_inputs = 0, max_outputs = 0;
  for (const PlanStep& step : steps_) {
    max_inputs = std::max(max_inputs, step.node->inputs.size());
    max_outputs = std::max(max_outputs, step.node->outputs.size());
  }
  state->step_inputs.resize(max_inputs);
  state->step_outputs.resize(max_outputs);
  return state;
}

void Plan::release_state(std::unique_ptr<RunState> state) const {
  std::lock_guard<std::mutex> lock(states_mutex_);
  idle_states_.push_back(std::move(state));
}

void Plan::execute(const std::vector<const void*>& inputs, const std::vector<void*>& outputs, ThreadPool& pool,
                   StepTiming* timings) const {
  std::unique_ptr<RunState> state = acquire_state();
  std::byte* arena = static_cast<std::byte*>(state->arena.get());
  for (std::size_t v = 0; v < slots_.size(); ++v) {
    const ValueSlot& slot = slots_[v];
    switch (slot.kind) {
      case SlotKind::Unused: state->pointers[v] = nullptr; break;
      case SlotKind::Arena: state->pointers[v] = arena + slot.offset; break;
      case SlotKind::Constant: state->pointers[v] = slot.constant; break;
      case SlotKind::GraphInput: state->pointers[v] = inputs[slot.index]; break;
      case SlotKind::GraphOutput: state->pointers[v] = outputs[slot.index]; break;
    }
  }
  if (timings) run_steps<true>(*state, pool, timings);
  else run_steps<false>(*state, pool, nullptr);
  // Outputs that are not written in place by a step: graph inputs passed
  // through, constants, or a value listed as several outputs.
  for (std::size_t i = 0; i < graph_.outputs.size(); ++i) {
    const ValueId v = graph_.outputs[i].value;
    if (slots_[v].kind == SlotKind::GraphOutput && slots_[v].index == static_cast<int>(i)) continue;
    const ValueDesc& desc = descs_[v];
    const std::size_t bytes = static_cast<std::size_t>(checked_element_count(desc.shape, "output")) *
                              dtype_size(desc.dtype);
    if (bytes) std::memcpy(outputs[i], state->pointers[v], bytes);
  }
  release_state(std::move(state));
}

}  // namespace onnxrun
