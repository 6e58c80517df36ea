#!/usr/bin/env python3
"""Export torchvision's classification networks (random weights) to test onnxrun.

Needs PyTorch + torchvision (Debian's python3-torch / python3-torchvision,
torch 1.13 / torchvision 0.14); run it with ``/usr/bin/python3`` or the
project's ``.venv/bin/python``, not a ``python3`` without torch::

    /usr/bin/python3 tests/models/export_zoo.py OUT_DIR [--set small|all] [--only a,b] [--opset N]

``scripts/zoo.sh`` exports, runs onnxrun on the result and prints a table.

It writes the layout of export_models.py (see export_common.py), so that
``ONNXRUN_FIXTURES=OUT_DIR build/tests/onnxrun_model_tests`` runs the zoo:

* ``OUT_DIR/<name>/model.onnx``, ``input_0.npy`` (1x3x224x224, inception_v3
  1x3x299x299) and ``output_0.npy`` (PyTorch's logits, eval mode);
* for the small set also ``input_0_batch2.npy`` / ``output_0_batch2.npy``: every
  model is exported with a symbolic batch (input ``input`` and output
  ``output``, dimension 0 ``batch``), and the batch-2 pair covers re-planning
  on real networks;
* ``OUT_DIR/manifest.txt``: the models of this run, one per line;
* ``OUT_DIR/zoo.tsv``: a header line, then per model its name, opset, input
  shape and export time in seconds (tab separated).

Weights are torchvision's random initialisation drawn from a fixed seed per
model (the CRC-32 of its name; the input is drawn from the same seed).  So that
errors in folding or in the normalisation ops show, every BatchNorm gets
random statistics and affine parameters (running_mean ~ N(0, 0.1),
running_var ~ U(0.5, 1.5), weight ~ U(0.5, 1.5), bias ~ N(0, 0.1)), LayerNorm
affine parameters likewise, and ConvNeXt's layer scale (1e-6 at
initialisation, which would hide every block's contribution) is drawn from
U(0.1, 0.3).  The BatchNorm draws are in units of the statistics each
BatchNorm really sees on a random calibration batch (see calibrate_batchnorm),
so that the output depends on the input and on every layer: a 0.1% error in
the weights of any normalisation layer or convolution moves the logits by
about the test's tolerance (1e-4 x max|reference| + 1e-5) or more, while
float32 rounding stays far below it.

The models are exported at different opsets (most at 13, some at 11 and 17;
``--opset N`` exports all at N) so that the opset-specific forms of the ops are
covered: e.g. Unsqueeze with an axes attribute at 11 (shufflenet's channel
shuffle), hardswish as HardSwish at 17 but HardSigmoid+Mul at 13, LayerNorm as
LayerNormalization at 17 but ReduceMean/Sub/Pow/Sqrt/Div below.
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from export_common import (export_with_fixtures, folder_files, parse_only, randomize_batchnorm,
                           seed_for, select_named, torchvision_model, write_manifest)

SMALL, ALL = "small", "all"


@dataclass(frozen=True)
class ZooSpec:
    name: str                 # torchvision.models builder name, and the folder name
    opset: int = 13
    small: bool = False       # in the quick CI set (also gets batch-2 pairs)
    size: int = 224           # input is 1x3xSIZExSIZE
    kwargs: Dict[str, object] = field(default_factory=dict)


# Opsets: 13 for most; 11 for some older architectures and shufflenet (whose
# channel shuffle's Unsqueeze takes attributes there); 17 for mobilenet_v3_small
# (HardSwish is one op from opset 14), convnext_tiny (LayerNormalization from
# 17) and regnet_y_400mf.  The small set (cheap models, a few seconds each to
# export) spans all three.
ZOO: List[ZooSpec] = [
    ZooSpec("squeezenet1_1", opset=11, small=True),
    ZooSpec("mobilenet_v3_small", opset=17, small=True),
    ZooSpec("shufflenet_v2_x1_0", opset=11, small=True),
    ZooSpec("mnasnet1_0", opset=13, small=True),
    ZooSpec("resnet18", opset=11, small=True),
    ZooSpec("efficientnet_b0", opset=13, small=True),
    ZooSpec("resnet50", opset=13),
    ZooSpec("resnext50_32x4d", opset=13),
    ZooSpec("mobilenet_v2", opset=13),
    ZooSpec("densenet121", opset=13),
    ZooSpec("googlenet", opset=11,
            kwargs=dict(aux_logits=False, init_weights=True, transform_input=False)),
    ZooSpec("inception_v3", opset=13, size=299,
            kwargs=dict(aux_logits=False, init_weights=True, transform_input=False)),
    ZooSpec("regnet_y_400mf", opset=17),
    ZooSpec("vgg11_bn", opset=13),
    ZooSpec("alexnet", opset=11),
    ZooSpec("convnext_tiny", opset=17),
]

BATCH_PAIRS = (2,)  # extra batch sizes written for the small set


def randomize_normalization(module: nn.Module) -> None:
    """Random BatchNorm statistics/affine, LayerNorm affine, ConvNeXt layer scale."""
    randomize_batchnorm(module)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.LayerNorm) and m.elementwise_affine:
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
            scale = getattr(m, "layer_scale", None)
            if isinstance(scale, nn.Parameter):  # torchvision.models.convnext.CNBlock
                scale.uniform_(0.1, 0.3)


def calibrate_batchnorm(module: nn.Module, x: torch.Tensor) -> None:
    """Express every BatchNorm's random statistics in units of its real input's.

    randomize_batchnorm draws running_mean ~ N(0, 0.1) and running_var ~
    U(0.5, 1.5), right for inputs of zero mean and unit variance, which the
    activations of a randomly initialised network are not: left as they are,
    the signal shrinks or grows layer after layer (most mobile networks'
    logits came out independent of the input, so that an error in their early
    layers was invisible, and inception_v3's reached 1e13).  One forward pass
    in eval mode over x, with a hook before each BatchNorm (so each is
    calibrated on what the ones before it already produce), measures the
    per-channel mean m and variance v of its input and sets

        running_mean = m + running_mean * sqrt(v),   running_var = v * running_var,

    keeping the random draws as the deviation from the real statistics (as
    in a trained network, where they match the data).  The affine weight and
    bias stay as drawn; v is floored at 1% of the layer's mean variance so
    that a channel that happens to be constant is not blown up.
    """
    def calibrate(bn: nn.modules.batchnorm._BatchNorm, inputs) -> None:
        dims = [d for d in range(inputs[0].dim()) if d != 1]
        mean = inputs[0].mean(dim=dims)
        var = inputs[0].var(dim=dims, unbiased=False)
        var = torch.clamp(var, min=max(0.01 * float(var.mean()), 1e-12))
        bn.running_mean.copy_(mean + bn.running_mean * var.sqrt())
        bn.running_var.copy_(var * bn.running_var)

    hooks = [m.register_forward_pre_hook(calibrate) for m in module.modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    try:
        with torch.no_grad():
            module(x)
    finally:
        for hook in hooks:
            hook.remove()


def build(spec: ZooSpec) -> Tuple[nn.Module, Tuple[int, ...]]:
    """The model with its fixed-seed random weights, in eval mode, and its input shape.

    Leaves the random generator where the model's inputs are to be drawn.
    """
    torch.manual_seed(seed_for(spec.name))
    module = torchvision_model(spec.name, **spec.kwargs)
    randomize_normalization(module)
    module.eval()
    shape = (1, 3, spec.size, spec.size)
    calibrate_batchnorm(module, torch.randn((2,) + shape[1:]))
    return module, shape


def export_one(spec: ZooSpec, out_dir: str, opset: int, batches: Sequence[int]) -> float:
    """Export one model; return the seconds it took (build, run, export, save)."""
    start = time.perf_counter()
    module, shape = build(spec)
    y = export_with_fixtures(module, shape, os.path.join(out_dir, spec.name), extra_batches=batches,
                             opset=opset, dynamic_batch=True)
    if not bool(torch.isfinite(y).all()):
        raise RuntimeError(f"{spec.name}: PyTorch's output is not finite")
    return time.perf_counter() - start


def select(set_name: str, only: Optional[Sequence[str]]) -> List[ZooSpec]:
    return select_named([s for s in ZOO if set_name == ALL or s.small], only, set_name)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Export torchvision classification models (random weights) to ONNX "
                    "with input/output fixtures.")
    parser.add_argument("out_dir", help="output directory (created if missing)")
    parser.add_argument("--set", dest="set_name", choices=(SMALL, ALL), default=SMALL,
                        help="small: the quick CI set, with batch-2 pairs; all: every model "
                             "(default: small)")
    parser.add_argument("--only", help="comma-separated model names to export")
    parser.add_argument("--opset", type=int, help="export every model at this opset "
                        "(default: each model's own, 11, 13 or 17)")
    args = parser.parse_args(argv)

    specs = select(args.set_name, parse_only(args.only))
    os.makedirs(args.out_dir, exist_ok=True)

    rows: List[Tuple[str, int, str, float]] = []
    for spec in specs:
        opset = args.opset or spec.opset
        batches = BATCH_PAIRS if spec.small else ()
        seconds = export_one(spec, args.out_dir, opset, batches)
        total = sum(size for _, size in folder_files(os.path.join(args.out_dir, spec.name)))
        shape = f"1x3x{spec.size}x{spec.size}"
        rows.append((spec.name, opset, shape, seconds))
        print(f"{spec.name}: opset {opset}, input {shape}, {total / 1e6:.1f} MB, "
              f"exported in {seconds:.1f} s", flush=True)

    write_manifest(args.out_dir, (name for name, *_ in rows))
    with open(os.path.join(args.out_dir, "zoo.tsv"), "w") as f:
        f.write("name\topset\tinput_shape\texport_seconds\n")
        f.writelines(f"{n}\t{o}\t{s}\t{t:.2f}\n" for n, o, s, t in rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
