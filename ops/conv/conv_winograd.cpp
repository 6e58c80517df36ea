#include "ops/conv/conv_winograd.hpp"

#include <algorithm>
#include <vector>

#include "ops/conv/winograd_schedule.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/kernels/winograd.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

// Accuracy: max |error| against reference::conv_reference as a fraction of
// the project tolerance (1e-4 * max|ref| + 1e-5), 3x3 layers with C in and C
// out channels (pads 1, N(0,1) inputs, He-scaled N(0, 2 / (9 C)) weights),
// batch 1 / batch 2:
//
//                  F(2x2,3x3)    F(4x4,3x3)    F(6x6,3x3)
//   16ch 55x55     0.005/0.004   0.014/0.014   0.056/0.067
//   32ch 27x27     0.007/0.008   0.021/0.018   0.071/0.082
//   64ch 56x56     0.010/0.014   0.026/0.023   0.114/0.106
//   128ch 28x28    0.013/0.019   0.035/0.034   0.118/0.116
//   256ch 14x14    0.017/0.021   0.041/0.041   0.169/0.182
//   512ch 7x7      0.021/0.023   0.029/0.033   0.135/0.153
//
// ReLU-like inputs (max(0, N(0,1))) do no worse. So every tile size is within
// tolerance by 5x or more for one layer, and the factory accepts F(6x6) at
// any channel count: the error grows with sqrt(channels) like the
// reference's own float rounding. F(4x4) uses the points 0, -1, 1, 1/2, -2
// rather than the usual 0, +-1, +-2: that cuts its error 2.5-3x (the column
// above was 0.064 / 0.084 / 0.111 / 0.093 from 64 to 512 channels with
// +-2) at the same speed. F(6x6)'s points 0, +-1, +-2, +-1/2 keep the
// transform entries <= 5.25 (32 after A^T), where +-3 would reach 3^5 = 243.
// (The "ResNet shapes" test in tests/unit/test_conv_winograd.cpp checks the
// 64ch and 256ch rows.)
//
// Where F(6x6) (and F(4x4)) are not accurate enough: whole networks, where
// the errors of every layer add up and are amplified. On inception_v3 they
// took the output's error to 2.2x the tolerance; conv_choice.cpp keeps
// F(6x6) to layers of 256 input channels and more and F(4x4) from 16
// channels, below 64 only on planes up to 64x64, with the figures.

