// Shape inference through each op's infer(): Conv and MaxPool output shapes for
// every geometry attribute in 1D/2D/3D, checked against hand-computed values and
// against window counting straight from the ONNX spec; and the error cases,
// whose messages must name the node and the shapes involved.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/op_runner.hpp"

using onnxrun::DType;
using onnxrun::Shape;
using onnxrun::Tensor;
using onnxrun::testing::OpRunner;

namespace {

using Ints = std::vector<std::int64_t>;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// infer() must throw, with the node's description and every part in the message.
void check_error(const OpRunner& runner, const std::vector<std::string>& parts) {
  const std::string message = runner.infer_error();
  INFO("message: " << message);
  REQUIRE_FALSE(message.empty());
  CHECK(contains(message, runner.node().describe()));
  for (const std::string& part : parts) {
    INFO("expected part: " << part);
    CHECK(contains(message, part));
  }
}

OpRunner conv(const std::string& name, const Shape& x, const Shape& w) {
  OpRunner runner("Conv", 11, name);
  runner.input_desc(DType::Float32, x).input_desc(DType::Float32, w);
  return runner;
}

OpRunner maxpool(const std::string& name, const Shape& x, const Ints& kernel) {
  OpRunner runner("MaxPool", 12, name);
  runner.input_desc(DType::Float32, x).attr_ints("kernel_shape", kernel);
  return runner;
}

Tensor int64_values(const std::vector<std::int64_t>& values) {
  return Tensor::from_values<std::int64_t>({static_cast<std::int64_t>(values.size())}, values);
}

// The ONNX output size of one spatial dim, by walking windows instead of the
// closed forms the ops use. P = in + pad_begin + pad_end, span = (k-1)*d + 1.
// floor mode: windows wholly inside P. ceil mode: keep adding windows until
// one reaches P's end, then drop a last one that starts in the end padding.
// SAME_*: one output per stride step started inside the input.
std::int64_t counted_output(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t d, std::int64_t pb,
                            std::int64_t pe, bool ceil_mode, const std::string& auto_pad) {
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    std::int64_t count = 0;
    while (count * s < in) ++count;
    return count;
  }
  if (auto_pad == "VALID") pb = pe = 0;
  const std::int64_t padded = in + pb + pe, span = (k - 1) * d + 1;
  if (!ceil_mode) {
    std::int64_t count = 0;
    while (count * s + span <= padded) ++count;
    return count;
  }
  std::int64_t count = 1;
  while ((count - 1) * s + span < padded) ++count;
  if ((count - 1) * s >= pb + in) --count;
  return count;
}

}  // namespace

