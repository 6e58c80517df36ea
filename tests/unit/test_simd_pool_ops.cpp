// The SIMD pooling kernels (ops/kernels/pool_kernels.hpp) against the scalar
// references (ops/reference/pool_reference.hpp), for every instruction set
// this machine runs: 2D max and average pooling over plane sizes around the
// vector widths, with kernels, strides, pads, ceil_mode and count_include_pad
// varied, NaN and all-padding windows included; the global pools at plane
// sizes around the vector widths; and the ops, which take the SIMD path where
// it applies and must still match the reference.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ops/kernels/nchwc_conv.hpp"
#include "ops/kernels/pool_kernels.hpp"
#include "ops/pool/pool_ops.hpp"
#include "ops/reference/pool_reference.hpp"
#include "tests/support/isa_loop.hpp"
#include "tests/support/op_runner.hpp"

namespace k = onnxrun::kernels;
namespace ref = onnxrun::reference;
using onnxrun::DType;
using onnxrun::Shape;
using onnxrun::Tensor;
using onnxrun::testing::available_isas;
using onnxrun::testing::IsaGuard;
using onnxrun::testing::OpRunner;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> random_values(std::mt19937& rng, std::int64_t n, double nan_fraction = 0.0) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = coin(rng) < nan_fraction ? kNaN : dist(rng);
  return v;
}

// How many elements differ: bit-equal values are required for max pooling
// (exact), the project tolerance (1e-4 * max|expected| + 1e-5) otherwise. NaN
// must meet NaN.
std::int64_t mismatches(const std::vector<float>& actual, const std::vector<float>& expected, bool exact,
                        std::int64_t* first = nullptr) {
  double max_expected = 0;
  for (float e : expected)
    if (std::isfinite(e)) max_expected = std::max(max_expected, std::abs(static_cast<double>(e)));
  const double tolerance = exact ? 0.0 : 1e-4 * max_expected + 1e-5;
  std::int64_t count = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const float a = actual[i], e = expected[i];
    bool ok;
    if (std::isnan(e) || std::isnan(a)) ok = std::isnan(e) && std::isnan(a);
    else if (std::isinf(e) || exact) ok = a == e;
    else ok = std::abs(static_cast<double>(a) - e) <= tolerance;
    if (!ok && count++ == 0 && first) *first = static_cast<std::int64_t>(i);
  }
  return count;
}

// Output length by the ONNX / PyTorch rule: with ceil_mode a window that would
// start in the end padding is dropped.
std::int64_t out_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t pad, bool ceil_mode) {
  const std::int64_t span = in + 2 * pad - kernel;
  std::int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

struct Case2d {
  std::int64_t in_h, in_w, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  bool ceil_mode;
};

std::string describe(const Case2d& c) {
  std::ostringstream s;
  s << "in " << c.in_h << "x" << c.in_w << " kernel " << c.kernel_h << "x" << c.kernel_w << " stride " << c.stride_h
    << "x" << c.stride_w << " pad " << c.pad_h << "x" << c.pad_w << " ceil " << c.ceil_mode
    << " isa " << std::string(k::isa_name(k::active_isa()));
  return s.str();
}

ref::AveragePoolParams params_for(const Case2d& c, std::int64_t planes, bool count_include_pad) {
  ref::AveragePoolParams p;
  p.in[1] = c.in_h;
  p.in[2] = c.in_w;
  p.kernel[1] = c.kernel_h;
  p.kernel[2] = c.kernel_w;
  p.stride[1] = c.stride_h;
  p.stride[2] = c.stride_w;
  p.pad[1] = c.pad_h;
  p.pad[2] = c.pad_w;
  p.out[1] = out_size(c.in_h, c.kernel_h, c.stride_h, c.pad_h, c.ceil_mode);
  p.out[2] = out_size(c.in_w, c.kernel_w, c.stride_w, c.pad_w, c.ceil_mode);
  p.channels = planes;
  p.count_include_pad = count_include_pad;
  // As AveragePoolOp sets it without dilation: the input plus its end pad.
  p.count_end[1] = c.in_h + c.pad_h;
  p.count_end[2] = c.in_w + c.pad_w;
  return p;
}

// Runs one geometry through the max and both average kernels and their
// references (three planes, so that plane offsets matter); returns whether
// all matched. Exactly sized vectors let ASan see any read past the input.
bool check_case(const Case2d& c, std::mt19937& rng, double nan_fraction) {
  const std::int64_t planes = 3;
  bool ok = true;
  for (int mode = 0; mode < 3; ++mode) {
    const bool is_max = mode == 0, count_include_pad = mode == 2;
    const ref::AveragePoolParams p = params_for(c, planes, count_include_pad);
    const std::optional<k::Pool2dGeometry> g = onnxrun::simd_pool2d_geometry(p, p.count_end);
    REQUIRE(g.has_value());
    k::Pool2dGeometry geometry = *g;
    geometry.count_include_pad = count_include_pad;
    const std::vector<float> x = random_values(rng, planes * c.in_h * c.in_w, is_max ? nan_fraction : 0.0);
    const std::size_t out_count = static_cast<std::size_t>(planes * p.out[1] * p.out[2]);
    std::vector<float> actual(out_count, 12345.0f), expected(out_count);
    if (is_max) {
      ref::maxpool_reference<float>(p, x.data(), expected.data(), nullptr, false, 0, planes);
      // Two calls, as two threads would split the planes.
      k::maxpool2d(geometry, x.data(), actual.data(), 0, 1);
      k::maxpool2d(geometry, x.data(), actual.data(), 1, planes);
    } else {
      ref::averagepool_reference(p, x.data(), expected.data(), 0, planes);
      k::avgpool2d(geometry, x.data(), actual.data(), 0, 2);
      k::avgpool2d(geometry, x.data(), actual.data(), 2, planes);
    }
    std::int64_t first = -1;
    const std::int64_t bad = mismatches(actual, expected, is_max, &first);
    if (bad != 0) {
      ok = false;
      INFO(describe(c) << (is_max ? " max" : count_include_pad ? " avg count_include_pad" : " avg") << ": " << bad
                       << " wrong, first at " << first << ": " << actual[first] << " vs " << expected[first]);
      CHECK(bad == 0);
    }
  }
  return ok;
}

}  // namespace

