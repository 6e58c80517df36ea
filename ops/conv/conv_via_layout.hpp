#pragma once
// A layer run by an algorithm of the other layout, between reorders: an NCHW
// algorithm inside a blocked (NCHW8c) region, or a blocked one in an NCHW
// graph. conv_via_layout.cpp says when each pays.
#include <functional>
#include <memory>

#include "ops/conv/conv_algorithm.hpp"

namespace onnxrun {

using ConvAlgorithmMaker = std::function<std::unique_ptr<ConvAlgorithm>(const ConvSetup&)>;

// The layer's input and output NCHW8c; make builds the NCHW algorithm from
// the setup (activation none, no pooled output: the wrapper applies them).
// nullptr when make does, or for layers the blocked layout cannot hold
// (channels not multiples of 8, not 2D) or a scaled input.
std::unique_ptr<ConvAlgorithm> make_conv_nchwc_via_nchw(const ConvSetup& setup, const ConvAlgorithmMaker& make);

// The layer's input and output NCHW; make builds the blocked algorithm (as
// above). Also nullptr for a layer with a pooled output.
std::unique_ptr<ConvAlgorithm> make_conv_nchw_via_nchwc(const ConvSetup& setup, const ConvAlgorithmMaker& make);

}  // namespace onnxrun
