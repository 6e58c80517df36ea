#include "onnxrun/session.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "frontends/onnx/onnx_loader.hpp"
#include "runtime/api/input_binding.hpp"
#include "runtime/api/output_buffers.hpp"
#include "runtime/core/checked_math.hpp"
#include "runtime/exec/op_registry.hpp"
#include "runtime/exec/plan.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "runtime/exec/value_shapes.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

// Plans kept for recent input shapes; a dynamic-batch model alternating
// between a few batch sizes re-plans only the first time it sees each.
constexpr std::size_t kCachedPlans = 4;

ValueInfo declared_info(const Graph& graph, ValueId value, const std::vector<DeclaredDim>& dims) {
  ValueInfo info;
  info.name = graph.values[value].name;
  info.dtype = graph.values[value].dtype;
  for (const DeclaredDim& dim : dims) {
    info.shape.push_back(dim.value);
    info.dim_names.push_back(dim.symbol);
  }
  return info;
}

void check_ops_supported(const Graph& graph, const OpRegistry& registry) {
  std::string unsupported;
  std::size_t count = 0;
  for (const Node& node : graph.nodes)
    if (!registry.find(node.domain, node.op_type, node.opset)) {
      unsupported += (count++ ? ", " : "") + node.describe() + " at opset " + std::to_string(node.opset);
    }
  if (count)
    throw Error(graph.source + ": " + std::to_string(count) + " unsupported op" + (count > 1 ? "s" : "") + ": " +
                unsupported);
}

}  // namespace

struct Session::Impl {
  Graph graph;
  SessionOptions options;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::unique_ptr<ThreadPool> pool;
  mutable std::mutex plans_mutex;
  mutable std::vector<std::shared_ptr<const Plan>> plans;  // most recently used last

  // Graph inputs whose values (not only shapes) decide shapes, found while
  // planning; plans are keyed by their values too. Guarded by plans_mutex.
  mutable std::vector<bool> value_keyed;
  mutable OutputBuffers output_buffers;

  Impl(Graph loaded, const SessionOptions& session_options) : graph(std::move(loaded)), options(session_options) {
    if (options.threads < 0) throw Error("SessionOptions.threads must be >= 0, got " + std::to_string(options.threads));
    pool = std::make_unique<ThreadPool>(options.threads == 0 ? hardware_threads() : options.threads);
    // Before the support check: fused nodes are checked like any other, and a
    // dead node of an unsupported op is no reason to refuse the model.
    // The layout pass weighs regions by their planes' sizes, inferred for the
    // declared input shapes (symbolic dims as 1).
    const ValueShapesOf shapes_of = [](const Graph& fused) {
      std::vector<Shape> input_shapes;
      if (!provisional_input_shapes(fused, input_shapes)) return ValueShapes{};
      return infer_value_shapes(fused, builtin_op_registry(), input_shapes);
    };
    if (options.optimize) optimize_graph(graph, options.blocked_layout, shapes_of);
    check_ops_supported(graph, builtin_op_registry());
    value_keyed.assign(graph.inputs.size(), false);

    // Plan once now so that shape errors surface at load, symbolic dims as 1.
    // Models whose shapes depend on input values wait for the first run.
    std::vector<Shape> shapes;
    std::shared_ptr<const Plan> first;
    if (provisional_input_shapes(graph, shapes)) {
      try {
        first = std::make_shared<const Plan>(graph, builtin_op_registry(), shapes, std::vector<const Tensor*>{}, *pool);
        plans.push_back(first);
      } catch (const NeedsInputValue& needs) {
        value_keyed.at(static_cast<std::size_t>(needs.graph_input)) = true;
      }
    }
    for (const GraphInput& input : graph.inputs) inputs.push_back(declared_info(graph, input.value, input.dims));
    for (std::size_t i = 0; i < graph.outputs.size(); ++i) {
      const GraphOutput& output = graph.outputs[i];
      ValueInfo info = declared_info(graph, output.value, output.dims);
      if (first) {
        // The inferred dtype is authoritative; declared dims keep their symbols.
        const ValueDesc& desc = first->output_desc(i);
        info.dtype = desc.dtype;
        if (!output.has_shape || output.dims.size() != desc.shape.size()) {
          info.shape = desc.shape;
          info.dim_names.assign(desc.shape.size(), "");
        }
      }
      outputs.push_back(std::move(info));
    }
  }

