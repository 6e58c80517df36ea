#include "runtime/exec/op_flops.hpp"

#include <limits>

namespace onnxrun {

namespace {

// Products in double: a count is only ever displayed, and overflow must not
// be undefined behaviour for absurd shapes.
double product(const Shape& shape, std::size_t from = 0) {
  double p = 1;
  for (std::size_t i = from; i < shape.size(); ++i) p *= static_cast<double>(shape[i]);
  return p;
}

const Shape* shape_of(const std::vector<ValueDesc>& descs, std::size_t index) {
  return index < descs.size() && descs[index].present ? &descs[index].shape : nullptr;
}

std::int64_t as_flops(double multiply_adds) {
  const double flops = 2 * multiply_adds;
  if (!(flops > 0)) return 0;
  if (flops >= static_cast<double>(std::numeric_limits<std::int64_t>::max())) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(flops);
}

}  // namespace

std::int64_t node_flops(const Node& node, const std::vector<ValueDesc>& inputs, const std::vector<ValueDesc>& outputs) {
  const std::string& op = node.op_type;
  const Shape* a = shape_of(inputs, 0);
  const Shape* b = shape_of(inputs, 1);
  const Shape* y = shape_of(outputs, 0);
  if (!a || !b || !y) return 0;
  if (op == "Conv" || op == "FusedConv" || op == "NchwcConv") {
    // Each output value is a dot product over W[1:] = in_channels/group x kernel
    // (NchwcConv's blocked output has as many values as the NCHW one).
    if (b->size() < 2) return 0;
    return as_flops(product(*y) * product(*b, 1));
  }
  if (op == "ConvTranspose") {
    // Each input value scatters into out_channels/group x kernel outputs: W is
    // [in_channels, out_channels/group, kernel...].
    if (b->size() < 2) return 0;
    return as_flops(product(*a) * product(*b, 1));
  }
  if (op == "Gemm" || op == "FusedGemm") {
    if (a->size() != 2) return 0;
    const bool trans_a = node.attributes.get_int("transA", 0, node.describe()) != 0;
    return as_flops(product(*y) * static_cast<double>(trans_a ? (*a)[0] : (*a)[1]));
  }
  if (op == "MatMul") {
    if (a->empty()) return 0;
    return as_flops(product(*y) * static_cast<double>(a->back()));
  }
  return 0;
}

}  // namespace onnxrun
