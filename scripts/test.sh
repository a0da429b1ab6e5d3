#!/usr/bin/env bash
# Runs every test (lit/FileCheck, GoogleTest unit and JIT integration tests,
# the find_package consumer) and ends with "N passed, M failed".
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/quantx-ccache}
ninja -C "$here/build" all QuantXUnitTests || exit 1
log=$(mktemp)
/usr/lib/llvm-22/bin/lit -sv "$here/build/test" "$here/build/unittests" 2>&1 |
  tee "$log"
status=${PIPESTATUS[0]}
passed=$(sed -nE 's/^ *Passed *: *([0-9]+).*/\1/p' "$log" | tail -1)
failed=$(sed -nE 's/^ *Failed *: *([0-9]+).*/\1/p' "$log" | tail -1)
rm -f "$log"
echo "quant-x: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
