#!/bin/bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# All benchmarks in one run: the vpdpbusd peak probe, int8 GEMM against it
# and PyTorch, ResNet-18 and MobileNetV2 against ONNX Runtime and PyTorch at
# 1 and 2 threads (on an AVX-512 machine, both again on the AVX2 class
# against an AVX2-capped PyTorch), MobileNetV2's layers one at a time on
# every kernel ISA
# against PyTorch, then compile time and memory of --quantize-int8 as models
# grow. Run it on an otherwise idle machine.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/bench/setup.sh"
/usr/bin/python3 "$here/bench/gemm.py" --build "$here/build"
echo
/usr/bin/python3 "$here/bench/models.py" --build "$here/build" "$@"
echo
# On an AVX-512 machine, the AVX2 class too: quant-x's AVX2 kernels against
# PyTorch capped at AVX2 (an AVX2-only machine measured that just above).
if grep -qw avx512f /proc/cpuinfo; then
  /usr/bin/python3 "$here/bench/gemm.py" --build "$here/build" --kernels avx2
  echo
  /usr/bin/python3 "$here/bench/models.py" --build "$here/build" --isa avx2 "$@"
  echo
fi
/usr/bin/python3 "$here/bench/layers.py" --build "$here/build"
echo
/usr/bin/python3 "$here/bench/compile_time.py" --build "$here/build"
