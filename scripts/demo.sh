#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# The main job on the built-in example: train a small CNN on Fashion-MNIST
# (Debian's dataset-fashion-mnist), import it from ONNX, quantize it with
# `quant-opt --quantize-int8` for each calibration method, and compare float
# and int8 accuracy and latency with `quant-run`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${QUANTX_DEMO_DIR:-/tmp/quantx-demo}
/usr/bin/python3 "$here/examples/fashion_mnist/accuracy.py" \
  --build "$here/build" --work-dir "$work" --models cnn_bn --epochs 1 \
  --train-images 60000 --test-images 10000
echo
echo "The int8 model: $work/cnn_bn.minmax.mlir. Run it yourself:"
echo "  build/bin/quant-run $work/cnn_bn.minmax.mlir --input $work/test.npy --output /tmp/logits.npy --time"
