# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Float vs int8 accuracy of the example networks on Fashion-MNIST.

Trains the networks (PyTorch), exports them to ONNX, imports them with
python/quantx, quantizes them with `quant-opt --quantize-int8` for each
calibration method (256 training images by default) and runs float and int8
models with `quant-run` on the test set. Prints a Markdown table; with
--max-drop it fails when an int8 model loses more accuracy than that.

/usr/bin/python3 examples/fashion_mnist/accuracy.py --build build \
    [--epochs 2] [--test-images 10000] [--models a,b] [--methods m,n]
"""

import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, HERE)

import data  # noqa: E402
import models  # noqa: E402
import quantx  # noqa: E402

METHODS = ["minmax", "percentile", "entropy", "mse", "octav"]


def run(command, progress=False):
    """stdout of a command; its stderr shown on failure, or as it comes
    with `progress`."""
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True,
                            stderr=None if progress else subprocess.PIPE)
    if result.returncode != 0:
        sys.stderr.write(result.stderr or "")
        raise SystemExit(f"failed: {' '.join(command)}")
    return result.stdout


def evaluate(tools, model_path, images_path, labels, out_path):
    """(accuracy in %, median latency in ms) of a model on the images."""
    stdout = run([tools["quant-run"], model_path, "--input", images_path,
                  "--output", out_path, "--time", "--threads", "1",
                  "--progress"],
                 progress=True)
    latency = float(re.search(r"median latency: ([0-9.]+) ms", stdout)[1])
    logits = np.load(out_path).reshape(len(labels), -1)
    return (logits.argmax(1) == labels).mean() * 100, latency


def prepare_data(work, test_images, calib_images):
    """(calibration .npy, test images .npy, test labels): calibration
    images come from the training set, evaluation from the test set; both
    with the argument's batch dimension of 1."""
    train_x, _ = data.load("train")
    test_x, test_y = data.load("test")
    test_x, test_y = test_x[:test_images], test_y[:test_images]
    calib = os.path.join(work, "calib.npy")
    np.save(calib, train_x[-calib_images:][:, None])
    images = os.path.join(work, "test.npy")
    np.save(images, test_x[:, None])
    return calib, images, test_y


def train_models(work, names, epochs, train_images, reuse):
    """Trains and exports the networks to WORK/<name>.onnx (unless `reuse`
    and they are there)."""
    if reuse and all(os.path.exists(os.path.join(work, n + ".onnx"))
                     for n in names):
        return
    sys.stderr.write(run([sys.executable, os.path.join(HERE, "train.py"),
                          work, "--epochs", str(epochs), "--models",
                          ",".join(names), "--train-images",
                          str(train_images)], progress=True))


def add_common_arguments(parser, epochs):
    """The options of the training, data and tools both scripts share."""
    parser.add_argument("--build", default=os.path.join(HERE, "..", "..",
                                                        "build"))
    parser.add_argument("--work-dir", default="/tmp/quantx-fashion-mnist")
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--train-images", type=int, default=60000)
    parser.add_argument("--test-images", type=int, default=10000)
    parser.add_argument("--calib-images", type=int, default=256)
    parser.add_argument("--models", default=",".join(models.MODELS))
    parser.add_argument("--reuse-models", action="store_true",
                        help="skip training when WORK_DIR holds the .onnx")


def prepare(args):
    """(tools, calibration .npy, test images .npy, test labels, network
    names): the tools of --build, the data in --work-dir, the networks
    trained there (or reused)."""
    tools = {t: os.path.join(args.build, "bin", t)
             for t in ("quant-opt", "quant-run")}
    os.makedirs(args.work_dir, exist_ok=True)
    calib, images, test_y = prepare_data(args.work_dir, args.test_images,
                                         args.calib_images)
    names = args.models.split(",")
    train_models(args.work_dir, names, args.epochs, args.train_images,
                 args.reuse_models)
    return tools, calib, images, test_y, names


def import_float(work, name):
    """The float TOSA of network `name` (WORK/name.onnx), written to
    WORK/name.mlir; its path."""
    float_mlir = os.path.join(work, name + ".mlir")
    with open(float_mlir, "w") as f:
        f.write(quantx.import_onnx(os.path.join(work, name + ".onnx")))
    return float_mlir


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser, epochs=2)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--max-drop", type=float, default=None,
                        help="fail if int8 loses more accuracy points")
    args = parser.parse_args()
    work = args.work_dir
    tools, calib, images, test_y, names = prepare(args)

    methods = args.methods.split(",")
    header = ("| model | float | " + " | ".join(f"int8 {m}" for m in methods)
              + " | float ms | int8 ms | float KiB | int8 KiB |")
    rows = [header, "|" + " --- |" * (len(methods) + 6)]
    worst = 0.0
    summaries = []
    for name in names:
        float_mlir = import_float(work, name)
        sys.stderr.write(f"{name}: float model\n")
        out = os.path.join(work, "out.npy")
        float_acc, float_ms = evaluate(tools, float_mlir, images, test_y, out)
        cells, int8_ms = [], None
        for method in methods:
            int8_mlir = os.path.join(work, f"{name}.{method}.mlir")
            start = time.time()
            sys.stderr.write(f"{name}: quantizing ({method})\n")
            run([tools["quant-opt"], float_mlir,
                 f"--quantize-int8=calibration-data={calib} "
                 f"calibration={method}", "-o", int8_mlir])
            quantize_s = time.time() - start
            with open(int8_mlir) as f:
                int8_kib = quantx.constant_bytes(f.read()) / 1024
            acc, ms = evaluate(tools, int8_mlir, images, test_y, out)
            int8_ms = ms if int8_ms is None else min(int8_ms, ms)
            worst = max(worst, float_acc - acc)
            cells.append(f"{acc:.2f} ({acc - float_acc:+.2f})")
            sys.stderr.write(f"{name} {method}: {acc:.2f}% (quantized in "
                             f"{quantize_s:.1f}s)\n")
        with open(float_mlir) as f:
            float_kib = quantx.constant_bytes(f.read()) / 1024
        accuracies = [float(c.split()[0]) for c in cells]
        best = max(range(len(methods)), key=accuracies.__getitem__)
        summaries.append(
            f"{name}: float {float_acc:.2f}% -> int8 {accuracies[best]:.2f}% "
            f"({methods[best]}); weights {float_kib:.1f} -> {int8_kib:.1f} "
            f"KiB ({float_kib / int8_kib:.2f}x smaller); latency "
            f"{float_ms:.3f} -> {int8_ms:.3f} ms ({float_ms / int8_ms:.2f}x)")
        rows.append(f"| {name} | {float_acc:.2f} | " + " | ".join(cells) +
                    f" | {float_ms:.3f} | {int8_ms:.3f} | {float_kib:.1f} | "
                    f"{int8_kib:.1f} |")
    print(f"Fashion-MNIST test accuracy (%), {len(test_y)} images, "
          f"{args.calib_images} calibration images, {args.epochs} epochs; "
          "latency: median of one image (quant-run --time, 1 core); "
          "size: weights and other constants\n")
    print("\n".join(rows))
    print(f"\nlargest int8 accuracy drop: {worst:.2f} points")
    print("\n".join(["", *summaries]))
    if args.max_drop is not None and worst > args.max_drop:
        raise SystemExit(f"int8 accuracy drop {worst:.2f} exceeds "
                         f"{args.max_drop}")


if __name__ == "__main__":
    main()
