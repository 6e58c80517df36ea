#!/usr/bin/env bash
# Installs what onnxrun needs on a fresh Debian (bookworm) machine.
#   scripts/install_deps.sh            build dependencies (C++ toolchain, protobuf, ONNX, xsimd, doctest, benchmark)
#   scripts/install_deps.sh --python   also PyTorch/torchvision and matplotlib (Debian) and a venv in .venv
#                                      with onnx and onnxruntime (pip), used to export test models and
#                                      compare with peers (bench/compare.sh)
#   scripts/install_deps.sh --cross    also the aarch64 cross compiler (scripts/check_neon.sh)
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

with_python=0
with_cross=0
for arg in "$@"; do
  case "$arg" in
    --python) with_python=1 ;;
    --cross) with_cross=1 ;;
    *) echo "install_deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

packages=(build-essential cmake pkg-config libprotobuf-dev protobuf-compiler libonnx-dev libxsimd-dev xtl-dev
          doctest-dev libbenchmark-dev)
if [ "$with_python" = 1 ]; then
  # matplotlib: the bar chart of bench/compare.sh.
  packages+=(python3 python3-venv python3-numpy python3-torch python3-torchvision python3-matplotlib)
fi
[ "$with_cross" = 1 ] && packages+=(g++-aarch64-linux-gnu)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$with_python" = 1 ]; then
  # Debian's torch lives in /usr/bin/python3 and is built against numpy 1.x;
  # the venv sees it (--system-site-packages) and adds the pip-only packages.
  if [ ! -x .venv/bin/python ]; then
    /usr/bin/python3 -m venv --system-site-packages .venv
  fi
  # onnx 1.16 is the last release whose wheel ships the backend node test
  # data (onnx/backend/test/data/node) that the conformance runner reads.
  if ! .venv/bin/python -c "import onnx, onnxruntime; assert onnx.__version__ == '1.16.2'" 2>/dev/null; then
    .venv/bin/pip install -q "numpy<2" "onnx==1.16.2" onnxruntime
  fi
fi
