#!/bin/bash
# Installs what the benchmarks compare against: torchvision (the ResNet-18
# and MobileNetV2 architectures, from Debian) and ONNX Runtime for Node.js
# (from npm, into build/bench/ort; --ignore-scripts: the CPU binaries ship in
# the package, and nothing else is downloaded).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! /usr/bin/python3 -c "import torchvision" 2>/dev/null || ! command -v npm >/dev/null; then
  apt-get install -y python3-torchvision nodejs npm
fi
mkdir -p "$here/build/bench/ort"
if [ ! -d "$here/build/bench/ort/node_modules/onnxruntime-node" ]; then
  (cd "$here/build/bench/ort" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node)
fi
