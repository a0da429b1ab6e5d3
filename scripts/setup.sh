#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Installs quant-x's dependencies from Debian's packages (fresh Debian 12 as
# root, or with sudo) and builds the project into build/.
#
# Other builds reuse it rather than repeat its flags (scripts/sanitize.sh,
# scripts/fuzz.sh): QUANTX_BUILD_DIR names another build folder, arguments are
# added to the CMake command line (a later -D wins), QUANTX_TARGETS replaces
# the targets built and QUANTX_JOBS limits ninja's parallel jobs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
packages=(llvm-22-dev libmlir-22-dev mlir-22-tools clang-22 lld-22 cmake
          ninja-build ccache libgtest-dev libzip-dev pkg-config zlib1g-dev
          coinor-libcbc-dev libeigen3-dev
          python3-numpy python3-pytest python3-onnx python3-torch
          python3-matplotlib
          dataset-fashion-mnist libonnx-testdata)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "quant-x setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/quantx-ccache}
build=${QUANTX_BUILD_DIR:-$here/build}
cmake -G Ninja -S "$here" -B "$build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DLLVM_USE_LINKER=lld \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit "$@" >/dev/null
# shellcheck disable=SC2086 # QUANTX_TARGETS is a list of targets.
ninja ${QUANTX_JOBS:+-j "$QUANTX_JOBS"} -C "$build" \
  ${QUANTX_TARGETS:-all QuantXUnitTests}
