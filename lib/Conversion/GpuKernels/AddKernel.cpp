//===- AddKernel.cpp - the requantized int8 add on the GPU ----------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quantx_add_s8: a residual connection's two rescales to int32, their
// wrapping sum and the rescale back to int8 (quantx_kernel_add_s8's
// arithmetic, quant-x/Runtime/Kernels.h), one thread per element,
// consecutive threads on consecutive elements: one pass over memory, where
// the reference lowering's ops would each be a kernel, or a trip to the
// host. Each rescale is the conv epilogue's (emitGpuRescale), on the
// element's channel's multiplier and shift from the call's table.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Runtime/GpuKernelCalls.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::quantx;
using namespace mlir::quantx::gpu_kernels;
namespace qk = ::quantx::kernels;
namespace qg = ::quantx::gpu;

namespace {

/// Computes and stores element blockX * kWindowBlockThreads + thread, if
/// the call has it. `a` holds the kernel's (first, second, table, unused,
/// params, output) pointers.
void emitAddThread(const Emitter &e, Value blockX, Value thread, ValueRange a) {
  Value first = a[0], second = a[1], table = a[2], params = a[4], output = a[5];
  auto param = [&](qk::Param index) {
    return e.load(params, e.c64(index), e.i64());
  };
  Value channels = param(qk::kOutC);
  Value flat = e.add(e.mul(blockX, e.c64(qg::kWindowBlockThreads)), thread);
  scf::IfOp::create(
      e.b, e.loc, e.below(flat, e.mul(param(qk::kBatch), channels)),
      [&](OpBuilder &b, Location loc) {
        Emitter in{b, loc};
        Value channel = in.rem(flat, channels);
        Value rounding = param(qk::kRounding);
        // Rescale `index` of the table (0: a, 1: b, 2: the sum): the
        // channel's multiplier and shift, and whether it rounds once.
        struct Rescale {
          Value multiplier, shift, single;
        };
        auto rescaleOf = [&](int64_t index, int64_t singleBit) {
          auto entry = [&](int64_t row) {
            return in.load(table,
                           in.add(in.mul(channels, in.c64(row)), channel),
                           in.i32());
          };
          Value single = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ne,
              arith::AndIOp::create(b, loc, rounding, in.c64(singleBit)),
              in.c64(0));
          return Rescale{entry(2 * index), entry(2 * index + 1), single};
        };
        // An int8 operand minus its zero point, rescaled to int32.
        auto addend = [&](Value operand, qk::Param zeroPoint, int64_t index,
                          int64_t singleBit) {
          Value x =
              in.sub(arith::ExtSIOp::create(b, loc, in.i32(),
                                            in.load(operand, flat, in.i8())),
                     in.narrow(param(zeroPoint)));
          Rescale r = rescaleOf(index, singleBit);
          return emitGpuRescale(b, loc, x, r.multiplier, r.shift, r.single);
        };
        // The sum wraps, as the reference's i32 add.
        Value sum =
            in.add(addend(first, qk::kPadValue, 0, qk::kAddSingleA),
                   addend(second, qk::kWeightZeroPoint, 1, qk::kAddSingleB));
        Rescale out = rescaleOf(2, qk::kAddSingleOut);
        in.store(emitGpuRequantize(b, loc, sum, out.multiplier, out.shift,
                                   out.single, param(qk::kOutputZeroPoint),
                                   param(qk::kClampMin), param(qk::kClampMax)),
                 output, flat);
        scf::YieldOp::create(b, loc);
      });
}

} // namespace

void gpu_kernels::buildAddS8Kernel(OpBuilder &builder, Location loc) {
  OpBuilder::InsertionGuard guard(builder);
  gpu::GPUFuncOp kernel = createKernelFunction(
      builder, loc, qg::kAddS8KernelName, qg::kWindowBlockThreads);
  Emitter e{builder, loc};
  emitAddThread(e, e.blockId(gpu::Dimension::x), e.threadId(gpu::Dimension::x),
                kernel.getArguments());
  gpu::ReturnOp::create(builder, loc);
}

void mlir::quantx::buildAddThreadFunction(OpBuilder &builder, ModuleOp module) {
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  Type i64 = builder.getI64Type();
  buildHostFunction(builder, module, "quantx_add_s8_thread",
                    {ptr, ptr, ptr, ptr, ptr, ptr, i64, i64},
                    [](const Emitter &e, ValueRange a) {
                      emitAddThread(e, a[6], a[7], a.take_front(6));
                    });
}