TEST_CASE("simd maxpool2d / avgpool2d match the reference around vector edges, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(17);
  const std::int64_t widths[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 57};
  const std::int64_t heights[] = {1, 4, 9};
  const std::int64_t kernels[][2] = {{2, 2}, {3, 3}, {1, 3}, {3, 1}, {5, 5}};
  const std::int64_t strides[][2] = {{1, 1}, {2, 2}, {1, 2}, {3, 1}};
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    std::int64_t cases = 0, failures = 0;
    for (std::int64_t in_w : widths)
      for (std::int64_t in_h : heights)
        for (const auto& kernel : kernels)
          for (const auto& stride : strides)
            // Pads from none to the whole kernel: windows wholly in the padding
            // give -inf (max) and NaN or 0 (average), as in the reference.
            for (std::int64_t pad : {std::int64_t{0}, std::int64_t{1}, kernel[1]})
              for (bool ceil_mode : {false, true}) {
                const Case2d c{in_h, in_w, kernel[0], kernel[1], stride[0], stride[1],
                               std::min(pad, kernel[0]), pad, ceil_mode};
                if (c.in_h + 2 * c.pad_h < c.kernel_h || c.in_w + 2 * c.pad_w < c.kernel_w) continue;
                ++cases;
                if (!check_case(c, rng, 0.0)) ++failures;
              }
    INFO("isa " << std::string(k::isa_name(isa)) << ": " << failures << " of " << cases << " geometries wrong");
    CHECK(failures == 0);
    CHECK(cases > 1000);
  }
}

TEST_CASE("simd maxpool2d propagates NaN like the reference (torch.max_pool2d), every ISA") {
  IsaGuard guard;
  std::mt19937 rng(5);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    // Widths below a vector too (max_plane's masked path for narrow rows).
    for (std::int64_t in_w : {1, 3, 7, 9, 16, 17, 33, 57})
      for (double fraction : {0.02, 0.2}) {
        check_case(Case2d{7, in_w, 3, 3, 2, 2, 1, 1, false}, rng, fraction);
        check_case(Case2d{7, in_w, 2, 2, 1, 1, 0, 0, true}, rng, fraction);
        check_case(Case2d{6, in_w, 3, 3, 1, 1, 1, 1, false}, rng, fraction);
      }
    // One NaN per plane position, interior and border alike: the windows
    // holding it, and only those, give NaN.
    const Case2d c{5, 19, 3, 3, 2, 2, 1, 1, false};
    const ref::AveragePoolParams p = params_for(c, 1, false);
    const k::Pool2dGeometry g = *onnxrun::simd_pool2d_geometry(p, p.count_end);
    std::int64_t wrong = 0;
    for (std::int64_t at = 0; at < c.in_h * c.in_w; ++at) {
      std::vector<float> x = random_values(rng, c.in_h * c.in_w);
      x[static_cast<std::size_t>(at)] = kNaN;
      std::vector<float> actual(static_cast<std::size_t>(p.out[1] * p.out[2])), expected(actual.size());
      ref::maxpool_reference<float>(p, x.data(), expected.data(), nullptr, false, 0, 1);
      k::maxpool2d(g, x.data(), actual.data(), 0, 1);
      wrong += mismatches(actual, expected, true);
    }
    INFO("isa " << std::string(k::isa_name(isa)));
    CHECK(wrong == 0);
  }
}

