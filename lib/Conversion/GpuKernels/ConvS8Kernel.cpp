//===- ConvS8Kernel.cpp - int8 conv/matmul on mma.sync m16n8k32 -----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One kernel for every int8 convolution and matmul, reading the layer from
// the CPU kernels' parameter array at run time, as the CPU kernels do: C[M][N]
// = A[M][K] W[N][K] per image, A gathered from the NHWC input on the fly
// (implicit GEMM: no im2col buffer), W in the GPU layout ([N'][K'],
// packGpuWeights). Each warp computes a grid of 16 x 8 tiles
// (kConvWarpTilesM x kConvWarpTilesN); per 32 k, every lane loads the A
// fragment of each row of tiles (four registers of four int8: rows g and
// g + 8, columns 4t .. 4t + 3 and 16 + 4t .., g = lane / 4, t = lane % 4)
// and the B fragment of each column of tiles (channel g, the same k), as
// the PTX ISA lays out mma.m16n8k32 .s8, and issues one mma.sync with
// wrapping int32 accumulation (as the CPU's) per tile: each fragment serves
// a whole row or column of tiles. The epilogue adds the bias and
// requantizes with the CPU reference lowering's arithmetic.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "quant-x/Conversion/GpuKernels/GpuKernels.h"
#include "quant-x/Runtime/GpuKernelCalls.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::quantx;
using namespace mlir::quantx::gpu_kernels;
namespace qk = ::quantx::kernels;
namespace qg = ::quantx::gpu;

namespace {

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

/// Where the A rows of output pixel `row` of `image` read the input, the
/// part that does not depend on k (computed once, before the k loop): the
/// window's top-left input coordinates (negative in the padding) and the
/// input index they stand for.
struct RowSource {
  Value live, top, left, base;

  RowSource(const Emitter &e, const Layer &l, Value image, Value row) {
    live = e.below(row, l.m);
    Value oh = e.div(row, l.outW), ow = e.rem(row, l.outW);
    top = e.sub(e.mul(oh, l.strideH), l.padTop);
    left = e.sub(e.mul(ow, l.strideW), l.padLeft);
    base = e.mul(e.add(e.mul(e.add(e.mul(image, l.inH), top), l.inW), left),
                 l.inC);
  }
};

/// The part of A's column k shared by every row: the tap's offsets from the
/// window's corner and its input channel, as an input index offset.
struct TapSource {
  Value live, down, right, offset;

  TapSource(const Emitter &e, const Layer &l, Value k) {
    live = e.below(k, l.k);
    Value kh = e.div(k, l.rowRun), rest = e.rem(k, l.rowRun);
    Value kw = e.div(rest, l.inC), c = e.rem(rest, l.inC);
    down = e.mul(kh, l.dilationH);
    right = e.mul(kw, l.dilationW);
    offset = e.add(e.mul(e.add(e.mul(down, l.inW), right), l.inC), c);
  }
};

/// What A[row][k] reads: whether (row, k) lies inside the GEMM, whether the
/// tap falls inside the input (not in the padding), and the input index (0
/// where it does not, so that no address leaves the input).
struct ActivationSource {
  Value live, inside, index;

  ActivationSource(const Emitter &e, const Layer &l, const RowSource &row,
                   const TapSource &tap) {
    live = e.both(row.live, tap.live);
    inside = e.both(live, e.both(e.below(e.add(row.top, tap.down), l.inH),
                                 e.below(e.add(row.left, tap.right), l.inW)));
    index = e.select(inside, e.add(row.base, tap.offset), e.c64(0));
  }

