#pragma once
// A layer of a blocked (NCHW8c) region run by an NCHW algorithm between
// reorders: conv_nchwc_via_nchw.cpp says when that pays.
#include <functional>
#include <memory>

#include "ops/conv/conv_algorithm.hpp"

namespace onnxrun {

// make builds the NCHW algorithm from the setup (activation none, no pooled
// output: the wrapper applies them). nullptr when make does, or for layers
// the blocked layout cannot hold (channels not multiples of 8, not 2D) or a
// scaled input.
std::unique_ptr<ConvAlgorithm> make_conv_nchwc_via_nchw(
    const ConvSetup& setup, const std::function<std::unique_ptr<ConvAlgorithm>(const ConvSetup&)>& make);

}  // namespace onnxrun
