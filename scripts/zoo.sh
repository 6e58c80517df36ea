#!/usr/bin/env bash
# Model zoo test: exports torchvision classification networks with random weights
# (tests/models/export_zoo.py), runs them through onnxrun and compares with PyTorch.
#   scripts/zoo.sh [--set small|all]
#     small (default): squeezenet1_1, mobilenet_v3_small, shufflenet_v2_x1_0,
#                      mnasnet1_0, resnet18, efficientnet_b0, with batch-2 pairs
#     all:             those and 10 more (resnet50 ... convnext_tiny; about 1.4 GB)
#   BUILD_DIR=DIR scripts/zoo.sh   use (or configure and build) DIR instead of build/
#                                  (relative to the repository root)
# Needs PyTorch (scripts/install_deps.sh --python). Builds if the binaries are
# missing, exports into $BUILD_DIR/zoo_<set>, runs $BUILD_DIR/tests/onnxrun_model_tests
# on it, then prints a table (tests/models/zoo_table.py): model, opset, max abs
# error vs PyTorch, tolerance, onnxrun latency. Exit status 1 if any model fails.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
set_name=small
while [ $# -gt 0 ]; do
  case "$1" in
    --set) [ $# -ge 2 ] || { usage >&2; exit 2; }; set_name=$2; shift 2 ;;
    --set=*) set_name=${1#--set=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "zoo.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$set_name" in
  small|all) ;;
  *) echo "zoo.sh: --set must be small or all, not $set_name" >&2; exit 2 ;;
esac

build_dir=${BUILD_DIR:-build}
if [ ! -x "$build_dir/onnxrun" ] || [ ! -x "$build_dir/tests/onnxrun_model_tests" ]; then
  echo "--- building onnxrun in $build_dir"
  if [ "$build_dir" = build ]; then
    scripts/build.sh
  else
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release > /dev/null
    cmake --build "$build_dir" -j "$(nproc)" --target onnxrun_cli onnxrun_model_tests
  fi
fi

# Debian's PyTorch lives in /usr/bin/python3 (the venv sees it too).
export_python=/usr/bin/python3
if ! "$export_python" -c "import torch, torchvision" 2>/dev/null; then
  echo "zoo.sh: $export_python lacks torch/torchvision; run scripts/install_deps.sh --python" >&2
  exit 1
fi
table_python=/usr/bin/python3
[ -x .venv/bin/python ] && table_python=.venv/bin/python

zoo="$build_dir/zoo_$set_name"
echo "--- exporting the $set_name zoo into $zoo"
rm -rf "$zoo"
"$export_python" tests/models/export_zoo.py "$zoo" --set "$set_name"

echo "--- $build_dir/tests/onnxrun_model_tests (2 and 1 threads, batch pairs)"
tests_status=0
ONNXRUN_FIXTURES="$zoo" "$build_dir/tests/onnxrun_model_tests" || tests_status=$?

echo "--- onnxrun CLI against PyTorch"
table_status=0
"$table_python" tests/models/zoo_table.py "$zoo" --onnxrun "$build_dir/onnxrun" --threads 2 || table_status=$?

if [ "$tests_status" -ne 0 ] || [ "$table_status" -ne 0 ]; then
  echo "zoo: FAILED (model tests exit $tests_status, table exit $table_status)" >&2
  exit 1
fi
echo "zoo: all models match PyTorch"
