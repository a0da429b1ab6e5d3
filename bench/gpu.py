"""The GPU target against the CPU: quant-run --target gpu and --target cpu
on int8 GEMMs (4096x4096x4096 and ResNet-18-like shapes) and on the
ResNet-18 and MobileNetV2 int8 models, batch 1, median ms, with each
output compared bit for bit between the two targets. Prints the GPU, a
Markdown table, and exits with 77 where no GPU can be used.

/usr/bin/python3 bench/gpu.py [--build build] [--shapes MxKxN,...]
                              [--models resnet18,mobilenet_v2]

docs/GPU.md: the first kernel is written to be checkable, not fast, and
copies every layer's operands to the device and back; cuBLASLt is not
measured yet. The models need python3-torchvision (bash bench/setup.sh).
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
    calls = re.search(r"calls: (\d+) on the GPU, (\d+) on the CPU",
                      result.stderr)
    return ms, calls.group(0) if calls else ""


def compare(tools, model, x, tmp, label):
    x_path = os.path.join(tmp, "x.npy")
    np.save(x_path, x)
    cpu_out, gpu_out = (os.path.join(tmp, f"{t}.npy") for t in ("cpu", "gpu"))
    cpu_ms, _ = run(tools, model, x_path, cpu_out, "cpu")
    gpu_ms, calls = run(tools, model, x_path, gpu_out, "gpu")
    if gpu_ms is None:
        print(f"| {label} | {cpu_ms:.3f} | failed: {calls} | - | - | - |",
              flush=True)
        return False
    same = np.array_equal(np.load(cpu_out), np.load(gpu_out))
    print(f"| {label} | {cpu_ms:.3f} | {gpu_ms:.3f} | {cpu_ms / gpu_ms:.2f} "
          f"| {'yes' if same else 'NO'} | {calls} |", flush=True)
    return same


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
    args = parser.parse_args()
    tools = {t: os.path.join(args.build, "bin", t)
             for t in ("quant-opt", "quant-run")}
    probe = subprocess.run([tools["quant-run"], "--target", "gpu",
                            "--list-kernels"], capture_output=True, text=True)
    if probe.returncode:
        print(probe.stderr.strip())
        sys.exit(probe.returncode)
    print(probe.stdout.strip() + "; batch 1, median ms\n")
    print("| workload | quant-x CPU | quant-x GPU | CPU / GPU | bit-identical "
          "| calls |")
    print("| --- | --- | --- | --- | --- | --- |")
    ok = True
    for shape in args.shapes.split(","):
        m, k, n = (int(v) for v in shape.split("x"))
        with tempfile.TemporaryDirectory() as tmp:
            model, x = gemm_int8(tools, m, k, n, tmp)
            ok &= compare(tools, model, x, tmp, f"int8 GEMM {shape}")
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
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
