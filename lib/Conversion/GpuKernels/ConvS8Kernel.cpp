//===- ConvS8Kernel.cpp - int8 conv/matmul on mma.sync m16n8k32 -----------===//
//
// One kernel for every int8 convolution and matmul, reading the layer from
// the CPU kernels' parameter array at run time, as the CPU kernels do: C[M][N]
// = A[M][K] W[N][K] per image, A gathered from the NHWC input on the fly
// (implicit GEMM: no im2col buffer), W from the generic ISA's packed panels.
// Each warp owns a 16 x 8 tile; per 32 k, every lane loads its A fragment
// (four registers of four int8: rows g and g + 8, columns 4t .. 4t + 3 and
// 16 + 4t .., g = lane / 4, t = lane % 4) and its B fragment (column g, rows
// 4t .. and 16 + 4t ..), as the PTX ISA lays out mma.m16n8k32 .s8, and one
// mma.sync with wrapping int32 accumulation (as the CPU's) adds them up. The
// epilogue adds the bias and requantizes with the CPU reference lowering's
// arithmetic.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "quant-x/Conversion/QuantXToArith/DyadicEmitter.h"
#include "quant-x/Runtime/GpuKernelCalls.h"
#include "quant-x/Runtime/Kernels.h"

using namespace mlir;
using namespace mlir::quantx;
namespace qk = ::quantx::kernels;

