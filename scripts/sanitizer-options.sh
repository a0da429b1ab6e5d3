# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: the AddressSanitizer and
# UBSan runtime options of quant-x's instrumented builds.
#
# Only quant-x's code is instrumented: Debian's libMLIR.so and JIT-compiled
# code are not. Hence:
#  - allow_user_poisoning=0: LLVM's BumpPtrAllocator is inline; its copies in
#    our instrumented code poison slabs that its copies in libMLIR.so hand out
#    without unpoisoning, which gives false use-after-poison reports. This
#    turns off only that manual poisoning: heap, stack and global checks stay.
#  - detect_leaks=0: MLIR leaks on purpose at exit (the uniquers of a context
#    that tools never destroy, pass and dialect registrations, cl::opt
#    storage), so LeakSanitizer would fail every tool without pointing at our
#    code. QUANTX_DETECT_LEAKS=1 turns it on to look for leaks by hand.
#  - use_sigaltstack=0: the tools run on a thread of their own with a large
#    stack (include/quant-x/Support/LargeStack.h). LLVM's signal handling
#    replaces that thread's alternate signal stack, which ASan had mapped,
#    with a malloc'd one, and ASan then dies at thread exit trying to unmap
#    it ("failed to deallocate ... error code: 22"). Without an alternate
#    stack of its own, ASan's SEGV handler runs on LLVM's.
#  - UBSan stops at the first report, with its stack.
ASAN_OPTIONS=allow_user_poisoning=0:use_sigaltstack=0
export ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=${QUANTX_DETECT_LEAKS:-0}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-22/bin/llvm-symbolizer
export UBSAN_SYMBOLIZER_PATH=$ASAN_SYMBOLIZER_PATH
