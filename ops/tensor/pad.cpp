// Pad in modes constant, reflect, edge and wrap. Pads come from the
// 'paddings' (opset 1) or 'pads' (2-10) attribute, or a load-time input (11+,
// with optional axes from 18). Negative pads crop first, and the padding is
// then made from the cropped tensor, as ONNX Runtime does. Each output
// coordinate is mapped to an input coordinate per axis, once at load; reflect
// and wrap repeat periodically as numpy.pad does when a pad exceeds the input.
#include <algorithm>
#include <cstring>

#include "ops/tensor/index_map_copy.hpp"
#include "ops/tensor/shape_helpers.hpp"

namespace onnxrun {

namespace {

enum class PadMode { Constant, Reflect, Edge, Wrap };

// The input coordinate for virtual coordinate v (output coordinate minus the
// begin pad), or -1 for the constant.
std::int64_t source_coordinate(PadMode mode, std::int64_t v, std::int64_t dim) {
  if (v >= 0 && v < dim) return v;
  switch (mode) {
    case PadMode::Constant: return -1;
    case PadMode::Edge: return v < 0 ? 0 : dim - 1;
    case PadMode::Wrap: return ((v % dim) + dim) % dim;
    case PadMode::Reflect: {
      if (dim == 1) return 0;
      const std::int64_t period = 2 * (dim - 1);
      const std::int64_t m = ((v % period) + period) % period;
      return m < dim ? m : period - m;
    }
  }
  return -1;
}

class PadOp final : public Op {
 public:
  void infer(InferContext& context) override {
    const std::int64_t opset = context.node().opset;
    const ValueDesc& x = context.input(0);
    const std::int64_t rank = static_cast<std::int64_t>(x.shape.size());
    const std::string mode_name = context.attr_string("mode", "constant");
    PadMode mode;
    if (mode_name == "constant") mode = PadMode::Constant;
    else if (mode_name == "reflect") mode = PadMode::Reflect;
    else if (mode_name == "edge") mode = PadMode::Edge;
    else if (mode_name == "wrap") mode = PadMode::Wrap;
    else context.fail("mode '" + mode_name + "' is not one of constant, reflect, edge, wrap");

    fill_.assign(dtype_size(x.dtype), std::byte{0});
    Ints pads, axes;
    if (opset < 11) {
      context.require_input_count(1, 1);
      const char* name = opset < 2 ? "paddings" : "pads";
      if (!context.node().attributes.has(name)) context.fail(std::string("attribute '") + name + "' is required");
      pads = context.attr_ints(name, {});
      store_scalar(x.dtype, context.attr_float("value", 0.0f), fill_.data());
    } else {
      context.require_input_count(2, opset >= 18 ? 4 : 3);
      pads = constant_ints(context, 1, "pads");
      if (context.has_input(2)) {
        const Tensor& value = context.constant_input(2, "constant_value");
        if (value.dtype() != x.dtype || value.element_count() != 1)
          context.fail("constant_value (input 2) must be one " + std::string(dtype_name(x.dtype)) + ", got " +
                       dtype_name(value.dtype()) + " " + shape_to_string(value.shape()));
        std::memcpy(fill_.data(), value.data(), fill_.size());
      }
      if (context.has_input(3)) axes = constant_ints(context, 3, "axes");
    }
    if (!context.has_input(3))
      for (std::int64_t d = 0; d < rank; ++d) axes.push_back(d);
    axes = normalize_axes(context, axes, rank);
    if (pads.size() != 2 * axes.size())
      context.fail("pads " + ints_to_string(pads) + " must have 2 entries per padded axis (" +
                   std::to_string(axes.size()) + ") for input shape " + shape_to_string(x.shape));

    Ints begin(x.shape.size(), 0), end(x.shape.size(), 0);
    for (std::size_t i = 0; i < axes.size(); ++i) {
      begin[static_cast<std::size_t>(axes[i])] = pads[i];
      end[static_cast<std::size_t>(axes[i])] = pads[i + axes.size()];
    }
    Shape out(x.shape.size());
    Ints strides(x.shape.size(), 1);
    for (std::size_t d = x.shape.size(); d-- > 1;) strides[d - 1] = strides[d] * x.shape[d];
    std::vector<IndexMapCopy::Axis> map;
    for (std::size_t d = 0; d < x.shape.size(); ++d) {
      const std::int64_t dim = x.shape[d];
      out[d] = dim + begin[d] + end[d];
      if (out[d] < 0)
        context.fail("pads " + ints_to_string(pads) + " crop axis " + std::to_string(d) + " of input shape " +
                     shape_to_string(x.shape) + " below size 0");
      if (begin[d] <= 0 && end[d] <= 0) {  // unpadded or only cropped: an affine walk
        map.push_back(IndexMapCopy::Axis::affine(out[d], -begin[d] * strides[d], strides[d]));
        continue;
      }
      const std::int64_t crop_begin = std::max<std::int64_t>(0, -begin[d]);
      const std::int64_t kept = dim - crop_begin - std::max<std::int64_t>(0, -end[d]);
      if (kept < 0)
        context.fail("pads " + ints_to_string(pads) + " crop axis " + std::to_string(d) + " of input shape " +
                     shape_to_string(x.shape) + " below size 0");
      if (kept == 0 && mode != PadMode::Constant)
        context.fail("mode '" + mode_name + "' cannot pad axis " + std::to_string(d) + " of input shape " +
                     shape_to_string(x.shape) + ": nothing is left of it to repeat");
      std::vector<std::int64_t> table(static_cast<std::size_t>(out[d]));
      for (std::int64_t o = 0; o < out[d]; ++o) {
        const std::int64_t source = source_coordinate(mode, o - std::max<std::int64_t>(0, begin[d]), kept);
        table[static_cast<std::size_t>(o)] = source < 0 ? IndexMapCopy::kFill : (crop_begin + source) * strides[d];
      }
      map.push_back(IndexMapCopy::Axis::mapped(std::move(table)));
    }
    element_count(context, out);  // rejects an overflowing product before IndexMapCopy multiplies
    copy_ = IndexMapCopy(std::move(map), dtype_size(x.dtype));
    context.set_output(0, x.dtype, out);
  }

  void run(const RunContext& context) const override {
    copy_.run(context.inputs[0], context.outputs[0], fill_.data(), *context.pool);
  }

 private:
  IndexMapCopy copy_;
  std::vector<std::byte> fill_;  // one element of the data's dtype
};

}  // namespace

void register_pad_op(OpRegistry& registry) {
  registry.add("Pad", 1, 21, [](const Node&) { return std::make_unique<PadOp>(); });
}

}  // namespace onnxrun
