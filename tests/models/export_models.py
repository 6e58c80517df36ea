#!/usr/bin/env python3
"""Export the PyTorch reference models used to test onnxrun.

This script needs PyTorch (written against torch 1.13 / torchvision 0.14).
The shebang picks whichever ``python3`` is first on PATH, which may be an
interpreter without torch; if so, run the script with one that has it, e.g.::

    /usr/bin/python3 tests/models/export_models.py OUT_DIR [--only a,b] [--set small|large|all]

For every selected model it writes a folder ``OUT_DIR/<name>/`` containing

* ``model.onnx``   -- the module exported with ``torch.onnx.export``;
* ``input_0.npy``  -- the float32, C-contiguous input it was exported with;
* ``output_0.npy`` -- PyTorch's own float32 output for that input, computed
  from the same module (eval mode, under ``torch.no_grad()``).

``dynamic_batch_cnn`` is exported with a symbolic batch dimension and also gets
``input_0_batch<N>.npy`` / ``output_0_batch<N>.npy`` pairs for other batch
sizes, for testing re-planning when the input shape changes.

``OUT_DIR/manifest.txt`` lists the models written by this run, one per line.

Model sets:

* ``small`` -- tiny models whose fixtures are committed to git (each folder
  stays well under 300 KB);
* ``large`` -- bigger models (batched convolutions, ResNet-18) that are not
  committed and are regenerated wherever PyTorch is available.

Determinism: every model family has a fixed seed (the CRC-32 of its family
name).  The weights, the randomised BatchNorm statistics and the inputs are all
drawn from that seed, so reruns give identical weights and inputs, and the
variants of one family (e.g. ``conv_bn_relu``, ``conv_bn_relu_folded`` and
``conv_bn_relu_opset9``) share weights and inputs.

BatchNorm note: with ``training=TrainingMode.EVAL`` the torch 1.13 exporter runs
an "eval peephole" pass that fuses Conv+BatchNormalization into the Conv even
when ``do_constant_folding=False``.  Models that must keep their
BatchNormalization nodes are therefore exported with
``training=TrainingMode.PRESERVE`` while the module is in eval mode (which
exports inference-mode BatchNormalization), and the script checks that the
serialised model really contains a BatchNormalization node.
"""

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from export_common import (TrainingMode, export_with_fixtures, folder_files, parse_only,
                           randomize_batchnorm, seed_for, select_named, torchvision_model,
                           write_manifest)

DEFAULT_OPSET = 13

# Hidden width of the CIFAR classifier's first Linear layer.  The original
# tutorial uses a much wider layer; a Linear(64*4*4, 128) alone would be 512 KB
# of float32 weights, too big for a committed fixture, so a narrower layer is
# used.  The structure (conv stages, flatten, two Linear layers) is unchanged.
CIFAR_HIDDEN = 32

Builder = Callable[[], Tuple[nn.Module, Tuple[int, ...]]]


# --------------------------------------------------------------------------
# Model definitions
# --------------------------------------------------------------------------