namespace onnxrun {

namespace {

// Tiles per block: the transformed input (alpha^2 x in_channels x block) and
// the GEMM results (alpha^2 x out_channels x block) of one block should stay
// in a 512 KiB L2 while the GEMMs and the output transform pass over them.
// Past 64 channels they cannot (32 tiles is the floor); that costs little,
// as the GEMMs do ~C/4 flops per byte of those matrices: on the ResNet layers
// blocks of 32 to 192 tiles run within a few percent of each other.
constexpr std::int64_t kBlockTargetBytes = 512 * 1024;
constexpr std::int64_t kMaxBlock = 256;
// Tiles are dealt to threads, and blocks cut, in chunks of this many: a
// multiple of every ISA's SGEMM panel width (8, 16, 32), so that only the
// very last tiles pad a panel and the workspace fits whichever ISA runs.
constexpr std::int64_t kChunk = 32;
constexpr std::int64_t kStridePad = 16;  // floats: one cache line

std::int64_t round_up(std::int64_t value, std::int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

class ConvWinograd final : public ConvAlgorithm {
 public:
  ConvWinograd(const ConvSetup& setup, int m) : activation_(setup.activation) {
    const reference::ConvParams& p = setup.params;
    layer_ = winograd_layer(p, m);
    const std::int64_t alpha = kernels::winograd_alpha(m);
    positions_ = alpha * alpha;
    total_tiles_ = p.batch * layer_.tiles_h * layer_.tiles_w;

    const std::int64_t C = p.in_channels, M = p.out_channels;
    const std::int64_t per_tile_bytes = positions_ * (C + M) * std::int64_t{sizeof(float)};
    // Fewer chunks than threads (ResNet's 28x28, 14x14 and 7x7 layers have
    // 25, 16 and 16 tiles) run phased: input transform by input channel,
    // GEMMs by position, output transform by output channel.
    schedule_ = WinogradSchedule::make(
        total_tiles_, kChunk,
        std::clamp(kBlockTargetBytes / per_tile_bytes / kChunk, std::int64_t{1}, kMaxBlock / kChunk), setup.threads,
        false);
    const std::int64_t block = schedule_.block_tiles();
    // One cache line more than the matrices need: the transforms touch all
    // alpha^2 matrices at once, and power-of-two strides (64 channels x 32
    // tiles x 4 bytes = 8 KiB) would put every access into the same L1 set.
    v_stride_ = C * block + kStridePad;
    m_stride_ = M * block + kStridePad;
    slot_floats_ = positions_ * (v_stride_ + m_stride_);

    // U_t [M x C] for each position t, packed as SGEMM A operands.
    const std::vector<float> u = winograd_transformed_weights(setup, m);
    a_floats_ = static_cast<std::int64_t>(kernels::sgemm_packed_a_floats(M, C));
    packed_u_.resize(static_cast<std::size_t>(positions_ * a_floats_));
    for (std::int64_t t = 0; t < positions_; ++t)
      kernels::sgemm_pack_a(u.data() + t * M * C, C, 1, M, C, packed_u_.data() + t * a_floats_);
  }

  std::string name() const override { return winograd_algorithm_name("winograd_f", layer_.m); }

  std::size_t workspace_bytes() const override {
    return static_cast<std::size_t>(schedule_.slots * slot_floats_) * sizeof(float);
  }

  void run(const ConvRunArgs& args) const override {
    schedule_.run(
        args.pool, [&](std::int64_t slot) { run_slot(args, slot); },
        [&](ThreadPool& pool) { run_phased(args, pool); });
  }

 private:
  // All tiles as one block, each phase split across the pool (WinogradSchedule::phased).
  void run_phased(const ConvRunArgs& args, ThreadPool& pool) const {
    float* v = static_cast<float*>(args.workspace);
    float* gemm = v + positions_ * v_stride_;
    const std::int64_t nr = kernels::sgemm_nr();
    const std::int64_t n_pad = round_up(total_tiles_, nr);
    const std::int64_t C = layer_.in_channels, M = layer_.out_channels;
    const auto share = [&](std::int64_t total, std::int64_t part) {
      return kernels::ChannelRange{total * part / schedule_.threads, total * (part + 1) / schedule_.threads};
    };
    pool.parallel_for(schedule_.threads, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t part = begin; part < end; ++part)
        kernels::winograd_input_transform(layer_, args.input, 0, total_tiles_, v, v_stride_, share(C, part));
    }, 1);
    pool.parallel_for(positions_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t t = begin; t < end; ++t)
        kernels::sgemm_packed(M, total_tiles_, C, packed_u_.data() + t * a_floats_, v + t * v_stride_,
                              gemm + t * m_stride_, n_pad, kernels::Epilogue{}, 0, n_pad / nr);
    }, 1);
    const kernels::Epilogue epilogue{args.bias, args.residual, activation_};
    pool.parallel_for(schedule_.threads, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t part = begin; part < end; ++part)
        kernels::winograd_output_transform(layer_, gemm, m_stride_, n_pad, 0, total_tiles_, epilogue, args.output,
                                           share(M, part));
    }, 1);
  }

  void run_slot(const ConvRunArgs& args, std::int64_t slot) const {
    float* v = static_cast<float*>(args.workspace) + slot * slot_floats_;
    float* gemm = v + positions_ * v_stride_;
    const kernels::Epilogue epilogue{args.bias, args.residual, activation_};
    const std::int64_t nr = kernels::sgemm_nr();
    const std::int64_t C = layer_.in_channels, M = layer_.out_channels;
    schedule_.for_each_block(slot, total_tiles_, [&](std::int64_t tile_begin, std::int64_t count) {
      const std::int64_t n_pad = round_up(count, nr);
      kernels::winograd_input_transform(layer_, args.input, tile_begin, count, v, v_stride_);
      // N is the tile count, not n_pad: the padding columns of the last
      // panel are zeros whose products nobody reads (16 tiles padded to 32
      // on AVX-512 doubled the work of 512 channels at 7x7).
      for (std::int64_t t = 0; t < positions_; ++t)
        kernels::sgemm_packed(M, count, C, packed_u_.data() + t * a_floats_, v + t * v_stride_, gemm + t * m_stride_,
                              n_pad, kernels::Epilogue{}, 0, n_pad / nr);
      kernels::winograd_output_transform(layer_, gemm, m_stride_, n_pad, tile_begin, count, epilogue, args.output);
    });
  }

  kernels::WinogradLayer layer_;
  kernels::ActivationParams activation_;
  std::int64_t positions_ = 0, total_tiles_ = 0;
  WinogradSchedule schedule_;
  std::int64_t v_stride_ = 0, m_stride_ = 0, slot_floats_ = 0;
  std::int64_t a_floats_ = 0;
  LargeVector<float> packed_u_;  // positions_ SGEMM-packed [M x C] matrices, a_floats_ apart
};

}  // namespace

