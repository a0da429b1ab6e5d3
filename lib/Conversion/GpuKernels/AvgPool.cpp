//===- AvgPool.cpp - int8 average pooling to the GPU's kernel -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// On the GPU target, an int8 tosa.avg_pool2d (a network's global pooling
// before its classifier, most often) becomes a call of the GPU's
// average-pooling kernel (kGpuAvgPoolS8Symbol), so that its input need
// not come back to the host. The CPU path keeps upstream's lowering, whose
// arithmetic the kernel reproduces (quant-x/Runtime/Kernels.h).
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Runtime/Kernels.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;
using namespace mlir::quantx;
namespace qk = ::quantx::kernels;

namespace {

/// Replaces `pool` with a call of the average-pooling kernel where it is
/// one: static NHWC int8 tensors, an int32 accumulator, constant zero
/// points, parameters the kernel takes. Whether it did.
bool lowerAvgPool(tosa::AvgPool2dOp pool) {
  auto inType = dyn_cast<RankedTensorType>(pool.getInput().getType());
  auto outType = dyn_cast<RankedTensorType>(pool.getType());
  if (!inType || !outType || !inType.hasStaticShape() ||
      !outType.hasStaticShape() || inType.getRank() != 4 ||
      !inType.getElementType().isSignlessInteger(8) ||
      !outType.getElementType().isSignlessInteger(8) ||
      !pool.getAccType().isSignlessInteger(32))
    return false;
  FailureOr<int64_t> inputZp = pool.getInputZeroPoint();
  FailureOr<int64_t> outputZp = pool.getOutputZeroPoint();
  if (failed(inputZp) || failed(outputZp))
    return false;
  ArrayRef<int64_t> in = inType.getShape(), out = outType.getShape();
  ArrayRef<int64_t> kernel = pool.getKernel(), stride = pool.getStride(),
                    pad = pool.getPad();
  std::vector<int64_t> params(qk::kNumParams, 0);
  params[qk::kBatch] = in[0];
  params[qk::kInH] = in[1], params[qk::kInW] = in[2], params[qk::kInC] = in[3];
  params[qk::kOutH] = out[1], params[qk::kOutW] = out[2];
  params[qk::kOutC] = out[3];
  params[qk::kKernelH] = kernel[0], params[qk::kKernelW] = kernel[1];
  params[qk::kStrideH] = stride[0], params[qk::kStrideW] = stride[1];
  params[qk::kDilationH] = params[qk::kDilationW] = 1;
  params[qk::kPadTop] = pad[0], params[qk::kPadLeft] = pad[2];
  params[qk::kPadValue] = *inputZp;
  params[qk::kOutputZeroPoint] = *outputZp;
  params[qk::kClampMin] = -128, params[qk::kClampMax] = 127;
  qk::CallSpec spec;
  if (!qk::checkParams(qk::KernelKind::GpuAvgPoolS8, params.data(), spec)
           .empty())
    return false;
  OpBuilder b(pool);
  Location loc = pool.getLoc();
  auto call = KernelCallOp::create(
      b, loc, TypeRange{outType}, b.getStringAttr(qk::kGpuAvgPoolS8Symbol),
      ValueRange{pool.getInput()},
      tensor::EmptyOp::create(b, loc, out, outType.getElementType()),
      b.getDenseI64ArrayAttr(params));
  pool.getResult().replaceAllUsesWith(call.getResult()[0]);
  pool.erase();
  return true;
}

} // namespace

bool mlir::quantx::lowerAvgPoolsForGpu(ModuleOp module) {
  SmallVector<tosa::AvgPool2dOp> pools;
  module.walk([&](tosa::AvgPool2dOp pool) { pools.push_back(pool); });
  bool any = false;
  for (tosa::AvgPool2dOp pool : pools)
    any |= lowerAvgPool(pool);
  return any;
}