  /// The loaded value where the tap is inside, else the pad value (in the
  /// GEMM) or 0 (past M or K, where the weights are 0 too).
  Value choose(const Emitter &e, const Layer &l, Value loaded,
               int64_t copies) const {
    return e.select(inside, loaded,
                    e.select(live, padBytes(e, l, copies), e.c32(0)));
  }
};

/// Four consecutive A bytes of `row` from k (a multiple of 4), packed as
/// packFour orders them. With `wordLoads` (the input's channels are a
/// multiple of 4: every layer but a 3-channel stem), the four are one
/// aligned word of one input pixel, or all padding, or all past K: one load
/// and one index. Otherwise four byte loads.
Value loadActivations(const Emitter &e, const Layer &l, Value input,
                      const RowSource &row, Value k, bool wordLoads) {
  if (wordLoads) {
    ActivationSource at(e, l, row, TapSource(e, l, k));
    return at.choose(e, l, e.loadWord(input, at.index), 4);
  }
  return packFour(e, [&](int64_t j) {
    ActivationSource at(e, l, row, TapSource(e, l, e.add(k, e.c64(j))));
    Value byte = e.load(input, at.index, e.i8());
    return at.choose(e, l, arith::ExtUIOp::create(e.b, e.loc, e.i32(), byte),
                     1);
  });
}

/// One lane's place in the tiles (PTX ISA, mma.m16n8k32 with .s8): for
/// row of tiles i, the output pixels of its A fragment (g and g + 8 of the
/// tile's 16, at rows[2 i] and rows[2 i + 1]); for column of tiles j, the
/// channel of its B fragment (g of the tile's 8) and the first of the two
/// channels its C fragment holds (2t); and its first k within a 32-k step
/// (4t).
struct Lane {
  Value image, kOffset;
  SmallVector<Value, 2 * qg::kConvWarpTilesM> rows;
  SmallVector<Value, qg::kConvWarpTilesN> cols, colsC;

  Lane(const Emitter &e, const KernelIds &ids) : image(ids.image) {
    Value lane = e.rem(ids.thread, e.c64(32));
    Value warp = e.div(ids.thread, e.c64(32));
    Value group = e.div(lane, e.c64(4)), inGroup = e.rem(lane, e.c64(4));
    Value warpM = e.rem(warp, e.c64(qg::kConvWarpsM));
    Value warpN = e.div(warp, e.c64(qg::kConvWarpsM));
    Value m0 = e.add(e.mul(ids.blockX, e.c64(qg::kConvBlockRows)),
                     e.mul(warpM, e.c64(16 * qg::kConvWarpTilesM)));
    Value n0 = e.add(e.mul(ids.blockY, e.c64(qg::kConvBlockCols)),
                     e.mul(warpN, e.c64(8 * qg::kConvWarpTilesN)));
    for (int64_t i = 0; i < qg::kConvWarpTilesM; ++i) {
      Value rowLo = e.add(m0, e.add(e.c64(16 * i), group));
      rows.append({rowLo, e.add(rowLo, e.c64(8))});
    }
    for (int64_t j = 0; j < qg::kConvWarpTilesN; ++j) {
      Value tile = e.add(n0, e.c64(8 * j));
      cols.push_back(e.add(tile, group));
      colsC.push_back(e.add(tile, e.mul(inGroup, e.c64(2))));
    }
    kOffset = e.mul(inGroup, e.c64(4));
  }
};

/// What a lane computes once, before its k loop: where its A rows read the
/// input, where its B columns start in the weights.
struct LaneSources {
  SmallVector<RowSource, 2 * qg::kConvWarpTilesM> rows;
  SmallVector<Value, qg::kConvWarpTilesN> weightRows;

