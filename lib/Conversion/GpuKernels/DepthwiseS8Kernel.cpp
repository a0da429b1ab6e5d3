//===- DepthwiseS8Kernel.cpp - int8 depthwise convolution on the GPU ------===//
//
// One thread per output element, consecutive threads on consecutive
// channels, so that a warp's input and weight loads are contiguous. A
// depthwise layer has a handful of multiply-adds per output and no
// reduction over channels to give a tensor core: it is bound by memory, and
// CUDA cores keep up with it. Each thread sums x * w over the window in
// int32 as quantx_kernel_depthwise_s8 does (the weights are its int16
// weights minus their zero point, the input zero point folded into the
// bias; padded taps read the pad value), then adds the bias and requantizes
// with the conv kernel's epilogue.
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

/// The thread's output element: out[image][row][col] for flat index
/// blockX * kDepthwiseBlockThreads + thread of the image's M x N.
void emitDepthwiseThread(const Emitter &e, const Layer &l, const KernelIds &ids,
                         Value input, Value weights, Value bias, Value requant,
                         Value output) {
  Value flat =
      e.add(e.mul(ids.blockX, e.c64(qg::kDepthwiseBlockThreads)), ids.thread);
  scf::IfOp::create(
      e.b, e.loc, e.below(flat, e.mul(l.m, l.n)),
      [&](OpBuilder &b, Location loc) {
        Emitter in{b, loc};
        Value row = in.div(flat, l.n), col = in.rem(flat, l.n);
        Value channel = in.div(col, l.depthMultiplier);
        Value oh = in.div(row, l.outW), ow = in.rem(row, l.outW);
        Value top = in.sub(in.mul(oh, l.strideH), l.padTop);
        Value left = in.sub(in.mul(ow, l.strideW), l.padLeft);
        Value pad = arith::TruncIOp::create(b, loc, in.i32(), l.padValue);
        Value zero = in.c32(0), one = in.c64(1);
        auto rows = scf::ForOp::create(
            b, loc, in.c64(0), l.kH, one, ValueRange{zero},
            [&](OpBuilder &b, Location loc, Value kh, ValueRange rowSum) {
              Emitter r{b, loc};
              Value ih = r.add(top, r.mul(kh, l.dilationH));
              auto taps = scf::ForOp::create(
                  b, loc, r.c64(0), l.kW, r.c64(1), rowSum,
                  [&](OpBuilder &b, Location loc, Value kw, ValueRange sum) {
                    Emitter t{b, loc};
                    Value iw = t.add(left, t.mul(kw, l.dilationW));
                    Value inside =
                        t.both(t.below(ih, l.inH), t.below(iw, l.inW));
                    Value index = t.add(
                        t.mul(t.add(t.mul(t.add(t.mul(ids.image, l.inH), ih),
                                          l.inW),
                                    iw),
                              l.inC),
                        channel);
                    Value x = t.select(
                        inside,
                        widen(t,
                              t.load(input, t.select(inside, index, t.c64(0)),
                                     t.i8())),
                        pad);
                    Value tap = t.add(t.mul(kh, l.kW), kw);
                    Value w =
                        widen(t, t.load(weights, t.add(t.mul(tap, l.n), col),
                                        b.getI16Type()));
                    scf::YieldOp::create(b, loc, t.add(sum[0], t.mul(x, w)));
                  });
              scf::YieldOp::create(b, loc, taps.getResults());
            });
        storeResult(in, l, bias, requant, output, ids.image, row, col,
                    rows.getResult(0));
        scf::YieldOp::create(b, loc);
      });
}

} // namespace

void gpu_kernels::buildDepthwiseS8Kernel(OpBuilder &builder, Location loc) {
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  auto kernel = gpu::GPUFuncOp::create(
      builder, loc, qg::kDepthwiseS8KernelName,
      builder.getFunctionType(SmallVector<Type>(6, ptr), {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                  builder.getUnitAttr());
  kernel.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {int32_t(qg::kDepthwiseBlockThreads), 1, 1}));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&kernel.getBody().front());
  Emitter e{builder, loc};
  ValueRange a = kernel.getArguments();
  Layer l(e, a[4]);
  emitDepthwiseThread(e, l, KernelIds::fromGpu(e), a[0], a[1], a[2], a[3],
                      a[5]);
  gpu::ReturnOp::create(builder, loc);
}

void mlir::quantx::buildDepthwiseS8ThreadFunction(OpBuilder &builder,
                                                  ModuleOp module) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = module.getLoc();
  builder.setInsertionPointToEnd(module.getBody());
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  Type i64 = builder.getI64Type();
  auto thread = func::FuncOp::create(
      builder, loc, "quantx_depthwise_s8_thread",
      builder.getFunctionType({ptr, ptr, ptr, ptr, ptr, ptr, i64, i64, i64},
                              {}));
  builder.setInsertionPointToStart(thread.addEntryBlock());
  Emitter e{builder, loc};
  ValueRange a = thread.getArguments();
  Layer l(e, a[4]);
  emitDepthwiseThread(e, l, KernelIds{a[8], a[7], Value(), a[6]}, a[0], a[1],
                      a[2], a[3], a[5]);
  func::ReturnOp::create(builder, loc);
}
