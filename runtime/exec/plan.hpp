#pragma once
// An executable plan for one set of input shapes: every op built, inferred and
// prepared, constant subgraphs folded, every intermediate placed in the arena.
// A plan is immutable once built and shared by concurrent runs; each run brings
// its own arena (RunState).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "onnxrun/profile.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/op.hpp"
#include "runtime/exec/op_registry.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "runtime/graph/graph.hpp"

namespace onnxrun {

enum class SlotKind { Unused, Arena, Constant, GraphInput, GraphOutput };

// Where a value's bytes live during a run.
struct ValueSlot {
  SlotKind kind = SlotKind::Unused;
  std::size_t offset = 0;  // Arena: byte offset
  int index = -1;          // GraphInput / GraphOutput: position in the run's arrays
  const void* constant = nullptr;
};

struct PlanStep {
  const Node* node = nullptr;
  std::unique_ptr<Op> op;
  std::size_t workspace_offset = 0;
  std::size_t workspace_bytes = 0;
  std::int64_t flops = 0;  // for profiles: op_flops.hpp
};

// When one step of a profiled run began and ended.
struct StepTiming {
  std::chrono::steady_clock::time_point begin, end;
};

class Plan {
 public:
  // input_shapes: one per graph input, in graph order, fully concrete.
  // input_values: per graph input, null or the run's tensor for an input whose
  // values decide shapes (see NeedsInputValue); the plan keeps a copy and
  // treats it as a constant.
  Plan(const Graph& graph, const OpRegistry& registry, const std::vector<Shape>& input_shapes,
       const std::vector<const Tensor*>& input_values, ThreadPool& pool);

  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  // True when this plan was built for these shapes and, for value-keyed
  // inputs, these exact values.
  bool matches(const std::vector<Shape>& shapes, const std::vector<const Tensor*>& values) const;
  const ValueDesc& output_desc(std::size_t index) const { return descs_[graph_.outputs[index].value]; }
  std::size_t arena_bytes() const { return arena_bytes_; }
  std::size_t step_count() const { return steps_.size(); }

  // inputs: one pointer per graph input; outputs: one buffer per graph output,
  // already sized from output_desc(). No allocation beyond the pooled arena.
  // With timings (step_count() entries) each step is timed into it; without,
  // the loop has no clock calls at all.
  void execute(const std::vector<const void*>& inputs, const std::vector<void*>& outputs, ThreadPool& pool,
               StepTiming* timings = nullptr) const;

  // For profiles: everything about a step but its timing.
  OpProfile describe_step(std::size_t step) const;

 private:
  struct RunState {
    AlignedBuffer arena;
    std::vector<const void*> pointers;  // per value id
    std::vector<const void*> step_inputs;
    std::vector<void*> step_outputs;
  };
  void infer_and_fold(const OpRegistry& registry, const std::vector<const Tensor*>& input_values, ThreadPool& pool);
  void place_values();
  // A value placed inside another (its host) at a byte offset; host kNoValue: placed on its own.
  struct ValueSlice {
    ValueId host = kNoValue;
    std::size_t offset = 0;
  };
  std::vector<ValueSlice> place_inputs_in_outputs(std::vector<int>& first_use) const;
  void place_outputs_over_inputs(const std::vector<int>& first_use, std::vector<int>& last_use,
                                 std::vector<ValueSlice>& slices) const;
  template <bool kTimed>
  void run_steps(RunState& state, ThreadPool& pool, StepTiming* timings) const;
  std::unique_ptr<RunState> acquire_state() const;
  void release_state(std::unique_ptr<RunState> state) const;

  const Graph& graph_;
  std::vector<Shape> input_shapes_;
  std::vector<std::optional<Tensor>> input_values_;  // copies of the value-keyed inputs
  std::vector<ValueDesc> descs_;         // per value id
  std::deque<Tensor> folded_;  // constants computed at plan time (deque: stable addresses)
  std::vector<PlanStep> steps_;
  std::vector<ValueSlot> slots_;          // per value id
  std::size_t arena_bytes_ = 0;

  mutable std::mutex states_mutex_;
  mutable std::vector<std::unique_ptr<RunState>> idle_states_;
};

}  // namespace onnxrun
