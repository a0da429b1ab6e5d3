#!/bin/bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Installs what the benchmarks compare against, and only what is missing:
# torchvision (the ResNet-18 and MobileNetV2 architectures, from Debian),
# Node.js and npm (from Debian, unless a Node.js is already on PATH: one
# installed from elsewhere brings its own npm, and apt would refuse to put
# Debian's npm beside it) and ONNX Runtime for Node.js (from npm, into
# build/bench/ort; --ignore-scripts: the CPU binaries ship in the package,
# and nothing else is downloaded).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
missing=()
/usr/bin/python3 -c "import torchvision" 2>/dev/null ||
  missing+=(python3-torchvision)
if ! command -v node >/dev/null; then
  missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
elif ! command -v npm >/dev/null; then
  echo "bench/setup.sh: node is on PATH ($(command -v node)) but npm is not;" \
       "install the npm that belongs to that Node.js" >&2
  exit 1
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "bench/setup.sh: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
mkdir -p "$here/build/bench/ort"
if [ ! -d "$here/build/bench/ort/node_modules/onnxruntime-node" ]; then
  (cd "$here/build/bench/ort" && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node)
fi
