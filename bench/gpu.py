# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The GPU target against the CPU and cuBLASLt: quant-run --target gpu and
--target cpu on int8 GEMMs (4096x4096x4096 and ResNet-18-like shapes) and
on the ResNet-18 and MobileNetV2 int8 models (batch 1, and ResNet-18 on a
batch of 32 in one call), median ms, with each output compared bit for bit
between the two targets; for the GEMMs also
cuBLASLt's int8 GEMM (bench/cublaslt_gemm.c, built with the CUDA toolkit
where /usr/local/cuda has one), as TOPS and as a fraction of the GPU's
dense int8 peak. Prints the GPU, a Markdown table, and exits with 77 where
no GPU can be used.

/usr/bin/python3 bench/gpu.py [--build build] [--shapes MxKxN,...]
                              [--models resnet18,mobilenet_v2]
                              [--batch-models resnet18] [--batch 32]
                              [--peak-tops T]

quant-run's times are whole calls: the host side, the copies of the
activations to the device and back, and the CPU's share of the model. For
the GEMMs the table also has quant-x's kernel alone (QUANTX_KERNEL_PROFILE:
driver events around the launch), which is what cuBLASLt's times (CUDA
events) compare with. docs/GPU.md says how far the kernels are from
fast. The models need
python3-torchvision (bash bench/setup.sh).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

from gemm import gemm_model  # noqa: E402

SHAPES = ["4096x4096x4096", "3136x576x64", "784x1152x128", "196x2304x256",
          "49x4608x512"]


def run(tools, model, x_path, out_path, target):
    """quant-run's median ms, or None with the reason where it failed."""
    result = subprocess.run(
        [tools["quant-run"], model, "--input", x_path, "--output", out_path,
         "--time", "--target", target], capture_output=True, text=True)
    if result.returncode:
        return None, result.stderr.strip().splitlines()[-1]
    ms = float(re.search(r"median latency: ([0-9.]+) ms", result.stdout)
               .group(1))
    # "calls: G on the GPU, C on the CPU; R inputs already in device
    # memory": how much ran where, and how many copies residency saved.
    calls = re.search(r"calls: (\d+) on the GPU, (\d+) on the CPU"
                      r"(; \d+ inputs already in device memory)?",
                      result.stderr)
    return ms, calls.group(0) if calls else ""


def gpu_kernel_ms(tools, model, x_path):
    """The GPU kernel's own mean ms per call of a one-layer model
    (QUANTX_KERNEL_PROFILE's "quantx_gpu_conv_s8 kernel" row), or None."""
    result = subprocess.run(
        [tools["quant-run"], model, "--input", x_path, "--time", "--target",
         "gpu"], capture_output=True, text=True,
        env=dict(os.environ, QUANTX_KERNEL_PROFILE="1"))
    rows = re.findall(r"^quantx_gpu_conv_s8 kernel\s+(?:\S+\s+){5}(\S+)",
                      result.stderr, re.MULTILINE)
    return float(rows[0]) if result.returncode == 0 and len(rows) == 1 \
        else None


def compare(tools, model, x, tmp, label, ops=None, anchor_ms=None,
            peak_tops=None):
    """One row: quant-x on the CPU and the GPU, bit-identity, and for a
    GEMM of `ops` operations cuBLASLt's kernel time `anchor_ms`."""
    x_path = os.path.join(tmp, "x.npy")
    np.save(x_path, x)
    cpu_out, gpu_out = (os.path.join(tmp, f"{t}.npy") for t in ("cpu", "gpu"))
    cpu_ms, _ = run(tools, model, x_path, cpu_out, "cpu")
    gpu_ms, calls = run(tools, model, x_path, gpu_out, "gpu")
    anchor = "-"
    kernel_ms = gpu_kernel_ms(tools, model, x_path) if ops else None
    if anchor_ms:
        tops = ops / (anchor_ms * 1e-3) / 1e12
        share = f", {100 * tops / peak_tops:.0f} % of peak" if peak_tops \
            else ""
        anchor = f"{anchor_ms:.3f} ({tops:.0f} TOPS{share})"
    if gpu_ms is None:
        print(f"| {label} | {cpu_ms:.3f} | failed: {calls} | - | - | - | "
              f"{anchor} | - | - |", flush=True)
        return False
    same = np.array_equal(np.load(cpu_out), np.load(gpu_out))
    kernel = "-"
    if kernel_ms:
        kernel = f"{kernel_ms:.3f} ({ops / (kernel_ms * 1e-3) / 1e12:.1f} TOPS)"
    ratio = f"{anchor_ms / kernel_ms:.3f}" if anchor_ms and kernel_ms \
        else "-"
    print(f"| {label} | {cpu_ms:.3f} | {gpu_ms:.3f} | {kernel} "
          f"| {cpu_ms / gpu_ms:.2f} | {'yes' if same else 'NO'} | {anchor} "
          f"| {ratio} | {calls} |", flush=True)
    return same


CUDA = "/usr/local/cuda"