kernels::WinogradLayer winograd_layer(const reference::ConvParams& p, int m) {
  kernels::WinogradLayer layer;
  layer.m = m;
  layer.in_channels = p.in_channels;
  layer.in_h = p.in[1];
  layer.in_w = p.in[2];
  layer.pad_top = p.pad[1];
  layer.pad_left = p.pad[2];
  layer.out_channels = p.out_channels;
  layer.out_h = p.out[1];
  layer.out_w = p.out[2];
  kernels::winograd_set_tiles(layer);
  return layer;
}

double winograd_weights_per_tiles(const reference::ConvParams& p, int m) {
  const kernels::WinogradLayer layer = winograd_layer(p, m);
  const double tiles = static_cast<double>(p.batch * layer.tiles_h * layer.tiles_w);
  const double C = static_cast<double>(p.in_channels), M = static_cast<double>(p.out_channels);
  return C * M / (tiles * (C + M));
}

std::vector<float> winograd_transformed_weights(const ConvSetup& setup, int m) {
  const std::int64_t C = setup.params.in_channels, M = setup.params.out_channels;
  const std::int64_t alpha = kernels::winograd_alpha(m), positions = alpha * alpha;
  std::vector<float> u(static_cast<std::size_t>(positions * M * C));
  float tile[64];
  for (std::int64_t o = 0; o < M; ++o)
    for (std::int64_t c = 0; c < C; ++c) {
      kernels::winograd_weight_transform(m, setup.weight + (o * C + c) * 9, tile);
      for (std::int64_t t = 0; t < positions; ++t) u[static_cast<std::size_t>((t * M + o) * C + c)] = tile[t];
    }
  return u;
}

bool winograd_applies(const reference::ConvParams& p) {
  return p.groups == 1 && p.kernel[0] == 1 && p.in[0] == 1 && p.out[0] == 1 && p.pad[0] == 0 && p.kernel[1] == 3 &&
         p.kernel[2] == 3 && p.stride[1] == 1 && p.stride[2] == 1 && p.dilation[1] == 1 && p.dilation[2] == 1 &&
         p.batch > 0 && p.in_channels > 0 && p.out_channels > 0 && p.out[1] > 0 && p.out[2] > 0;
}

std::unique_ptr<ConvAlgorithm> make_conv_winograd(const ConvSetup& setup, int tile_size) {
  if (tile_size != 2 && tile_size != 4 && tile_size != 6) return nullptr;
  if (!setup.weight || !winograd_applies(setup.params)) return nullptr;
  return std::make_unique<ConvWinograd>(setup, tile_size);
}

}  // namespace onnxrun
