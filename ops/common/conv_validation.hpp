#pragma once
// The input checks that Conv and ConvTranspose share before their geometry:
// dtypes, ranks, group, channel counts against the weight, and the bias. The
// two differ only in the weight's layout, so the messages stay alike too.
#include <cstdint>
#include <vector>

#include "runtime/exec/op.hpp"

namespace onnxrun {

enum class ConvWeightLayout {
  kOutputFirst,  // Conv: [M, C/group, kernel...]
  kInputFirst,   // ConvTranspose: [C, M/group, kernel...]
};

struct ConvChannels {
  std::int64_t group = 1, in_channels = 1, out_channels = 1;
};

// Checks inputs X (0), W (1) and the optional bias (2); every present input
// must be float32. Throws (naming the node and the shapes) on a mismatch.
ConvChannels check_conv_inputs(const InferContext& context, ConvWeightLayout layout);

// The weight's spatial dims; a kernel_shape attribute, when given, must agree.
Shape conv_weight_kernel(const InferContext& context, const std::vector<std::int64_t>& kernel_shape_attribute);

}  // namespace onnxrun
