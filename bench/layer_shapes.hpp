#pragma once
// The layer shapes every micro-benchmark runs on: the convolutions of
// ResNet-18, ResNet-50 (torchvision's v1.5, stride in the 3x3), MobileNetV2
// and SqueezeNet 1.1 at batch 1 and 224x224, each distinct shape once with the number
// of times the network uses it, plus the pooling, element-wise and classifier
// shapes around them. One list, so that the SGEMM, convolution and op
// benchmarks measure the same layers and their numbers can be compared.
#include <cstdint>
#include <string>
#include <vector>

namespace onnxrun::bench {

struct ConvLayer {
  const char* net;
  std::int64_t in_channels, out_channels, size;  // input is [1, in_channels, size, size]
  std::int64_t kernel, stride, pad, groups;
  int count;  // how many layers of the network have this shape

  std::int64_t out_size() const { return (size + 2 * pad - kernel) / stride + 1; }
  // Direct-convolution multiply-adds: every output value is a dot product of
  // in_channels/groups x kernel x kernel.
  double macs() const {
    return static_cast<double>(out_channels) * out_size() * out_size() * (in_channels / groups) * kernel * kernel;
  }
  double flops() const { return 2 * macs(); }
  // The GEMM of one group as im2col (or a 1x1 conv) computes it:
  // [M = out/groups, K = in/groups * k * k] x [K, N = output positions].
  std::int64_t gemm_m() const { return out_channels / groups; }
  std::int64_t gemm_k() const { return in_channels / groups * kernel * kernel; }
  std::int64_t gemm_n() const { return out_size() * out_size(); }
  std::int64_t weight_count() const { return out_channels * gemm_k(); }
  bool depthwise() const { return groups > 1 && groups == in_channels && groups == out_channels; }

