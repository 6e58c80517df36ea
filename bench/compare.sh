#!/usr/bin/env bash
# Model benchmark: onnxrun against ONNX Runtime and PyTorch, latency and accuracy.
#   bench/compare.sh [--models a,b] [--threads 1,2] [--repeat R] [--rounds N] [--warmup W]
#                    [--round-warmup U] [--quick]
#     default: resnet18 resnet50 mobilenet_v2 squeezenet1_1 efficientnet_b0 googlenet and
#              the seed tutorials' batch-32 Conv2d(3,10,3) on 64x64; threads 1 and 2;
#              30 timed runs after 2 warmup, interleaved in 10 rounds, each runtime's turn
#              in a round after 2 untimed runs (about 7 minutes on 2 cores once the
#              models are exported)
#     --quick: resnet18 mobilenet_v2 squeezenet1_1 and the seed conv, 3 runs after 1 warmup
#   BUILD_DIR=DIR bench/compare.sh   use (or configure and build) DIR instead of build/
# Prints a markdown table (median ms, ratios, max error against PyTorch) and writes
# it to bench/results/compare.md, with a bar chart in bench/results/compare.png.
# Needs scripts/install_deps.sh --python (.venv with onnx and onnxruntime, Debian's
# torch, torchvision and matplotlib). Exit status 1 if an output is out of tolerance.
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  case "$arg" in
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  esac
done

build_dir=${BUILD_DIR:-build}
if [ ! -x "$build_dir/onnxrun" ]; then
  echo "--- building onnxrun in $build_dir"
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build "$build_dir" -j "$(nproc)" --target onnxrun_cli
fi

python=.venv/bin/python
if ! "$python" -c "import torch, torchvision, onnx, onnxruntime" 2>/dev/null; then
  echo "compare.sh: $python lacks torch, torchvision, onnx or onnxruntime; run scripts/install_deps.sh --python" >&2
  exit 1
fi
exec "$python" bench/compare.py --onnxrun "$build_dir/onnxrun" --cache "$build_dir/compare_models" "$@"
