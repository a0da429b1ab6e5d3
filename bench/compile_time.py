# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Compile time and memory of `quant-opt --quantize-int8` as models grow:
chains of N ops (1x1 convolution + ReLU6 pairs on 1x4x4x8 activations, 8
calibration samples) and, when torchvision is installed, ResNet-50 (ONNX,
224x224, random weights, 8 samples). For each: the whole pipeline's wall
time, split into running the calibration samples through the float model
and compiling (everything else: the calibration probe's JIT compilation,
folding, quantization, the proofs), and the peak resident memory. Compile time (everything but running the
samples) should grow linearly with the number of ops.

/usr/bin/python3 bench/compile_time.py [--build build] [--ops 1000,2000,10000]
                                       [--no-resnet]
"""

import argparse
import importlib.util
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

SAMPLES = 8


def chain_model(pairs, path, rng):
    """A chain of `pairs` conv2d + clamp pairs (2 * pairs ops)."""
    lines = ["func.func @main(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {",
             '  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> '
             ': () -> tensor<1xf32>',
             '  %b = "tosa.const"() <{values = dense<0.1> : tensor<8xf32>}> '
             ': () -> tensor<8xf32>']
    current = "%x"
    for i in range(pairs):
        w = ", ".join("[[[" + ", ".join(f"{v:.3f}" for v in row) + "]]]"
                      for row in rng.uniform(-0.5, 0.5, (8, 8)))
        lines.append(f'  %w{i} = "tosa.const"() <{{values = dense<[{w}]> : '
                     f'tensor<8x1x1x8xf32>}}> : () -> tensor<8x1x1x8xf32>')
        lines.append(
            f"  %c{i} = tosa.conv2d {current}, %w{i}, %b, %zp, %zp "
            "{acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: "
            "0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x8xf32>, "
            "tensor<8x1x1x8xf32>, tensor<8xf32>, tensor<1xf32>, "
            "tensor<1xf32>) -> tensor<1x4x4x8xf32>")
        lines.append(f"  %r{i} = tosa.clamp %c{i} {{max_val = 6.0 : f32, "
                     "min_val = 0.0 : f32} : (tensor<1x4x4x8xf32>) -> "
                     "tensor<1x4x4x8xf32>")
        current = f"%r{i}"
    lines += [f"  return {current} : tensor<1x4x4x8xf32>", "}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return rng.uniform(0, 1, (SAMPLES, 1, 4, 4, 8)).astype(np.float32)


def resnet50_model(path):
    """Writes ResNet-50 as float TOSA to `path` and returns calibration
    samples. torch runs in a child process: a process's peak memory as
    wait4 reports it starts at its parent's at exec, and torch would add
    a gigabyte to every measurement after it."""
    subprocess.run([sys.executable, os.path.abspath(__file__),
                    "--write-resnet50", path], check=True)
    rng = np.random.default_rng(0)
    return rng.standard_normal((SAMPLES, 1, 3, 224, 224)).astype(np.float32)


def write_resnet50(path):
    import torch
    import torchvision
    import quantx
    torch.manual_seed(0)
    model = torchvision.models.resnet50().eval()
    onnx_path = path + ".onnx"
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), onnx_path,
                      opset_version=13, input_names=["input"],
                      output_names=["output"])
    with open(path, "w") as f:
        f.write(quantx.import_onnx(onnx_path))


def count_ops(path):
    with open(path) as f:
        return sum(1 for line in f if re.match(r"\s*(%\S+ = )?\"?tosa\.", line)
                   and "tosa.const" not in line)


def quantize(build, model, calib, max_samples=0):
    """Wall seconds and peak RSS in MiB of `--quantize-int8` (that process's
    own peak, from wait4)."""
    options = f"calibration-data={calib}"
    if max_samples:
        options += f" max-samples={max_samples}"
    tool = os.path.join(build, "bin", "quant-opt")
    start = time.perf_counter()
    # posix_spawn (vfork): a forked child's peak would start at this
    # Python's own resident memory (torch included).
    devnull = os.open(os.devnull, os.O_WRONLY)
    pid = os.posix_spawn(
        tool, [tool, model, f"--quantize-int8={options}", "-o", os.devnull],
        os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                  (os.POSIX_SPAWN_DUP2, devnull, 2)])
    os.close(devnull)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"quant-opt failed on {model}")
    return wall, usage.ru_maxrss / 1024.0


def compile_and_run_seconds(build, model, calib):
    """Splits `--quantize-int8` into compiling and running the calibration
    samples: quantizing with all SAMPLES and with one differ by the time of
    SAMPLES - 1 samples (each run twice, for ranges and histograms), so one
    sample costs (wall_all - wall_one) / (SAMPLES - 1) and everything else
    is compile time. Returns (wall, runs, compile, peak MiB)."""
    wall, peak = quantize(build, model, calib)
    wall_one, _ = quantize(build, model, calib, max_samples=1)
    per_sample = max(0.0, (wall - wall_one) / (SAMPLES - 1))
    runs = per_sample * SAMPLES
    return wall, runs, wall - runs, peak


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--ops", default="1000,2000,4000,10000")
    parser.add_argument("--no-resnet", action="store_true")
    parser.add_argument("--write-resnet50", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_resnet50:
        write_resnet50(args.write_resnet50)
        return
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores")
    print(f"| model | ops | wall s ({SAMPLES} samples) | calibration runs s "
          "| compile s | compile ms/op | peak MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(f"chain-{n}", n) for n in map(int, args.ops.split(","))]
        if not args.no_resnet:
            # Only whether it is there: torch stays out of this process.
            if importlib.util.find_spec("torchvision") is not None:
                runs.append(("resnet50", None))
            else:
                print("(ResNet-50 skipped: python3-torchvision is not "
                      "installed; bash bench/setup.sh installs it)")
        for name, ops in runs:
            model = os.path.join(tmp, name + ".mlir")
            calib = (chain_model(ops // 2, model, rng) if ops
                     else resnet50_model(model))
            calib_path = os.path.join(tmp, name + "_calib.npy")
            np.save(calib_path, calib)
            ops = count_ops(model)
            wall, runs, compile_s, peak = compile_and_run_seconds(
                args.build, model, calib_path)
            print(f"| {name} | {ops} | {wall:.1f} | {runs:.1f} | "
                  f"{compile_s:.1f} | {1000 * compile_s / ops:.2f} | "
                  f"{peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