  // "resnet50/256>64_k1s1@56": channels in > out, kernel, stride, input size.
  std::string name() const {
    std::string text = std::string(net) + "/" + std::to_string(in_channels) + ">" + std::to_string(out_channels) +
                       "_k" + std::to_string(kernel) + "s" + std::to_string(stride);
    if (depthwise()) text += "_dw";
    else if (groups > 1) text += "_g" + std::to_string(groups);
    return text + "@" + std::to_string(size);
  }
};

// {net, in, out, size, kernel, stride, pad, groups, count}
inline const std::vector<ConvLayer>& conv_layers() {
  static const std::vector<ConvLayer> layers{
      // ResNet-18: 1.8 GMACs.
      {"resnet18", 3, 64, 224, 7, 2, 3, 1, 1},
      {"resnet18", 64, 64, 56, 3, 1, 1, 1, 4},
      {"resnet18", 64, 128, 56, 3, 2, 1, 1, 1},
      {"resnet18", 128, 128, 28, 3, 1, 1, 1, 3},
      {"resnet18", 64, 128, 56, 1, 2, 0, 1, 1},
      {"resnet18", 128, 256, 28, 3, 2, 1, 1, 1},
      {"resnet18", 256, 256, 14, 3, 1, 1, 1, 3},
      {"resnet18", 128, 256, 28, 1, 2, 0, 1, 1},
      {"resnet18", 256, 512, 14, 3, 2, 1, 1, 1},
      {"resnet18", 512, 512, 7, 3, 1, 1, 1, 3},
      {"resnet18", 256, 512, 14, 1, 2, 0, 1, 1},
      // ResNet-50: 4.1 GMACs, two thirds of them in 1x1 convolutions.
      {"resnet50", 3, 64, 224, 7, 2, 3, 1, 1},
      {"resnet50", 64, 64, 56, 1, 1, 0, 1, 1},
      {"resnet50", 64, 64, 56, 3, 1, 1, 1, 3},
      {"resnet50", 64, 256, 56, 1, 1, 0, 1, 4},
      {"resnet50", 256, 64, 56, 1, 1, 0, 1, 2},
      {"resnet50", 256, 128, 56, 1, 1, 0, 1, 1},
      {"resnet50", 128, 128, 56, 3, 2, 1, 1, 1},
      {"resnet50", 128, 512, 28, 1, 1, 0, 1, 4},
      {"resnet50", 256, 512, 56, 1, 2, 0, 1, 1},
      {"resnet50", 512, 128, 28, 1, 1, 0, 1, 3},
      {"resnet50", 128, 128, 28, 3, 1, 1, 1, 3},
      {"resnet50", 512, 256, 28, 1, 1, 0, 1, 1},
      {"resnet50", 256, 256, 28, 3, 2, 1, 1, 1},
      {"resnet50", 256, 1024, 14, 1, 1, 0, 1, 6},
      {"resnet50", 512, 1024, 28, 1, 2, 0, 1, 1},
      {"resnet50", 1024, 256, 14, 1, 1, 0, 1, 5},
      {"resnet50", 256, 256, 14, 3, 1, 1, 1, 5},
      {"resnet50", 1024, 512, 14, 1, 1, 0, 1, 1},
      {"resnet50", 512, 512, 14, 3, 2, 1, 1, 1},
      {"resnet50", 512, 2048, 7, 1, 1, 0, 1, 3},
      {"resnet50", 1024, 2048, 14, 1, 2, 0, 1, 1},
      {"resnet50", 2048, 512, 7, 1, 1, 0, 1, 2},
      {"resnet50", 512, 512, 7, 3, 1, 1, 1, 2},
      // MobileNetV2: 0.3 GMACs; inverted residuals of 1x1 expand, 3x3
      // depthwise, 1x1 project.
      {"mobilenet_v2", 3, 32, 224, 3, 2, 1, 1, 1},
      {"mobilenet_v2", 32, 32, 112, 3, 1, 1, 32, 1},
      {"mobilenet_v2", 32, 16, 112, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 16, 96, 112, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 96, 96, 112, 3, 2, 1, 96, 1},
      {"mobilenet_v2", 96, 24, 56, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 24, 144, 56, 1, 1, 0, 1, 2},
      {"mobilenet_v2", 144, 144, 56, 3, 1, 1, 144, 1},
      {"mobilenet_v2", 144, 24, 56, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 144, 144, 56, 3, 2, 1, 144, 1},
      {"mobilenet_v2", 144, 32, 28, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 32, 192, 28, 1, 1, 0, 1, 3},
      {"mobilenet_v2", 192, 192, 28, 3, 1, 1, 192, 2},
      {"mobilenet_v2", 192, 32, 28, 1, 1, 0, 1, 2},
      {"mobilenet_v2", 192, 192, 28, 3, 2, 1, 192, 1},
      {"mobilenet_v2", 192, 64, 14, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 64, 384, 14, 1, 1, 0, 1, 4},
      {"mobilenet_v2", 384, 384, 14, 3, 1, 1, 384, 4},
      {"mobilenet_v2", 384, 64, 14, 1, 1, 0, 1, 3},
      {"mobilenet_v2", 384, 96, 14, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 96, 576, 14, 1, 1, 0, 1, 3},
      {"mobilenet_v2", 576, 576, 14, 3, 1, 1, 576, 2},
      {"mobilenet_v2", 576, 96, 14, 1, 1, 0, 1, 2},
      {"mobilenet_v2", 576, 576, 14, 3, 2, 1, 576, 1},
      {"mobilenet_v2", 576, 160, 7, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 160, 960, 7, 1, 1, 0, 1, 3},
      {"mobilenet_v2", 960, 960, 7, 3, 1, 1, 960, 3},
      {"mobilenet_v2", 960, 160, 7, 1, 1, 0, 1, 2},
      {"mobilenet_v2", 960, 320, 7, 1, 1, 0, 1, 1},
      {"mobilenet_v2", 320, 1280, 7, 1, 1, 0, 1, 1},
      // SqueezeNet 1.1: 0.35 GMACs; fire modules of a 1x1 squeeze, then 1x1
      // and 3x3 expands with few input channels, and a 1x1 classifier at 13x13.
      {"squeezenet1_1", 3, 64, 224, 3, 2, 0, 1, 1},
      {"squeezenet1_1", 64, 16, 55, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 128, 16, 55, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 16, 64, 55, 1, 1, 0, 1, 2},
      {"squeezenet1_1", 16, 64, 55, 3, 1, 1, 1, 2},
      {"squeezenet1_1", 128, 32, 27, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 256, 32, 27, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 32, 128, 27, 1, 1, 0, 1, 2},
      {"squeezenet1_1", 32, 128, 27, 3, 1, 1, 1, 2},
      {"squeezenet1_1", 256, 48, 13, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 384, 48, 13, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 48, 192, 13, 1, 1, 0, 1, 2},
      {"squeezenet1_1", 48, 192, 13, 3, 1, 1, 1, 2},
      {"squeezenet1_1", 384, 64, 13, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 512, 64, 13, 1, 1, 0, 1, 1},
      {"squeezenet1_1", 64, 256, 13, 1, 1, 0, 1, 2},
      {"squeezenet1_1", 64, 256, 13, 3, 1, 1, 1, 2},
      {"squeezenet1_1", 512, 1000, 13, 1, 1, 0, 1, 1},
      // EfficientNet-B0's depthwise layers on small planes and at stride 2,
      // where border columns are a large share of the outputs.
      {"efficientnet_b0", 144, 144, 56, 5, 2, 2, 144, 1},
      {"efficientnet_b0", 672, 672, 14, 5, 1, 2, 672, 2},
      {"efficientnet_b0", 672, 672, 14, 5, 2, 2, 672, 1},
      {"efficientnet_b0", 1152, 1152, 7, 5, 1, 2, 1152, 3},
      {"efficientnet_b0", 1152, 1152, 7, 3, 1, 1, 1152, 1},
  };
  return layers;
}

// Everything else the networks spend time on, as ONNX ops.
struct OpLayer {
  const char* net;
  const char* op;  // ONNX op type
  std::vector<std::int64_t> shape;  // the (first) input
  int count;
  std::int64_t stride = 2;  // MaxPool: 3x3 windows, this stride,
  std::int64_t pad = 1;     // these pads on every side
  bool ceil_mode = false;
};

inline const std::vector<OpLayer>& op_layers() {
  static const std::vector<OpLayer> layers{
      // Pooling.
      {"resnet18", "MaxPool", {1, 64, 112, 112}, 1},  // 3x3, stride 2, pad 1
      // GoogLeNet's inception branches pool 3x3 at stride 1 on narrow planes.
      {"googlenet", "MaxPool", {1, 512, 14, 14}, 4, 1},
      {"googlenet", "MaxPool", {1, 832, 7, 7}, 2, 1},
      // SqueezeNet 1.1 pools 3x3 at stride 2 without padding, in ceil mode.
      {"squeezenet1_1", "MaxPool", {1, 64, 111, 111}, 1, 2, 0, true},
      {"squeezenet1_1", "MaxPool", {1, 128, 55, 55}, 1, 2, 0, true},
      {"squeezenet1_1", "MaxPool", {1, 256, 27, 27}, 1, 2, 0, true},
      {"resnet18", "GlobalAveragePool", {1, 512, 7, 7}, 1},
      {"resnet50", "GlobalAveragePool", {1, 2048, 7, 7}, 1},
      {"mobilenet_v2", "GlobalAveragePool", {1, 1280, 7, 7}, 1},
      // Activations left unfused, residual adds, BatchNorm when not folded.
      {"resnet18", "Relu", {1, 64, 112, 112}, 1},
      {"resnet18", "Relu", {1, 64, 56, 56}, 9},
      {"resnet18", "Add", {1, 64, 56, 56}, 2},
      {"resnet50", "Relu", {1, 256, 56, 56}, 3},
      {"resnet50", "Add", {1, 256, 56, 56}, 3},
      {"resnet50", "Add", {1, 1024, 14, 14}, 6},
      {"resnet50", "BatchNormalization", {1, 64, 112, 112}, 1},
      {"mobilenet_v2", "Clip", {1, 96, 112, 112}, 1},  // ReLU6
      {"mobilenet_v2", "Clip", {1, 144, 56, 56}, 2},
      {"mobilenet_v2", "Add", {1, 24, 56, 56}, 1},
      // Layout edges (com.onnxrun ops; the shape is the NCHW side): SqueezeNet's
      // and GoogLeNet's entries into NCHW8c, and a Winograd layer run NCHW
      // inside GoogLeNet's blocked region (conv_via_layout.cpp) both ways.
      {"squeezenet1_1", "ReorderToNchwc", {1, 64, 55, 55}, 1},
      {"googlenet", "ReorderToNchwc", {1, 64, 56, 56}, 1},
      {"googlenet", "ReorderFromNchwc", {1, 96, 14, 14}, 1},
      {"googlenet", "ReorderToNchwc", {1, 208, 14, 14}, 1},
      // Classifiers: x [1, features] times W^T [features, 1000] plus bias.
      {"resnet18", "Gemm", {1, 512}, 1},
      {"resnet50", "Gemm", {1, 2048}, 1},
      {"mobilenet_v2", "Gemm", {1, 1280}, 1},
  };
  return layers;
}

}  // namespace onnxrun::bench