class BasicBlock(nn.Module):
    """ResNet basic block: conv3x3-bn-relu-conv3x3-bn + shortcut, then relu."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.downsample: Optional[nn.Module] = None
        if stride != 1 or in_ch != out_ch:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_ch),
            )

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class CifarClassifier(nn.Module):
    """CIFAR-10 style CNN: three conv/relu/pool stages, then two Linear layers."""

    def __init__(self, hidden: int = CIFAR_HIDDEN):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(0.5)
        self.fc1 = nn.Linear(64 * 4 * 4, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = self.pool(self.relu(self.conv3(x)))
        x = torch.flatten(x, 1)
        x = self.dropout(x)
        x = self.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


def build_conv_bn_relu():
    m = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
    randomize_batchnorm(m)
    return m, (2, 3, 16, 16)


def build_resnet_basic_block():
    m = BasicBlock(16, 16)
    randomize_batchnorm(m)
    return m, (1, 16, 16, 16)


def build_resnet_basic_block_downsample():
    m = BasicBlock(16, 16, stride=2)
    randomize_batchnorm(m)
    return m, (1, 16, 16, 16)


def build_sequential_pool():
    m = nn.Sequential(
        nn.Conv2d(1, 16, 2, stride=2), nn.MaxPool2d(2, 2), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.MaxPool2d(2, 2), nn.ReLU())
    return m, (1, 1, 32, 32)


def build_dynamic_batch_cnn():
    m = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 4 * 4, 5))
    return m, (2, 3, 8, 8)


def build_resnet18():
    m = torchvision_model("resnet18")
    randomize_batchnorm(m)
    return m, (1, 3, 224, 224)


# --------------------------------------------------------------------------
# Model table
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelSpec:
    name: str
    group: str                      # "small" or "large"
    build: Builder                  # returns (module, input shape)
    family: str = ""                # seed key; same family => same weights/input
    opset: int = DEFAULT_OPSET
    constant_folding: bool = True
    training: TrainingMode = TrainingMode.EVAL
    require_batchnorm: bool = False # fail unless the ONNX keeps BatchNormalization
    dynamic_batch: bool = False     # symbolic batch dim, named input/output
    extra_batches: Tuple[int, ...] = ()

    @property
    def seed(self) -> int:
        return seed_for(self.family or self.name)


def fixed(make: Callable[[], nn.Module], shape: Tuple[int, ...]) -> Builder:
    """Builder for a plain module and input shape."""
    return lambda: (make(), shape)


SMALL, LARGE = "small", "large"

MODELS: List[ModelSpec] = [
    # --- small set: committed fixtures ---------------------------------------
    ModelSpec("conv2d_1x1_3_stride2_pad1", SMALL,
              fixed(lambda: nn.Conv2d(1, 1, 3, stride=2, padding=1), (1, 1, 5, 5))),
    ModelSpec("conv2d_1_3_k3", SMALL, fixed(lambda: nn.Conv2d(1, 3, 3), (1, 1, 5, 5))),
    ModelSpec("conv2d_2_3_k3", SMALL, fixed(lambda: nn.Conv2d(2, 3, 3), (1, 2, 5, 5))),
    ModelSpec("conv1d_1_4_k3_pad1", SMALL,
              fixed(lambda: nn.Conv1d(1, 4, 3, padding=1), (1, 1, 10))),
    ModelSpec("conv3d_3_8_k3_pad1", SMALL,
              fixed(lambda: nn.Conv3d(3, 8, 3, padding=1), (1, 3, 6, 8, 8))),
    ModelSpec("conv_bn_relu", SMALL, build_conv_bn_relu, family="conv_bn_relu",
              constant_folding=False, training=TrainingMode.PRESERVE,
              require_batchnorm=True),
    ModelSpec("conv_bn_relu_folded", SMALL, build_conv_bn_relu, family="conv_bn_relu",
              constant_folding=True),
    ModelSpec("conv_bn_relu_opset9", SMALL, build_conv_bn_relu, family="conv_bn_relu",
              opset=9, constant_folding=False, training=TrainingMode.PRESERVE,
              require_batchnorm=True),
    ModelSpec("resnet_basic_block", SMALL, build_resnet_basic_block),
    ModelSpec("resnet_basic_block_downsample", SMALL, build_resnet_basic_block_downsample),
    ModelSpec("sequential_pool", SMALL, build_sequential_pool),
    ModelSpec("cifar_classifier", SMALL, fixed(CifarClassifier, (2, 3, 32, 32)),
              family="cifar_classifier"),
    ModelSpec("cifar_classifier_opset17", SMALL, fixed(CifarClassifier, (2, 3, 32, 32)),
              family="cifar_classifier", opset=17),
    ModelSpec("conv2d_dilation2", SMALL,
              fixed(lambda: nn.Conv2d(3, 4, 3, dilation=2, padding=2), (1, 3, 12, 12))),
    ModelSpec("conv2d_groups", SMALL,
              fixed(lambda: nn.Conv2d(4, 8, 3, groups=2, padding=1), (1, 4, 9, 9))),
    ModelSpec("conv2d_depthwise", SMALL,
              fixed(lambda: nn.Conv2d(8, 8, 3, groups=8, stride=2, padding=1), (1, 8, 11, 11))),
    ModelSpec("conv2d_asymmetric", SMALL,
              fixed(lambda: nn.Conv2d(3, 5, (3, 5), stride=(2, 1), padding=(1, 2)),
                    (1, 3, 10, 13))),
    ModelSpec("maxpool_ceil_mode", SMALL,
              fixed(lambda: nn.Sequential(nn.Conv2d(1, 2, 1),
                                          nn.MaxPool2d(3, stride=2, ceil_mode=True)),
                    (1, 1, 10, 10))),
    ModelSpec("maxpool3d", SMALL,
              fixed(lambda: nn.Sequential(nn.Conv3d(2, 2, 1), nn.MaxPool3d(2)),
                    (1, 2, 4, 6, 6))),
    ModelSpec("maxpool1d_pad_dilation", SMALL,
              fixed(lambda: nn.Sequential(nn.Conv1d(2, 2, 1),
                                          nn.MaxPool1d(3, stride=2, padding=1, dilation=2)),
                    (1, 2, 15))),
    ModelSpec("gemm_linear", SMALL, fixed(lambda: nn.Linear(20, 7), (3, 20))),
    ModelSpec("dynamic_batch_cnn", SMALL, build_dynamic_batch_cnn,
              dynamic_batch=True, extra_batches=(7, 1)),
    # --- large set: regenerated, not committed -------------------------------
    ModelSpec("conv2d_3_10_k3_batch32", LARGE,
              fixed(lambda: nn.Conv2d(3, 10, 3), (32, 3, 64, 64))),
    ModelSpec("conv2d_3_10_k5_s2_batch32", LARGE,
              fixed(lambda: nn.Conv2d(3, 10, 5, stride=2), (32, 3, 64, 64))),
    ModelSpec("resnet18", LARGE, build_resnet18, family="resnet18"),
    ModelSpec("resnet18_unfolded", LARGE, build_resnet18, family="resnet18",
              constant_folding=False, training=TrainingMode.PRESERVE,
              require_batchnorm=True),
]


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------

def export_one(spec: ModelSpec, out_dir: str) -> List[Tuple[str, int]]:
    """Export one model; return (file name, size in bytes) for what was written."""
    torch.manual_seed(spec.seed)
    module, shape = spec.build()
    module.eval()
    folder = os.path.join(out_dir, spec.name)
    export_with_fixtures(module, shape, folder, extra_batches=spec.extra_batches,
                         opset=spec.opset, constant_folding=spec.constant_folding,
                         training=spec.training, dynamic_batch=spec.dynamic_batch)
    if spec.require_batchnorm:
        with open(os.path.join(folder, "model.onnx"), "rb") as f:
            if b"BatchNormalization" not in f.read():
                raise RuntimeError(f"{spec.name}: exported model has no "
                                   "BatchNormalization node")
    return folder_files(folder)


def select(set_name: str, only: Optional[Sequence[str]]) -> List[ModelSpec]:
    return select_named([m for m in MODELS if set_name == "all" or m.group == set_name], only, set_name)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Export PyTorch reference models to ONNX with input/output fixtures.")
    parser.add_argument("out_dir", help="output directory (created if missing)")
    parser.add_argument("--only", help="comma-separated model names to export")
    parser.add_argument("--set", dest="set_name", choices=("small", "large", "all"),
                        default="all", help="which model set to export (default: all)")
    args = parser.parse_args(argv)

    specs = select(args.set_name, parse_only(args.only))
    os.makedirs(args.out_dir, exist_ok=True)

    written = []
    for spec in specs:
        files = export_one(spec, args.out_dir)
        written.append(spec.name)
        total = sum(size for _, size in files)
        sizes = " ".join(f"{f}={size}" for f, size in files)
        print(f"{spec.name}: {total} bytes ({sizes})", flush=True)

    write_manifest(args.out_dir, written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