namespace {

/// Builder shorthand for the kernel body: i64 index arithmetic, loads and
/// stores through LLVM pointers.
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
  Value div(Value x, Value y) const {
    return arith::DivUIOp::create(b, loc, x, y);
  }
  Value rem(Value x, Value y) const {
    return arith::RemUIOp::create(b, loc, x, y);
  }
  Value both(Value x, Value y) const {
    return arith::AndIOp::create(b, loc, x, y);
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

  /// &base[index] for elements of `element`.
  Value at(Value base, Value index, Type element) const {
    return LLVM::GEPOp::create(b, loc, ptr(), element, base,
                               ArrayRef<LLVM::GEPArg>{index});
  }
  Value load(Value base, Value index, Type element) const {
    unsigned bytes = element.getIntOrFloatBitWidth() / 8;
    return LLVM::LoadOp::create(b, loc, element, at(base, index, element),
                                bytes);
  }
  void store(Value value, Value base, Value index) const {
    Type element = value.getType();
    LLVM::StoreOp::create(b, loc, value, at(base, index, element),
                          element.getIntOrFloatBitWidth() / 8);
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
      dilationW, padTop, padLeft, padValue, outputKind, rounding, zeroPoint, lo,
      hi, panelWidth;
  /// M = outH outW, K = kH kW inC, and kW inC (one kernel row's run).
  Value m, k, rowRun;

  Layer(const Emitter &e, Value params) {
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
    outputKind = param(qk::kOutputKind), rounding = param(qk::kRounding);
    zeroPoint = param(qk::kOutputZeroPoint);
    lo = param(qk::kClampMin), hi = param(qk::kClampMax);
    panelWidth = param(qk::kPanelWidth);
    m = e.mul(outH, outW);
    rowRun = e.mul(kW, inC);
    k = e.mul(kH, rowRun);
  }
};

/// Four bytes from `byteAt(j)`, j = 0..3, packed with j = 0 lowest: the
/// order mma.sync reads a register's four int8 elements in.
template <class ByteAt>
Value packFour(const Emitter &e, ByteAt byteAt) {
  Value word = byteAt(0);
  for (int64_t j = 1; j < 4; ++j)
    word = arith::OrIOp::create(
        e.b, e.loc, word,
        arith::ShLIOp::create(e.b, e.loc, byteAt(j), e.c32(8 * j)));
  return word;
}

/// Where A[row][k] of `image` comes from: whether (row, k) lies inside the
/// GEMM, whether the tap falls inside the input (not in the padding), and
/// the input element's index (0 where it does not, so that no address
/// leaves the input).
struct ActivationSource {
  Value live, inside, index;
};

ActivationSource locateActivation(const Emitter &e, const Layer &l, Value image,
                                  Value row, Value k) {
  Value live = e.both(e.below(row, l.m), e.below(k, l.k));
  Value oh = e.div(row, l.outW), ow = e.rem(row, l.outW);
  Value kh = e.div(k, l.rowRun), rest = e.rem(k, l.rowRun);
  Value kw = e.div(rest, l.inC), c = e.rem(rest, l.inC);
  Value ih =
      e.add(e.sub(e.mul(oh, l.strideH), l.padTop), e.mul(kh, l.dilationH));
  Value iw =
      e.add(e.sub(e.mul(ow, l.strideW), l.padLeft), e.mul(kw, l.dilationW));
  Value inside = e.both(live, e.both(e.below(ih, l.inH), e.below(iw, l.inW)));
  Value index = e.add(
      e.mul(e.add(e.mul(e.add(e.mul(image, l.inH), ih), l.inW), iw), l.inC), c);
  return {live, inside, e.select(inside, index, e.c64(0))};
}

/// The pad value's byte in an i32, `copies` times (1 or 4).
Value padBytes(const Emitter &e, const Layer &l, int64_t copies) {
  Value byte = arith::TruncIOp::create(
      e.b, e.loc, e.i32(),
      arith::AndIOp::create(e.b, e.loc, l.padValue, e.c64(255)));
  return copies == 1 ? byte : e.mul(byte, e.c32(0x01010101));
}

/// A[row][k] of `image` as an unsigned byte in an i32: the input element
/// under tap k of output pixel `row`, the pad value where the tap falls in
/// the padding, 0 past M or K (where the weights are 0 too).
Value loadActivation(const Emitter &e, const Layer &l, Value input, Value image,
                     Value row, Value k) {
  ActivationSource at = locateActivation(e, l, image, row, k);
  Value byte = e.load(input, at.index, e.i8());
  Value value = arith::ExtUIOp::create(e.b, e.loc, e.i32(), byte);
  return e.select(at.inside, value,
                  e.select(at.live, padBytes(e, l, 1), e.c32(0)));
}

/// Four consecutive A bytes from k (a multiple of 4) packed in an i32 as
/// packFour orders them. Where the input's channels are a multiple of 4,
/// the four are one aligned word of one input pixel (or all padding, or all
/// past K): one load and one index computation instead of four.
Value loadActivationWord(const Emitter &e, const Layer &l, Value input,
                         Value image, Value row, Value k) {
  Value whole = e.equal(e.rem(l.inC, e.c64(4)), 0);
  auto word = scf::IfOp::create(
      e.b, e.loc, whole,
      [&](OpBuilder &b, Location loc) {
        Emitter in{b, loc};
        ActivationSource at = locateActivation(in, l, image, row, k);
        Value address = LLVM::GEPOp::create(b, loc, in.ptr(), in.i8(), input,
                                            ArrayRef<LLVM::GEPArg>{at.index});
        Value loaded = LLVM::LoadOp::create(b, loc, in.i32(), address, 4);
        scf::YieldOp::create(
            b, loc,
            in.select(at.inside, loaded,
                      in.select(at.live, padBytes(in, l, 4), in.c32(0))));
      },
      [&](OpBuilder &b, Location loc) {
        Emitter in{b, loc};
        scf::YieldOp::create(b, loc, packFour(in, [&](int64_t j) {
                               return loadActivation(in, l, input, image, row,
                                                     in.add(k, in.c64(j)));
                             }));
      });
  return word.getResult(0);
}

/// W[col][k] as an unsigned byte in an i32, from the generic ISA's panels
/// [N / nr][K][nr] (packWeightsS8 with k unit 1); 0 past N or K.
Value loadWeight(const Emitter &e, const Layer &l, Value weights, Value col,
                 Value k) {
  Value live = e.both(e.below(col, l.n), e.below(k, l.k));
  Value panel = e.div(col, l.panelWidth), lane = e.rem(col, l.panelWidth);
  Value index = e.add(
      e.add(e.mul(e.mul(panel, l.panelWidth), l.k), e.mul(k, l.panelWidth)),
      lane);
  Value byte = e.load(weights, e.select(live, index, e.c64(0)), e.i8());
  Value value = arith::ExtUIOp::create(e.b, e.loc, e.i32(), byte);
  return e.select(live, value, e.c32(0));
}

/// out[image][row][col] = the accumulator plus bias, requantized to int8
/// (output kind 1) or kept as int32 (0); nothing past M or N.
void storeResult(const Emitter &e, const Layer &l, Value bias, Value requant,
                 Value output, Value image, Value row, Value col, Value acc) {
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

/// Which block and thread an instance of the kernel is: the GPU's ids in the
/// kernel, function arguments in the CPU harness (buildConvS8LaneFunctions).
struct KernelIds {
  Value thread, blockX, blockY, image;
};

/// One lane's place in the tiles (PTX ISA, mma.m16n8k32 with .s8): the rows
/// of its A fragment (g and g + 8 of the warp's 16), the column of its B
/// fragment (g of the block's 8), its first k within a 32-k step (4t), and
/// the first of the two columns its C fragment holds (2t).
struct Lane {
  Value image, rowLo, rowHi, col, kOffset, colC;

  Lane(const Emitter &e, const KernelIds &ids) : image(ids.image) {
    Value lane = e.rem(ids.thread, e.c64(32));
    Value warp = e.div(ids.thread, e.c64(32));
    Value group = e.div(lane, e.c64(4)), inGroup = e.rem(lane, e.c64(4));
    Value m0 = e.add(e.mul(ids.blockX, e.c64(::quantx::gpu::kConvBlockRows)),
                     e.mul(warp, e.c64(16)));
    Value n0 = e.mul(ids.blockY, e.c64(::quantx::gpu::kConvBlockCols));
    rowLo = e.add(m0, group);
    rowHi = e.add(rowLo, e.c64(8));
    col = e.add(n0, group);
    kOffset = e.mul(inGroup, e.c64(4));
    colC = e.add(n0, e.mul(inGroup, e.c64(2)));
  }
};

/// The lane's operands of one mma.sync over k0 .. k0 + 31: A registers for
/// (row g, k 4t..), (row g + 8, k 4t..), (row g, k 16 + 4t..), (row g + 8,
/// k 16 + 4t..), then B registers for (column g, k 4t..) and (column g,
/// k 16 + 4t..).
SmallVector<Value, 6> emitFragments(const Emitter &e, const Layer &l,
                                    const Lane &lane, Value input,
                                    Value weights, Value k0) {
  Value kA = e.add(k0, lane.kOffset), kB = e.add(kA, e.c64(16));
  auto activations = [&](Value row, Value k) {
    return loadActivationWord(e, l, input, lane.image, row, k);
  };
  auto weightsAt = [&](Value k) {
    return packFour(e, [&](int64_t j) {
      return loadWeight(e, l, weights, lane.col, e.add(k, e.c64(j)));
    });
  };
  return {activations(lane.rowLo, kA),
          activations(lane.rowHi, kA),
          activations(lane.rowLo, kB),
          activations(lane.rowHi, kB),
          weightsAt(kA),
          weightsAt(kB)};
}

/// Stores the lane's C fragment: c0, c1 in row g, columns 2t and 2t + 1;
/// c2, c3 eight rows lower.
void emitEpilogue(const Emitter &e, const Layer &l, const Lane &lane,
                  Value bias, Value requant, Value output, ValueRange sums) {
  Value colC1 = e.add(lane.colC, e.c64(1));
  storeResult(e, l, bias, requant, output, lane.image, lane.rowLo, lane.colC,
              sums[0]);
  storeResult(e, l, bias, requant, output, lane.image, lane.rowLo, colC1,
              sums[1]);
  storeResult(e, l, bias, requant, output, lane.image, lane.rowHi, lane.colC,
              sums[2]);
  storeResult(e, l, bias, requant, output, lane.image, lane.rowHi, colC1,
              sums[3]);
}

void buildConvS8Kernel(OpBuilder &builder, Location loc) {
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  auto kernel = gpu::GPUFuncOp::create(
      builder, loc, ::quantx::gpu::kConvS8KernelName,
      builder.getFunctionType(SmallVector<Type>(6, ptr), {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                  builder.getUnitAttr());
  kernel.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {int32_t(::quantx::gpu::kConvBlockThreads), 1, 1}));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&kernel.getBody().front());
  Emitter e{builder, loc};
  ValueRange args = kernel.getArguments();
  Value input = args[0], weights = args[1], bias = args[2], requant = args[3],
        params = args[4], output = args[5];
  Layer l(e, params);
  Lane lane(
      e, KernelIds{e.threadId(gpu::Dimension::x), e.blockId(gpu::Dimension::x),
                   e.blockId(gpu::Dimension::y), e.blockId(gpu::Dimension::z)});
  Value kEnd = e.mul(e.div(e.add(l.k, e.c64(31)), e.c64(32)), e.c64(32));
  Value zero = e.c32(0);
  auto loop = scf::ForOp::create(
      builder, loc, e.c64(0), kEnd, e.c64(32),
      ValueRange{zero, zero, zero, zero},
      [&](OpBuilder &b, Location loc, Value k0, ValueRange sums) {
        Emitter in{b, loc};
        SmallVector<Value, 6> f =
            emitFragments(in, l, lane, input, weights, k0);
        Type i32 = in.i32();
        Type resultType = LLVM::LLVMStructType::getLiteral(
            b.getContext(), {i32, i32, i32, i32});
        Value d = NVVM::MmaOp::create(
            b, loc, resultType, ArrayRef(f).take_front(4),
            ArrayRef(f).drop_front(4), sums, {16, 8, 32}, std::nullopt,
            NVVM::MMAIntOverflow::wrapped,
            std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::s8,
                                          NVVM::MMATypes::s8},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                           NVVM::MMALayout::col});
        SmallVector<Value> next;
        for (int64_t i = 0; i < 4; ++i)
          next.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
        scf::YieldOp::create(b, loc, next);
      });
  emitEpilogue(e, l, lane, bias, requant, output, loop.getResults());
  gpu::ReturnOp::create(builder, loc);
}

} // namespace

