// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The C API (include/quant-x-c/QuantX.h) from a C program: the dialect
// registered through its handle, quantx IR parsed, verified and printed,
// types and attributes built and read back, invalid ones refused, and a
// quant-x pass run through mlir-c's pass manager.
// RUN: quantx-capi-test 2>&1 | FileCheck %s
// The CHECK lines are whole printed lines: clang-format must not wrap them.
// clang-format off

#include "quant-x-c/QuantX.h"

#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <stdio.h>
#include <stdlib.h>

static void printToStdout(MlirStringRef text, void *userData) {
  (void)userData;
  fwrite(text.data, 1, text.length, stdout);
}

static void check(int condition, const char *what) {
  if (!condition) {
    fprintf(stdout, "FAILED: %s\n", what);
    exit(1);
  }
}

static MlirLogicalResult printDiagnostic(MlirDiagnostic diagnostic,
                                         void *userData) {
  (void)userData;
  fprintf(stdout, "diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printToStdout, NULL);
  fprintf(stdout, "\n");
  return mlirLogicalResultSuccess();
}

static const char *kModule =
    "func.func @main(%x: tensor<1x2xi32>) -> tensor<1x2xi8> {\n"
    "  %y = quantx.rescale %x {axis = 1 : i64, multiplier = "
    "#quantx.dyadic<multiplier = [1073741824, 1518500250], shift = [31, 32], "
    "rounding = double>, output_zero_point = 3 : i64} : tensor<1x2xi32> -> "
    "tensor<1x2xi8>\n"
    "  return %y : tensor<1x2xi8>\n"
    "}\n";

int main(void) {
  MlirContext ctx = mlirContextCreate();
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  quantxRegisterAllDialects(registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);
  mlirDialectHandleLoadDialect(mlirGetDialectHandle__quantx__(), ctx);
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);

  // Parse, verify and print quantx IR.
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  check(!mlirModuleIsNull(module), "parse");
  MlirOperation op = mlirModuleGetOperation(module);
  check(mlirOperationVerify(op), "verify");
  mlirOperationPrint(op, printToStdout, NULL);
  fprintf(stdout, "\n");
  // CHECK: quantx.rescale %{{.*}} {axis = 1 : i64, multiplier = #quantx.dyadic<multiplier = [1073741824, 1518500250], shift = [31, 32], rounding = double>, output_zero_point = 3 : i64}

  // A quant-x pass through mlir-c's pass manager.
  quantxRegisterAllPasses();
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirOpPassManager opm = mlirPassManagerGetAsOpPassManager(pm);
  MlirLogicalResult parsed = mlirOpPassManagerAddPipeline(
      opm, mlirStringRefCreateFromCString("quantx-lower-to-arith"),
      printToStdout, NULL);
  check(mlirLogicalResultIsSuccess(parsed), "pipeline");
  check(mlirLogicalResultIsSuccess(mlirPassManagerRunOnOp(pm, op)), "run");
  mlirPassManagerDestroy(pm);
  fprintf(stdout, "lowered: %s\n",
          mlirOperationVerify(op) ? "verified" : "invalid");
  // CHECK: lowered: verified
  mlirModuleDestroy(module);

  // Per-tensor and per-axis types, read back.
  MlirType i8 = mlirIntegerTypeGet(ctx, 8);
  MlirType f32 = mlirF32TypeGet(ctx);
  MlirType perTensor =
      quantxUniformTypeGetPerTensor(i8, f32, false, 0.5, -3);
  check(quantxTypeIsAUniform(perTensor), "per-tensor type");
  mlirTypePrint(perTensor, printToStdout, NULL);
  fprintf(stdout, "\n");
  // CHECK: !quantx.uniform<i8:f32, #quantx.per_tensor<scale = 5.000000e-01, zero_point = -3>>
  MlirAttribute params = quantxUniformTypeGetParams(perTensor);
  fprintf(stdout, "per_tensor: %d scale %g zero point %lld range [%lld, %lld]\n",
          quantxAttributeIsAPerTensor(params),
          quantxPerTensorAttrGetScale(params),
          (long long)quantxPerTensorAttrGetZeroPoint(params),
          (long long)quantxUniformTypeGetStorageMin(perTensor),
          (long long)quantxUniformTypeGetStorageMax(perTensor));
  // CHECK: per_tensor: 1 scale 0.5 zero point -3 range [-128, 127]

  double scales[] = {0.25, 0.125, 2.0};
  int64_t zeroPoints[] = {0, 1, -1};
  MlirType perAxis = quantxUniformTypeGetPerAxis(i8, f32, true, 0, 3, scales,
                                                 zeroPoints);
  check(quantxTypeIsAUniform(perAxis), "per-axis type");
  mlirTypePrint(perAxis, printToStdout, NULL);
  fprintf(stdout, "\n");
  // CHECK: !quantx.uniform<i8:f32, narrow, #quantx.per_axis<axis = 0, scales = [2.500000e-01, 1.250000e-01, 2.000000e+00], zero_points = [0, 1, -1]>>
  params = quantxUniformTypeGetParams(perAxis);
  fprintf(stdout, "per_axis: axis %lld, %ld scales, scale[2] %g zp[1] %lld, "
                  "narrow %d, min %lld\n",
          (long long)quantxPerAxisAttrGetAxis(params),
          (long)quantxPerAxisAttrGetNumScales(params),
          quantxPerAxisAttrGetScale(params, 2),
          (long long)quantxPerAxisAttrGetZeroPoint(params, 1),
          quantxUniformTypeIsNarrowRange(perAxis),
          (long long)quantxUniformTypeGetStorageMin(perAxis));
  // CHECK: per_axis: axis 0, 3 scales, scale[2] 2 zp[1] 1, narrow 1, min -127

  // Invalid parameters: a null type and a diagnostic, no abort.
  MlirType bad = quantxUniformTypeGetPerTensor(i8, f32, false, -1.0, 0);
  fprintf(stdout, "negative scale: %s\n", mlirTypeIsNull(bad) ? "null" : "?");
  // CHECK: diagnostic: scale must be finite and > 0, got -1.000000e+00
  // CHECK-NEXT: negative scale: null
  bad = quantxUniformTypeGetPerTensor(f32, f32, false, 1.0, 0);
  fprintf(stdout, "float storage: %s\n", mlirTypeIsNull(bad) ? "null" : "?");
  // CHECK: diagnostic: !quantx.uniform needs an integer storage type and a float expressed type
  // CHECK-NEXT: float storage: null

  // Dyadic multipliers: given, and computed from real scales.
  int32_t multipliers[] = {1073741824};
  int32_t shifts[] = {31};
  MlirAttribute dyadic =
      quantxDyadicAttrGet(ctx, 1, multipliers, shifts, QuantxRoundingSingle);
  mlirAttributePrint(dyadic, printToStdout, NULL);
  fprintf(stdout, "\n");
  // CHECK: #quantx.dyadic<multiplier = [1073741824], shift = [31], rounding = single>
  double realScales[] = {0.75, 3.0e-3};
  dyadic = quantxDyadicAttrGetFromScales(ctx, 2, realScales,
                                         QuantxRoundingDouble);
  check(quantxAttributeIsADyadic(dyadic), "dyadic from scales");
  fprintf(stdout, "dyadic: %ld pairs, %d * 2^-%d = %.9g, %s\n",
          (long)quantxDyadicAttrGetNumPairs(dyadic),
          quantxDyadicAttrGetMultiplier(dyadic, 1),
          quantxDyadicAttrGetShift(dyadic, 1),
          quantxDyadicAttrGetScale(dyadic, 1),
          quantxDyadicAttrGetRounding(dyadic) == QuantxRoundingDouble
              ? "double"
              : "single");
  // 0.003 = 1649267442 * 2^-39 to within 2^-31 relative.
  // CHECK: dyadic: 2 pairs, 1649267442 * 2^-39 = 0.003, double
  double nanScale[] = {0.0 / 0.0};
  MlirAttribute none =
      quantxDyadicAttrGetFromScales(ctx, 1, nanScale, QuantxRoundingDouble);
  fprintf(stdout, "nan scale: %s\n", mlirAttributeIsNull(none) ? "null" : "?");
  // CHECK: diagnostic: scale nan has no dyadic form (it must be finite, > 0 and < 2^31)
  // CHECK-NEXT: nan scale: null
  int32_t badShift[] = {70};
  none = quantxDyadicAttrGet(ctx, 1, multipliers, badShift,
                             QuantxRoundingDouble);
  fprintf(stdout, "shift 70: %s\n", mlirAttributeIsNull(none) ? "null" : "?");
  // CHECK: diagnostic: shift must be in [0, 62], got 70
  // CHECK-NEXT: shift 70: null

  mlirContextDestroy(ctx);
  fprintf(stdout, "done\n");
  // CHECK: done
  return 0;
}
// clang-format on