  std::shared_ptr<const Plan> plan_for(const BoundInputs& bound) const {
    std::lock_guard<std::mutex> lock(plans_mutex);
    std::vector<const Tensor*> values(graph.inputs.size(), nullptr);
    for (std::size_t i = 0; i < values.size(); ++i)
      if (value_keyed[i]) values[i] = bound.tensors[i];
    for (auto it = plans.begin(); it != plans.end(); ++it)
      if ((*it)->matches(bound.shapes, values)) {
        std::shared_ptr<const Plan> plan = *it;
        plans.erase(it);
        plans.push_back(plan);
        return plan;
      }
    for (;;) {
      try {
        auto plan = std::make_shared<const Plan>(graph, builtin_op_registry(), bound.shapes, values, *pool);
        if (plans.size() == kCachedPlans) plans.erase(plans.begin());
        plans.push_back(plan);
        return plan;
      } catch (const NeedsInputValue& needs) {
        const auto index = static_cast<std::size_t>(needs.graph_input);
        if (values.at(index)) throw Error("internal: input value requested twice while planning");
        value_keyed[index] = true;
        values[index] = bound.tensors[index];
      }
    }
  }
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Session::Session(const std::string& model_path, const SessionOptions& options)
    : impl_(std::make_unique<Impl>(load_onnx_file(model_path), options)) {}

Session Session::from_bytes(const void* data, std::size_t size, const SessionOptions& options) {
  return Session(std::make_unique<Impl>(load_onnx_bytes(data, size, options.external_data_dir), options));
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

const std::vector<ValueInfo>& Session::inputs() const { return impl_->inputs; }
const std::vector<ValueInfo>& Session::outputs() const { return impl_->outputs; }
int Session::threads() const { return impl_->pool->size(); }

std::size_t Session::arena_bytes() const {
  std::lock_guard<std::mutex> lock(impl_->plans_mutex);
  return impl_->plans.empty() ? 0 : impl_->plans.back()->arena_bytes();
}

std::vector<NamedTensor> Session::run(const std::vector<NamedTensor>& inputs) const { return run_impl(inputs, nullptr); }

std::vector<NamedTensor> Session::run(const std::vector<NamedTensor>& inputs, RunProfile& profile) const {
  return run_impl(inputs, &profile);
}

std::vector<NamedTensor> Session::run_impl(const std::vector<NamedTensor>& inputs, RunProfile* profile) const {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = profile ? Clock::now() : Clock::time_point{};
  const BoundInputs bound = bind_inputs(impl_->graph, inputs);
  const std::shared_ptr<const Plan> plan = impl_->plan_for(bound);

  std::vector<const void*> input_pointers;
  for (const Tensor* tensor : bound.tensors) input_pointers.push_back(tensor->data());
  std::vector<NamedTensor> results;
  std::vector<void*> output_pointers;
  for (std::size_t i = 0; i < impl_->graph.outputs.size(); ++i) {
    const ValueDesc& desc = plan->output_desc(i);
    // Every output is written in full by a step or by the copies after the steps.
    const std::int64_t bytes = checked_byte_count(desc.shape, dtype_size(desc.dtype), "output");
    std::shared_ptr<void> buffer = impl_->output_buffers.acquire(static_cast<std::size_t>(bytes));
    results.push_back(NamedTensor{impl_->outputs[i].name, Tensor::adopt(desc.dtype, desc.shape, std::move(buffer))});
    output_pointers.push_back(results.back().tensor.mutable_data());
  }
  if (!profile) {
    plan->execute(input_pointers, output_pointers, *impl_->pool);
    return results;
  }
  std::vector<StepTiming> timings(plan->step_count());
  plan->execute(input_pointers, output_pointers, *impl_->pool, timings.data());
  const auto microseconds = [&](Clock::time_point t) {
    return std::chrono::duration<double, std::micro>(t - start).count();
  };
  profile->total_us = microseconds(Clock::now());
  profile->ops.clear();
  for (std::size_t s = 0; s < timings.size(); ++s) {
    OpProfile op = plan->describe_step(s);
    op.start_us = microseconds(timings[s].begin);
    op.duration_us = microseconds(timings[s].end) - op.start_us;
    profile->ops.push_back(std::move(op));
  }
  return results;
}

}  // namespace onnxrun
