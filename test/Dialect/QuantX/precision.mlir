// RUN: quant-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// The precision attribute round-trips; defaults (per_channel, block 0,
// 8-bit activations) are not printed.
// CHECK-LABEL: func.func @round_trip
// CHECK-SAME: p0 = #quantx.precision<weights = int4>
// CHECK-SAME: p1 = #quantx.precision<weights = int4, granularity = group, block = 32>
// CHECK-SAME: p2 = #quantx.precision<weights = ternary, granularity = per_tensor>
// CHECK-SAME: p3 = #quantx.precision<weights = binary, activations = 1>
// CHECK-SAME: p4 = #quantx.precision<weights = int8, granularity = two_level, block = 16, activations = 16>
// CHECK-SAME: p5 = #quantx.precision<weights = float>
// CHECK-SAME: p6 = #quantx.precision<weights = int3>
// CHECK-SAME: p7 = #quantx.precision<weights = int2>
// CHECK-SAME: p8 = #quantx.precision<weights = int4, levels = codebook>
// CHECK-SAME: p9 = #quantx.precision<weights = int3, granularity = per_tensor, levels = pow2>
func.func @round_trip() attributes {
    p0 = #quantx.precision<weights = int4, granularity = per_channel>,
    p1 = #quantx.precision<weights = int4, granularity = group, block = 32>,
    p2 = #quantx.precision<weights = ternary, granularity = per_tensor>,
    p3 = #quantx.precision<weights = binary, activations = 1>,
    p4 = #quantx.precision<weights = int8, granularity = two_level, block = 16, activations = 16>,
    p5 = #quantx.precision<weights = float>,
    p6 = #quantx.precision<weights = int3>,
    p7 = #quantx.precision<weights = int2, activations = 8>,
    p8 = #quantx.precision<weights = int4, levels = codebook>,
    p9 = #quantx.precision<weights = int3, granularity = per_tensor, levels = pow2, activations = 8>} {
  return
}

// -----

// expected-error@+1 {{granularity 'group' needs a block size in [1, 16777216], got 0}}
func.func @f() attributes {p = #quantx.precision<weights = int4, granularity = group>}

// -----

// expected-error@+1 {{block is only meaningful for 'group' and 'two_level' granularity}}
func.func @f() attributes {p = #quantx.precision<weights = int4, block = 8>}

// -----

// expected-error@+1 {{activations must be 8, 16 or 1 bits, got 4}}
func.func @f() attributes {p = #quantx.precision<weights = int4, activations = 4>}

// -----

// expected-error@+1 {{1-bit (sign) activations need binary weights}}
func.func @f() attributes {p = #quantx.precision<weights = int8, activations = 1>}

// -----

// expected-error@+1 {{ternary weights have one scale per channel or tensor, not group}}
func.func @f() attributes {p = #quantx.precision<weights = ternary, granularity = group, block = 4>}

// -----

// expected-error@+2 {{expected ::mlir::quantx::WeightFormat to be one of: float, int8, int4, int3, int2, ternary, binary}}
// expected-error@+1 {{failed to parse QuantX_PrecisionAttr parameter 'weights'}}
func.func @f() attributes {p = #quantx.precision<weights = int5>}

// -----

// expected-error@+1 {{codebook weights are int4, int3 or int2 codes, not int8}}
func.func @f() attributes {p = #quantx.precision<weights = int8, levels = codebook>}

// -----

// expected-error@+1 {{pow2 weights are int4, int3 or int2 codes, not ternary}}
func.func @f() attributes {p = #quantx.precision<weights = ternary, levels = pow2>}

// -----

// expected-error@+1 {{codebook weights have one scale per channel or tensor, not group}}
func.func @f() attributes {p = #quantx.precision<weights = int4, granularity = group, block = 8, levels = codebook>}

// -----

// expected-error@+2 {{expected ::mlir::quantx::WeightLevels to be one of: uniform, codebook, pow2}}
// expected-error@+1 {{failed to parse QuantX_PrecisionAttr parameter 'levels'}}
func.func @f() attributes {p = #quantx.precision<weights = int4, levels = kmeans>}
