#!/usr/bin/env bash
# The whole test suite, as CI runs it on a fresh Debian machine:
#   1. installs everything (Debian packages, PyTorch, a venv with onnx/onnxruntime,
#      the aarch64 cross compiler);
#   2. builds in build/ (Release) and exports every PyTorch fixture afresh,
#      the large ones (batch-32 convolutions, resnet18 folded and unfolded) included;
#   3. runs ctest: unit tests, CLI tests, committed and regenerated fixtures,
#      ONNX's backend node tests (conformance);
#   4. compiles every SIMD kernel for ARM NEON with the aarch64 cross compiler;
#   5. exports the small torchvision zoo and compares it with PyTorch (scripts/zoo.sh),
#      and runs the model benchmark once on its smallest model (bench/compare.sh);
#   6. builds again with AddressSanitizer + UndefinedBehaviorSanitizer in
#      build-sanitize/ and runs the same tests on the committed fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

scripts/install_deps.sh --python --cross

generated="$root/build/generated_fixtures"
# ONNX's backend node tests ship inside the onnx wheel installed in .venv.
node_tests=$(.venv/bin/python -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'backend', 'test', 'data', 'node'))")
scripts/build.sh -DONNXRUN_GENERATED_FIXTURES="$generated" -DONNXRUN_ONNX_NODE_TESTS="$node_tests"
echo "--- exporting PyTorch fixtures into $generated"
rm -rf "$generated"
/usr/bin/python3 tests/models/export_models.py "$generated" --set all > "$root/build/export.log"
echo "$(wc -l < "$generated/manifest.txt") models exported"

echo "--- tests (Release)"
(cd build && ctest --output-on-failure -j "$jobs")

echo "--- ARM NEON: every SIMD kernel compiles for xsimd::neon64 (aarch64 cross compiler)"
scripts/check_neon.sh

echo "--- model zoo, small set (torchvision networks exported with random weights)"
scripts/zoo.sh --set small

# The benchmark's own plumbing (export, onnxrun --serve, ORT, PyTorch, table,
# chart, accuracy check) on its smallest model; no timing is asserted.
echo "--- model benchmark smoke run (bench/compare.sh --quick on the seed conv, 1 thread)"
BUILD_DIR=build bench/compare.sh --quick --models conv2d_3_10_k3_b32 --threads 1 --results "$root/build/compare_smoke"
test -s "$root/build/compare_smoke/compare.md" && test -s "$root/build/compare_smoke/compare.png"

echo "--- tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONNXRUN_SANITIZE=ON > "${TMPDIR:-/tmp}/onnxrun-cmake-sanitize.log"
cmake --build build-sanitize -j "$jobs" 2>&1 | tail -n 1
(cd build-sanitize && ctest --output-on-failure -j "$jobs")
echo "all tests passed"
