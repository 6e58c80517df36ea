#!/usr/bin/env bash
# Installs the dependencies, builds onnxrun and runs the bundled example: a
# small CIFAR-style CNN exported from PyTorch (examples/cifar_classifier).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
echo "--- build/onnxrun examples/cifar_classifier/model.onnx examples/cifar_classifier/input.npy"
build/onnxrun examples/cifar_classifier/model.onnx examples/cifar_classifier/input.npy
