#pragma once
// Which convolution algorithm a layer runs: a cost model over the candidates
// that apply (depthwise kernels, Winograd F(2x2)/F(4x4)/F(6x6), direct,
// im2col / 1x1 GEMM), evaluated once when the session is prepared. A model,
// not timing: the choice is the same on every load and on a busy machine, and
// a test can check it. conv_choice.cpp says where its constants come from.
#include <memory>
#include <string>
#include <vector>

#include "ops/conv/conv_algorithm.hpp"

namespace onnxrun {

// One candidate and its estimated run time in nanoseconds on one AVX2 core.
// The estimate ignores the thread count on purpose: the choice, and so every
// output bit, is the same whatever --threads says (tests hold us to that).
struct ConvCandidate {
  std::string name;  // as ConvAlgorithm::name() will say
  double estimated_ns = 0;
};

// The candidates for a layer with constant weights, cheapest first. Depthwise
// layers get the depthwise kernel alone: every other method does k*k products
// per GEMM row there, and packing dominates.
std::vector<ConvCandidate> rank_conv_candidates(const ConvSetup& setup);

// Builds the cheapest candidate (setup.weight must be set).
std::unique_ptr<ConvAlgorithm> choose_conv_algorithm(const ConvSetup& setup);

// The same for a layer on NCHW8c tensors (NchwcConv): Winograd on blocked
// tensors where the cost model picks a Winograd tile size, else the blocked
// direct kernels (conv_nchwc.hpp); nullptr when neither applies.
std::unique_ptr<ConvAlgorithm> choose_blocked_conv_algorithm(const ConvSetup& setup);

}  // namespace onnxrun
