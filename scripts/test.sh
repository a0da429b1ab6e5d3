#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Runs every test (lit/FileCheck, GoogleTest unit and JIT integration tests,
# the find_package consumer) and ends with "N passed, M failed".
# QUANTX_BUILD_DIR and QUANTX_JOBS as in setup.sh (scripts/sanitize.sh runs
# the suite of build-asan/ through it).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/quantx-ccache}
build=${QUANTX_BUILD_DIR:-$here/build}
ninja ${QUANTX_JOBS:+-j "$QUANTX_JOBS"} -C "$build" all QuantXUnitTests ||
  exit 1
log=$(mktemp)
/usr/lib/llvm-22/bin/lit ${QUANTX_JOBS:+-j "$QUANTX_JOBS"} -sv "$build/test" "$build/unittests" 2>&1 |
  tee "$log"
status=${PIPESTATUS[0]}
passed=$(sed -nE 's/^ *Passed *: *([0-9]+).*/\1/p' "$log" | tail -1)
failed=$(sed -nE 's/^ *Failed *: *([0-9]+).*/\1/p' "$log" | tail -1)
rm -f "$log"
echo "quant-x: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
