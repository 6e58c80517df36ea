#pragma once
// Everything an embedding application needs.
#include "onnxrun/dtype.hpp"
#include "onnxrun/error.hpp"
#include "onnxrun/npy.hpp"
#include "onnxrun/profile.hpp"
#include "onnxrun/session.hpp"
#include "onnxrun/tensor.hpp"
