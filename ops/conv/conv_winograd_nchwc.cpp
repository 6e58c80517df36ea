// Winograd F(m x m, 3 x 3) on NCHW8c tensors (ops/kernels/winograd_nchwc.hpp):
// the transforms read and write whole 8-channel vectors, and the alpha^2
// GEMMs between them are 1x1 NCHW8c convolutions over a plane of tiles
// (nchwc_conv), their weights U_t packed once here. Tile sizes are chosen
// and bounded for accuracy as for the NCHW algorithm (conv_choice.cpp,
// conv_winograd.cpp): the arithmetic is the same, only the order of the
// GEMMs' sums differs.
#include <algorithm>
#include <vector>

#include "ops/conv/conv_winograd.hpp"
#include "ops/conv/winograd_schedule.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "ops/kernels/winograd_nchwc.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

constexpr std::int64_t kB = kernels::kNchwcBlock;
// Tiles per block: the transformed input and the GEMM results of a block
// (alpha^2 x (in + out channels) x tiles floats) stay in a 512 KiB L2 while
// the GEMMs and the output transform pass over them, but no fewer than 48
// tiles, which the GEMM tiles of 12 pixels cover four times.
constexpr std::int64_t kBlockTargetBytes = 512 * 1024;
// Tiles are dealt to threads, and blocks cut, in chunks of this many: the
// AVX-512 GEMM tile's 12 pixels (nchwc_conv_impl.hpp), twice AVX2's 6.
constexpr std::int64_t kChunk = 12;
constexpr std::int64_t kMinBlockChunks = 4, kMaxBlockChunks = 16;
constexpr std::int64_t kStridePad = 16;  // floats: one cache line between the alpha^2 matrices

class ConvWinogradNchwc final : public ConvAlgorithm {
 public:
  ConvWinogradNchwc(const ConvSetup& setup, int m)
      : layer_(winograd_layer(setup.params, m)), activation_(setup.activation), pooled_(setup.pooled_output) {
    const reference::ConvParams& p = setup.params;
    const std::int64_t alpha = kernels::winograd_alpha(m);
    positions_ = alpha * alpha;
    total_tiles_ = p.batch * layer_.tiles_h * layer_.tiles_w;
    const std::int64_t C = p.in_channels, M = p.out_channels;

    // The GEMMs' weights: U_t as a [M, C, 1, 1] convolution's, packed.
    gemm_shape_.in_blocks = C / kB;
    gemm_shape_.out_blocks = M / kB;
    gemm_shape_.group_blocks = kernels::nchwc_group_blocks();
    const std::vector<float> u = winograd_transformed_weights(setup, m);
    packed_floats_ = kernels::nchwc_conv_packed_floats(gemm_shape_);
    packed_u_ = allocate_large(static_cast<std::size_t>(positions_ * packed_floats_) * sizeof(float));
    for (std::int64_t t = 0; t < positions_; ++t)
      kernels::nchwc_conv_pack_weights(gemm_shape_, u.data() + t * M * C, packed_u() + t * packed_floats_);
    for (std::int64_t block = 0; block < gemm_shape_.out_blocks; block += kernels::nchwc_group_at(gemm_shape_, block))
      group_first_.push_back(block);
    group_first_.push_back(gemm_shape_.out_blocks);

    // Where the transformed weights outweigh the transformed tiles (ResNet's
    // 28x28 and smaller layers), every block streams all the weights once
    // more, so those layers run as one block.
    const bool weights_dominate = winograd_weights_per_tiles(p, m) >= 1;
    const std::int64_t per_tile_bytes = positions_ * (C + M) * std::int64_t{sizeof(float)};
    schedule_ = WinogradSchedule::make(
        total_tiles_, kChunk, std::clamp(kBlockTargetBytes / per_tile_bytes / kChunk, kMinBlockChunks, kMaxBlockChunks),
        setup.threads, weights_dominate);
    const std::int64_t block = schedule_.block_tiles();
    v_stride_ = C * block + kStridePad;
    m_stride_ = M * block + kStridePad;
    slot_floats_ = positions_ * (v_stride_ + m_stride_);
  }

  std::string name() const override { return winograd_algorithm_name("nchwc_winograd_f", layer_.m); }

  std::size_t workspace_bytes() const override {
    return static_cast<std::size_t>(schedule_.slots * slot_floats_) * sizeof(float);
  }

  // The output transform reads each residual vector right before it stores
  // the output vector at the same place; the input transform reads only the
  // input.
  bool residual_may_be_output() const override { return true; }

  void run(const ConvRunArgs& args) const override {
    schedule_.run(
        args.pool, [&](std::int64_t slot) { run_slot(args, slot); },
        [&](ThreadPool& pool) { run_phased(args, pool); });
    if (pooled_ && args.pooled) average_blocks(args);
  }

