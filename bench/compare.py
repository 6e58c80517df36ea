#!/usr/bin/env python3
"""Latency of onnxrun against ONNX Runtime and PyTorch on whole models.

Run through ``bench/compare.sh`` (which builds the CLI and picks the project's
``.venv`` python: torch/torchvision from Debian, onnx + onnxruntime from pip)::

    bench/compare.sh [--models a,b] [--threads 1,2] [--repeat R] [--rounds N] [--warmup W]
                     [--round-warmup U] [--quick]

For every model (torchvision networks with random weights and randomized
BatchNorm statistics, exported at batch 1 by tests/models/export_zoo.py's
``build``; plus the seed tutorials' Conv2d(3, 10, 3) on a batch of 32 64x64
images) and every thread count it times

* PyTorch eager: ``torch.no_grad()``, ``torch.set_num_threads(t)``;
* ONNX Runtime, CPU provider: ``intra_op_num_threads=t``, ``inter_op_num_threads=1``,
  all graph optimizations;
* onnxrun: one CLI process per model and thread count, ``--threads t --warmup W
  --serve``, asked for each round's timed runs on stdin (it answers with their
  latencies), so that it stays loaded between rounds as the other runtimes'
  sessions do. (A fresh process per round, loaded and warmed up right before
  its timed runs, measured onnxrun 1.05-1.12x faster than this one on
  ResNet-18 whenever ORT had run in between, and alike otherwise: an
  advantage the other runtimes did not get.)

on the same input. The runs are interleaved in rounds (onnxrun, ORT and
PyTorch, in an order that rotates from round to round, with a short pause
before each so that the previous runtime's idle workers have stopped
spinning) so that noise from other work on the machine hits all three alike;
each runtime's turn in a round starts with U untimed runs (--round-warmup,
default 2), so that the timed ones are warm: after a 0.3 s pause this
machine (a shared VM) runs the next few runs of every runtime slower
(SqueezeNet, medians of 20 pauses: onnxrun at 1 thread 10.8, 10.0 and 9.8
ms against 7.0 back to back; ORT at 2 threads 8.1, 6.7 and 6.4 against
5.8); --round-warmup 0 times those runs instead. The table shows each
one's median, and the onnxrun/ORT ratio also per round
(median and range over the rounds). onnxrun's output is checked against
PyTorch's with the project's tolerance (max|err| <= 1e-4 * max|ref| + 1e-5).

Writes the markdown table to bench/results/compare.md (and prints it) and a
bar chart to bench/results/compare.png (needs matplotlib). Exported models are
cached in BUILD_DIR/compare_models, keyed by the export scripts' contents.
Exit status 1 when an output is out of tolerance.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "models"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from export_common import export_onnx  # noqa: E402
from export_zoo import ZOO, build  # noqa: E402

SEED_CONV = "conv2d_3_10_k3_b32"
ALL_MODELS = ["resnet18", "resnet50", "mobilenet_v2", "squeezenet1_1", "efficientnet_b0", "googlenet", SEED_CONV]
QUICK_MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1", SEED_CONV]


@dataclass
class Model:
    name: str
    module: nn.Module
    x: torch.Tensor
    opset: int


def build_model(name: str) -> Model:
    """The eval-mode module and its input, both from fixed seeds."""
    if name == SEED_CONV:
        # The tutorial (../shared/seeds): torch.manual_seed(42), 32 RGB 64x64 images.
        torch.manual_seed(42)
        x = torch.randn(32, 3, 64, 64)
        module = nn.Conv2d(in_channels=3, out_channels=10, kernel_size=3, stride=1, padding=0).eval()
        return Model(name, module, x, 17)
    specs = {spec.name: spec for spec in ZOO}
    if name not in specs:
        raise SystemExit(f"compare: unknown model {name}; known: {', '.join(ALL_MODELS)} "
                         f"and the rest of export_zoo.py's ZOO")
    spec = specs[name]
    module, shape = build(spec)
    x = torch.randn(shape)  # drawn right after the weights, as export_zoo does
    return Model(name, module, x, spec.opset)


def export_key(model: Model) -> str:
    """Changes whenever the exported model could: the export code, opset, shapes, torch."""
    digest = hashlib.sha256()
    for script in ("tests/models/export_zoo.py", "tests/models/export_common.py", "bench/compare.py"):
        with open(os.path.join(ROOT, script), "rb") as f:
            digest.update(f.read())
    digest.update(f"{model.name} {model.opset} {tuple(model.x.shape)} {torch.__version__}".encode())
    return digest.hexdigest()


def export_cached(model: Model, cache_dir: str) -> Tuple[str, str]:
    """(model.onnx, input.npy) in cache_dir/<name>, exported unless already current."""
    folder = os.path.join(cache_dir, model.name)
    onnx_path = os.path.join(folder, "model.onnx")
    input_path = os.path.join(folder, "input.npy")
    key_path = os.path.join(folder, "export_key.txt")
    key = export_key(model)
    if os.path.exists(key_path) and open(key_path).read() == key and os.path.exists(onnx_path):
        return onnx_path, input_path
    os.makedirs(folder, exist_ok=True)
    start = time.perf_counter()
    with torch.no_grad():
        export_onnx(model.module, model.x, onnx_path, opset=model.opset)
    np.save(input_path, np.ascontiguousarray(model.x.numpy(), dtype=np.float32))
    with open(key_path, "w") as f:
        f.write(key)
    print(f"  exported {model.name} (opset {model.opset}) in {time.perf_counter() - start:.1f} s", flush=True)
    return onnx_path, input_path


SETTLE_SECONDS = 0.3


def timed(fn: Callable[[], object], runs: int) -> List[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return samples


class OnnxrunServer:
    """``onnxrun --serve``: the model loaded and warmed up once, timed runs on request."""

    # Longest wait for one answer: a hung onnxrun must not hang the benchmark.
    ANSWER_TIMEOUT_SECONDS = 600

    def __init__(self, cli: str, onnx_path: str, input_path: str, threads: int, warmup: int, output_path: str):
        self.onnx_path = onnx_path
        # stderr goes to a file: a pipe nobody reads while waiting on stdout
        # would block onnxrun once it filled.
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [cli, onnx_path, input_path, "--threads", str(threads), "--warmup", str(warmup), "-o", output_path,
             "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True)

    def failure(self, what: str) -> RuntimeError:
        self.stderr.seek(0)
        return RuntimeError(f"onnxrun {what} on {self.onnx_path}: {self.stderr.read().strip()}")

    def runs(self, count: int) -> List[float]:
        """The latencies in ms of `count` timed runs."""
        try:
            self.process.stdin.write(f"{count}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # it exited; the read below says so
        ready, _, _ = select.select([self.process.stdout], [], [], self.ANSWER_TIMEOUT_SECONDS)
        if not ready:
            raise self.failure(f"gave no answer in {self.ANSWER_TIMEOUT_SECONDS} s")
        answer = self.process.stdout.readline()
        if not answer:
            self.process.wait()
            raise self.failure(f"exited with status {self.process.returncode}")
        return [float(v) for v in json.loads(answer)]

    def __enter__(self) -> "OnnxrunServer":
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        """Ends the process: at the end of its input, or killed after an error."""
        try:
            if error_type is None:
                self.process.stdin.close()
                try:
                    status = self.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    raise self.failure("did not exit at the end of its input")
                if status != 0:
                    raise self.failure(f"exited with status {status}")
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.stderr):
                stream.close()


@dataclass
class Row:
    model: str
    threads: int
    onnxrun_ms: float
    ort_ms: float
    torch_ms: float
    max_err: float
    tolerance: float
    # onnxrun/ORT per round (the ratio of the two runtimes' medians in that
    # round): phases of the machine that last seconds slow both runtimes of
    # a round alike, so these spread less than the runs do.
    round_ratios: List[float]


def compare_model(model: Model, onnx_path: str, input_path: str, cli: str, threads_list: List[int],
                  repeat: int, warmup: int, rounds: int, round_warmup: int) -> List[Row]:
    import onnxruntime as ort

    x_np = np.load(input_path)
    with torch.no_grad():
        reference = model.module(model.x).numpy()
    rows = []
    for threads in threads_list:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: x_np}
        torch.set_num_threads(threads)

        def run_torch():
            with torch.no_grad():
                model.module(model.x)

        times: Dict[str, List[float]] = {"onnxrun": [], "ort": [], "torch": []}
        round_ratios: List[float] = []
        per_round = [repeat // rounds + (1 if r < repeat % rounds else 0) for r in range(rounds)]
        with tempfile.TemporaryDirectory() as tmp:
            output_path = os.path.join(tmp, "output.npy")
            # onnxrun writes its output (for the accuracy check) after its
            # warmup; one untimed request first, so that it has loaded and
            # warmed up before anything else runs.
            with OnnxrunServer(cli, onnx_path, input_path, threads, warmup, output_path) as server:
                server.runs(1)
                timed(lambda: session.run(None, feed), warmup)
                timed(run_torch, warmup)
                for r, runs in enumerate(per_round):
                    if runs == 0:
                        continue
                    # A pause before each runtime: ORT's and PyTorch's (OpenMP) idle
                    # workers spin for a while after their last run, and those spinning
                    # threads would take cores from whichever runtime comes next (on 2
                    # cores, a batch-32 conv ran 2x slower right after PyTorch).
                    # The order rotates from round to round: in A/B runs of one
                    # binary against itself, whichever ran first in each pair was up
                    # to 25% faster on this shared machine.
                    # Each turn's first round_warmup runs are untimed (the docstring).
                    turn = runs + round_warmup
                    runners = {
                        "onnxrun": lambda: server.runs(turn)[round_warmup:],
                        "ort": lambda: timed(lambda: session.run(None, feed), turn)[round_warmup:],
                        "torch": lambda: timed(run_torch, turn)[round_warmup:],
                    }
                    names = list(runners)
                    this_round: Dict[str, List[float]] = {}
                    for name in names[r % 3:] + names[:r % 3]:
                        time.sleep(SETTLE_SECONDS)
                        this_round[name] = runners[name]()
                        times[name] += this_round[name]
                    round_ratios.append(statistics.median(this_round["onnxrun"]) / statistics.median(this_round["ort"]))
            output = np.load(output_path)
        if output.shape != reference.shape:
            raise RuntimeError(f"{model.name}: onnxrun's output has shape {output.shape}, PyTorch's {reference.shape}")
        max_err = float(np.max(np.abs(output.astype(np.float64) - reference)))
        tolerance = 1e-4 * float(np.max(np.abs(reference))) + 1e-5
        row = Row(model.name, threads, statistics.median(times["onnxrun"]), statistics.median(times["ort"]),
                  statistics.median(times["torch"]), max_err, tolerance, round_ratios)
        print(f"  {model.name} threads {threads}: onnxrun {row.onnxrun_ms:.2f} ms, ORT {row.ort_ms:.2f} ms, "
              f"PyTorch {row.torch_ms:.2f} ms, per-round onnxrun/ORT {round_range(round_ratios)}, "
              f"max err {max_err:.2e} (tol {tolerance:.1e})", flush=True)
        rows.append(row)
    return rows


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical cores"


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True)
        return rev.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def round_range(ratios: List[float]) -> str:
    """The median of the per-round ratios and their range: "0.78 (0.64-0.95)"."""
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def markdown(rows: List[Row], settings: str) -> str:
    import onnxruntime as ort
    lines = [
        "# onnxrun vs ONNX Runtime vs PyTorch",
        "",
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, {machine_description()}; onnxrun {git_revision()}, "
        f"ONNX Runtime {ort.__version__}, PyTorch {torch.__version__}. {settings}",
        "",
        "Median latency per run in ms (batch 1 except the seed conv, batch 32); ratios above 1 mean onnxrun is "
        "slower. per round: onnxrun/ORT within each round (the two runtimes' medians there, seconds apart), "
        "the median over the rounds and, in brackets, their range: how far the machine's phases move the ratio. "
        "max err: onnxrun against PyTorch, within tolerance (1e-4 x max|ref| + 1e-5) unless marked FAIL.",
        "",
        "| model | threads | onnxrun ms | ORT ms | PyTorch ms | onnxrun/ORT | per round | onnxrun/PyTorch | max err |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        verdict = "" if r.max_err <= r.tolerance else " FAIL"
        lines.append(f"| {r.model} | {r.threads} | {r.onnxrun_ms:.2f} | {r.ort_ms:.2f} | {r.torch_ms:.2f} | "
                     f"{r.onnxrun_ms / r.ort_ms:.2f} | {round_range(r.round_ratios)} | {r.onnxrun_ms / r.torch_ms:.2f} | "
                     f"{r.max_err:.1e}{verdict} |")
    return "\n".join(lines) + "\n"


def bar_chart(rows: List[Row], path: str) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("compare: matplotlib is missing (scripts/install_deps.sh --python); no chart", file=sys.stderr)
        return False
    threads_list = sorted({r.threads for r in rows})
    figure, axes = plt.subplots(1, len(threads_list), figsize=(6 * len(threads_list), 4.5), squeeze=False)
    for axis, threads in zip(axes[0], threads_list):
        subset = [r for r in rows if r.threads == threads]
        positions = np.arange(len(subset))
        width = 0.27
        for offset, (label, values) in enumerate([("onnxrun", [r.onnxrun_ms for r in subset]),
                                                  ("ONNX Runtime", [r.ort_ms for r in subset]),
                                                  ("PyTorch", [r.torch_ms for r in subset])]):
            axis.bar(positions + (offset - 1) * width, values, width, label=label)
        axis.set_xticks(positions)
        axis.set_xticklabels([r.model for r in subset], rotation=30, ha="right", fontsize=8)
        axis.set_yscale("log")  # models differ by 100x; ratios read as distances
        axis.set_ylabel("median latency, ms (log scale)")
        axis.set_title(f"{threads} thread{'s' if threads > 1 else ''}")
        axis.grid(axis="y", which="both", alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onnxrun", required=True, help="path of the onnxrun CLI")
    parser.add_argument("--cache", required=True, help="folder for the exported models")
    parser.add_argument("--models", help=f"comma-separated (default: {','.join(ALL_MODELS)})")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--repeat", type=int, help="timed runs per runtime, model and thread count (default 30)")
    parser.add_argument("--warmup", type=int, help="untimed runs first (default 2)")
    # Ten rounds of three runs: this machine's speed moves by up to 30% within
    # seconds, and with 10 runs in 3 rounds one model's onnxrun/ORT ratio
    # ranged 0.84 to 1.30 over three runs of this script (2026-12-04).
    parser.add_argument("--rounds", type=int, default=10, help="interleaving rounds the runs are split into (default 10)")
    parser.add_argument("--round-warmup", type=int, default=2,
                        help="untimed runs at the start of each runtime's turn in a round (default 2; 0: time the "
                             "runs right after the pause)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{','.join(QUICK_MODELS)} with 3 runs, 1 warmup (unless given)")
    parser.add_argument("--results", default=os.path.join(ROOT, "bench", "results"), help="output folder")
    args = parser.parse_args(argv)

    models = args.models.split(",") if args.models else (QUICK_MODELS if args.quick else ALL_MODELS)
    repeat = args.repeat if args.repeat is not None else (3 if args.quick else 30)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    threads_list = [int(t) for t in args.threads.split(",")]
    if repeat < 1 or warmup < 0 or args.round_warmup < 0 or args.rounds < 1 or any(t < 1 for t in threads_list):
        parser.error("--repeat, --rounds and --threads must be >= 1, --warmup and --round-warmup >= 0")
    rounds = min(args.rounds, repeat)

    load_before = os.getloadavg()[0]
    rows: List[Row] = []
    for name in models:
        print(f"--- {name}", flush=True)
        model = build_model(name)
        onnx_path, input_path = export_cached(model, args.cache)
        rows += compare_model(model, onnx_path, input_path, args.onnxrun, threads_list, repeat, warmup, rounds,
                              args.round_warmup)

    # Other work on the machine moves every number; say how busy it was.
    settings = (f"{repeat} timed runs after {warmup} warmup per runtime, interleaved in {rounds} rounds, "
                f"each turn after {args.round_warmup} untimed runs; "
                f"threads {','.join(map(str, threads_list))}; load average {load_before:.1f} before, "
                f"{os.getloadavg()[0]:.1f} after.")
    table = markdown(rows, settings)
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, "compare.md"), "w") as f:
        f.write(table)
    print()
    print(table)
    print(f"wrote {os.path.join(args.results, 'compare.md')}")
    if bar_chart(rows, os.path.join(args.results, "compare.png")):
        print(f"wrote {os.path.join(args.results, 'compare.png')}")
    failed = [r for r in rows if not r.max_err <= r.tolerance]
    if failed:
        print("compare: onnxrun's output is out of tolerance for " +
              ", ".join(f"{r.model} ({r.threads} threads)" for r in failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
