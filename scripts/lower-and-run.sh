#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Lowers a quantx program with quant-opt, then runs its @main with upstream
# mlir-opt / mlir-runner (the TOSA-NOTES pipeline).
# usage: scripts/lower-and-run.sh file.mlir [quant-opt options...]
#   (default options: --quantx-lower-to-arith)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
llvm=/usr/lib/llvm-22
quant_opt=${QUANT_OPT:-$here/build/bin/quant-opt}
input=$1
shift
[ $# -gt 0 ] || set -- --quantx-lower-to-arith
"$quant_opt" "$input" "$@" |
  "$llvm/bin/mlir-opt" \
    --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
    --buffer-deallocation-pipeline --convert-linalg-to-loops --lower-affine \
    --convert-scf-to-cf --expand-strided-metadata --finalize-memref-to-llvm \
    --convert-math-to-llvm --convert-arith-to-llvm --convert-cf-to-llvm \
    --convert-func-to-llvm --reconcile-unrealized-casts |
  "$llvm/bin/mlir-runner" -e main -entry-point-result=void \
    -shared-libs="$llvm/lib/libmlir_runner_utils.so,$llvm/lib/libmlir_c_runner_utils.so"
