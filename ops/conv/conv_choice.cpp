#include "ops/conv/conv_choice.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/conv/conv_depthwise.hpp"
#include "ops/conv/conv_direct.hpp"
#include "ops/conv/conv_gemm.hpp"
#include "ops/conv/conv_nchwc.hpp"
#include "ops/conv/conv_via_layout.hpp"
#include "ops/conv/conv_winograd.hpp"

namespace onnxrun {

namespace {

// The model's constants, per core, from bench/onnxrun_microbench's conv and
// SGEMM figures on this project's AVX2 machine (ResNet-18/50 3x3 layers):
// - the packed SGEMM sustains ~60 GFLOP/s once a GEMM has a few panels of
//   work (im2col 3x3 layers: 48 to 66);
// - a GEMM whose B side is only a few tiles wide streams its A operand (the
//   packed or transformed weights) from memory at ~8 GB/s, and that, not the
//   arithmetic, is its time: Winograd F(4x4) on 512 channels at 7x7 has 4
//   tiles and takes 4.7 ms reading 37.7 MB of transformed weights, while
//   F(2x2) reads 16.7 MB in 2.2 ms;
// - Winograd's input and output transforms cost ~0.6 ns per transformed
//   element ((C + M) x tiles x alpha^2), im2col ~0.7 ns per column element.
// With these the model reproduces the measured times of every ResNet 3x3
// layer within ~20% and ranks the candidates as the measurements do.
constexpr double kGemmFlopsPerNs = 60.0;
constexpr double kWeightBytesPerNs = 8.0;
constexpr double kTransformNsPerElement = 0.6;
constexpr double kIm2colNsPerElement = 0.7;
// Winograd re-reads its weights once per block of about this many tiles.
constexpr double kWinogradBlockTiles = 128;
constexpr double kPanelWidth = 8;  // SGEMM columns are padded to the panel width
// Direct convolution sustains ~60 to 70 GFLOP/s counted over what it computes
// (output channels rounded up to its 6-channel block, columns to its 16-column
// tile): ResNet's 7x7 stride-2 first layer 69, its 3x3 layers 52 to 73,
// MobileNetV2's first layer 52 with its padding copy. 55 keeps im2col where
// the two are within ~10% (ResNet's 3x3 stride-2 layers).
constexpr double kDirectFlopsPerNs = 55.0;
constexpr double kDirectOcBlock = 6;
constexpr double kDirectColumnTile = 16;
constexpr double kPadNsPerElement = 0.3;

// Accuracy limits on the larger Winograd tiles. Each layer alone stays well
// within the project tolerance at every tile size (conv_winograd.cpp's table),
// but a deep network adds up and amplifies the errors of all its layers, and
// F(4x4) and F(6x6) err more than F(2x2) and the GEMM. Measured on the model
// zoo (tests/models/export_zoo.py), max error against PyTorch as a fraction
// of the tolerance: inception_v3, whose 3x3 layers have 32 to 96 input
// channels, 0.45 with F(2x2) and GEMMs only, 2.16 (a failure) with F(4x4) and
// F(6x6) wherever they are fastest, 1.44 with F(6x6) kept to 128 channels and
// up; ResNet-50 0.16 with F(2x2) only, 0.29 with F(6x6) from 256.
// F(4x4) (on points 0, -1, 1, 1/2, -2 since; it was 0, +-1, +-2) from 64
// channels: inception_v3 0.58 -> 0.46, ResNet-50 0.30 -> 0.22. From 16 or 32
// channels everywhere: inception_v3 1.29 with the old points, 0.87 with the
// new, all of it from its two 32-channel stem layers at 147x147; they are the
// only zoo layers under 64 channels on a plane over 64x64, and the first
// layers of a network pass their errors through all the rest. So F(4x4)
// below 64 channels only on planes up to 64x64 (inception_v3 0.46,
// SqueezeNet's 16-48 channel layers 1.3-1.8x faster than with F(2x2)).
constexpr std::int64_t kWinogradF4MinChannels = 16;
constexpr std::int64_t kWinogradF4FewChannels = 64;
constexpr std::int64_t kWinogradF4FewChannelsMaxPlane = 64 * 64;
constexpr std::int64_t kWinogradF6MinChannels = 256;

bool winograd_accurate_enough(const reference::ConvParams& p, int m) {
  if (m == 6) return p.in_channels >= kWinogradF6MinChannels;
  if (m == 4)
    return p.in_channels >= kWinogradF4FewChannels ||
           (p.in_channels >= kWinogradF4MinChannels && p.out[1] * p.out[2] <= kWinogradF4FewChannelsMaxPlane);
  return true;
}

double round_up(double value, double multiple) { return std::ceil(value / multiple) * multiple; }

// A 1x1, stride-1, unpadded conv reads its input as the GEMM's B matrix as it
// is (conv_gemm.cpp's "gemm_1x1").
bool reads_input_as_b(const reference::ConvParams& p) {
  bool pointwise = true;
  for (int d = 0; d < 3; ++d)
    pointwise = pointwise && p.kernel[d] == 1 && p.stride[d] == 1 && p.pad[d] == 0 && p.out[d] == p.in[d];
  return pointwise;
}

double gemm_estimate(const reference::ConvParams& p) {
  const double group_rows = static_cast<double>(p.out_channels / p.groups);
  const double depth = static_cast<double>(p.in_channels / p.groups) * p.kernel[0] * p.kernel[1] * p.kernel[2];
  const double positions = static_cast<double>(p.out[0]) * p.out[1] * p.out[2];
  const double gemms = static_cast<double>(p.batch) * p.groups;
  const double flops = 2 * gemms * group_rows * depth * round_up(positions, kPanelWidth);
  const double weight_bytes = static_cast<double>(p.groups) * group_rows * depth * sizeof(float);
  const double im2col_ns = reads_input_as_b(p) ? 0 : gemms * depth * positions * kIm2colNsPerElement;
  return std::max(flops / kGemmFlopsPerNs, weight_bytes / kWeightBytesPerNs) + im2col_ns;
}

double winograd_estimate(const reference::ConvParams& p, int m) {
  const double alpha = m + 2;
  const double tiles = static_cast<double>(p.batch) * std::ceil(static_cast<double>(p.out[1]) / m) *
                       std::ceil(static_cast<double>(p.out[2]) / m);
  const double C = static_cast<double>(p.in_channels), M = static_cast<double>(p.out_channels);
  const double flops = 2 * alpha * alpha * M * C * round_up(tiles, kPanelWidth);
  const double weight_reads = std::ceil(tiles / kWinogradBlockTiles);
  const double weight_bytes = alpha * alpha * M * C * sizeof(float) * weight_reads;
  const double transform_ns = (C + M) * tiles * alpha * alpha * kTransformNsPerElement;
  return std::max(flops / kGemmFlopsPerNs, weight_bytes / kWeightBytesPerNs) + transform_ns;
}

double direct_estimate(const reference::ConvParams& p) {
  const double flops = 2.0 * p.batch * round_up(static_cast<double>(p.out_channels), kDirectOcBlock) *
                       static_cast<double>(p.in_channels) * p.kernel[1] * p.kernel[2] * p.out[1] *
                       round_up(static_cast<double>(p.out[2]), kDirectColumnTile);
  const double padded = static_cast<double>(p.batch) * p.in_channels *
                        ((p.out[1] - 1) * p.stride[1] + (p.kernel[1] - 1) * p.dilation[1] + 1) * p.stride[2] *
                        round_up(static_cast<double>(p.out[2]), 32);
  return flops / kDirectFlopsPerNs + padded * kPadNsPerElement;
}

}  // namespace

std::vector<ConvCandidate> rank_conv_candidates(const ConvSetup& setup) {
  const reference::ConvParams& p = setup.params;
  std::vector<ConvCandidate> candidates;
  candidates.push_back({reads_input_as_b(p) ? "gemm_1x1" : "im2col_gemm", gemm_estimate(p)});
  if (direct_conv_applies(p)) candidates.push_back({"direct", direct_estimate(p)});
  if (winograd_applies(p))
    for (int m : {2, 4, 6})
      if (winograd_accurate_enough(p, m))
        candidates.push_back({"winograd_f" + std::to_string(m) + "x" + std::to_string(m), winograd_estimate(p, m)});
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const ConvCandidate& a, const ConvCandidate& b) { return a.estimated_ns < b.estimated_ns; });
  return candidates;
}