TEST_CASE("Conv output shapes, hand-computed") {
  // NOTSET: out = floor((in + pad_begin + pad_end - ((k - 1) * dilation + 1)) / stride) + 1.
  // SAME_UPPER / SAME_LOWER: out = ceil(in / stride). VALID: pads are zero.
  SUBCASE("1D default: 7 - 3 + 1 = 5") { CHECK(conv("c", {1, 2, 7}, {3, 2, 3}).infer_shape() == Shape{1, 3, 5}); }
  SUBCASE("1D stride 2, pads 1+2: (7 + 3 - 3) / 2 + 1 = 4") {
    CHECK(conv("c", {1, 2, 7}, {3, 2, 3}).attr_ints("strides", {2}).attr_ints("pads", {1, 2}).infer_shape() == Shape{1, 3, 4});
  }
  SUBCASE("1D dilation 3: span 7 over 7 gives 1") {
    CHECK(conv("c", {1, 2, 7}, {3, 2, 3}).attr_ints("dilations", {3}).infer_shape() == Shape{1, 3, 1});
  }
  SUBCASE("2D groups: 13 - 3 + 1 = 11, 7 - 5 + 1 = 3") {
    CHECK(conv("c", {2, 4, 13, 7}, {6, 2, 3, 5}).attr_int("group", 2).infer_shape() == Shape{2, 6, 11, 3});
  }
  SUBCASE("2D asymmetric pads [0,2,1,3], strides [2,3]: H (13+1-3)/2+1 = 6, W (7+5-5)/3+1 = 3") {
    CHECK(conv("c", {2, 4, 13, 7}, {6, 4, 3, 5}).attr_ints("pads", {0, 2, 1, 3}).attr_ints("strides", {2, 3}).infer_shape() ==
          Shape{2, 6, 6, 3});
  }
  SUBCASE("2D dilations [2,1]: H span 5 -> 9, W 3") {
    CHECK(conv("c", {2, 4, 13, 7}, {6, 4, 3, 5}).attr_ints("dilations", {2, 1}).infer_shape() == Shape{2, 6, 9, 3});
  }
  SUBCASE("2D SAME_UPPER and SAME_LOWER, strides [2,3]: ceil(13/2) = 7, ceil(7/3) = 3") {
    for (const char* mode : {"SAME_UPPER", "SAME_LOWER"})
      CHECK(conv("c", {2, 4, 13, 7}, {6, 4, 3, 5}).attr_string("auto_pad", mode).attr_ints("strides", {2, 3}).infer_shape() ==
            Shape{2, 6, 7, 3});
  }
  SUBCASE("2D VALID ignores pads: (13-3)/2+1 = 6, (7-5)/2+1 = 2") {
    CHECK(conv("c", {2, 4, 13, 7}, {6, 4, 3, 5})
              .attr_string("auto_pad", "VALID")
              .attr_ints("pads", {4, 4, 4, 4})
              .attr_ints("strides", {2, 2})
              .infer_shape() == Shape{2, 6, 6, 2});
  }
  SUBCASE("3D strides [1,2,3], pads [1,0,1,0,1,1]: D 5, H (6+1-3)/2+1 = 3, W (7+2-3)/3+1 = 3") {
    CHECK(conv("c", {1, 3, 5, 6, 7}, {4, 3, 2, 3, 3})
              .attr_ints("strides", {1, 2, 3})
              .attr_ints("pads", {1, 0, 1, 0, 1, 1})
              .infer_shape() == Shape{1, 4, 5, 3, 3});
  }
  SUBCASE("depthwise, pads 1 keep 5x5") {
    CHECK(conv("c", {1, 7, 5, 5}, {7, 1, 3, 3}).attr_int("group", 7).attr_ints("pads", {1, 1, 1, 1}).infer_shape() ==
          Shape{1, 7, 5, 5});
  }
  SUBCASE("kernel larger than the input but fitting with pads: 1 + 2 - 3 + 1 = 1") {
    CHECK(conv("c", {1, 1, 1, 1}, {1, 1, 3, 3}).attr_ints("pads", {1, 1, 1, 1}).infer_shape() == Shape{1, 1, 1, 1});
  }
  SUBCASE("kernel_shape equal to the weights' is accepted") {
    CHECK(conv("c", {1, 2, 7, 7}, {3, 2, 3, 2}).attr_ints("kernel_shape", {3, 2}).infer_shape() == Shape{1, 3, 5, 6});
  }
  SUBCASE("SAME_UPPER with dilation 2 and stride 3: ceil(10/3) = 4") {
    CHECK(conv("c", {1, 1, 10}, {1, 1, 3}).attr_ints("dilations", {2}).attr_ints("strides", {3}).attr_string("auto_pad", "SAME_UPPER")
              .infer_shape() == Shape{1, 1, 4});
  }
  SUBCASE("optional bias present and absent") {
    OpRunner with_bias = conv("c", {1, 2, 7}, {3, 2, 3});
    with_bias.input_desc(DType::Float32, {3});
    CHECK(with_bias.infer_shape() == Shape{1, 3, 5});
    OpRunner omitted = conv("c", {1, 2, 7}, {3, 2, 3});
    omitted.missing_input();
    CHECK(omitted.infer_shape() == Shape{1, 3, 5});
  }
}

