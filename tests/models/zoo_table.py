#!/usr/bin/env python3
"""Run every model of a zoo folder (written by export_zoo.py) through the onnxrun
CLI and print a table: opset, max abs error against PyTorch, tolerance, latency.

Needs only numpy (``.venv/bin/python`` or ``/usr/bin/python3``); scripts/zoo.sh
runs it::

    zoo_table.py ZOO_DIR --onnxrun build/onnxrun [--threads 2]

Per model it runs ``onnxrun model.onnx input_0.npy -o out.npy`` and compares
out.npy with output_0.npy (max abs error; tolerance 1e-4 * max|reference| +
1e-5, as in tests/models/test_pytorch_models.cpp), likewise every
input_0_batch<N>.npy / output_0_batch<N>.npy pair, then times
``onnxrun model.onnx input_0.npy --json --threads T --warmup 1 --repeat 3``
(latency_ms.median).  A model that onnxrun rejects gets the error line it
printed.  Exit status 1 if any model fails, 0 otherwise.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Tuple

import numpy as np

TIMEOUT_S = 1800  # per onnxrun call; the reference kernels are slow on big models
MESSAGE_CHARS = 300  # error lines are cut to this length in the failure list


def tolerance(reference: np.ndarray) -> float:
    return 1e-4 * float(np.abs(reference).max(initial=0.0)) + 1e-5


def error_line(stderr: str, stdout: str, returncode: int) -> str:
    lines = [line.strip() for line in (stderr + "\n" + stdout).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("onnxrun: error"):
            return line
    return lines[-1] if lines else f"onnxrun exited with status {returncode}"


def describe(message: str) -> str:
    """The error line, cut short; an unsupported-ops list also as counts per op type."""
    short = message if len(message) <= MESSAGE_CHARS else (
        message[:MESSAGE_CHARS] + f"... ({len(message) - MESSAGE_CHARS} more characters)")
    ops = re.findall(r"\((\w+)\) at opset", message)
    if "unsupported op" not in message or not ops:
        return short
    counts: Dict[str, int] = {}
    for op in ops:
        counts[op] = counts.get(op, 0) + 1
    summary = ", ".join(f"{op} x{n}" for op, n in counts.items())
    return f"unsupported: {summary}\n      {short}"


def run_onnxrun(args: List[str]) -> Tuple[Optional[str], str]:
    """Run the CLI; return (error line or None, stdout)."""
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"timed out after {TIMEOUT_S} s", ""
    if done.returncode != 0:
        return error_line(done.stderr, done.stdout, done.returncode), done.stdout
    return None, done.stdout


def compare(onnxrun: str, folder: str, suffix: str, scratch: str) -> Tuple[Optional[str], float, float]:
    """Run one input/output pair; return (error or None, max abs error, tolerance)."""
    out = os.path.join(scratch, f"out{suffix}.npy")
    error, _ = run_onnxrun([onnxrun, os.path.join(folder, "model.onnx"),
                            os.path.join(folder, f"input_0{suffix}.npy"), "-o", out])
    reference = np.load(os.path.join(folder, f"output_0{suffix}.npy"))
    tol = tolerance(reference)
    if error is not None:
        return error, float("nan"), tol
    result = np.load(out)
    if result.shape != reference.shape:
        return f"output shape {list(result.shape)}, PyTorch's {list(reference.shape)}", float("nan"), tol
    err = float(np.abs(result.astype(np.float64) - reference.astype(np.float64)).max(initial=0.0))
    if not np.isfinite(err):
        return "output is not finite", err, tol
    return None, err, tol


def read_opsets(zoo: str) -> Dict[str, str]:
    opsets: Dict[str, str] = {}
    path = os.path.join(zoo, "zoo.tsv")
    if os.path.exists(path):
        with open(path) as f:
            header = f.readline().rstrip("\n").split("\t")
            for line in f:
                row = dict(zip(header, line.rstrip("\n").split("\t")))
                opsets[row["name"]] = row.get("opset", "?")
    return opsets


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="onnxrun against PyTorch on an exported zoo")
    parser.add_argument("zoo", help="folder written by export_zoo.py")
    parser.add_argument("--onnxrun", required=True, help="path of the onnxrun CLI")
    parser.add_argument("--threads", type=int, default=2, help="threads for the timed runs")
    args = parser.parse_args(argv)

    with open(os.path.join(args.zoo, "manifest.txt")) as f:
        names = [line.strip() for line in f if line.strip()]
    opsets = read_opsets(args.zoo)

    header = ("model", "opset", "max abs err", "tolerance", "err/tol", "batch pairs",
              "latency ms", "result")
    rows: List[Tuple[str, ...]] = []
    errors: List[Tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="zoo_table_") as scratch:
        for name in names:
            folder = os.path.join(args.zoo, name)
            error, err, tol = compare(args.onnxrun, folder, "", scratch)
            pairs = sorted(os.path.basename(p)[len("input_0"):-len(".npy")]
                           for p in glob.glob(os.path.join(folder, "input_0_*.npy")))
            pair_notes = []
            if error is None and err > tol:
                error = f"max abs error {err:.3g} exceeds the tolerance {tol:.3g}"
            if error is None:
                for suffix in pairs:
                    pair_error, pair_err, pair_tol = compare(args.onnxrun, folder, suffix, scratch)
                    label = suffix.lstrip("_")
                    if pair_error is None and pair_err > pair_tol:
                        pair_error = f"max abs error {pair_err:.3g} exceeds the tolerance {pair_tol:.3g}"
                    if pair_error is not None:
                        error = f"{label}: {pair_error}"
                        pair_notes.append(f"{label} FAIL")
                    else:
                        pair_notes.append(f"{label} {pair_err / pair_tol:.3f}")
            latency = "-"
            if error is None:
                timing_error, stdout = run_onnxrun(
                    [args.onnxrun, os.path.join(folder, "model.onnx"),
                     os.path.join(folder, "input_0.npy"), "--json", "--threads", str(args.threads),
                     "--warmup", "1", "--repeat", "3"])
                if timing_error is None:
                    median = json.loads(stdout)["latency_ms"]["median"]
                    latency = f"{median:.1f}" if median >= 10 else f"{median:.3f}"
                else:
                    error = f"timing run: {timing_error}"
            if error is not None:
                errors.append((name, error))
            rows.append((name, opsets.get(name, "?"),
                         "-" if np.isnan(err) else f"{err:.3g}", f"{tol:.3g}",
                         "-" if np.isnan(err) else f"{err / tol:.3f}",
                         ", ".join(pair_notes) or "-", latency,
                         "FAIL" if error is not None else "ok"))
            print(f"  {name}: {rows[-1][-1]}", file=sys.stderr, flush=True)

    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(line(header))
    print(line(tuple("-" * w for w in widths)))
    for row in rows:
        print(line(row))
    print(f"{len(rows) - len(errors)} of {len(rows)} models match PyTorch "
          f"(latency: median of 3 runs after 1 warm-up, {args.threads} threads)")
    if errors:
        print("\nfailures:")
        for name, message in errors:
            print(f"  {name}: {describe(message)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