namespace {

// The tile size when the cheapest candidate is a Winograd one, else 0.
int winograd_tile_size(const std::string& best) {
  for (int m : {2, 4, 6})
    if (best == "winograd_f" + std::to_string(m) + "x" + std::to_string(m)) return m;
  return 0;
}

}  // namespace

// Below this many transformed weights per transformed tile, the blocked
// Winograd beats the NCHW one (its GEMMs over many tiles, its transforms on
// whole 8-channel vectors); at this many and above, the NCHW SGEMM streams
// the weights faster. Both layouts pick by it, running the other layout's
// algorithm between reorders (conv_via_layout.cpp).
constexpr double kBlockedWinogradWeightsPerTiles = 2.0;

std::unique_ptr<ConvAlgorithm> choose_conv_algorithm(const ConvSetup& setup) {
  if (auto depthwise = make_conv_depthwise(setup)) return depthwise;
  const std::string best = rank_conv_candidates(setup).front().name;
  if (const int m = winograd_tile_size(best)) {
    if (winograd_weights_per_tiles(setup.params, m) < kBlockedWinogradWeightsPerTiles)
      if (auto blocked = make_conv_nchw_via_nchwc(setup, [m](const ConvSetup& s) { return make_conv_winograd_nchwc(s, m); }))
        return blocked;
    return make_conv_winograd(setup, m);
  }
  if (best == "direct") return make_conv_direct(setup);
  return make_conv_gemm(setup);
}

std::unique_ptr<ConvAlgorithm> choose_blocked_conv_algorithm(const ConvSetup& setup) {
  const reference::ConvParams& p = setup.params;
  if (winograd_applies(p))
    if (const int m = winograd_tile_size(rank_conv_candidates(setup).front().name)) {
      // Where the transformed weights are twice the transformed tiles or
      // more (16 tiles of hundreds of channels: 14x14 and 7x7 planes), the
      // NCHW SGEMM streams them faster than the blocked GEMMs
      // (conv_via_layout.cpp): that layer runs NCHW between reorders.
      // (At 28x28, GoogLeNet's 96>128 and ResNet-18's 128>128 layers, about
      // as many weights as tiles, the blocked GEMMs were the faster, 0.75-0.94.)
      if (winograd_weights_per_tiles(p, m) >= kBlockedWinogradWeightsPerTiles)
        if (auto nchw = make_conv_nchwc_via_nchw(setup, [m](const ConvSetup& s) { return make_conv_winograd(s, m); }))
          return nchw;
      if (auto winograd = make_conv_winograd_nchwc(setup, m)) return winograd;
    }
  return make_conv_nchwc(setup);
}

}  // namespace onnxrun
