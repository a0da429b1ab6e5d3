//===- KernelEmitter.cpp - building blocks of quant-x's GPU kernels -------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Conversion/QuantXToArith/DyadicEmitter.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::quantx;
using namespace mlir::quantx::gpu_kernels;
namespace qk = ::quantx::kernels;

Layer::Layer(const Emitter &e, Value params) {
  auto param = [&](qk::Param index) {
    return e.load(params, e.c64(index), e.i64());
  };
  inH = param(qk::kInH), inW = param(qk::kInW), inC = param(qk::kInC);
  outH = param(qk::kOutH), outW = param(qk::kOutW), n = param(qk::kOutC);
  kH = param(qk::kKernelH), kW = param(qk::kKernelW);
  strideH = param(qk::kStrideH), strideW = param(qk::kStrideW);
  dilationH = param(qk::kDilationH), dilationW = param(qk::kDilationW);
  padTop = param(qk::kPadTop), padLeft = param(qk::kPadLeft);
  padValue = param(qk::kPadValue);
  depthMultiplier = param(qk::kDepthMultiplier);
  outputKind = param(qk::kOutputKind), rounding = param(qk::kRounding);
  zeroPoint = param(qk::kOutputZeroPoint);
  lo = param(qk::kClampMin), hi = param(qk::kClampMax);
  m = e.mul(outH, outW);
  rowRun = e.mul(kW, inC);
  k = e.mul(kH, rowRun);
}

KernelIds KernelIds::fromGpu(const Emitter &e) {
  return {e.threadId(gpu::Dimension::x), e.blockId(gpu::Dimension::x),
          e.blockId(gpu::Dimension::y), e.blockId(gpu::Dimension::z)};
}

gpu::GPUFuncOp gpu_kernels::createKernelFunction(OpBuilder &builder,
                                                 Location loc, StringRef name,
                                                 int64_t blockThreads) {
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  auto kernel = gpu::GPUFuncOp::create(
      builder, loc, name,
      builder.getFunctionType(SmallVector<Type>(6, ptr), {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                  builder.getUnitAttr());
  kernel.setKnownBlockSizeAttr(
      builder.getDenseI32ArrayAttr({int32_t(blockThreads), 1, 1}));
  builder.setInsertionPointToStart(&kernel.getBody().front());
  return kernel;
}

Value gpu_kernels::padBytes(const Emitter &e, const Layer &l, int64_t copies) {
  Value byte = arith::TruncIOp::create(
      e.b, e.loc, e.i32(),
      arith::AndIOp::create(e.b, e.loc, l.padValue, e.c64(255)));
  return copies == 1 ? byte : e.mul(byte, e.c32(0x01010101));
}

void gpu_kernels::storeResult(const Emitter &e, const Layer &l, Value bias,
                              Value requant, Value output, Value image,
                              Value row, Value col, Value acc) {
  Value live = e.both(e.below(row, l.m), e.below(col, l.n));
  scf::IfOp::create(e.b, e.loc, live, [&](OpBuilder &b, Location loc) {
    Emitter in{b, loc};
    Value x = in.add(acc, in.load(bias, col, in.i32()));
    Value index = in.add(in.mul(in.add(in.mul(image, l.m), row), l.n), col);
    scf::IfOp::create(
        b, loc, in.equal(l.outputKind, int64_t(qk::OutputKind::Int8)),
        [&](OpBuilder &b, Location loc) {
          Emitter then{b, loc};
          Value multiplier = then.load(requant, col, then.i32());
          Value shift = then.load(requant, then.add(l.n, col), then.i32());
          Value single = then.equal(l.rounding, int64_t(qk::Rounding::Single));
          then.store(emitGpuRequantize(b, loc, x, multiplier, shift, single,
                                       l.zeroPoint, l.lo, l.hi),
                     output, index);
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &b, Location loc) {
          Emitter{b, loc}.store(x, output, index);
          scf::YieldOp::create(b, loc);
        });
    scf::YieldOp::create(b, loc);
  });
}

Value mlir::quantx::emitGpuRescale(OpBuilder &b, Location loc, Value x,
                                   Value multiplier, Value shift,
                                   Value singleRounding) {
  Value single =
      emitDyadicRescale(b, loc, x, multiplier, shift, RoundingMode::Single);
  Value twice =
      emitDyadicRescale(b, loc, x, multiplier, shift, RoundingMode::Double);
  return arith::SelectOp::create(b, loc, singleRounding, single, twice);
}

Value mlir::quantx::emitGpuRequantize(OpBuilder &b, Location loc, Value x,
                                      Value multiplier, Value shift,
                                      Value singleRounding, Value zeroPoint,
                                      Value lo, Value hi) {
  Value scaled = emitGpuRescale(b, loc, x, multiplier, shift, singleRounding);
  Value wide = arith::ExtSIOp::create(b, loc, b.getI64Type(), scaled);
  Value shifted = arith::AddIOp::create(b, loc, wide, zeroPoint);
  Value clamped = arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, shifted, lo), hi);
  return arith::TruncIOp::create(b, loc, b.getI8Type(), clamped);
}
