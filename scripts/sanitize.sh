#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Builds the whole project with AddressSanitizer and UBSan into build-asan/
# and runs every test there (scripts/test.sh), ending with "N passed,
# M failed". A sanitizer report fails the test that triggered it. The runtime
# options, and why, are in scripts/sanitizer-options.sh.
#
# QUANTX_JOBS=N limits the build and lit to N jobs (e.g. 1 on a shared
# 2-core machine).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
sanitize+=" -fno-omit-frame-pointer"
export QUANTX_BUILD_DIR=$here/build-asan
QUANTX_TARGETS="all QuantXUnitTests" bash "$here/scripts/setup.sh" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" \
  -DCMAKE_EXE_LINKER_FLAGS="$sanitize" \
  -DCMAKE_SHARED_LINKER_FLAGS="$sanitize" \
  -DCMAKE_MODULE_LINKER_FLAGS="$sanitize" || exit 1
# shellcheck source=scripts/sanitizer-options.sh
source "$here/scripts/sanitizer-options.sh"
exec bash "$here/scripts/test.sh"
