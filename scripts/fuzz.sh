#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Builds quant-x's libFuzzer targets into build-fuzz/ and runs each for a
# bounded time or number of inputs; exits non-zero if any of them finds a
# crash, a sanitizer report, a timeout or an out-of-memory input, after
# printing where the reproducer was written.
#
#   scripts/fuzz.sh [--smoke]     60 seconds per target (CI)
#   scripts/fuzz.sh --seconds S   S seconds per target
#   scripts/fuzz.sh --runs N      N inputs per target
#
# followed by target names to run only those (all three by default).
#
# Seeds are regenerated into build-fuzz/fuzz/seeds/<target>/; what a run
# learns is kept in build-fuzz/fuzz/corpus/<target>/ and reused by the next
# run; reproducers land in build-fuzz/fuzz/findings/ and logs in
# build-fuzz/fuzz/logs/. QUANTX_JOBS=N limits the build to N jobs. A finding
# reruns with `build-fuzz/bin/<target> <reproducer>`.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build-fuzz
limit=(-max_total_time=60)
case "${1:---smoke}" in
--smoke)
  # A fixed seed: the same mutations on every CI run, so that a finding
  # there is one a developer reproduces, not a coin toss.
  limit+=(-seed=1)
  shift $(($# > 0)) ;;
--seconds) limit=(-max_total_time="${2:?--seconds needs a number}"); shift 2 ;;
--runs) limit=(-runs="${2:?--runs needs a number}"); shift 2 ;;
*) sed -n '2,17s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac

all=(quantx-npy-fuzzer quantx-ir-fuzzer quantx-opt-fuzzer)
targets=("${all[@]}")
[ $# -eq 0 ] || targets=("$@")
# -gline-tables-only: reports name files and lines at little build cost.
QUANTX_BUILD_DIR=$build QUANTX_TARGETS="${all[*]}" \
  bash "$here/scripts/setup.sh" -DQUANTX_ENABLE_FUZZERS=ON \
  -DCMAKE_C_FLAGS=-gline-tables-only -DCMAKE_CXX_FLAGS=-gline-tables-only ||
  exit 1

work=$build/fuzz
rm -rf "$work/seeds"
mkdir -p "$work/findings" "$work/logs"
/usr/bin/python3 "$here/fuzz/make_npy_corpus.py" "$work/seeds/quantx-npy-fuzzer" >/dev/null ||
  exit 1
/usr/bin/python3 "$here/fuzz/make_ir_corpus.py" "$work/seeds/quantx-ir-fuzzer" >/dev/null ||
  exit 1
cp -r "$work/seeds/quantx-ir-fuzzer" "$work/seeds/quantx-opt-fuzzer"

# shellcheck source=scripts/sanitizer-options.sh
source "$here/scripts/sanitizer-options.sh"
# The inputs are small: 4 KiB bounds how deep an input can nest, so MLIR's
# recursive parser cannot overflow the fuzzer's stack (quant-opt runs on a
# larger one, include/quant-x/Support/LargeStack.h).
common=(-rss_limit_mb=2048 -timeout=10 -max_len=4096 -print_final_stats=1)
status=0
for target in "${targets[@]}"; do
  extra=()
  [ "$target" = quantx-npy-fuzzer ] || extra=(-dict="$here/fuzz/mlir.dict")
  mkdir -p "$work/corpus/$target"
  log=$work/logs/$target.log
  start=$(date +%s)
  "$build/bin/$target" "$work/corpus/$target" "$work/seeds/$target" \
    "${common[@]}" "${limit[@]}" "${extra[@]}" \
    -artifact_prefix="$work/findings/$target-" >"$log" 2>&1
  rc=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  speed=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")
  echo "quant-x fuzz: $target: ${runs:-?} inputs in $(($(date +%s) - start)) s" \
    "(${speed:-?}/s), exit $rc"
  if [ "$rc" -ne 0 ]; then
    status=1
    grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error)" "$log" | head -5
    sed -nE 's/.*Test unit written to (.*)/  reproducer: \1/p' "$log"
    echo "  log: $log"
  fi
done
exit "$status"