Value mlir::quantx::emitGpuRequantize(OpBuilder &b, Location loc, Value x,
                                      Value multiplier, Value shift,
                                      Value singleRounding, Value zeroPoint,
                                      Value lo, Value hi) {
  Value single =
      emitDyadicRescale(b, loc, x, multiplier, shift, RoundingMode::Single);
  Value twice =
      emitDyadicRescale(b, loc, x, multiplier, shift, RoundingMode::Double);
  Value scaled = arith::SelectOp::create(b, loc, singleRounding, single, twice);
  Value wide = arith::ExtSIOp::create(b, loc, b.getI64Type(), scaled);
  Value shifted = arith::AddIOp::create(b, loc, wide, zeroPoint);
  Value clamped = arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, shifted, lo), hi);
  return arith::TruncIOp::create(b, loc, b.getI8Type(), clamped);
}

void mlir::quantx::buildGpuKernels(OpBuilder &builder, ModuleOp module) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = module.getLoc();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  builder.getUnitAttr());
  builder.setInsertionPointToEnd(module.getBody());
  auto gpuModule = gpu::GPUModuleOp::create(builder, loc, kGpuKernelModuleName);
  builder.setInsertionPointToStart(gpuModule.getBody());
  buildConvS8Kernel(builder, loc);
}

