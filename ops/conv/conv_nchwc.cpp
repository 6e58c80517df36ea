#include "ops/conv/conv_nchwc.hpp"

#include <algorithm>
#include <vector>

#include "ops/kernels/nchwc_conv.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

constexpr std::int64_t kB = kernels::kNchwcBlock;

// Tasks carry at least this many multiply-adds, so that small late layers
// (7x7 planes) are not split into dispatches that cost more than they do.
constexpr std::int64_t kMinTaskMacs = 1 << 16;

class ConvNchwc final : public ConvAlgorithm {
 public:
  ConvNchwc(const ConvSetup& setup, const kernels::NchwcConvShape& shape, bool depthwise)
      : shape_(shape), depthwise_(depthwise), batch_(setup.params.batch), activation_(setup.activation),
        rows_kept_(shape.out_h == setup.params.out[1]) {
    const std::int64_t floats =
        depthwise ? kernels::nchwc_depthwise_packed_floats(shape) : kernels::nchwc_conv_packed_floats(shape);
    packed_ = allocate_large(static_cast<std::size_t>(floats) * sizeof(float));
    float* packed = static_cast<float*>(packed_.get());
    if (depthwise)
      kernels::nchwc_depthwise_pack_weights(shape, setup.weight, packed);
    else
      kernels::nchwc_conv_pack_weights(shape, setup.weight, packed);

    // Tasks: images x groups of output blocks (the dense kernel's weight
    // groups; for depthwise, the blocks its kernel computes together) x runs
    // of output pixels. The pixels are split only as far as the thread count
    // needs (a few tasks per thread), in runs of whole 60-pixel kernel
    // segments (nchwc_conv_impl.hpp).
    const std::int64_t depthwise_blocks = depthwise ? kernels::nchwc_depthwise_task_blocks(shape) : 0;
    for (std::int64_t block = 0; block < shape.out_blocks;
         block += depthwise ? depthwise_blocks : kernels::nchwc_group_at(shape, block))
      group_first_.push_back(block);
    group_first_.push_back(shape.out_blocks);
    block_groups_ = static_cast<std::int64_t>(group_first_.size()) - 1;
    pixels_ = shape.out_h * shape.out_w;
    const std::int64_t blocks_per_group = depthwise ? depthwise_blocks : shape.group_blocks;
    const std::int64_t in_channels = shape.nchw_in_channels > 0 ? shape.nchw_in_channels : shape.in_blocks * kB;
    in_image_ = in_channels * shape.in_h * shape.in_w;
    const std::int64_t macs_per_pixel =
        blocks_per_group * kB * shape.kernel_h * shape.kernel_w * (depthwise ? 1 : in_channels);
    const std::int64_t coarse_tasks = batch_ * block_groups_;
    const std::int64_t wanted = setup.threads > 1 ? 4 * setup.threads : 1;
    std::int64_t runs = std::max<std::int64_t>(1, (wanted + coarse_tasks - 1) / coarse_tasks);
    // Depthwise tasks of block pairs are few (9 for 144 channels): 9 on 2
    // threads run 5:4, split into runs of pixels they run 9:9.
    if (depthwise && setup.threads > 1 && coarse_tasks % setup.threads != 0 && coarse_tasks < 8 * setup.threads)
      runs = std::max<std::int64_t>(runs, setup.threads);
    const std::int64_t max_runs = std::max<std::int64_t>(1, pixels_ * macs_per_pixel / kMinTaskMacs);
    runs = std::min({runs, max_runs, pixels_});
    run_pixels_ = (pixels_ + runs - 1) / runs;
    run_pixels_ = std::min(pixels_, (run_pixels_ + 59) / 60 * 60);
    runs_ = (pixels_ + run_pixels_ - 1) / run_pixels_;

    // A scaled input (a squeeze-excitation scale folded into this layer,
    // fold_channel_scale_into_conv): the scale goes into a copy of the
    // weights when they are no larger than the input (projections after
    // large planes: EfficientNet's first stages), else into a copy of the
    // input, which costs what the Mul it replaces did.
    input_scaled_ = setup.input_scaled;
    packed_floats_ = floats;
    scale_weights_ = input_scaled_ && floats <= in_image_;
    // A GlobalAveragePool of the output folded in (fuse_pool_into_conv):
    // each task sums the pixels it just wrote, still in cache, per channel.
    pooled_ = setup.pooled_output;
  }

  std::string name() const override {
    const std::string k = std::to_string(shape_.kernel_h) + "x" + std::to_string(shape_.kernel_w);
    if (shape_.nchw_in_channels > 0) return "nchw_to_nchwc_direct_" + k;
    return (depthwise_ ? "nchwc_depthwise_" : "nchwc_direct_") + k;
  }

  std::size_t workspace_bytes() const override {
    return static_cast<std::size_t>(scaled_floats() + partial_sum_floats()) * sizeof(float);
  }

