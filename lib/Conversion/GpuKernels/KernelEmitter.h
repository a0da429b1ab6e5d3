//===- KernelEmitter.h - building blocks of quant-x's GPU kernels -*- C++ -*-=//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What every GPU kernel builder shares: i64 index arithmetic and loads and
// stores through LLVM pointers, the layer read from the kernel call's
// parameter array, the thread's ids, and the store of one result through
// the exact requantization. Internal to QuantXGpuKernels.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_LIB_CONVERSION_GPUKERNELS_KERNELEMITTER_H
#define QUANTX_LIB_CONVERSION_GPUKERNELS_KERNELEMITTER_H

#include "quant-x/Runtime/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::quantx::gpu_kernels {

/// Builder shorthand for kernel bodies.
struct Emitter {
  OpBuilder &b;
  Location loc;

  Type i1() const { return b.getI1Type(); }
  Type i8() const { return b.getI8Type(); }
  Type i32() const { return b.getI32Type(); }
  Type i64() const { return b.getI64Type(); }
  Type ptr() const { return LLVM::LLVMPointerType::get(b.getContext()); }

  Value c64(int64_t v) const {
    return arith::ConstantIntOp::create(b, loc, i64(), v);
  }
  Value c32(int64_t v) const {
    return arith::ConstantIntOp::create(b, loc, i32(), v);
  }
  Value add(Value x, Value y) const {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value sub(Value x, Value y) const {
    return arith::SubIOp::create(b, loc, x, y);
  }
  Value mul(Value x, Value y) const {
    return arith::MulIOp::create(b, loc, x, y);
  }
  /// Unsigned division and remainder: of non-negative indices only.
  Value div(Value x, Value y) const {
    return arith::DivUIOp::create(b, loc, x, y);
  }
  Value rem(Value x, Value y) const {
    return arith::RemUIOp::create(b, loc, x, y);
  }
  Value both(Value x, Value y) const {
    return arith::AndIOp::create(b, loc, x, y);
  }
  /// The low 32 bits of an i64, and an i32 zero-extended back: a GPU
  /// divides 32-bit integers in a fraction of the time of 64-bit ones.
  Value narrow(Value x) const {
    return arith::TruncIOp::create(b, loc, i32(), x);
  }
  Value widen(Value x) const {
    return arith::ExtUIOp::create(b, loc, i64(), x);
  }
  /// x < y, unsigned: also false for "negative" coordinates.
  Value below(Value x, Value y) const {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value equal(Value x, int64_t y) const {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, c64(y));
  }
  Value select(Value c, Value x, Value y) const {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// `x` rounded up to a multiple of `unit`.
  Value roundUp(Value x, int64_t unit) const {
    return mul(div(add(x, c64(unit - 1)), c64(unit)), c64(unit));
  }

  /// Four i32: the 16 bytes of one 128-bit load or store.
  Type i32x4() const { return VectorType::get({4}, i32()); }

  /// &base[index] for elements of `element`, in base's address space
  /// (global, or shared: 3).
  Value at(Value base, Value index, Type element) const {
    return LLVM::GEPOp::create(b, loc, base.getType(), element, base,
                               ArrayRef<LLVM::GEPArg>{index});
  }
  static unsigned bytesOf(Type type) {
    if (auto vector = dyn_cast<VectorType>(type))
      return vector.getNumElements() * bytesOf(vector.getElementType());
    return type.getIntOrFloatBitWidth() / 8;
  }
  Value load(Value base, Value index, Type element) const {
    return LLVM::LoadOp::create(b, loc, element, at(base, index, element),
                                bytesOf(element));
  }
  /// The `type` (i32: a word, i32x4: 16 bytes) at byte `index` of `base`,
  /// `index` a multiple of its size: one aligned load.
  Value loadAt(Value base, Value index, Type type) const {
    return LLVM::LoadOp::create(b, loc, type, at(base, index, i8()),
                                bytesOf(type));
  }
  Value loadWord(Value base, Value index) const {
    return loadAt(base, index, i32());
  }
  void store(Value value, Value base, Value index) const {
    Type element = value.getType();
    LLVM::StoreOp::create(b, loc, value, at(base, index, element),
                          bytesOf(element));
  }
  /// Stores `value` at byte `index` of `base`, a multiple of its size.
  void storeAt(Value value, Value base, Value index) const {
    LLVM::StoreOp::create(b, loc, value, at(base, index, i8()),
                          bytesOf(value.getType()));
  }
  Value threadId(gpu::Dimension d) const {
    return arith::IndexCastOp::create(b, loc, i64(),
                                      gpu::ThreadIdOp::create(b, loc, d));
  }
  Value blockId(gpu::Dimension d) const {
    return arith::IndexCastOp::create(b, loc, i64(),
                                      gpu::BlockIdOp::create(b, loc, d));
  }
};

/// The layer, read from the parameter array (quant-x/Runtime/Kernels.h).
struct Layer {
  Value inH, inW, inC, outH, outW, n, kH, kW, strideH, strideW, dilationH,
      dilationW, padTop, padLeft, padValue, depthMultiplier, outputKind,
      rounding, zeroPoint, lo, hi;
  /// M = outH outW, K = kH kW inC, and kW inC (one kernel row's run).
  Value m, k, rowRun;

  Layer(const Emitter &e, Value params);
};

/// Which block and thread an instance of a kernel is: the GPU's ids in the
/// kernel, function arguments in the CPU harnesses that check a kernel's
/// per-thread work (GpuTilingTest).
struct KernelIds {
  Value thread, blockX, blockY, image;

  /// The GPU's: thread x, block x, y and z.
  static KernelIds fromGpu(const Emitter &e);
};

/// A kernel `name` of six pointer arguments (the CPU kernels' operands:
/// input, weights, bias, requant, params, output) for blocks of
/// `blockThreads` threads, at the builder's insertion point in a
/// gpu.module; the builder is left at the start of its body.
gpu::GPUFuncOp createKernelFunction(OpBuilder &builder, Location loc,
                                    StringRef name, int64_t blockThreads);

/// A host function `name` of `types` at the end of `module` (for the CPU
/// harnesses of the kernels' per-thread work), its body built by
/// `build(emitter, arguments)`; returns at the end.
template <class Build>
void buildHostFunction(OpBuilder &builder, ModuleOp module, StringRef name,
                       ArrayRef<Type> types, Build build) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = module.getLoc();
  builder.setInsertionPointToEnd(module.getBody());
  auto function = func::FuncOp::create(builder, loc, name,
                                       builder.getFunctionType(types, {}));
  builder.setInsertionPointToStart(function.addEntryBlock());
  build(Emitter{builder, loc}, function.getArguments());
  func::ReturnOp::create(builder, loc);
}

/// The pad value's byte in an i32, `copies` times (1 or 4).
Value padBytes(const Emitter &e, const Layer &l, int64_t copies);

/// out[image][row][col] = `acc` plus bias[col], requantized to int8 (output
/// kind 1) with the column's multiplier and shift (requant[col],
/// requant[N + col]) or kept as int32 (0); nothing past M or N.
void storeResult(const Emitter &e, const Layer &l, Value bias, Value requant,
                 Value output, Value image, Value row, Value col, Value acc);

/// The kernels (quant-x/Runtime/GpuKernelCalls.h has their names and
/// launch geometry), built at the builder's insertion point in a
/// gpu.module.
void buildConvS8Kernel(OpBuilder &builder, Location loc);
void buildDepthwiseS8Kernel(OpBuilder &builder, Location loc);
void buildMaxPoolS8Kernel(OpBuilder &builder, Location loc);
void buildAddS8Kernel(OpBuilder &builder, Location loc);
void buildAvgPoolS8Kernel(OpBuilder &builder, Location loc);

} // namespace mlir::quantx::gpu_kernels

#endif // QUANTX_LIB_CONVERSION_GPUKERNELS_KERNELEMITTER_H