 private:
  // pooled[image][channel] = the channel's mean over the output plane (a
  // GlobalAveragePool folded into the layer, fuse_pool_into_conv). A pass
  // over the finished output: the tiles of a block are spread over threads
  // and rows, and the layers that get a pool (a network's last) are small.
  void average_blocks(const ConvRunArgs& args) const {
    const std::int64_t plane = layer_.out_h * layer_.out_w;
    const std::int64_t blocks = total_tiles_ / (layer_.tiles_h * layer_.tiles_w) * gemm_shape_.out_blocks;
    parallel_for_or_inline(args.pool, blocks, [&](std::int64_t begin, std::int64_t end) {
      kernels::nchwc_block_means(args.output, plane, begin, end, args.pooled);
    });
  }

  float* packed_u() const { return static_cast<float*>(packed_u_.get()); }

  // The GEMM of position t for `count` tiles, output blocks [first, last) (group starts).
  void gemm(std::int64_t t, const float* v, float* out, std::int64_t count, std::int64_t first,
            std::int64_t last) const {
    kernels::NchwcConvShape shape = gemm_shape_;
    shape.in_w = shape.out_w = count;
    kernels::nchwc_conv(shape, v + t * v_stride_, packed_u() + t * packed_floats_, out + t * m_stride_,
                        kernels::Epilogue{}, first, last, 0, count);
  }

  void run_slot(const ConvRunArgs& args, std::int64_t slot) const {
    float* v = static_cast<float*>(args.workspace) + slot * slot_floats_;
    float* products = v + positions_ * v_stride_;
    const kernels::Epilogue epilogue{args.bias, args.residual, activation_};
    schedule_.for_each_block(slot, total_tiles_, [&](std::int64_t tile_begin, std::int64_t count) {
      kernels::winograd_nchwc_input_transform(layer_, args.input, tile_begin, count, v, v_stride_);
      for (std::int64_t t = 0; t < positions_; ++t) gemm(t, v, products, count, 0, gemm_shape_.out_blocks);
      kernels::winograd_nchwc_output_transform(layer_, products, m_stride_, tile_begin, count, epilogue, args.output);
    });
  }

  // All tiles as one block: the input transform split by input block, the
  // GEMMs by position and weight group, the output transform by output block.
  void run_phased(const ConvRunArgs& args, ThreadPool& pool) const {
    float* v = static_cast<float*>(args.workspace);
    float* products = v + positions_ * v_stride_;
    const std::int64_t count = total_tiles_;
    const auto share = [&](std::int64_t total, std::int64_t part) {
      return kernels::ChannelRange{total * part / schedule_.threads, total * (part + 1) / schedule_.threads};
    };
    pool.parallel_for(schedule_.threads, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t part = begin; part < end; ++part)
        kernels::winograd_nchwc_input_transform(layer_, args.input, 0, count, v, v_stride_,
                                                share(gemm_shape_.in_blocks, part));
    }, 1);
    const std::int64_t groups = static_cast<std::int64_t>(group_first_.size()) - 1;
    pool.parallel_for(positions_ * groups, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t group = task % groups;
        gemm(task / groups, v, products, count, group_first_[group], group_first_[group + 1]);
      }
    }, 1);
    const kernels::Epilogue epilogue{args.bias, args.residual, activation_};
    pool.parallel_for(schedule_.threads, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t part = begin; part < end; ++part)
        kernels::winograd_nchwc_output_transform(layer_, products, m_stride_, 0, count, epilogue, args.output,
                                                 share(gemm_shape_.out_blocks, part));
    }, 1);
  }

  kernels::WinogradLayer layer_;
  kernels::ActivationParams activation_;
  kernels::NchwcConvShape gemm_shape_;  // in_w / out_w set per call to the block's tile count
  AlignedBuffer packed_u_;              // positions_ packed [M, C, 1, 1] weights, packed_floats_ apart
  std::int64_t packed_floats_ = 0;
  std::vector<std::int64_t> group_first_;  // the GEMMs' weight groups: [group_first_[g], group_first_[g + 1])
  std::int64_t positions_ = 0, total_tiles_ = 0;
  WinogradSchedule schedule_;
  bool pooled_ = false;  // also writes the output's per-channel means (ConvRunArgs::pooled)
  std::int64_t v_stride_ = 0, m_stride_ = 0, slot_floats_ = 0;
};

}  // namespace

std::unique_ptr<ConvAlgorithm> make_conv_winograd_nchwc(const ConvSetup& setup, int tile_size) {
  const reference::ConvParams& p = setup.params;
  if (tile_size != 2 && tile_size != 4 && tile_size != 6) return nullptr;
  // A scaled input (fold_channel_scale_into_conv) is the direct kernels' alone.
  if (!setup.weight || setup.input_scaled || !winograd_applies(p) || p.in_channels % kB != 0 ||
      p.out_channels % kB != 0)
    return nullptr;
  return std::make_unique<ConvWinogradNchwc>(setup, tile_size);
}

}  // namespace onnxrun