  // The dense kernel in one pass over the input blocks reads each residual
  // vector right before storing the output there (1x1 layers of up to 256
  // input channels, 3x3 ones of up to 24: a residual block's last layer,
  // ResNet-50's 64 and 128 input channels, MobileNetV2's 144 and 192). The
  // output then takes the residual's buffer, and the layer moves one tensor
  // fewer through the caches.
  bool residual_may_be_output() const override {
    return !depthwise_ && kernels::nchwc_dense_output_may_be_residual(shape_);
  }

  // Dense layers whose input is not scaled and whose output is not pooled
  // compute any band of rows alone (a folded MaxPool's, conv_max_pool.hpp),
  // unless make_conv_nchwc flattened the plane into one row (pointwise).
  bool computes_rows() const override { return !depthwise_ && !input_scaled_ && !pooled_ && rows_kept_; }

  // Every weight group at rows [row_begin, row_end) of image n into a band:
  // block b's row y at out + b * out_plane + (y - row_begin) * out_w * 8.
  void compute_rows(const ConvRunArgs& args, std::int64_t n, std::int64_t row_begin, std::int64_t row_end,
                    float* out, std::int64_t out_plane) const override {
    kernels::NchwcConvShape band = shape_;
    band.out_first_row = row_begin;
    band.out_rows = out_plane / (shape_.out_w * kB);
    kernels::Epilogue epilogue;
    epilogue.row_bias = args.bias;
    epilogue.activation = activation_;
    const float* packed = static_cast<const float*>(packed_.get());
    kernels::nchwc_conv(band, args.input + n * in_image_, packed, out, epilogue, 0, shape_.out_blocks,
                        row_begin * shape_.out_w, row_end * shape_.out_w);
  }

  void run(const ConvRunArgs& args) const override {
    kernels::Epilogue epilogue;
    epilogue.row_bias = args.bias;
    epilogue.activation = activation_;
    const std::int64_t in_image = in_image_;
    const std::int64_t out_image = shape_.out_blocks * pixels_ * kB;
    const float* packed = static_cast<const float*>(packed_.get());
    const float* input_base = args.input;
    // Floats between images' weights: 0 unless they are scaled per image.
    std::int64_t packed_per_image = 0;
    float* partial_sums = pooled_ && args.pooled ? static_cast<float*>(args.workspace) + scaled_floats() : nullptr;
    if (input_scaled_) {
      float* scaled = static_cast<float*>(args.workspace);
      if (scale_weights_) {
        scale_weights(args.input_scale, packed, scaled, args.pool);
        packed = scaled;
        packed_per_image = packed_floats_;
      } else {
        scale_input(args.input, args.input_scale, scaled, args.pool);
        input_base = scaled;
      }
    }
    const auto body = [&](std::int64_t begin, std::int64_t end) {
      kernels::Epilogue e = epilogue;
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t run = task % runs_, group = task / runs_ % block_groups_, image = task / runs_ / block_groups_;
        const std::int64_t pixel_begin = run * run_pixels_, pixel_end = std::min(pixels_, pixel_begin + run_pixels_);
        e.residual = args.residual ? args.residual + image * out_image : nullptr;
        const float* input = input_base + image * in_image;
        const float* weights = packed + image * packed_per_image;
        float* output = args.output + image * out_image;
        const std::int64_t first = group_first_[group], last = group_first_[group + 1];
        if (depthwise_)
          kernels::nchwc_depthwise_conv(shape_, input, weights, output, e, first, last, pixel_begin, pixel_end);
        else
          kernels::nchwc_conv(shape_, input, weights, output, e, first, last, pixel_begin, pixel_end);
        if (partial_sums)
          for (std::int64_t block = first; block < last; ++block)
            kernels::nchwc_block_sum(output + block * pixels_ * kB, pixel_begin, pixel_end,
                                     partial_sums + ((image * shape_.out_blocks + block) * runs_ + run) * kB);
      }
    };
    parallel_for_or_inline(args.pool, batch_ * block_groups_ * runs_, body);
    if (partial_sums) average_runs(partial_sums, args.pooled);
  }

 private:
  // Workspace floats: the scaled weights or input, then the pooled output's
  // partial sums, [image][block][run][8].
  std::int64_t scaled_floats() const {
    if (!input_scaled_) return 0;
    return (batch_ * (scale_weights_ ? packed_floats_ : in_image_) + 15) / 16 * 16;  // 64-byte aligned
  }
  std::int64_t partial_sum_floats() const { return pooled_ ? batch_ * shape_.out_blocks * runs_ * kB : 0; }

  // pooled[image][channel] = the mean over the plane, from the runs' sums.
  void average_runs(const float* partial_sums, float* pooled) const {
    const float scale = 1.0f / static_cast<float>(pixels_);
    for (std::int64_t image_block = 0; image_block < batch_ * shape_.out_blocks; ++image_block)
      for (std::int64_t lane = 0; lane < kB; ++lane) {
        float sum = 0.0f;
        for (std::int64_t run = 0; run < runs_; ++run) sum += partial_sums[(image_block * runs_ + run) * kB + lane];
        pooled[image_block * kB + lane] = sum * scale;
      }
  }

  std::int64_t in_channels() const { return shape_.in_blocks * kB; }

  // Each image's weights times its scale, a task per (image, weight group).
  void scale_weights(const float* scale, const float* packed, float* scaled, ThreadPool* pool) const {
    parallel_for_or_inline(pool, batch_ * block_groups_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t image = task / block_groups_, group = task % block_groups_;
        kernels::nchwc_conv_scale_packed_weights(shape_, packed, scale + image * in_channels(), group_first_[group],
                                                 group_first_[group + 1], scaled + image * packed_floats_);
      }
    });
  }

  // The blocked input times its per-channel scale, a task per (image, block).
  void scale_input(const float* input, const float* scale, float* scaled, ThreadPool* pool) const {
    const std::int64_t plane = shape_.in_h * shape_.in_w;
    parallel_for_or_inline(pool, batch_ * shape_.in_blocks, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t image = task / shape_.in_blocks, block = task % shape_.in_blocks;
        // A local copy: stores through `to` could otherwise change the
        // factors for all the compiler knows, and the loop would reload them.
        float factors[kB];
        std::copy_n(scale + image * in_channels() + block * kB, kB, factors);
        const float* from = input + task * plane * kB;
        float* to = scaled + task * plane * kB;
        for (std::int64_t p = 0; p < plane; ++p)
          for (std::int64_t lane = 0; lane < kB; ++lane) to[p * kB + lane] = from[p * kB + lane] * factors[lane];
      }
    });
  }

  kernels::NchwcConvShape shape_;
  bool depthwise_;
  std::int64_t batch_;
  kernels::ActivationParams activation_;
  AlignedBuffer packed_;
  std::vector<std::int64_t> group_first_;  // group g: blocks [group_first_[g], group_first_[g + 1])
  std::int64_t block_groups_ = 1, pixels_ = 1, run_pixels_ = 1, runs_ = 1;
  std::int64_t in_image_ = 0;  // input floats per image
  std::int64_t packed_floats_ = 0;
  bool input_scaled_ = false, scale_weights_ = false, pooled_ = false;
  bool rows_kept_ = true;  // shape_ has the output's rows (not flattened into one)
};