TEST_CASE("MaxPool output shapes, hand-computed") {
  // floor: (P - span) / stride + 1 with P = in + pads. ceil: ceil((P - span) / stride) + 1,
  // minus the last window when it would start in the end padding.
  SUBCASE("1D stride 2: (7-3)/2+1 = 3") {
    CHECK(maxpool("p", {1, 1, 7}, {3}).attr_ints("strides", {2}).infer_shape() == Shape{1, 1, 3});
  }
  SUBCASE("1D ceil_mode: ceil(5/2)+1 = 4, last window starts at 6 < 8 and stays") {
    CHECK(maxpool("p", {1, 1, 8}, {3}).attr_ints("strides", {2}).infer_shape() == Shape{1, 1, 3});
    CHECK(maxpool("p", {1, 1, 8}, {3}).attr_ints("strides", {2}).attr_int("ceil_mode", 1).infer_shape() == Shape{1, 1, 4});
  }
  SUBCASE("1D ceil_mode drop: in 5, pads 1+1, k 2, s 2: ceil(5/2)+1 = 4, window 3 starts at 6 >= 5+1 -> 3") {
    CHECK(maxpool("p", {1, 1, 5}, {2}).attr_ints("strides", {2}).attr_ints("pads", {1, 1}).attr_int("ceil_mode", 1)
              .infer_shape() == Shape{1, 1, 3});
  }
  SUBCASE("2D pads [1,0,1,1], k 3, s 2: H (15-3)/2+1 = 7 both modes; W floor 3, ceil 4") {
    OpRunner floor_mode = maxpool("p", {1, 2, 13, 7}, {3, 3});
    floor_mode.attr_ints("strides", {2, 2}).attr_ints("pads", {1, 0, 1, 1});
    CHECK(floor_mode.infer_shape() == Shape{1, 2, 7, 3});
    floor_mode.attr_int("ceil_mode", 1);
    CHECK(floor_mode.infer_shape() == Shape{1, 2, 7, 4});
  }
  SUBCASE("2D dilations [3,2], k 2: H span 4 -> 4, W span 3 -> 5") {
    CHECK(maxpool("p", {1, 1, 7, 7}, {2, 2}).attr_ints("dilations", {3, 2}).infer_shape() == Shape{1, 1, 4, 5});
  }
  SUBCASE("SAME_UPPER, SAME_LOWER (with or without ceil_mode): ceil(7/2) = 4, ceil(13/3) = 5") {
    for (const char* mode : {"SAME_UPPER", "SAME_LOWER"})
      for (int ceil_mode : {0, 1})
        CHECK(maxpool("p", {1, 1, 7, 13}, {3, 4}).attr_string("auto_pad", mode).attr_ints("strides", {2, 3})
                  .attr_int("ceil_mode", ceil_mode).infer_shape() == Shape{1, 1, 4, 5});
  }
  SUBCASE("VALID: (7-3)/2+1 = 3, (13-4)/3+1 = 4") {
    CHECK(maxpool("p", {1, 1, 7, 13}, {3, 4}).attr_string("auto_pad", "VALID").attr_ints("strides", {2, 3}).infer_shape() ==
          Shape{1, 1, 3, 4});
  }
  SUBCASE("3D with Indices, both storage orders: (5-2)/2+1 = 2, (7-3)/2+1 = 3, (13-3)/3+1 = 4") {
    for (int order : {0, 1}) {
      OpRunner pool = maxpool("p", {2, 3, 5, 7, 13}, {2, 3, 3});
      pool.attr_ints("strides", {2, 2, 3}).attr_int("storage_order", order).set_output_count(2);
      const auto outputs = pool.infer();
      CHECK(outputs[0].shape == Shape{2, 3, 2, 3, 4});
      CHECK(outputs[1].shape == Shape{2, 3, 2, 3, 4});
      CHECK(outputs[0].dtype == DType::Float32);
      CHECK(outputs[1].dtype == DType::Int64);
    }
  }
}

