#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Trains a small Fashion-MNIST CNN, quantizes it to int8 (quant-opt),
compiles it ahead of time into a shared library (quant-compile), builds
classify.c against it with the system C compiler and runs it on the test
images; then checks that its logits are bit-identical to quant-run's.

    /usr/bin/python3 examples/aot/run.py [--work-dir DIR] [--images N]
"""

import argparse
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fashion_mnist"))
import data  # noqa: E402


def run(command, **kwargs):
    result = subprocess.run(command, text=True, capture_output=True, **kwargs)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(HERE, "..", "..",
                                                        "build"))
    parser.add_argument("--work-dir", default="/tmp/quantx-aot")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--train-images", type=int, default=10000)
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--cc", default=shutil.which("cc") or "clang-22")
    parser.add_argument("--cflags", default="",
                        help="extra flags for the C compiler")
    args = parser.parse_args()
    work, tools = args.work_dir, os.path.join(args.build, "bin")
    os.makedirs(work, exist_ok=True)

    # A trained, quantized model: examples/fashion_mnist's cnn_bn.
    run([sys.executable, os.path.join(HERE, "..", "fashion_mnist",
                                      "accuracy.py"),
         "--build", args.build, "--work-dir", work, "--models", "cnn_bn",
         "--methods", "minmax", "--epochs", "1", "--train-images",
         str(args.train_images), "--test-images", str(args.images)])
    model = os.path.join(work, "cnn_bn.minmax.mlir")

    # The test images and labels as raw files for the C program.
    images, labels = data.load("test")
    images, labels = images[:args.images], labels[:args.images]
    images.astype(np.float32).tofile(os.path.join(work, "images.f32"))
    labels.astype(np.uint8).tofile(os.path.join(work, "labels.u8"))

    library = os.path.join(work, "fashion_mnist.so")
    run([os.path.join(tools, "quant-compile"), model, "-o", library,
         "--header", os.path.join(work, "fashion_mnist.h"),
         "--name", "fashion_mnist", "--cpu", args.cpu])
    classify = os.path.join(work, "classify")
    run([args.cc, *args.cflags.split(), "-I", work,
         os.path.join(HERE, "classify.c"), library, "-Wl,-rpath," + work,
         "-o", classify])
    logits = os.path.join(work, "logits.f32")
    print(run([classify, os.path.join(work, "images.f32"),
               os.path.join(work, "labels.u8"), logits]), end="")

    # quant-run on the same images: the same logits, bit for bit.
    reference = os.path.join(work, "reference.npy")
    run([os.path.join(tools, "quant-run"), model, "--input",
         os.path.join(work, "test.npy"), "--output", reference,
         "--threads", "1"])
    expected = np.load(reference).reshape(args.images, -1)
    actual = np.fromfile(logits, np.float32).reshape(expected.shape)
    same = np.array_equal(actual.view(np.uint32), expected.view(np.uint32))
    print(f"logits bit-identical to quant-run's: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