bool two_d(const reference::ConvParams& p) {
  return p.in[0] == 1 && p.out[0] == 1 && p.kernel[0] == 1 && p.pad[0] == 0;
}

bool is_depthwise(const reference::ConvParams& p) {
  return p.groups == p.in_channels && p.groups == p.out_channels && p.groups > 1;
}

}  // namespace

bool conv_nchwc_applies(const reference::ConvParams& p) {
  const bool blocked_channels = p.in_channels % kB == 0 && p.out_channels % kB == 0;
  return two_d(p) && blocked_channels && (p.groups == 1 || is_depthwise(p));
}

namespace {

kernels::NchwcConvShape nchwc_shape(const reference::ConvParams& p) {
  kernels::NchwcConvShape shape;
  shape.in_blocks = p.in_channels / kB;
  shape.out_blocks = p.out_channels / kB;
  shape.in_h = p.in[1];
  shape.in_w = p.in[2];
  shape.out_h = p.out[1];
  shape.out_w = p.out[2];
  shape.kernel_h = p.kernel[1];
  shape.kernel_w = p.kernel[2];
  shape.stride_h = p.stride[1];
  shape.stride_w = p.stride[2];
  shape.dilation_h = p.dilation[1];
  shape.dilation_w = p.dilation[2];
  shape.pad_top = p.pad[1];
  shape.pad_left = p.pad[2];
  shape.group_blocks = kernels::nchwc_group_blocks();
  return shape;
}

}  // namespace

bool conv_nchwc_from_nchw_applies(const reference::ConvParams& p) {
  return two_d(p) && p.groups == 1 && p.in_channels > 0 && p.out_channels % kB == 0;
}

std::unique_ptr<ConvAlgorithm> make_conv_nchwc_from_nchw(const ConvSetup& setup) {
  const reference::ConvParams& p = setup.params;
  if (!setup.weight || !conv_nchwc_from_nchw_applies(p)) return nullptr;
  kernels::NchwcConvShape shape = nchwc_shape(p);
  shape.in_blocks = 1;
  shape.nchw_in_channels = p.in_channels;
  return std::make_unique<ConvNchwc>(setup, shape, false);
}

std::unique_ptr<ConvAlgorithm> make_conv_nchwc(const ConvSetup& setup) {
  const reference::ConvParams& p = setup.params;
  if (!setup.weight || !conv_nchwc_applies(p)) return nullptr;
  kernels::NchwcConvShape shape = nchwc_shape(p);
  // A pointwise stride-1 layer is one long row: tiles run across row ends.
  if (shape.kernel_h == 1 && shape.kernel_w == 1 && shape.stride_h == 1 && shape.stride_w == 1 &&
      shape.pad_top == 0 && shape.pad_left == 0 && shape.in_h == shape.out_h && shape.in_w == shape.out_w) {
    shape.in_w = shape.out_w = shape.in_h * shape.in_w;
    shape.in_h = shape.out_h = 1;
  }
  return std::make_unique<ConvNchwc>(setup, shape, is_depthwise(p));
}

}  // namespace onnxrun