TEST_CASE("Conv and MaxPool shapes agree with window counting over 1D/2D/3D") {
  const char* modes[] = {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
  int checked = 0;
  for (std::int64_t in = 1; in <= 9; ++in)
    for (std::int64_t k = 1; k <= 4; ++k)
      for (std::int64_t s = 1; s <= 3; ++s)
        for (std::int64_t d = 1; d <= 2; ++d)
          for (std::int64_t pb = 0; pb <= 2; ++pb)
            for (std::int64_t pe = 0; pe <= 2; ++pe)
              for (const char* mode : modes)
                for (int ceil_mode : {0, 1}) {
                  const std::string pad_mode = mode;
                  const bool explicit_pads = pad_mode == "NOTSET";
                  if (!explicit_pads && (pb || pe)) continue;
                  // Spread the case over 1..3 dims: the tested dim goes last, the
                  // others get geometry that is easy to verify by eye.
                  const std::size_t rank = 1 + static_cast<std::size_t>((in + k + s) % 3);
                  Shape x{2, 3};
                  Ints kernel, strides, dilations, pads_begin, pads_end;
                  Shape expected_spatial;
                  for (std::size_t i = 0; i + 1 < rank; ++i) {
                    x.push_back(5);
                    kernel.push_back(1);
                    strides.push_back(1);
                    dilations.push_back(1);
                    pads_begin.push_back(0);
                    pads_end.push_back(0);
                    expected_spatial.push_back(5);
                  }
                  x.push_back(in);
                  kernel.push_back(k);
                  strides.push_back(s);
                  dilations.push_back(d);
                  pads_begin.push_back(pb);
                  pads_end.push_back(pe);
                  Ints pads = pads_begin;
                  pads.insert(pads.end(), pads_end.begin(), pads_end.end());
                  const bool pads_fit = pad_mode.starts_with("SAME") ||
                                        (pad_mode == "VALID" ? in : in + pb + pe) >= (k - 1) * d + 1;
                  const std::int64_t out = counted_output(in, k, s, d, pb, pe, ceil_mode != 0, pad_mode);
                  expected_spatial.push_back(out);
                  INFO("in " << in << " k " << k << " s " << s << " d " << d << " pads " << pb << "+" << pe << " "
                             << pad_mode << " ceil " << ceil_mode << " rank " << rank);

                  OpRunner pool = maxpool("pool", x, kernel);
                  pool.attr_ints("strides", strides).attr_ints("dilations", dilations).attr_string("auto_pad", pad_mode);
                  pool.attr_int("ceil_mode", ceil_mode);
                  if (explicit_pads) pool.attr_ints("pads", pads);
                  Shape weights{4, 3};
                  weights.insert(weights.end(), kernel.begin(), kernel.end());
                  OpRunner convolution = conv("conv", x, weights);
                  convolution.attr_ints("strides", strides).attr_ints("dilations", dilations).attr_string("auto_pad", pad_mode);
                  if (explicit_pads) convolution.attr_ints("pads", pads);

                  if (!pads_fit) {
                    check_error(pool, {"larger than the padded input"});
                    if (!ceil_mode) check_error(convolution, {"larger than the padded input"});
                    continue;
                  }
                  Shape expected_pool{2, 3};
                  expected_pool.insert(expected_pool.end(), expected_spatial.begin(), expected_spatial.end());
                  CHECK(pool.infer_shape() == expected_pool);
                  if (!ceil_mode) {  // Conv has no ceil_mode
                    Shape expected_conv{2, 4};
                    expected_conv.insert(expected_conv.end(), expected_spatial.begin(), expected_spatial.end());
                    CHECK(convolution.infer_shape() == expected_conv);
                  }
                  ++checked;
                }
  CHECK(checked > 3000);
}

TEST_CASE("Conv errors name the node and the shapes") {
  SUBCASE("channels disagree with weight and group") {
    check_error(conv("conv_channels", {1, 4, 5, 5}, {6, 3, 3, 3}), {"[1,4,5,5]", "[6,3,3,3]", "group 1"});
    check_error(conv("conv_group", {1, 6, 5, 5}, {6, 3, 3, 3}).attr_int("group", 3), {"[1,6,5,5]", "[6,3,3,3]", "group 3"});
  }
  SUBCASE("output channels not divisible by group") {
    check_error(conv("conv_out_group", {1, 6, 5, 5}, {5, 3, 3, 3}).attr_int("group", 2), {"[5,3,3,3]", "group 2"});
  }
  SUBCASE("non-positive group") { check_error(conv("conv_group0", {1, 6, 5, 5}, {6, 6, 3, 3}).attr_int("group", 0), {"group 0"}); }
  SUBCASE("weight rank differs from input rank") {
    check_error(conv("conv_rank", {1, 3, 5, 5}, {2, 3, 3}), {"[1,3,5,5]", "[2,3,3]"});
  }
  SUBCASE("input rank outside 3..5") {
    check_error(conv("conv_rank2", {1, 3}, {2, 3}), {"[1,3]"});
    check_error(conv("conv_rank6", {1, 1, 2, 2, 2, 2}, {1, 1, 1, 1, 1, 1}), {"[1,1,2,2,2,2]"});
  }
  SUBCASE("bias shape") {
    check_error(conv("conv_bias", {1, 3, 5, 5}, {2, 3, 3, 3}).input_desc(DType::Float32, {3}), {"bias", "[3]", "[2]"});
    check_error(conv("conv_bias2", {1, 3, 5, 5}, {2, 3, 3, 3}).input_desc(DType::Float32, {2, 1}), {"bias", "[2,1]"});
  }
  SUBCASE("kernel larger than the padded input") {
    check_error(conv("conv_big", {1, 1, 4, 4}, {1, 1, 5, 3}), {"larger than the padded input", "[4,4]"});
    check_error(conv("conv_big_pads", {1, 1, 4, 4}, {1, 1, 7, 3}).attr_ints("pads", {1, 0, 1, 0}),
                {"larger than the padded input", "[4,4]"});
    check_error(conv("conv_dilated", {1, 1, 7}, {1, 1, 3}).attr_ints("dilations", {4}),
                {"extent 9", "larger than the padded input", "[7]"});
    check_error(conv("conv_valid", {1, 1, 2, 2}, {1, 1, 3, 3}).attr_ints("pads", {1, 1, 1, 1}).attr_string("auto_pad", "VALID"),
                {"larger than the padded input", "[2,2]"});
  }
  SUBCASE("bad auto_pad string") {
    check_error(conv("conv_auto_pad", {1, 1, 5, 5}, {1, 1, 3, 3}).attr_string("auto_pad", "SAME"), {"auto_pad 'SAME'"});
  }
  SUBCASE("zero stride, zero dilation, negative pad") {
    check_error(conv("conv_stride", {1, 1, 5, 5}, {1, 1, 3, 3}).attr_ints("strides", {1, 0}), {"strides [1,0]", "[5,5]"});
    check_error(conv("conv_dilation", {1, 1, 5, 5}, {1, 1, 3, 3}).attr_ints("dilations", {0, 1}), {"dilations [0,1]", "[5,5]"});
    check_error(conv("conv_pad", {1, 1, 5, 5}, {1, 1, 3, 3}).attr_ints("pads", {0, -1, 0, 0}), {"pads [0,-1,0,0]", "[5,5]"});
  }
  SUBCASE("attribute lengths disagree with the spatial rank") {
    check_error(conv("conv_strides_len", {1, 1, 5, 5}, {1, 1, 3, 3}).attr_ints("strides", {1, 1, 1}),
                {"strides [1,1,1]", "[5,5]"});
    check_error(conv("conv_pads_len", {1, 1, 5, 5}, {1, 1, 3, 3}).attr_ints("pads", {1, 1}), {"pads [1,1]", "[5,5]"});
  }
  SUBCASE("kernel_shape disagrees with the weights") {
    check_error(conv("conv_kernel", {1, 2, 7, 7}, {3, 2, 3, 5}).attr_ints("kernel_shape", {3, 3}), {"[3,3]", "[3,2,3,5]"});
  }
  SUBCASE("wrong dtype") {
    OpRunner fixed("Conv", 11, "conv_dtype");
    fixed.input_desc(DType::Int64, {1, 1, 5, 5}).input_desc(DType::Float32, {1, 1, 3, 3});
    check_error(fixed, {"input 0", "int64", "float32"});
    OpRunner weight("Conv", 11, "conv_dtype_w");
    weight.input_desc(DType::Float32, {1, 1, 5, 5}).input_desc(DType::Float64, {1, 1, 3, 3});
    check_error(weight, {"input 1", "float64"});
  }
  SUBCASE("one input only") {
    OpRunner lonely("Conv", 11, "conv_lonely");
    lonely.input_desc(DType::Float32, {1, 1, 5, 5});
    check_error(lonely, {"1 inputs"});
  }
}

TEST_CASE("MaxPool errors name the node and the shapes") {
  OpRunner no_kernel("MaxPool", 12, "pool_no_kernel");
  no_kernel.input_desc(DType::Float32, {1, 1, 5, 5});
  check_error(no_kernel, {"kernel_shape"});
  check_error(maxpool("pool_order", {1, 1, 5, 5}, {2, 2}).attr_int("storage_order", 2), {"storage_order 2"});
  check_error(maxpool("pool_big", {1, 1, 5, 5}, {6, 2}), {"larger than the padded input", "[5,5]"});
  check_error(maxpool("pool_kernel_len", {1, 1, 5, 5}, {2}), {"kernel_shape [2]", "[5,5]"});
  check_error(maxpool("pool_stride", {1, 1, 5}, {2}).attr_ints("strides", {0}), {"strides [0]", "[5]"});
  check_error(maxpool("pool_pad", {1, 1, 5}, {2}).attr_ints("pads", {-1, 0}), {"pads [-1,0]", "[5]"});
  check_error(maxpool("pool_auto_pad", {1, 1, 5}, {2}).attr_string("auto_pad", "same_upper"), {"auto_pad 'same_upper'"});
  check_error(maxpool("pool_rank", {1, 5}, {2}), {"[1,5]"});
  OpRunner int_input("MaxPool", 12, "pool_dtype");
  int_input.input_desc(DType::Int32, {1, 1, 5}).attr_ints("kernel_shape", {2});
  check_error(int_input, {"input 0", "int32"});
}

TEST_CASE("Gemm shapes and errors") {
  auto gemm = [](const std::string& name, const Shape& a, const Shape& b) {
    OpRunner runner("Gemm", 13, name);
    runner.input_desc(DType::Float32, a).input_desc(DType::Float32, b);
    return runner;
  };
  CHECK(gemm("g", {3, 4}, {4, 5}).infer_shape() == Shape{3, 5});
  CHECK(gemm("g", {4, 3}, {5, 4}).attr_int("transA", 1).attr_int("transB", 1).infer_shape() == Shape{3, 5});
  for (const Shape& c : {Shape{}, Shape{1}, Shape{5}, Shape{1, 5}, Shape{3, 1}, Shape{3, 5}})
    CHECK(gemm("g", {3, 4}, {4, 5}).input_desc(DType::Float32, c).infer_shape() == Shape{3, 5});

  check_error(gemm("gemm_inner", {3, 4}, {5, 6}), {"[3,4]", "[5,6]"});
  check_error(gemm("gemm_inner_t", {3, 4}, {4, 6}).attr_int("transA", 1), {"[3,4] (transposed)", "[4,6]"});
  check_error(gemm("gemm_c", {3, 4}, {4, 6}).input_desc(DType::Float32, {3, 5}), {"[3,5]", "[3,6]"});
  check_error(gemm("gemm_c_rank", {3, 4}, {4, 6}).input_desc(DType::Float32, {1, 3, 6}), {"[1,3,6]", "[3,6]"});
  // C broadcasts to Y only one way: [3,6] cannot shrink to Y = [1,6].
  check_error(gemm("gemm_c_uni", {1, 4}, {4, 6}).input_desc(DType::Float32, {3, 6}), {"[3,6]", "[1,6]"});
  check_error(gemm("gemm_rank", {2, 3, 4}, {4, 6}), {"[2,3,4]"});
}

TEST_CASE("Add broadcasting shapes and errors") {
  auto add = [](const std::string& name, DType dtype, const Shape& a, const Shape& b) {
    OpRunner runner("Add", 14, name);
    runner.input_desc(dtype, a).input_desc(dtype, b);
    return runner;
  };
  CHECK(add("a", DType::Float32, {2, 3, 4}, {4}).infer_shape() == Shape{2, 3, 4});
  CHECK(add("a", DType::Float32, {4}, {2, 3, 4}).infer_shape() == Shape{2, 3, 4});
  CHECK(add("a", DType::Int64, {2, 1, 4}, {3, 1}).infer_shape() == Shape{2, 3, 4});
  CHECK(add("a", DType::Float32, {}, {}).infer_shape() == Shape{});
  CHECK(add("a", DType::Float32, {0, 3}, {1, 3}).infer_shape() == Shape{0, 3});
  check_error(add("add_bad", DType::Float32, {2, 3}, {4}), {"[2,3]", "[4]"});
  check_error(add("add_bad3", DType::Float32, {2, 3, 4}, {3, 3, 1}), {"[2,3,4]", "[3,3,1]"});
  OpRunner mixed("Add", 14, "add_mixed");
  mixed.input_desc(DType::Float32, {2}).input_desc(DType::Int64, {2});
  check_error(mixed, {"float32", "int64"});
  check_error(add("add_bool", DType::Bool, {2}, {2}), {"bool"});
}

TEST_CASE("Flatten shapes and errors") {
  auto flatten = [](const std::string& name, const Shape& x, std::int64_t axis) {
    OpRunner runner("Flatten", 13, name);
    runner.input_desc(DType::Float32, x).attr_int("axis", axis);
    return runner;
  };
  CHECK(flatten("f", {2, 3, 4, 5}, 0).infer_shape() == Shape{1, 120});
  CHECK(flatten("f", {2, 3, 4, 5}, 1).infer_shape() == Shape{2, 60});
  CHECK(flatten("f", {2, 3, 4, 5}, 4).infer_shape() == Shape{120, 1});
  CHECK(flatten("f", {2, 3, 4, 5}, -1).infer_shape() == Shape{24, 5});
  CHECK(flatten("f", {2, 3, 4, 5}, -4).infer_shape() == Shape{1, 120});
  check_error(flatten("flatten_axis", {2, 3, 4, 5}, 5), {"axis 5", "[2,3,4,5]"});
  check_error(flatten("flatten_axis_neg", {2, 3, 4, 5}, -5), {"axis -5", "[2,3,4,5]"});
}

TEST_CASE("Reshape shapes and errors") {
  auto reshape = [](const std::string& name, const Shape& x, const std::vector<std::int64_t>& target) {
    OpRunner runner("Reshape", 14, name);
    runner.input_desc(DType::Float32, x).constant(int64_values(target));
    return runner;
  };
  CHECK(reshape("r", {2, 3, 4}, {-1, 4}).infer_shape() == Shape{6, 4});
  CHECK(reshape("r", {2, 3, 4}, {0, -1}).infer_shape() == Shape{2, 12});
  CHECK(reshape("r", {2, 3, 4}, {0, 0, 0}).infer_shape() == Shape{2, 3, 4});
  CHECK(reshape("r", {2, 3, 4}, {4, 0, -1}).infer_shape() == Shape{4, 3, 2});
  CHECK(reshape("r", {2, 3, 4}, {24}).infer_shape() == Shape{24});
  CHECK(reshape("r", {0, 3}, {0, 3}).attr_int("allowzero", 1).infer_shape() == Shape{0, 3});
  CHECK(reshape("r", {1}, {}).infer_shape() == Shape{});

  check_error(reshape("reshape_total", {2, 3, 4}, {5, 5}), {"[2,3,4]", "24", "[5,5]"});
  check_error(reshape("reshape_minus", {2, 3, 4}, {-1, 5}), {"[2,3,4]", "5"});
  check_error(reshape("reshape_two_minus", {2, 3, 4}, {-1, -1}), {"more than one -1"});
  check_error(reshape("reshape_neg", {2, 3, 4}, {-2, 12}), {"-2"});
  check_error(reshape("reshape_zero_rank", {24}, {2, 0, -1}), {"[24]"});
  // allowzero: a 0 is a real 0, so 24 elements cannot fit.
  check_error(reshape("reshape_allowzero", {2, 3, 4}, {0, 24}).attr_int("allowzero", 1), {"[2,3,4]", "[0,24]"});
  OpRunner runtime_shape("Reshape", 14, "reshape_runtime");
  runtime_shape.input_desc(DType::Float32, {2, 3}).input_desc(DType::Int64, {2});
  check_error(runtime_shape, {"input 1"});
  OpRunner int32_shape("Reshape", 14, "reshape_int32");
  int32_shape.input_desc(DType::Float32, {2, 3})
      .constant(Tensor::from_values<std::int32_t>({2}, {3, 2}));
  check_error(int32_shape, {"int32", "[2]"});
}

TEST_CASE("BatchNormalization shapes and errors") {
  auto batch_norm = [](const std::string& name, const Shape& x, const std::vector<Shape>& params) {
    OpRunner runner("BatchNormalization", 15, name);
    runner.input_desc(DType::Float32, x);
    for (const Shape& p : params) runner.input_desc(DType::Float32, p);
    return runner;
  };
  const std::vector<Shape> three(4, Shape{3});
  for (const Shape& x : {Shape{7, 3}, Shape{2, 3, 13}, Shape{2, 3, 7, 7}, Shape{1, 3, 2, 2, 2}})
    CHECK(batch_norm("bn", x, three).infer_shape() == x);

  const char* names[] = {"scale", "B", "input_mean", "input_var"};
  for (std::size_t i = 0; i < 4; ++i) {
    std::vector<Shape> params = three;
    params[i] = Shape{4};
    check_error(batch_norm("bn_param", {2, 3, 5, 5}, params), {names[i], "[4]", "[3]", "[2,3,5,5]"});
    params[i] = Shape{3, 1};
    check_error(batch_norm("bn_param_rank", {2, 3, 5, 5}, params), {names[i], "[3,1]", "[2,3,5,5]"});
  }
  check_error(batch_norm("bn_training", {2, 3, 5, 5}, three).attr_int("training_mode", 1), {"training_mode=1"});
  check_error(batch_norm("bn_rank1", {3}, three), {"[3]"});
  check_error(batch_norm("bn_count", {2, 3}, {{3}, {3}, {3}}), {"4 inputs"});
  OpRunner running_mean = batch_norm("bn_outputs", {2, 3}, three);
  running_mean.set_output_count(3);
  check_error(running_mean, {"output 1"});
}