// The fast max path sums each column vector's taps to notice NaN;
// infinities of both signs in one column (here in adjacent rows) make the
// sum NaN too, and then the plane goes window by window. Both ways must give
// the reference's results.
TEST_CASE("simd maxpool2d with infinities of both signs in a plane matches the reference, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(23);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (std::int64_t in_w : {7, 17, 57}) {
      const Case2d c{9, in_w, 3, 3, 2, 2, 1, 1, true};
      const ref::AveragePoolParams p = params_for(c, 2, false);
      const k::Pool2dGeometry g = *onnxrun::simd_pool2d_geometry(p, p.count_end);
      for (bool both_signs : {false, true}) {
        std::vector<float> x = random_values(rng, 2 * c.in_h * c.in_w);
        x[5] = std::numeric_limits<float>::infinity();
        if (both_signs) x[static_cast<std::size_t>(5 + c.in_w)] = -std::numeric_limits<float>::infinity();
        std::vector<float> actual(static_cast<std::size_t>(2 * p.out[1] * p.out[2])), expected(actual.size());
        ref::maxpool_reference<float>(p, x.data(), expected.data(), nullptr, false, 0, 2);
        k::maxpool2d(g, x.data(), actual.data(), 0, 2);
        INFO("isa " << std::string(k::isa_name(isa)) << " in_w " << in_w << " both signs " << both_signs);
        CHECK(mismatches(actual, expected, true) == 0);
      }
    }
  }
}

TEST_CASE("simd global pools match the reference at plane sizes around vector edges, NaN included, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(23);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (std::int64_t plane : {1, 7, 8, 9, 15, 16, 17, 31, 33, 49, 1000, 12544}) {
      INFO("isa " << std::string(k::isa_name(isa)) << " plane " << plane);
      const std::int64_t planes = 4;
      // Offset values: a mean far from zero shows a lost or doubled element.
      std::vector<float> x = random_values(rng, planes * plane);
      for (float& v : x) v += 3.0f;
      std::vector<float> actual(planes, 12345.0f), expected(planes);
      ref::global_average_pool_reference(x.data(), expected.data(), plane, 0, planes);
      k::global_average_pool(x.data(), actual.data(), plane, 0, 1);
      k::global_average_pool(x.data(), actual.data(), plane, 1, planes);
      CHECK(mismatches(actual, expected, false) == 0);
      // The last plane's maximum at its last element (the scalar tail), a NaN
      // in plane 1 at its last element and one in plane 2 at its first.
      x[static_cast<std::size_t>(planes * plane - 1)] = 10.0f;
      x[static_cast<std::size_t>(2 * plane - 1)] = kNaN;
      x[static_cast<std::size_t>(2 * plane)] = kNaN;
      ref::global_max_pool_reference(x.data(), expected.data(), plane, 0, planes);
      k::global_max_pool(x.data(), actual.data(), plane, 0, planes);
      CHECK(mismatches(actual, expected, true) == 0);
      CHECK(std::isnan(actual[1]));
      CHECK(actual[3] == 10.0f);
    }
    const std::vector<float> minus_inf(9, -std::numeric_limits<float>::infinity());
    float y = 0;
    k::global_max_pool(minus_inf.data(), &y, 9, 0, 1);
    CHECK(y == -std::numeric_limits<float>::infinity());
  }
}

namespace {

Tensor random_tensor(std::mt19937& rng, const Shape& shape, double nan_fraction = 0.0) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return Tensor::from_values<float>(shape, random_values(rng, n, nan_fraction));
}

std::vector<float> values(const Tensor& t) {
  const float* p = t.data_as<float>();
  return std::vector<float>(p, p + t.element_count());
}

