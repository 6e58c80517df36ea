"""Helpers shared by the PyTorch export scripts (export_models.py, export_zoo.py).

Needs PyTorch (Debian's python3-torch, torch 1.13); run the scripts with
``/usr/bin/python3`` or the project's ``.venv/bin/python``.

Folder layout both scripts write (what build/tests/onnxrun_model_tests reads)::

    OUT_DIR/manifest.txt              one model folder name per line
    OUT_DIR/<name>/model.onnx
    OUT_DIR/<name>/input_0.npy        float32, C order
    OUT_DIR/<name>/output_0.npy       PyTorch's output for input_0.npy
    OUT_DIR/<name>/input_0_batch<N>.npy, output_0_batch<N>.npy   (optional)
"""

import os
import zlib
from typing import Iterable, List, Optional, Sequence, Tuple, TypeVar

import numpy as np
import torch
import torch.nn as nn

TrainingMode = torch.onnx.TrainingMode


def seed_for(key: str) -> int:
    """The fixed seed of a model family: the CRC-32 of its name."""
    return zlib.crc32(key.encode()) & 0x7FFFFFFF


def randomize_batchnorm(module: nn.Module) -> None:
    """Give every BatchNorm non-trivial statistics so folding errors show."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)


def torchvision_model(name: str, **kwargs) -> nn.Module:
    """torchvision.models.<name> with random (not pretrained) weights."""
    import torchvision
    builder = getattr(torchvision.models, name)
    try:
        return builder(weights=None, **kwargs)
    except TypeError:  # torchvision < 0.13
        return builder(pretrained=False, **kwargs)


def save_array(path: str, tensor: torch.Tensor) -> None:
    arr = np.ascontiguousarray(tensor.detach().cpu().numpy(), dtype=np.float32)
    np.save(path, arr)


def export_onnx(module: nn.Module, x: torch.Tensor, path: str, *, opset: int,
                constant_folding: bool = True,
                training: TrainingMode = TrainingMode.EVAL,
                dynamic_batch: bool = False) -> None:
    """torch.onnx.export of a one-input, one-output module.

    With ``dynamic_batch`` the input and output are named ``input`` and
    ``output`` and their dimension 0 is the symbolic ``batch``.
    """
    kwargs = {}
    if dynamic_batch:
        kwargs = dict(input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    torch.onnx.export(module, (x,), path,
                      opset_version=opset,
                      do_constant_folding=constant_folding,
                      training=training,
                      **kwargs)


def save_case(folder: str, x: torch.Tensor, y: torch.Tensor, suffix: str = "") -> None:
    """Write input_0<suffix>.npy and output_0<suffix>.npy ("" or "_batch<N>")."""
    save_array(os.path.join(folder, f"input_0{suffix}.npy"), x)
    save_array(os.path.join(folder, f"output_0{suffix}.npy"), y)


def folder_files(folder: str) -> List[Tuple[str, int]]:
    """(file name, size in bytes) of every file in a model folder, sorted."""
    return [(f, os.path.getsize(os.path.join(folder, f))) for f in sorted(os.listdir(folder))]


def write_manifest(out_dir: str, names: Iterable[str]) -> None:
    with open(os.path.join(out_dir, "manifest.txt"), "w") as f:
        f.writelines(name + "\n" for name in names)


def export_with_fixtures(module: nn.Module, shape: Tuple[int, ...], folder: str, *,
                         extra_batches: Sequence[int] = (), **export_kwargs) -> torch.Tensor:
    """Draw the input (and one per extra batch size), run ``module`` on it,
    export it to ``folder/model.onnx`` and save the input/output pairs.

    The inputs come from torch's generator as the caller left it (after the
    model's seeded weights), so reruns write identical files. ``export_kwargs``
    go to export_onnx. Returns PyTorch's output for the main input.
    """
    x = torch.randn(shape)
    extra_inputs = [torch.randn((b,) + tuple(shape[1:])) for b in extra_batches]
    os.makedirs(folder, exist_ok=True)
    with torch.no_grad():
        y = module(x)
        extra_outputs = [module(xi) for xi in extra_inputs]
        export_onnx(module, x, os.path.join(folder, "model.onnx"), **export_kwargs)
    save_case(folder, x, y)
    for b, xi, yi in zip(extra_batches, extra_inputs, extra_outputs):
        save_case(folder, xi, yi, f"_batch{b}")
    return y


def parse_only(only: Optional[str]) -> Optional[List[str]]:
    """The model names of a comma-separated --only value; None when absent."""
    return [n.strip() for n in only.split(",") if n.strip()] if only else None


Spec = TypeVar("Spec")


def select_named(chosen: Sequence[Spec], only: Optional[Sequence[str]], set_name: str) -> List[Spec]:
    """The specs of ``chosen`` (each with a ``name``) that --only names, in its
    order, or all of ``chosen`` without --only; exits naming unknown ones."""
    if only is None:
        return list(chosen)
    by_name = {s.name: s for s in chosen}
    unknown = [n for n in only if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown model(s) for --set {set_name}: {', '.join(unknown)}\n"
                         f"available: {', '.join(by_name)}")
    return [by_name[n] for n in only]