  LaneSources(const Emitter &e, const Layer &l, const Lane &lane) {
    for (Value row : lane.rows)
      rows.emplace_back(e, l, lane.image, row);
    Value depth = e.roundUp(l.k, qg::kConvStepK);
    for (Value col : lane.cols)
      weightRows.push_back(e.mul(col, depth));
  }
};

/// The lane's operands of the mma.syncs over k0 .. k0 + 31, in
/// kConvFragmentRegisters registers: for each row of tiles i, the A
/// registers (row g, k 4t..), (row g + 8, k 4t..), (row g, k 16 + 4t..),
/// (row g + 8, k 16 + 4t..); then for each column of tiles j, the B
/// registers (channel g, k 4t..) and (channel g, k 16 + 4t..).
SmallVector<Value> emitFragments(const Emitter &e, const Layer &l,
                                 const Lane &lane, const LaneSources &sources,
                                 Value input, Value weights, Value k0,
                                 bool wordLoads) {
  Value kA = e.add(k0, lane.kOffset), kB = e.add(kA, e.c64(16));
  SmallVector<Value> registers;
  for (int64_t i = 0; i < qg::kConvWarpTilesM; ++i)
    for (Value k : {kA, kB})
      for (int64_t half = 0; half < 2; ++half)
        registers.push_back(loadActivations(
            e, l, input, sources.rows[2 * i + half], k, wordLoads));
  for (Value weightRow : sources.weightRows)
    for (Value k : {kA, kB})
      registers.push_back(e.loadWord(weights, e.add(weightRow, k)));
  return registers;
}

/// The sums of tile (i, j) after one step: D = A_i B_j + C.
SmallVector<Value> emitMma(const Emitter &e, ArrayRef<Value> fragments,
                           ValueRange sums) {
  Type i32 = e.i32();
  Type resultType =
      LLVM::LLVMStructType::getLiteral(e.b.getContext(), {i32, i32, i32, i32});
  SmallVector<Value> next;
  for (int64_t i = 0; i < qg::kConvWarpTilesM; ++i)
    for (int64_t j = 0; j < qg::kConvWarpTilesN; ++j) {
      ArrayRef<Value> a = fragments.slice(4 * i, 4);
      ArrayRef<Value> b = fragments.slice(4 * qg::kConvWarpTilesM + 2 * j, 2);
      Value d = NVVM::MmaOp::create(
          e.b, e.loc, resultType, a, b,
          sums.slice(4 * (i * qg::kConvWarpTilesN + j), 4), {16, 8, 32},
          std::nullopt, NVVM::MMAIntOverflow::wrapped,
          std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::s8, NVVM::MMATypes::s8},
          std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                         NVVM::MMALayout::col});
      for (int64_t r = 0; r < 4; ++r)
        next.push_back(LLVM::ExtractValueOp::create(e.b, e.loc, d, r));
    }
  return next;
}

/// Stores the lane's C fragments: of tile (i, j), sums 4 (i N' + j) + 0
/// and + 1 in row g, channels 2t and 2t + 1; + 2 and + 3 eight rows lower.
void emitEpilogue(const Emitter &e, const Layer &l, const Lane &lane,
                  Value bias, Value requant, Value output, ValueRange sums) {
  for (int64_t i = 0; i < qg::kConvWarpTilesM; ++i)
    for (int64_t j = 0; j < qg::kConvWarpTilesN; ++j)
      for (int64_t r = 0; r < 4; ++r) {
        Value row = lane.rows[2 * i + r / 2];
        Value col = e.add(lane.colsC[j], e.c64(r % 2));
        storeResult(e, l, bias, requant, output, lane.image, row, col,
                    sums[4 * (i * qg::kConvWarpTilesN + j) + r]);
      }
}

/// Whether the layer's activations load a word at a time
/// (loadActivations).
Value takesWordLoads(const Emitter &e, const Layer &l) {
  return e.equal(e.rem(l.inC, e.c64(4)), 0);
}

/// The k loop: kConvAccumulators sums, loads of the given kind.
ValueRange emitMainLoop(const Emitter &e, const Layer &l, const Lane &lane,
                        const LaneSources &sources, Value input, Value weights,
                        bool wordLoads) {
  Value zero = e.c32(0);
  auto loop = scf::ForOp::create(
      e.b, e.loc, e.c64(0), e.roundUp(l.k, qg::kConvStepK),
      e.c64(qg::kConvStepK), SmallVector<Value>(qg::kConvAccumulators, zero),
      [&](OpBuilder &b, Location loc, Value k0, ValueRange sums) {
        Emitter in{b, loc};
        SmallVector<Value> fragments =
            emitFragments(in, l, lane, sources, input, weights, k0, wordLoads);
        scf::YieldOp::create(b, loc, emitMma(in, fragments, sums));
      });
  return loop.getResults();
}

} // namespace

