#include "ops/common/conv_validation.hpp"

#include <string>

namespace onnxrun {

ConvChannels check_conv_inputs(const InferContext& context, ConvWeightLayout layout) {
  for (std::size_t i = 0; i < context.input_count(); ++i)
    if (context.has_input(i)) context.require_dtype(i, DType::Float32);
  const Shape& x = context.input(0).shape;
  const Shape& w = context.input(1).shape;
  if (x.size() < 3 || x.size() > 5)
    context.fail("input 0 has shape " + shape_to_string(x) + "; expected [N, C, spatial...] with 1 to 3 spatial dims");
  if (w.size() != x.size())
    context.fail("weight (input 1) has shape " + shape_to_string(w) + " but input 0 has shape " + shape_to_string(x) +
                 "; their ranks must match");
  ConvChannels c;
  c.group = context.attr_int("group", 1);
  if (c.group < 1) context.fail("group " + std::to_string(c.group) + " must be positive");
  c.in_channels = x[1];
  const std::string group = std::to_string(c.group);
  const std::string mismatch = "input 0 has " + std::to_string(c.in_channels) + " channels (shape " +
                               shape_to_string(x) + ") but weight " + shape_to_string(w) + " with group " + group;
  if (layout == ConvWeightLayout::kOutputFirst) {
    c.out_channels = w[0];
    if (c.in_channels % c.group != 0 || w[1] * c.group != c.in_channels)
      context.fail(mismatch + " expects " + std::to_string(w[1] * c.group));
    if (c.out_channels % c.group != 0)
      context.fail("weight " + shape_to_string(w) + " has " + std::to_string(c.out_channels) +
                   " output channels, not divisible by group " + group);
  } else {
    if (w[0] != c.in_channels || c.in_channels % c.group != 0)
      context.fail(mismatch + " expects weight dim 0 equal to them and divisible by the group");
    if (w[1] < 1) context.fail("weight " + shape_to_string(w) + " has no output channels");
    c.out_channels = w[1] * c.group;
  }
  if (context.has_input(2)) {
    const Shape& b = context.input(2).shape;
    if (b.size() != 1 || b[0] != c.out_channels)
      context.fail("bias (input 2) has shape " + shape_to_string(b) + ", expected [" + std::to_string(c.out_channels) +
                   "] (weight " + shape_to_string(w) + ", group " + group + ")");
  }
  return c;
}

Shape conv_weight_kernel(const InferContext& context, const std::vector<std::int64_t>& kernel_shape_attribute) {
  const Shape& w = context.input(1).shape;
  Shape kernel(w.begin() + 2, w.end());
  if (!kernel_shape_attribute.empty() && kernel_shape_attribute != kernel)
    context.fail("kernel_shape " + shape_to_string(kernel_shape_attribute) + " disagrees with weight shape " +
                 shape_to_string(w));
  return kernel;
}

}  // namespace onnxrun