// The op with 1 and 3 threads (which must agree bit for bit) against the
// reference run on params_for(c).
void check_pool_op(const char* op_type, const Case2d& c, bool count_include_pad, const Tensor& x) {
  OpRunner runner(op_type, 19, "pool");
  runner.input(x)
      .attr_ints("kernel_shape", {c.kernel_h, c.kernel_w})
      .attr_ints("strides", {c.stride_h, c.stride_w})
      .attr_ints("pads", {c.pad_h, c.pad_w, c.pad_h, c.pad_w})
      .attr_int("ceil_mode", c.ceil_mode ? 1 : 0);
  if (count_include_pad) runner.attr_int("count_include_pad", 1);
  const Tensor one = runner.run(1)[0], three = runner.run(3)[0];
  const std::int64_t planes = x.shape()[0] * x.shape()[1];
  const ref::AveragePoolParams p = params_for(c, planes, count_include_pad);
  REQUIRE(one.shape() == Shape{x.shape()[0], x.shape()[1], p.out[1], p.out[2]});
  std::vector<float> expected(static_cast<std::size_t>(one.element_count()));
  const bool is_max = std::string(op_type) == "MaxPool";
  if (is_max) ref::maxpool_reference<float>(p, x.data_as<float>(), expected.data(), nullptr, false, 0, planes);
  else ref::averagepool_reference(p, x.data_as<float>(), expected.data(), 0, planes);
  INFO(std::string(op_type) << " " << describe(c) << " count_include_pad " << count_include_pad);
  CHECK(mismatches(values(one), expected, is_max) == 0);
  CHECK(std::memcmp(one.data(), three.data(), one.byte_size()) == 0);
}

}  // namespace

TEST_CASE("MaxPool and AveragePool ops on the SIMD path match the reference, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(31);
  const Tensor stem = random_tensor(rng, {1, 64, 112, 112}, 1e-4);
  const Tensor odd = random_tensor(rng, {2, 3, 23, 29}, 0.01);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    // ResNet's stem pool, then odd sizes with ceil_mode and asymmetric kernels.
    check_pool_op("MaxPool", Case2d{112, 112, 3, 3, 2, 2, 1, 1, false}, false, stem);
    for (bool ceil_mode : {false, true}) {
      check_pool_op("MaxPool", Case2d{23, 29, 3, 3, 2, 2, 1, 1, ceil_mode}, false, odd);
      check_pool_op("MaxPool", Case2d{23, 29, 2, 2, 2, 2, 0, 0, ceil_mode}, false, odd);
      check_pool_op("MaxPool", Case2d{23, 29, 3, 2, 1, 1, 1, 1, ceil_mode}, false, odd);
      for (bool include : {false, true}) {
        const Tensor clean = random_tensor(rng, {2, 3, 23, 29});
        check_pool_op("AveragePool", Case2d{23, 29, 3, 3, 2, 2, 1, 1, ceil_mode}, include, clean);
        check_pool_op("AveragePool", Case2d{23, 29, 2, 2, 2, 2, 0, 0, ceil_mode}, include, clean);
        check_pool_op("AveragePool", Case2d{23, 29, 5, 3, 3, 1, 2, 1, ceil_mode}, include, clean);
      }
    }
  }
}

TEST_CASE("MaxPool ops off the SIMD path (stride 3 along W, 1D, Indices) still match the reference") {
  std::mt19937 rng(37);
  const Tensor x = random_tensor(rng, {2, 3, 17, 20}, 0.01);
  // pool2d_kernel_supports refuses stride 3 along W; the op falls back.
  check_pool_op("MaxPool", Case2d{17, 20, 3, 3, 1, 3, 1, 1, false}, false, x);
  check_pool_op("AveragePool", Case2d{17, 20, 3, 3, 1, 3, 1, 1, true}, true, x);
  // 1D pools use the 2D kernel with one row.
  const Tensor line = random_tensor(rng, {2, 3, 41}, 0.01);
  OpRunner pool1d("MaxPool", 12, "pool1d");
  pool1d.input(line).attr_ints("kernel_shape", {3}).attr_ints("strides", {2}).attr_ints("pads", {1, 1});
  const Tensor y = pool1d.run(2)[0];
  ref::PoolParams p;
  p.in[2] = 41;
  p.kernel[2] = 3;
  p.stride[2] = 2;
  p.pad[2] = 1;
  p.out[2] = 21;
  std::vector<float> expected(6 * 21);
  ref::maxpool_reference<float>(p, line.data_as<float>(), expected.data(), nullptr, false, 0, 6);
  REQUIRE(y.shape() == Shape{2, 3, 21});
  CHECK(mismatches(values(y), expected, true) == 0);
  // With the Indices output the op keeps to the reference, which computes them.
  OpRunner with_indices("MaxPool", 12, "indices");
  with_indices.set_output_count(2).input(x).attr_ints("kernel_shape", {3, 3}).attr_ints("strides", {2, 2});
  const std::vector<Tensor> both = with_indices.run(1);
  ref::PoolParams q;
  q.in[1] = 17;
  q.in[2] = 20;
  q.kernel[1] = q.kernel[2] = 3;
  q.stride[1] = q.stride[2] = 2;
  q.out[1] = 8;
  q.out[2] = 9;
  std::vector<float> expected_y(6 * 72);
  std::vector<std::int64_t> expected_indices(6 * 72);
  ref::maxpool_reference<float>(q, x.data_as<float>(), expected_y.data(), expected_indices.data(), false, 0, 6);
  CHECK(mismatches(values(both[0]), expected_y, true) == 0);
  CHECK(std::memcmp(both[1].data(), expected_indices.data(), both[1].byte_size()) == 0);
}

