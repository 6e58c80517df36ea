// Slice: numpy-style start:end:step per axis, with negative steps and ends
// such as INT64_MAX / INT64_MIN clamped as the ONNX spec says. Attributes
// before opset 10, load-time inputs starts/ends/axes/steps from 10.
#include <algorithm>
#include <limits>

#include "ops/tensor/index_map_copy_op.hpp"
#include "ops/tensor/shape_helpers.hpp"

namespace onnxrun {

namespace {

struct AxisSlice {
  std::int64_t start = 0, step = 1, count = 0;
};

// The spec's clamping: after adding dim to negative values, starts clamp to
// [0, dim] (or [0, dim-1] stepping backwards), ends to [0, dim] (or [-1, dim-1]).
// Like ONNX Runtime, an end of INT32_MAX or INT64_MAX means numpy's None, "to
// the far end", in either direction: stepping backwards the spec's clamp would
// otherwise turn it into an empty slice. (numpy, and so the ONNX reference
// implementation, differ in one more case: a backward start before -dim takes
// nothing there, but one element here, as in the spec and ONNX Runtime.)
AxisSlice resolve(std::int64_t start, std::int64_t end, std::int64_t step, std::int64_t dim) {
  AxisSlice s;
  s.step = step;
  if (dim == 0) return s;
  const bool to_far_end = end == std::numeric_limits<std::int32_t>::max() || end == std::numeric_limits<std::int64_t>::max();
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<std::int64_t>(start, 0, dim);
    end = to_far_end ? dim : std::clamp<std::int64_t>(end, 0, dim);
    s.count = end > start ? (end - start - 1) / step + 1 : 0;
  } else {
    start = std::clamp<std::int64_t>(start, 0, dim - 1);
    end = to_far_end ? -1 : std::clamp<std::int64_t>(end, -1, dim - 1);
    // -INT64_MIN overflows; any magnitude >= dim takes one element, as INT64_MAX does.
    const std::int64_t magnitude = step == std::numeric_limits<std::int64_t>::min() ? dim : -step;
    s.count = start > end ? (start - end - 1) / magnitude + 1 : 0;
  }
  s.start = start;
  return s;
}

class SliceOp final : public IndexMapCopyOp {
 public:
  void infer(InferContext& context) override {
    const ValueDesc& x = context.input(0);
    const std::int64_t rank = static_cast<std::int64_t>(x.shape.size());
    Ints starts, ends, axes, steps;
    bool has_axes = false;
    if (context.node().opset < 10) {
      context.require_input_count(1, 1);
      if (!context.node().attributes.has("starts") || !context.node().attributes.has("ends"))
        context.fail("attributes 'starts' and 'ends' are required");
      starts = context.attr_ints("starts", {});
      ends = context.attr_ints("ends", {});
      has_axes = context.node().attributes.has("axes");
      axes = context.attr_ints("axes", {});
    } else {
      context.require_input_count(3, 5);
      starts = constant_ints(context, 1, "starts");
      ends = constant_ints(context, 2, "ends");
      has_axes = context.has_input(3);
      if (has_axes) axes = constant_ints(context, 3, "axes");
      if (context.has_input(4)) steps = constant_ints(context, 4, "steps");
    }
    if (ends.size() != starts.size())
      context.fail("starts " + ints_to_string(starts) + " and ends " + ints_to_string(ends) + " differ in length");
    if (has_axes && axes.size() != starts.size())
      context.fail("axes " + ints_to_string(axes) + " and starts " + ints_to_string(starts) + " differ in length");
    if (!steps.empty() && steps.size() != starts.size())
      context.fail("steps " + ints_to_string(steps) + " and starts " + ints_to_string(starts) + " differ in length");
    if (!has_axes) {
      if (static_cast<std::int64_t>(starts.size()) > rank)
        context.fail("starts " + ints_to_string(starts) + " has more entries than input shape " +
                     shape_to_string(x.shape) + " has dims");
      for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
    }
    axes = normalize_axes(context, axes, rank);
    if (steps.empty()) steps.assign(starts.size(), 1);

    std::vector<AxisSlice> slices(x.shape.size());
    for (std::size_t d = 0; d < x.shape.size(); ++d) slices[d] = AxisSlice{0, 1, x.shape[d]};
    for (std::size_t i = 0; i < axes.size(); ++i) {
      if (steps[i] == 0) context.fail("steps " + ints_to_string(steps) + " has a 0");
      const std::size_t d = static_cast<std::size_t>(axes[i]);
      slices[d] = resolve(starts[i], ends[i], steps[i], x.shape[d]);
    }

    Shape out(x.shape.size());
    std::vector<IndexMapCopy::Axis> map;
    std::int64_t stride = 1;
    for (std::size_t d = x.shape.size(); d-- > 0;) {
      const AxisSlice& s = slices[d];
      out[d] = s.count;
      // A step is only taken between elements, so a huge step with one element is never multiplied.
      map.push_back(IndexMapCopy::Axis::affine(s.count, s.start * stride, s.count > 1 ? s.step * stride : 0));
      stride *= x.shape[d];
    }
    std::reverse(map.begin(), map.end());
    set_copy(context, std::move(map), out);
  }
};

}  // namespace

void register_slice_op(OpRegistry& registry) {
  registry.add("Slice", 1, 21, [](const Node&) { return std::make_unique<SliceOp>(); });
}

}  // namespace onnxrun