void gpu_kernels::buildConvS8Kernel(OpBuilder &builder, Location loc) {
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  auto kernel = gpu::GPUFuncOp::create(
      builder, loc, qg::kConvS8KernelName,
      builder.getFunctionType(SmallVector<Type>(6, ptr), {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                  builder.getUnitAttr());
  kernel.setKnownBlockSizeAttr(
      builder.getDenseI32ArrayAttr({int32_t(qg::kConvBlockThreads), 1, 1}));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&kernel.getBody().front());
  Emitter e{builder, loc};
  ValueRange args = kernel.getArguments();
  Value input = args[0], weights = args[1], bias = args[2], requant = args[3],
        params = args[4], output = args[5];
  Layer l(e, params);
  Lane lane(e, KernelIds::fromGpu(e));
  LaneSources sources(e, l, lane);
  // Two copies of the loop, one per kind of activation load: the choice is
  // the layer's, the same for every thread.
  SmallVector<Type> sumTypes(qg::kConvAccumulators, e.i32());
  auto sums = scf::IfOp::create(builder, loc, sumTypes, takesWordLoads(e, l),
                                /*withElseRegion=*/true);
  for (bool wordLoads : {true, false}) {
    OpBuilder::InsertionGuard inBranch(builder);
    builder.setInsertionPointToStart(wordLoads ? sums.thenBlock()
                                               : sums.elseBlock());
    scf::YieldOp::create(
        builder, loc,
        emitMainLoop(e, l, lane, sources, input, weights, wordLoads));
  }
  emitEpilogue(e, l, lane, bias, requant, output, sums.getResults());
  gpu::ReturnOp::create(builder, loc);
}

void mlir::quantx::buildConvS8LaneFunctions(OpBuilder &builder,
                                            ModuleOp module) {
  OpBuilder::InsertionGuard guard(builder);
  Location loc = module.getLoc();
  builder.setInsertionPointToEnd(module.getBody());
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  Type i64 = builder.getI64Type();
  // fragments(input, weights, params, image, blockX, blockY, thread, k0,
  // out): out[0 .. kConvFragmentRegisters) = the lane's A and B registers.
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
    LaneSources sources(e, l, lane);
    auto loads = scf::IfOp::create(builder, loc, takesWordLoads(e, l),
                                   /*withElseRegion=*/true);
    for (bool wordLoads : {true, false}) {
      OpBuilder::InsertionGuard inBranch(builder);
      Block *branch = wordLoads ? loads.thenBlock() : loads.elseBlock();
      builder.setInsertionPoint(branch->getTerminator());
      for (auto [i, value] : llvm::enumerate(
               emitFragments(e, l, lane, sources, a[0], a[1], a[7], wordLoads)))
        e.store(value, a[8], e.c64(i));
    }
    func::ReturnOp::create(builder, loc);
  }
  // epilogue(bias, requant, params, output, image, blockX, blockY, thread,
  // sums): stores the lane's C fragments, sums[0 .. kConvAccumulators).
  auto epilogue = func::FuncOp::create(
      builder, loc, "quantx_conv_s8_epilogue",
      builder.getFunctionType({ptr, ptr, ptr, ptr, i64, i64, i64, i64, ptr},
                              {}));
  OpBuilder::InsertionGuard inner(builder);
  Block *body = epilogue.addEntryBlock();
  builder.setInsertionPointToStart(body);
  Emitter e{builder, loc};
  ValueRange a = body->getArguments();
  Layer l(e, a[2]);
  Lane lane(e, KernelIds{a[7], a[5], a[6], a[4]});
  SmallVector<Value> sums;
  for (int64_t i = 0; i < qg::kConvAccumulators; ++i)
    sums.push_back(e.load(a[8], e.c64(i), e.i32()));
  emitEpilogue(e, l, lane, a[0], a[1], a[3], sums);
  func::ReturnOp::create(builder, loc);
}
