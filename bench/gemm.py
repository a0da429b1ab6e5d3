# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""int8 GEMM throughput: quant-x (int8 and fp32) and PyTorch's quantized
Linear, at LLM- and CNN-like shapes, against the one-core int8 peak of the
instruction form the kernels use on this CPU (bench/vnni_peak.c: vpdpbusd
with VNNI, the vpmaddwd form on AVX2; the vpmaddubsw form is printed too).
One thread. Prints the ISA and a Markdown table.

/usr/bin/python3 bench/gemm.py [--build build] [--shapes 384x768x3072,...]
                  [--kernels host|avx512vnni|avx2-maddubs|avx2|generic|none]

With the avx2 kernels PyTorch is capped at AVX2 too (ONEDNN_MAX_CPU_ISA,
ATEN_CPU_CAPABILITY), so that an AVX-512 machine also measures the AVX2
class.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

from quantx.mlir_text import FunctionWriter, Value  # noqa: E402

# M x K x N: BERT-base FFN (384 tokens), an LLM decode step, ResNet-18's
# 56x56 and 14x14 3x3 convolutions as GEMMs (im2col shapes).
SHAPES = ["384x768x3072", "1x4096x4096", "3136x576x64", "196x2304x256"]


def measure_peaks(build_dir):
    """{form: GOP/s} for every form bench/vnni_peak.c measures here."""
    binary = os.path.join(build_dir, "bench", "vnni_peak")
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    subprocess.run(["clang-22", "-O2", "-o", binary,
                    os.path.join(HERE, "vnni_peak.c")], check=True)
    out = subprocess.run([binary], capture_output=True, text=True,
                         check=True).stdout
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"(\S+) GOP/s: ([0-9.]+)", out)}


def kernel_isa(tools, kernels):
    """The kernel ISA `--kernels` runs: the host's best for "host"."""
    if kernels != "host":
        return kernels
    listed = subprocess.run([tools["quant-run"], "--list-kernels"],
                            capture_output=True, text=True,
                            check=True).stdout.split()
    return listed[0] if listed else "none"


def cap_torch_at_avx2():
    """Restarts this script with PyTorch's oneDNN and ATen capped at AVX2
    (they read the caps once, when torch loads), unless they already are:
    an AVX2-class peer on an AVX-512 machine."""
    if os.environ.get("ATEN_CPU_CAPABILITY") == "avx2":
        return
    env = dict(os.environ, ONEDNN_MAX_CPU_ISA="AVX2", DNNL_MAX_CPU_ISA="AVX2",
               ATEN_CPU_CAPABILITY="avx2")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


# The instruction form each kernel ISA's int8 micro-kernel is bound by.
PEAK_FORM = {"avx512vnni": "vpdpbusd-512", "avx2-maddubs": "vpmaddubsw-256",
             "avx2": "vpmaddwd-256"}


def gemm_model(m, k, n, seed=0):
    """Float TOSA: [1, M, K] x constant [1, K, N]."""
    writer = FunctionWriter()
    a = Value("%arg0", [1, m, k])
    w = np.random.RandomState(seed).randn(1, k, n).astype(np.float32)
    weights = writer.const(w / np.sqrt(k), "w")
    zp = writer.const(np.zeros(1, np.float32), "zp")
    y = writer.op("matmul", [a, weights, zp, zp], [1, m, n])
    return writer.function([a], [y])


def quantx_ms(tools, text, x, tmp, kernels="host"):
    path = os.path.join(tmp, "model.mlir")
    with open(path, "w") as f:
        f.write(text)
    np.save(os.path.join(tmp, "x.npy"), x)
    out = subprocess.run([tools["quant-run"], path, "--input",
                          os.path.join(tmp, "x.npy"), "--output",
                          os.path.join(tmp, "y.npy"), "--time", "--threads", "1",
                          "--kernels", kernels],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median latency: ([0-9.]+) ms", out).group(1))


def torch_int8_ms(m, k, n):
    """PyTorch's quantized Linear (its default quantized engine), 1 thread."""
    import torch
    torch.set_num_threads(1)
    linear = torch.ao.nn.quantized.Linear(k, n)
    w = torch.quantize_per_tensor(torch.randn(n, k) / k ** 0.5, 0.01, 0,
                                  torch.qint8)
    linear.set_weight_bias(w, torch.zeros(n))
    linear.scale, linear.zero_point = 0.05, 128
    x = torch.quantize_per_tensor(torch.randn(m, k), 0.02, 128, torch.quint8)
    return median_ms(lambda: linear(x)), torch.backends.quantized.engine


def median_ms(call):
    """Median ms of `call()` over at least 10 calls and about 0.5 s."""
    times = []
    start = time.time()
    while len(times) < 10 or time.time() - start < 0.5 and len(times) < 1000:
        before = time.perf_counter()
        call()
        times.append((time.perf_counter() - before) * 1e3)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--kernels", default="host",
                        help="quant-run --kernels: host, avx512vnni, "
                             "avx2-maddubs, avx2, generic or none (PyTorch is "
                             "capped at AVX2 for the avx2 ones)")
    args = parser.parse_args()
    tools = {t: os.path.join(args.build, "bin", t)
             for t in ("quant-opt", "quant-run")}
    isa = kernel_isa(tools, args.kernels)
    if isa.startswith("avx2"):
        # The AVX2 kernels against PyTorch's AVX2 ones, whatever the host.
        cap_torch_at_avx2()
    peaks = measure_peaks(args.build)
    form = PEAK_FORM.get(isa)
    peak = peaks.get(form)
    print(f"kernels: {isa}; one-core peaks (bench/vnni_peak.c): "
          + ", ".join(f"{f} {g:.1f} GOP/s" for f, g in peaks.items())
          + f"; % of peak against {form or 'none'}\n")
    print("| M x K x N | quant-x int8 GOP/s | % of peak | quant-x fp32 "
          "GOP/s | int8/fp32 | PyTorch int8 GOP/s | quant-x / PyTorch |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for shape in args.shapes.split(","):
        m, k, n = (int(v) for v in shape.split("x"))
        ops = 2.0 * m * k * n
        x = np.random.RandomState(1).randn(1, 1, m, k).astype(np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            text = gemm_model(m, k, n)
            fp32_ms = quantx_ms(tools, text, x, tmp, args.kernels)
            source = os.path.join(tmp, "float.mlir")
            with open(source, "w") as f:
                f.write(text)
            np.save(os.path.join(tmp, "calib.npy"), x)
            int8 = subprocess.run(
                [tools["quant-opt"], source,
                 f"--quantize-int8=calibration-data={tmp}/calib.npy "
                 "interface=int8"], capture_output=True, text=True,
                check=True).stdout
            xq = np.clip(np.rint(x * 40), -128, 127).astype(np.int8)
            int8_ms = quantx_ms(tools, int8, xq, tmp, args.kernels)
        torch_ms, engine = torch_int8_ms(m, k, n)
        gops = lambda ms: ops / (ms * 1e-3) / 1e9  # noqa: E731
        share = f"{100 * gops(int8_ms) / peak:.1f}" if peak else "-"
        print(f"| {shape} | {gops(int8_ms):.1f} | {share} | "
              f"{gops(fp32_ms):.1f} | {fp32_ms / int8_ms:.2f} | "
              f"{gops(torch_ms):.1f} ({engine}) | {torch_ms / int8_ms:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
