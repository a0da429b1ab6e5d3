//===- WindowKernels.cpp - int8 depthwise conv and max pooling on the GPU -===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Kernels that reduce one window per output element: one thread per output
// element, consecutive threads on consecutive channels, so that a warp's
// input (and weight) loads are contiguous. A depthwise layer or a pooling
// has a handful of operations per output and no reduction over channels to
// give a tensor core: it is bound by memory, and CUDA cores keep up with
// it.
//
// The depthwise kernel sums x * w over the window in int32 as
// quantx_kernel_depthwise_s8 does (the weights are its int16 weights minus
// their zero point, the input zero point folded into the bias; padded taps
// read the pad value), then adds the bias and requantizes with the conv
// kernel's epilogue. The max-pooling kernel takes the largest int8 of the
// window's taps inside the input, as quantx_kernel_maxpool_s8 does
// (padding is ignored; checkParams ensures every window has a tap inside).
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
namespace qg = ::quantx::gpu;

namespace {

/// An int8 or int16 value sign-extended to i32.
Value widen(const Emitter &e, Value value) {
  return arith::ExtSIOp::create(e.b, e.loc, e.i32(), value);
}

/// The output element a thread computes: out[image][row][col], and the
/// top-left input coordinates of its window (negative in the padding).
struct OutputElement {
  Value image, row, col, top, left;
};

/// Calls `body` for the thread's output element, flat index blockX *
/// kWindowBlockThreads + thread of the image's M x N, if it has one.
template <class Body>
void forThreadElement(const Emitter &e, const Layer &l, const KernelIds &ids,
                      Body body) {
  Value flat =
      e.add(e.mul(ids.blockX, e.c64(qg::kWindowBlockThreads)), ids.thread);
  scf::IfOp::create(
      e.b, e.loc, e.below(flat, e.mul(l.m, l.n)),
      [&](OpBuilder &b, Location loc) {
        Emitter in{b, loc};
        Value row = in.div(flat, l.n), col = in.rem(flat, l.n);
        Value oh = in.div(row, l.outW), ow = in.rem(row, l.outW);
        body(in, OutputElement{ids.image, row, col,
                               in.sub(in.mul(oh, l.strideH), l.padTop),
                               in.sub(in.mul(ow, l.strideW), l.padLeft)});
        scf::YieldOp::create(b, loc);
      });
}

/// Folds `step(acc, inside, index)` over the window's taps, kh outer, from
/// `init` (an i32): `inside` is whether the tap falls inside the input and
/// `index` the input element of channel `channel` it reads (0 where it
/// does not, so that no address leaves the input). Also passes the tap's
/// number kh kW + kw.
template <class Step>
Value foldWindow(const Emitter &e, const Layer &l, const OutputElement &out,
                 Value channel, Value init, Step step) {
  auto rows = scf::ForOp::create(
      e.b, e.loc, e.c64(0), l.kH, e.c64(1), ValueRange{init},
      [&](OpBuilder &b, Location loc, Value kh, ValueRange rowAcc) {
        Emitter r{b, loc};
        Value ih = r.add(out.top, r.mul(kh, l.dilationH));
        auto taps = scf::ForOp::create(
            b, loc, r.c64(0), l.kW, r.c64(1), rowAcc,
            [&](OpBuilder &b, Location loc, Value kw, ValueRange acc) {
              Emitter t{b, loc};
              Value iw = t.add(out.left, t.mul(kw, l.dilationW));
              Value inside = t.both(t.below(ih, l.inH), t.below(iw, l.inW));
              Value index = t.add(
                  t.mul(t.add(t.mul(t.add(t.mul(out.image, l.inH), ih), l.inW),
                              iw),
                        l.inC),
                  channel);
              Value tap = t.add(t.mul(kh, l.kW), kw);
              scf::YieldOp::create(b, loc,
                                   step(t, acc[0], inside,
                                        t.select(inside, index, t.c64(0)),
                                        tap));
            });
        scf::YieldOp::create(b, loc, taps.getResults());
      });
  return rows.getResult(0);
}

void emitDepthwiseThread(const Emitter &e, const Layer &l, const KernelIds &ids,
                         ValueRange operands) {
  Value input = operands[0], weights = operands[1], bias = operands[2],
        requant = operands[3], output = operands[5];
  forThreadElement(e, l, ids, [&](const Emitter &in, OutputElement out) {
    Value pad = arith::TruncIOp::create(in.b, in.loc, in.i32(), l.padValue);
    Value sum = foldWindow(
        in, l, out, in.div(out.col, l.depthMultiplier), in.c32(0),
        [&](const Emitter &t, Value acc, Value inside, Value index, Value tap) {
          Value x =
              t.select(inside, widen(t, t.load(input, index, t.i8())), pad);
          Value w = widen(t, t.load(weights, t.add(t.mul(tap, l.n), out.col),
                                    t.b.getI16Type()));
          return t.add(acc, t.mul(x, w));
        });
    storeResult(in, l, bias, requant, output, out.image, out.row, out.col, sum);
  });
}

void emitMaxPoolThread(const Emitter &e, const Layer &l, const KernelIds &ids,
                       ValueRange operands) {
  Value input = operands[0], output = operands[5];
  forThreadElement(e, l, ids, [&](const Emitter &in, OutputElement out) {
    Value best = foldWindow(
        in, l, out, out.col, in.c32(-128),
        [&](const Emitter &t, Value acc, Value inside, Value index, Value) {
          Value x = widen(t, t.load(input, index, t.i8()));
          return t.select(inside, arith::MaxSIOp::create(t.b, t.loc, acc, x),
                          acc);
        });
    Value index =
        in.add(in.mul(in.add(in.mul(out.image, l.m), out.row), l.n), out.col);
    in.store(arith::TruncIOp::create(in.b, in.loc, in.i8(), best), output,
             index);
  });
}

/// The average of the thread's window as quantx_kernel_avgpool_s8 takes it
/// (TOSA's reference lowering): the taps inside the input summed, the
/// input zero point taken count times, divided by the count through
/// ((2^30 + 1) << k) / count and a right shift by k + 30 rounded half up
/// (k = ceil(log2 count)), plus the output zero point, clamped.
void emitAvgPoolThread(const Emitter &e, const Layer &l, const KernelIds &ids,
                       ValueRange operands) {
  Value input = operands[0], output = operands[5];
  forThreadElement(e, l, ids, [&](const Emitter &in, OutputElement out) {
    Value sum = foldWindow(
        in, l, out, out.col, in.c32(0),
        [&](const Emitter &t, Value acc, Value inside, Value index, Value) {
          Value x = widen(t, t.load(input, index, t.i8()));
          return t.add(acc, t.select(inside, x, t.c32(0)));
        });
    OpBuilder &b = in.b;
    Location loc = in.loc;
    // The window clipped to the input (its corner may lie in the padding).
    auto extent = [&](Value start, Value size, Value limit) {
      Value first = arith::MaxSIOp::create(b, loc, start, in.c64(0));
      Value end = arith::MinSIOp::create(b, loc, in.add(start, size), limit);
      return in.sub(end, first);
    };
    Value count =
        in.mul(extent(out.top, l.kH, l.inH), extent(out.left, l.kW, l.inW));
    Value value = in.sub(arith::ExtSIOp::create(b, loc, in.i64(), sum),
                         in.mul(count, l.padValue));
    // k = ceil(log2 count): 64 - clz(count - 1), 0 for a count of 1.
    Value k = in.sub(in.c64(64),
                     LLVM::CountLeadingZerosOp::create(
                         b, loc, in.i64(), in.sub(count, in.c64(1)), false));
    Value multiplier =
        in.div(arith::ShLIOp::create(b, loc, in.c64(1073741825), k), count);
    Value shift = in.add(k, in.c64(30));
    Value half =
        arith::ShLIOp::create(b, loc, in.c64(1), in.sub(shift, in.c64(1)));
    Value average = arith::ShRSIOp::create(
        b, loc, in.add(in.mul(value, multiplier), half), shift);
    Value clamped = arith::MinSIOp::create(
        b, loc,
        arith::MaxSIOp::create(b, loc, in.add(average, l.zeroPoint), l.lo),
        l.hi);
    Value index =
        in.add(in.mul(in.add(in.mul(out.image, l.m), out.row), l.n), out.col);
    in.store(arith::TruncIOp::create(b, loc, in.i8(), clamped), output, index);
  });
}

using ThreadBody = void (*)(const Emitter &, const Layer &, const KernelIds &,
                            ValueRange);

/// A kernel of six pointer arguments (the CPU kernels' operands) running
/// `body` in each of kWindowBlockThreads threads a block.
void buildWindowKernel(OpBuilder &builder, Location loc, StringRef name,
                       ThreadBody body) {
  OpBuilder::InsertionGuard guard(builder);
  gpu::GPUFuncOp kernel =
      createKernelFunction(builder, loc, name, qg::kWindowBlockThreads);
  Emitter e{builder, loc};
  ValueRange a = kernel.getArguments();
  body(e, Layer(e, a[4]), KernelIds::fromGpu(e), a);
  gpu::ReturnOp::create(builder, loc);
}

/// `body` as a host function `name(input, weights, bias, requant, params,
/// output, image, blockX, thread)`.
void buildThreadFunction(OpBuilder &builder, ModuleOp module, StringRef name,
                         ThreadBody body) {
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  Type i64 = builder.getI64Type();
  buildHostFunction(
      builder, module, name, {ptr, ptr, ptr, ptr, ptr, ptr, i64, i64, i64},
      [&](const Emitter &e, ValueRange a) {
        body(e, Layer(e, a[4]), KernelIds{a[8], a[7], Value(), a[6]},
             a.take_front(6));
      });
}

} // namespace

void gpu_kernels::buildDepthwiseS8Kernel(OpBuilder &builder, Location loc) {
  buildWindowKernel(builder, loc, qg::kDepthwiseS8KernelName,
                    emitDepthwiseThread);
}

void gpu_kernels::buildMaxPoolS8Kernel(OpBuilder &builder, Location loc) {
  buildWindowKernel(builder, loc, qg::kMaxPoolS8KernelName, emitMaxPoolThread);
}

void gpu_kernels::buildAvgPoolS8Kernel(OpBuilder &builder, Location loc) {
  buildWindowKernel(builder, loc, qg::kAvgPoolS8KernelName, emitAvgPoolThread);
}

void mlir::quantx::buildWindowThreadFunctions(OpBuilder &builder,
                                              ModuleOp module) {
  buildThreadFunction(builder, module, "quantx_depthwise_s8_thread",
                      emitDepthwiseThread);
  buildThreadFunction(builder, module, "quantx_maxpool_s8_thread",
                      emitMaxPoolThread);
  buildThreadFunction(builder, module, "quantx_avgpool_s8_thread",
                      emitAvgPoolThread);
}
