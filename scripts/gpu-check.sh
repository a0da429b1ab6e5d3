#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# The checks of the GPU target that need a GPU, in one unattended command
# (docs/GPU.md): builds quant-x (scripts/setup.sh), prints the GPU, runs
# the GPU tests (lit: gpu-bit-exact.test and the rest of the GPU tests, the
# GPU unit tests) and bench/gpu.py, and writes everything to RESULTS_DIR
# (default gpu-results/). Exits with 77 where no GPU can be used, with 1
# when a check failed.
#
#   bash scripts/gpu-check.sh [RESULTS_DIR]
#
# QUANTX_SKIP_SETUP=1 reuses an existing build/.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/gpu-results}
mkdir -p "$out"
build=$here/build
if [ "${QUANTX_SKIP_SETUP:-0}" != 1 ]; then
  echo "gpu-check: building (log: $out/setup.log)"
  bash "$here/scripts/setup.sh" > "$out/setup.log" 2>&1 ||
    { echo "gpu-check: the build failed"; exit 1; }
fi
"$build/bin/quant-run" --target gpu --list-kernels 2>&1 | tee "$out/gpu.txt"
code=${PIPESTATUS[0]}
[ "$code" = 0 ] || exit "$code"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true

status=0
echo "gpu-check: GPU tests (log: $out/lit.log)"
/usr/lib/llvm-22/bin/lit -v --filter 'gpu|Gpu|CudaDriver' \
  "$build/test" "$build/unittests" > "$out/lit.log" 2>&1 || status=1
grep -E '^(PASS|FAIL|UNSUPPORTED|XFAIL)' "$out/lit.log"

echo "gpu-check: bench/gpu.py (table: $out/bench.md)"
bash "$here/bench/setup.sh" > "$out/bench-setup.log" 2>&1 ||
  echo "gpu-check: bench/setup.sh failed; the models may be skipped"
timeout 1200 /usr/bin/python3 "$here/bench/gpu.py" --build "$build" \
  2> "$out/bench.err" | tee "$out/bench.md"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
echo "gpu-check: $( [ $status = 0 ] && echo passed || echo FAILED ); results in $out"
exit $status
