#include "ops/conv/conv_depthwise.hpp"

#include <algorithm>
#include <vector>

#include "ops/kernels/depthwise_conv.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Planes are handed to threads in runs of at least this many multiply-adds,
// so that tiny late-stage planes (7x7) do not cost one dispatch each.
constexpr std::int64_t kMinTaskMacs = 1 << 15;

class ConvDepthwise final : public ConvAlgorithm {
 public:
  ConvDepthwise(const ConvSetup& setup, const kernels::DepthwiseConvShape& shape)
      : shape_(shape), batch_(setup.params.batch), activation_(setup.activation) {
    const std::int64_t taps = std::int64_t{shape.kernel} * shape.kernel;
    weights_.assign(setup.weight, setup.weight + shape.channels * taps);
    const std::int64_t plane_macs = std::max<std::int64_t>(1, shape.out_h * shape.out_w * taps);
    grain_ = std::max<std::int64_t>(1, kMinTaskMacs / plane_macs);
  }

  std::string name() const override {
    const std::string k = std::to_string(shape_.kernel);
    return "depthwise_" + k + "x" + k + "_s" + std::to_string(shape_.stride);
  }

  std::size_t workspace_bytes() const override { return 0; }

  void run(const ConvRunArgs& args) const override {
    kernels::Epilogue epilogue;
    epilogue.row_bias = args.bias;
    epilogue.residual = args.residual;
    epilogue.activation = activation_;
    const auto body = [&](std::int64_t begin, std::int64_t end) {
      kernels::depthwise_conv(shape_, args.input, weights_.data(), args.output, epilogue, begin, end);
    };
    const std::int64_t planes = batch_ * shape_.channels;
    parallel_for_or_inline(args.pool, planes, body, grain_);
  }

 private:
  kernels::DepthwiseConvShape shape_;
  std::int64_t batch_;
  kernels::ActivationParams activation_;
  std::vector<float> weights_;  // [channels, kernel, kernel]
  std::int64_t grain_ = 1;
};

}  // namespace

std::unique_ptr<ConvAlgorithm> make_conv_depthwise(const ConvSetup& setup) {
  const reference::ConvParams& p = setup.params;
  const bool two_d = p.in[0] == 1 && p.out[0] == 1 && p.kernel[0] == 1 && p.pad[0] == 0;
  const bool depthwise = p.groups == p.in_channels && p.groups == p.out_channels && p.groups > 0;
  const bool square = p.kernel[1] == p.kernel[2] && p.stride[1] == p.stride[2];
  const bool undilated = p.dilation[1] == 1 && p.dilation[2] == 1;
  if (!two_d || !depthwise || !square || !undilated || !setup.weight) return nullptr;
  if (p.kernel[1] > 7 || p.stride[1] > 2) return nullptr;
  const int kernel = static_cast<int>(p.kernel[1]), stride = static_cast<int>(p.stride[1]);
  if (!kernels::depthwise_conv_supported(kernel, stride)) return nullptr;

  kernels::DepthwiseConvShape shape;
  shape.channels = p.in_channels;
  shape.in_h = p.in[1];
  shape.in_w = p.in[2];
  shape.out_h = p.out[1];
  shape.out_w = p.out[2];
  shape.pad_top = p.pad[1];
  shape.pad_left = p.pad[2];
  shape.kernel = kernel;
  shape.stride = stride;
  return std::make_unique<ConvDepthwise>(setup, shape);
}

}  // namespace onnxrun
