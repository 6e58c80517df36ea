// Concat and Split: along one axis the data is a sequence of contiguous
// chunks per outer index, so both are rows of memcpy.
#include <cstring>
#include <numeric>

#include "ops/tensor/shape_helpers.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Below this many bytes per task waking other threads costs more than it saves.
constexpr std::int64_t kGrainBytes = 64 * 1024;

std::int64_t grain_for(std::int64_t bytes_per_task) {
  return std::max<std::int64_t>(1, kGrainBytes / std::max<std::int64_t>(1, bytes_per_task));
}

// Running sums: the start of each chunk within a row.
std::vector<std::int64_t> chunk_offsets(const std::vector<std::int64_t>& chunk_bytes) {
  std::vector<std::int64_t> offsets(chunk_bytes.size(), 0);
  for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] = offsets[i - 1] + chunk_bytes[i - 1];
  return offsets;
}

class ConcatOp final : public Op {
 public:
  void infer(InferContext& context) override {
    if (context.input_count() < 1) context.fail("needs at least one input");
    const ValueDesc& first = context.input(0);
    const std::int64_t rank = static_cast<std::int64_t>(first.shape.size());
    // Concat-1 defaulted axis to 1; from opset 4 it is required.
    if (context.node().opset >= 4 && !context.node().attributes.has("axis")) context.fail("attribute 'axis' is required");
    if (rank == 0) context.fail("inputs must have rank >= 1, input 0 is a scalar");
    const std::int64_t axis = normalize_axis(context, context.attr_int("axis", 1), first.shape);
    const std::size_t a = static_cast<std::size_t>(axis);

    Shape out = first.shape;
    out[a] = 0;
    chunk_bytes_.clear();
    outer_ = 1;
    for (std::size_t d = 0; d < a; ++d) outer_ *= first.shape[d];
    for (std::size_t i = 0; i < context.input_count(); ++i) {
      const ValueDesc& x = context.input(i);
      if (x.dtype != first.dtype)
        context.fail("input " + std::to_string(i) + " is " + dtype_name(x.dtype) + ", input 0 is " + dtype_name(first.dtype));
      bool compatible = x.shape.size() == first.shape.size();
      for (std::size_t d = 0; compatible && d < x.shape.size(); ++d) compatible = d == a || x.shape[d] == first.shape[d];
      if (!compatible)
        context.fail("input " + std::to_string(i) + " has shape " + shape_to_string(x.shape) +
                     ", which does not match input 0's " + shape_to_string(first.shape) + " outside axis " +
                     std::to_string(axis));
      out[a] += x.shape[a];
      std::int64_t chunk = static_cast<std::int64_t>(dtype_size(x.dtype));
      for (std::size_t d = a; d < x.shape.size(); ++d) chunk *= x.shape[d];
      chunk_bytes_.push_back(outer_ == 0 ? 0 : chunk);
    }
    row_bytes_ = std::accumulate(chunk_bytes_.begin(), chunk_bytes_.end(), std::int64_t{0});
    offsets_ = chunk_offsets(chunk_bytes_);
    context.set_output(0, first.dtype, out);
  }

  std::vector<std::int64_t> input_slices_of_output() const override {
    return outer_ == 1 ? offsets_ : std::vector<std::int64_t>{};
  }

  void run(const RunContext& context) const override {
    std::byte* out = context.output<std::byte>(0);
    const std::int64_t inputs = static_cast<std::int64_t>(chunk_bytes_.size());
    context.pool->parallel_for(outer_ * inputs, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t o = task / inputs;
        const std::size_t i = static_cast<std::size_t>(task % inputs);
        const std::int64_t bytes = chunk_bytes_[i];
        std::byte* dst = out + o * row_bytes_ + offsets_[i];
        const std::byte* src = context.input<std::byte>(i) + o * bytes;
        if (bytes == 0 || src == dst) continue;  // src == dst: placed in the output by the plan
        std::memcpy(dst, src, static_cast<std::size_t>(bytes));
      }
    }, grain_for(row_bytes_ / std::max<std::int64_t>(1, inputs)));
  }

 private:
  std::int64_t outer_ = 1, row_bytes_ = 0;
  std::vector<std::int64_t> chunk_bytes_;  // bytes of each input per outer index
  std::vector<std::int64_t> offsets_;      // where each input's chunk starts in an output row
};