void mlir::quantx::buildConvS8LaneFunctions(OpBuilder &builder,
                                            ModuleOp module) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = module.getLoc();
  builder.setInsertionPointToEnd(module.getBody());
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  Type i32 = builder.getI32Type(), i64 = builder.getI64Type();
  // fragments(input, weights, params, image, blockX, blockY, thread, k0,
  // out): out[0..5] = the lane's A and B registers.
  auto fragments = func::FuncOp::create(
      builder, loc, "quantx_conv_s8_fragments",
      builder.getFunctionType({ptr, ptr, ptr, i64, i64, i64, i64, i64, ptr},
                              {}));
  {
    OpBuilder::InsertionGuard inner(builder);
    Block *body = fragments.addEntryBlock();
    builder.setInsertionPointToStart(body);
    Emitter e{builder, loc};
    ValueRange a = body->getArguments();
    Layer l(e, a[2]);
    Lane lane(e, KernelIds{a[6], a[4], a[5], a[3]});
    for (auto [i, value] :
         llvm::enumerate(emitFragments(e, l, lane, a[0], a[1], a[7])))
      e.store(value, a[8], e.c64(i));
    func::ReturnOp::create(builder, loc);
  }
  // epilogue(bias, requant, params, output, image, blockX, blockY, thread,
  // c0, c1, c2, c3): stores the lane's C fragment.
  auto epilogue = func::FuncOp::create(
      builder, loc, "quantx_conv_s8_epilogue",
      builder.getFunctionType(
          {ptr, ptr, ptr, ptr, i64, i64, i64, i64, i32, i32, i32, i32}, {}));
  OpBuilder::InsertionGuard inner(builder);
  Block *body = epilogue.addEntryBlock();
  builder.setInsertionPointToStart(body);
  Emitter e{builder, loc};
  ValueRange a = body->getArguments();
  Layer l(e, a[2]);
  Lane lane(e, KernelIds{a[7], a[5], a[6], a[4]});
  emitEpilogue(e, l, lane, a[0], a[1], a[3], a.drop_front(8));
  func::ReturnOp::create(builder, loc);
}
