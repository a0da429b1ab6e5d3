// End to end: lower the shipped example with quant-opt, compile it with
// upstream MLIR and run it; the printed values are the dequantized results
// worked out by hand in docs/Numerics.md.
// RUN: env QUANT_OPT=quant-opt bash %quantx_src_root/scripts/lower-and-run.sh %quantx_src_root/examples/requantize-chain.mlir | FileCheck %s --check-prefix=DOUBLE
// RUN: env QUANT_OPT=quant-opt bash %quantx_src_root/scripts/lower-and-run.sh %quantx_src_root/examples/requantize-chain.mlir --quantx-lower-to-arith=rounding=single | FileCheck %s --check-prefix=SINGLE

// The input.
// DOUBLE: [-1,   0.123,   0.5,   2],
// DOUBLE-NEXT: [3.3,   -0.27,   1.111,   -6.5]]
// Per-channel int8 (3.3 saturates at 127 * 0.02; -6.5 at -128 * 0.05).
// DOUBLE: [-1,   0.12,   0.48,   2],
// DOUBLE-NEXT: [2.54,   -0.24,   1.12,   -5.9]]
// Group-wise int4: 0.12 / 0.25 = 0.48 rounds to 1 under double rounding
// (2 then 0.5 away from zero), to 0 under single rounding.
// DOUBLE: [-1,   0.25,   0.5,   2],
// DOUBLE-NEXT: [1.75,   -0.25,   1,   -4]]
// SINGLE: [-1,   0,   0.5,   2],
// SINGLE-NEXT: [1.75,   -0.25,   1,   -4]]
