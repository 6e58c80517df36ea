// Squeeze and Unsqueeze: remove or insert size-1 dims; the data is copied as
// is. Axes are an attribute before opset 13 and a (load-time) input from 13.
#include <algorithm>

#include "ops/tensor/copy_op.hpp"
#include "ops/tensor/shape_helpers.hpp"

namespace onnxrun {

namespace {

// The axes list, wherever this opset keeps it; `present` is false when absent.
Ints read_axes(InferContext& context, bool& present) {
  if (context.node().opset < 13) {
    present = context.node().attributes.has("axes");
    return context.attr_ints("axes", {});
  }
  present = context.has_input(1);
  return present ? constant_ints(context, 1, "axes") : Ints{};
}

class SqueezeOp final : public CopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, context.node().opset < 13 ? 1 : 2);
    const Shape& x = context.input(0).shape;
    bool present = false;
    const Ints axes = normalize_axes(context, read_axes(context, present), static_cast<std::int64_t>(x.size()));
    Shape out;
    for (std::size_t d = 0; d < x.size(); ++d) {
      const bool listed = std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(d)) != axes.end();
      if (listed && x[d] != 1)
        context.fail("cannot squeeze axis " + std::to_string(d) + " of size " + std::to_string(x[d]) +
                     " in input shape " + shape_to_string(x));
      // With no axes given every size-1 dim goes.
      if (listed || (!present && x[d] == 1)) continue;
      out.push_back(x[d]);
    }
    set_copy_output(context, out);
  }
};

class UnsqueezeOp final : public CopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(context.node().opset < 13 ? 1 : 2, context.node().opset < 13 ? 1 : 2);
    const Shape& x = context.input(0).shape;
    bool present = false;
    const Ints raw = read_axes(context, present);
    if (!present) context.fail("axes are required");
    const std::int64_t rank = static_cast<std::int64_t>(x.size() + raw.size());
    const Ints axes = normalize_axes(context, raw, rank);
    Shape out;
    std::size_t next = 0;
    for (std::int64_t d = 0; d < rank; ++d) {
      if (std::find(axes.begin(), axes.end(), d) != axes.end())
        out.push_back(1);
      else
        out.push_back(x[next++]);
    }
    set_copy_output(context, out);
  }
};

}  // namespace

void register_squeeze_ops(OpRegistry& registry) {
  registry.add("Squeeze", 1, 21, [](const Node&) { return std::make_unique<SqueezeOp>(); });
  registry.add("Unsqueeze", 1, 21, [](const Node&) { return std::make_unique<UnsqueezeOp>(); });
}

}  // namespace onnxrun
