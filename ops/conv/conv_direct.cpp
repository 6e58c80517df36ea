#include "ops/conv/conv_direct.hpp"

#include <algorithm>
#include <vector>

#include "ops/kernels/direct_conv.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Output rows are handed to threads in runs of at least this many
// multiply-adds, so that narrow layers do not cost one dispatch per row.
constexpr std::int64_t kMinTaskMacs = 1 << 16;

class ConvDirect final : public ConvAlgorithm {
 public:
  explicit ConvDirect(const ConvSetup& setup) : batch_(setup.params.batch), activation_(setup.activation) {
    const reference::ConvParams& p = setup.params;
    shape_.in_channels = p.in_channels;
    shape_.in_h = p.in[1];
    shape_.in_w = p.in[2];
    shape_.out_channels = p.out_channels;
    shape_.out_h = p.out[1];
    shape_.out_w = p.out[2];
    shape_.kernel_h = p.kernel[1];
    shape_.kernel_w = p.kernel[2];
    shape_.stride_h = p.stride[1];
    shape_.stride_w = p.stride[2];
    shape_.dilation_h = p.dilation[1];
    shape_.dilation_w = p.dilation[2];
    shape_.pad_top = p.pad[1];
    shape_.pad_left = p.pad[2];
    layout_ = kernels::direct_conv_layout(shape_);
    packed_weights_.resize(kernels::direct_conv_packed_weight_floats(shape_));
    kernels::direct_conv_pack_weights(shape_, setup.weight, packed_weights_.data());
    const std::int64_t row_macs =
        std::max<std::int64_t>(1, kernels::kDirectOcBlock * shape_.out_w * p.in_channels * p.kernel[1] * p.kernel[2]);
    grain_ = std::max<std::int64_t>(1, kMinTaskMacs / row_macs);
  }

  std::string name() const override { return "direct"; }

  // The padded copy of every image, so that padding and computing are two
  // parallel passes over the whole batch.
  std::size_t workspace_bytes() const override {
    return static_cast<std::size_t>(batch_ * layout_.image_floats) * sizeof(float);
  }

  void run(const ConvRunArgs& args) const override {
    const std::int64_t out_image = shape_.out_channels * shape_.out_h * shape_.out_w;
    const std::int64_t tasks_per_image = layout_.blocks * shape_.out_h;
    const auto compute = [&](std::int64_t begin, std::int64_t end) {
      while (begin < end) {  // a range may span images
        const std::int64_t n = begin / tasks_per_image, first = begin % tasks_per_image;
        const std::int64_t last = std::min(tasks_per_image, first + (end - begin));
        const kernels::DirectConvOutput output{args.output + n * out_image, shape_.out_h * shape_.out_w, 0};
        compute_tasks(args, n, output, args.residual ? args.residual + n * out_image : nullptr, first, last);
        begin += last - first;
      }
    };
    prepare_rows(args);
    parallel_for_or_inline(args.pool, batch_ * tasks_per_image, compute, grain_);
  }

  bool computes_rows() const override { return true; }

  // The padded copies of the images, split by image and channel.
  void prepare_rows(const ConvRunArgs& args) const override {
    float* padded = static_cast<float*>(args.workspace);
    const std::int64_t in_image = shape_.in_channels * shape_.in_h * shape_.in_w;
    const auto pad = [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        const std::int64_t n = i / shape_.in_channels, c = i % shape_.in_channels;
        kernels::direct_conv_pad_input(shape_, layout_, args.input + n * in_image, padded + n * layout_.image_floats,
                                       c, c + 1);
      }
    };
    parallel_for_or_inline(args.pool, batch_ * shape_.in_channels, pad);
  }

  void compute_rows(const ConvRunArgs& args, std::int64_t n, std::int64_t row_begin, std::int64_t row_end,
                    float* out, std::int64_t out_plane) const override {
    compute_tasks(args, n, kernels::DirectConvOutput{out, out_plane, row_begin}, nullptr, row_begin * layout_.blocks,
                  row_end * layout_.blocks);
  }

 private:
  // Tasks [first, last) of image n (direct_conv's numbering) into `output`.
  void compute_tasks(const ConvRunArgs& args, std::int64_t n, const kernels::DirectConvOutput& output,
                     const float* residual, std::int64_t first, std::int64_t last) const {
    kernels::Epilogue epilogue;
    epilogue.row_bias = args.bias;
    epilogue.residual = residual;
    epilogue.activation = activation_;
    kernels::direct_conv(shape_, layout_, static_cast<const float*>(args.workspace) + n * layout_.image_floats,
                         packed_weights_.data(), output, epilogue, first, last);
  }

  kernels::DirectConvShape shape_;
  kernels::DirectConvLayout layout_;
  std::int64_t batch_;
  kernels::ActivationParams activation_;
  std::vector<float> packed_weights_;
  std::int64_t grain_ = 1;
};

}  // namespace

bool direct_conv_applies(const reference::ConvParams& p) {
  const bool two_d = p.in[0] == 1 && p.out[0] == 1 && p.kernel[0] == 1 && p.pad[0] == 0;
  return two_d && p.groups == 1 && p.batch > 0 && p.in_channels > 0 && p.out_channels > 0 && p.out[1] > 0 &&
         p.out[2] > 0;
}

std::unique_ptr<ConvAlgorithm> make_conv_direct(const ConvSetup& setup) {
  if (!setup.weight || !direct_conv_applies(setup.params)) return nullptr;
  return std::make_unique<ConvDirect>(setup);
}

}  // namespace onnxrun