class SplitOp final : public Op {
 public:
  void infer(InferContext& context) override {
    const std::int64_t opset = context.node().opset;
    context.require_input_count(1, opset >= 13 || opset == 1 ? 2 : 1);
    const ValueDesc& x = context.input(0);
    if (x.shape.empty()) context.fail("input must have rank >= 1, got a scalar");
    const std::int64_t axis = normalize_axis(context, context.attr_int("axis", 0), x.shape);
    const std::int64_t dim = x.shape[static_cast<std::size_t>(axis)];
    const std::int64_t outputs = static_cast<std::int64_t>(context.output_count());

    Ints split;
    // Split-1 took split as an attribute or an input, 2-12 an attribute, 13+ an input.
    if (context.has_input(1)) split = constant_ints(context, 1, "split");
    else if (opset < 13) split = context.attr_ints("split", {});
    if (!split.empty()) {
      if (static_cast<std::int64_t>(split.size()) != outputs)
        context.fail("split " + ints_to_string(split) + " has " + std::to_string(split.size()) + " entries for " +
                     std::to_string(outputs) + " outputs");
      std::int64_t total = 0;
      for (std::int64_t s : split) {
        if (s < 0) context.fail("split " + ints_to_string(split) + " has a negative size");
        total += s;
      }
      if (total != dim)
        context.fail("split " + ints_to_string(split) + " sums to " + std::to_string(total) + ", but axis " +
                     std::to_string(axis) + " of input shape " + shape_to_string(x.shape) + " is " + std::to_string(dim));
    } else if (opset >= 18 && context.node().attributes.has("num_outputs")) {
      const std::int64_t n = context.attr_int("num_outputs", 0);
      if (n < 1 || n != outputs)
        context.fail("num_outputs is " + std::to_string(n) + " but the node has " + std::to_string(outputs) + " outputs");
      // Chunks of ceil(dim / n); the last one takes what is left.
      const std::int64_t chunk = (dim + n - 1) / n;
      if (chunk * (n - 1) > dim)
        context.fail("cannot split axis " + std::to_string(axis) + " of size " + std::to_string(dim) + " into " +
                     std::to_string(n) + " chunks of " + std::to_string(chunk));
      split.assign(static_cast<std::size_t>(n), chunk);
      split.back() = dim - chunk * (n - 1);
    } else {
      if (outputs == 0 || dim % outputs != 0)
        context.fail("cannot split axis " + std::to_string(axis) + " of input shape " + shape_to_string(x.shape) +
                     " into " + std::to_string(outputs) + " equal parts");
      split.assign(static_cast<std::size_t>(outputs), dim / outputs);
    }

    outer_ = 1;
    for (std::int64_t d = 0; d < axis; ++d) outer_ *= x.shape[static_cast<std::size_t>(d)];
    std::int64_t inner_bytes = static_cast<std::int64_t>(dtype_size(x.dtype));
    for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < x.shape.size(); ++d) inner_bytes *= x.shape[d];
    chunk_bytes_.clear();
    for (std::size_t j = 0; j < split.size(); ++j) {
      chunk_bytes_.push_back(split[j] * inner_bytes);
      Shape shape = x.shape;
      shape[static_cast<std::size_t>(axis)] = split[j];
      context.set_output(j, x.dtype, shape);
    }
    row_bytes_ = dim * inner_bytes;
    offsets_ = chunk_offsets(chunk_bytes_);
  }

  void run(const RunContext& context) const override {
    const std::byte* in = context.input<std::byte>(0);
    const std::int64_t outputs = static_cast<std::int64_t>(chunk_bytes_.size());
    context.pool->parallel_for(outer_ * outputs, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t o = task / outputs;
        const std::size_t j = static_cast<std::size_t>(task % outputs);
        std::byte* out = context.output<std::byte>(j);
        const std::int64_t bytes = chunk_bytes_[j];
        if (out == nullptr || bytes == 0) continue;  // an output the model omits
        std::memcpy(out + o * bytes, in + o * row_bytes_ + offsets_[j], static_cast<std::size_t>(bytes));
      }
    }, grain_for(row_bytes_ / std::max<std::int64_t>(1, outputs)));
  }

 private:
  std::int64_t outer_ = 1, row_bytes_ = 0;
  std::vector<std::int64_t> chunk_bytes_;  // bytes of each output per outer index
  std::vector<std::int64_t> offsets_;      // where each output's chunk starts in an input row
};

}  // namespace

void register_concat_split_ops(OpRegistry& registry) {
  registry.add("Concat", 1, 21, [](const Node&) { return std::make_unique<ConcatOp>(); });
  registry.add("Split", 1, 21, [](const Node&) { return std::make_unique<SplitOp>(); });
}

}  // namespace onnxrun