def build_cublaslt(tmp):
    """bench/cublaslt_gemm.c built against the CUDA toolkit, or None."""
    if not os.path.isfile(os.path.join(CUDA, "include", "cublasLt.h")):
        return None
    binary = os.path.join(tmp, "cublaslt_gemm")
    lib = os.path.join(CUDA, "lib64")
    result = subprocess.run(
        ["clang-22", "-O2", f"-I{CUDA}/include",
         os.path.join(HERE, "cublaslt_gemm.c"), f"-L{lib}",
         f"-Wl,-rpath,{lib}", "-lcublasLt", "-lcudart", "-o", binary],
        capture_output=True, text=True)
    if result.returncode:
        print(f"(cuBLASLt not built: {result.stderr.strip()})")
        return None
    return binary


def cublaslt_ms(binary, shape):
    """cuBLASLt's median kernel ms for an int8 GEMM, or None."""
    if binary is None:
        return None
    result = subprocess.run([binary, shape], capture_output=True, text=True)
    if result.returncode:
        print(f"(cuBLASLt {shape}: {result.stderr.strip()})")
        return None
    return float(result.stdout.split()[1])


def gemm_int8(tools, m, k, n, tmp):
    """The int8 matmul model (int8 in and out) and an int8 input."""
    source = os.path.join(tmp, "float.mlir")
    with open(source, "w") as f:
        f.write(gemm_model(m, k, n))
    x = np.random.RandomState(1).randn(1, 1, m, k).astype(np.float32)
    np.save(os.path.join(tmp, "calib.npy"), x)
    model = os.path.join(tmp, "int8.mlir")
    subprocess.run([tools["quant-opt"], source,
                    f"--quantize-int8=calibration-data={tmp}/calib.npy "
                    "interface=int8", "-o", model], check=True,
                   capture_output=True)
    return model, np.clip(np.rint(x * 40), -128, 127).astype(np.int8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--models", default="resnet18,mobilenet_v2")
    parser.add_argument("--batch-models", default="resnet18",
                        help="models also run on a batch (--batch images "
                        "in one call)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--peak-tops", type=float, default=None,
                        help="the GPU's dense int8 peak (default: 1979 on "
                             "an H100 or H200 SXM)")
    args = parser.parse_args()
    tools = {t: os.path.join(args.build, "bin", t)
             for t in ("quant-opt", "quant-run")}
    probe = subprocess.run([tools["quant-run"], "--target", "gpu",
                            "--list-kernels"], capture_output=True, text=True)
    if probe.returncode:
        print(probe.stderr.strip())
        sys.exit(probe.returncode)
    gpu = probe.stdout.strip()
    peak = args.peak_tops or (1979.0 if re.search(r"H100|H200", gpu)
                              else None)
    print(f"{gpu}; batch 1 unless a row says otherwise, median ms of one "
          "call; dense int8 peak "
          f"{f'{peak:.0f} TOPS' if peak else 'unknown (--peak-tops)'}\n")
    print("| workload | quant-x CPU | quant-x GPU (whole call) | quant-x GPU "
          "kernel | CPU / GPU | bit-identical | cuBLASLt kernel | cuBLASLt / "
          "quant-x kernel | calls |")
    print("| --- " * 9 + "|")
    ok = True
    with tempfile.TemporaryDirectory() as tools_dir:
        cublaslt = build_cublaslt(tools_dir)
        for shape in args.shapes.split(","):
            m, k, n = (int(v) for v in shape.split("x"))
            with tempfile.TemporaryDirectory() as tmp:
                model, x = gemm_int8(tools, m, k, n, tmp)
                ok &= compare(tools, model, x, tmp, f"int8 GEMM {shape}",
                              2.0 * m * k * n, cublaslt_ms(cublaslt, shape),
                              peak)
    if args.models:
        try:
            import models as whole_models
            import torchvision  # noqa: F401
        except ImportError as error:
            print(f"\n(models skipped: {error}; bash bench/setup.sh installs "
                  "python3-torchvision)")
            sys.exit(0 if ok else 1)
        calib = np.random.RandomState(0).randn(
            whole_models.CALIBRATION_SAMPLES, *whole_models.SHAPE).astype(
                np.float32)
        for name in args.models.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                onnx_path = os.path.join(tmp, "model.onnx")
                whole_models.export_onnx(whole_models.build_torch(name),
                                         onnx_path)
                calib_path = os.path.join(tmp, "calib.npy")
                np.save(calib_path, calib)
                _, int8 = whole_models.quantx_models(args.build, onnx_path,
                                                     calib_path, tmp)
                ok &= compare(tools, int8, calib[0], tmp, f"{name} int8")
        for name in filter(None, args.batch_models.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                ok &= compare_batch(tools, whole_models, args.build, name,
                                    args.batch, tmp)
    sys.exit(0 if ok else 1)


def compare_batch(tools, whole_models, build, name, batch, tmp):
    """`name` exported and quantized for `batch` images per call
    (calibrated on one batch of random images), then compared as one
    row: the whole batch in one call."""
    onnx_path = os.path.join(tmp, "model.onnx")
    whole_models.export_onnx(whole_models.build_torch(name), onnx_path,
                             batch=batch)
    calib = np.random.RandomState(0).randn(
        1, batch, *whole_models.SHAPE[1:]).astype(np.float32)
    calib_path = os.path.join(tmp, "calib.npy")
    np.save(calib_path, calib)
    _, int8 = whole_models.quantx_models(build, onnx_path, calib_path, tmp)
    return compare(tools, int8, calib[0], tmp, f"{name} int8, batch {batch}")


if __name__ == "__main__":
    main()