TEST_CASE("NCHW8c maxpool2d matches the reference at every stride, pads, ceil_mode, NaN and infinities, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(29);
  const std::int64_t channels = 16, blocks = channels / k::kNchwcBlock;
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    std::int64_t cases = 0, failures = 0;
    for (std::int64_t in_w : {1, 5, 13, 27})
      for (std::int64_t in_h : {1, 6, 14})
        for (const auto& kernel : {std::array<std::int64_t, 2>{3, 3}, {2, 2}, {1, 3}})
          for (const auto& stride : {std::array<std::int64_t, 2>{1, 1}, {2, 2}, {3, 1}, {1, 3}})
            for (std::int64_t pad : {0, 1, 2})
              for (bool ceil_mode : {false, true})
                for (bool nan_in_second : {true, false}) {
                  const Case2d c{in_h, in_w, kernel[0], kernel[1], stride[0], stride[1], pad, pad, ceil_mode};
                  if (c.in_h + 2 * c.pad_h < c.kernel_h || c.in_w + 2 * c.pad_w < c.kernel_w) continue;
                  ++cases;
                  const ref::AveragePoolParams p = params_for(c, channels, false);
                  const std::optional<k::Pool2dGeometry> g = onnxrun::pool2d_geometry(p);
                  REQUIRE(g.has_value());
                  const std::int64_t in_plane = c.in_h * c.in_w, out_plane = p.out[1] * p.out[2];
                  // Both paths of each block: one block clean (pooled with plain
                  // maxes), the other with NaN (pooled again window by window), or
                  // with infinities: +inf above -inf in one column of channel 3,
                  // whose column sums are NaN where a window spans both rows (also
                  // pooled again; max +inf there), and lone ones elsewhere.
                  std::vector<float> x = random_values(rng, channels * in_plane);
                  const std::int64_t special = nan_in_second ? 1 : 0;
                  for (std::int64_t i = 0; i < in_plane * k::kNchwcBlock; ++i) {
                    float& v = x[static_cast<std::size_t>(special * k::kNchwcBlock * in_plane + i)];
                    if (i % 19 == 7) v = nan_in_second ? kNaN : (i % 2 ? kInf : -kInf);
                  }
                  if (!nan_in_second && c.in_h >= 2) {
                    const std::size_t at = static_cast<std::size_t>(3 * in_plane + c.in_w / 2);
                    x[at] = kInf;
                    x[at + static_cast<std::size_t>(c.in_w)] = -kInf;
                  }
                  std::vector<float> expected(static_cast<std::size_t>(channels * out_plane));
                  ref::maxpool_reference<float>(p, x.data(), expected.data(), nullptr, false, 0, channels);
                  std::vector<float> x_blocked(x.size()), y_blocked(expected.size(), 12345.0f), actual(expected.size());
                  k::reorder_nchw_to_nchwc(x.data(), x_blocked.data(), in_plane, 0, blocks);
                  // Two calls, as two threads would split the blocks.
                  k::maxpool2d_nchwc(*g, x_blocked.data(), y_blocked.data(), 0, 1);
                  k::maxpool2d_nchwc(*g, x_blocked.data(), y_blocked.data(), 1, blocks);
                  k::reorder_nchwc_to_nchw(y_blocked.data(), actual.data(), out_plane, 0, blocks);
                  std::int64_t first = -1;
                  const std::int64_t bad = mismatches(actual, expected, true, &first);
                  if (bad != 0) {
                    ++failures;
                    INFO(describe(c) << std::string(nan_in_second ? ", NaN" : ", infinities") << ": " << bad
                                     << " wrong, first at " << first);
                    CHECK(bad == 0);
                  }
                }
    CHECK(failures == 0);
    CHECK(cases > 400);
  }
}
