// im2col_pack_b against an independent route: the im2col matrix written out
// element by element, then packed by sgemm_pack_b. The two must agree bit for
// bit, padding included, on every ISA's panel width.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "ops/kernels/im2col_pack.hpp"
#include "ops/kernels/sgemm.hpp"
#include "tests/support/isa_loop.hpp"

using namespace onnxrun;
namespace k = onnxrun::kernels;

namespace {

struct PackCase {
  std::int64_t channels;
  std::int64_t in[3], kernel[3], stride[3], pad[3], dilation[3];
};

k::Im2colGeometry geometry(const PackCase& c) {
  k::Im2colGeometry g;
  g.channels = c.channels;
  for (int d = 0; d < 3; ++d) {
    g.in[d] = c.in[d];
    g.kernel[d] = c.kernel[d];
    g.stride[d] = c.stride[d];
    g.pad[d] = c.pad[d];
    g.dilation[d] = c.dilation[d];
    // Output size with the begin pad on both sides.
    g.out[d] = (c.in[d] + 2 * c.pad[d] - c.dilation[d] * (c.kernel[d] - 1) - 1) / c.stride[d] + 1;
  }
  return g;
}

// The im2col matrix: row (c, kd, kh, kw), column (od, oh, ow).
std::vector<float> im2col_matrix(const float* input, const k::Im2colGeometry& g) {
  const std::int64_t taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const std::int64_t N = g.out[0] * g.out[1] * g.out[2];
  std::vector<float> m(static_cast<std::size_t>(g.channels * taps * N));
  for (std::int64_t c = 0; c < g.channels; ++c)
    for (std::int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (std::int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (std::int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          const std::int64_t row = ((c * g.kernel[0] + kd) * g.kernel[1] + kh) * g.kernel[2] + kw;
          for (std::int64_t od = 0; od < g.out[0]; ++od)
            for (std::int64_t oh = 0; oh < g.out[1]; ++oh)
              for (std::int64_t ow = 0; ow < g.out[2]; ++ow) {
                const std::int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
                const std::int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
                const std::int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dilation[2];
                const bool inside = id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1] && iw >= 0 && iw < g.in[2];
                m[static_cast<std::size_t>(row * N + (od * g.out[1] + oh) * g.out[2] + ow)] =
                    inside ? input[((c * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw] : 0.0f;
              }
        }
  return m;
}

}  // namespace

TEST_CASE("im2col packing matches the packed im2col matrix bit for bit") {
  testing::IsaGuard guard;
  const std::vector<PackCase> cases{
      {3, {1, 9, 11}, {1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1}},     // same padding
      {5, {1, 12, 13}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}},    // stride 2
      {4, {1, 20, 23}, {1, 3, 3}, {1, 3, 3}, {0, 2, 2}, {1, 2, 2}},    // stride 3, dilation 2
      {2, {1, 30, 40}, {1, 7, 7}, {1, 2, 2}, {0, 3, 3}, {1, 1, 1}},    // 7x7 s2: lines over 256 columns
      {3, {1, 40, 1}, {1, 3, 1}, {1, 1, 1}, {0, 1, 0}, {1, 1, 1}},     // one column per output row
      {6, {1, 2, 3}, {1, 5, 5}, {1, 1, 1}, {0, 2, 2}, {1, 1, 1}},      // kernel wider than the input
      {2, {4, 5, 6}, {3, 3, 3}, {2, 1, 2}, {1, 1, 1}, {1, 1, 1}},      // 3D
      {300, {1, 5, 6}, {1, 1, 1}, {1, 2, 2}, {0, 0, 0}, {1, 1, 1}},    // 1x1 s2, K over one 256 block
      // Runs copied in whole vectors (im2col_pack_impl.hpp): rows wider than
      // two AVX-512 vectors, pads past a vector's first lane, the last read
      // at the end of the input, ResNet-50's 7-wide stride-2 rows.
      {3, {1, 7, 70}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}},     // 35 outputs per row, stride 2
      {2, {1, 5, 40}, {1, 3, 3}, {1, 1, 1}, {0, 2, 2}, {1, 1, 1}},     // 42 outputs per row, pad 2
      {2, {1, 6, 33}, {1, 1, 1}, {1, 2, 2}, {0, 0, 0}, {1, 1, 1}},     // 1x1 s2 reading the last float
      {4, {1, 14, 14}, {1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}},    // 7x7 outputs
      {2, {1, 4, 19}, {1, 5, 5}, {1, 2, 2}, {0, 17, 17}, {1, 1, 1}},   // a pad wider than a vector
  };
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (k::Isa isa : testing::available_isas()) {
    k::set_active_isa(isa);
    for (const PackCase& c : cases) {
      const k::Im2colGeometry g = geometry(c);
      std::vector<float> input(static_cast<std::size_t>(g.channels * g.in[0] * g.in[1] * g.in[2]));
      for (float& x : input) x = dist(rng);
      const std::int64_t K = g.channels * g.kernel[0] * g.kernel[1] * g.kernel[2];
      const std::int64_t N = g.out[0] * g.out[1] * g.out[2];
      const std::vector<float> matrix = im2col_matrix(input.data(), g);
      // Whole, a block starting mid-row, and a short tail.
      for (const auto& [begin, cols] : {std::pair<std::int64_t, std::int64_t>{0, N}, {N / 3, N - N / 3 - 1},
                                       {N - std::min<std::int64_t>(N, 5), std::min<std::int64_t>(N, 5)}}) {
        if (cols <= 0) continue;
        const std::size_t size = k::sgemm_packed_b_floats(K, cols);
        std::vector<float> expected(size), actual(size, NAN);
        k::sgemm_pack_b(matrix.data() + begin, N, 1, K, cols, expected.data());
        k::im2col_pack_b(input.data(), g, begin, cols, actual.data());
        INFO("isa " << std::string(k::isa_name(isa))
             << " channels " << c.channels << " in " << g.in[0] << "x" << g.in[1] << "x"
                    << g.in[2] << " kernel " << g.kernel[1] << "x" << g.kernel[2] << " stride " << g.stride[2]
                    << " columns " << begin << "+" << cols);
        CHECK(std::memcmp(expected.data(), actual.data(), size * sizeof(float)) == 0);
      }
    }
  }
}
