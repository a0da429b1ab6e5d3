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
// packGpuWeights).
//
// Per stage of 64 k, the block's 128 threads copy its A tile (64 pixels,
// gathered, padding resolved) and B tile (64 channels) into shared memory,
// each byte once; each warp then loads its fragments from there with
// ldmatrix and issues one mma.sync per tile of its 2 x 4 (16 x 8 each),
// with wrapping int32 accumulation (as the CPU's). The next stage's global
// loads are issued before the current stage's tensor-core work, into
// registers, so that they overlap. The epilogue adds the bias and
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
/// window's corner and its input channel, as an input index offset. The tap
/// is divided out of k in 32 bits: runsOnGpu takes only layers whose k, up
/// to the last stage's, stays below 2^31.
struct TapSource {
  Value live, down, right, offset;

  TapSource(const Emitter &e, const Layer &l, Value k) {
    live = e.below(k, l.k);
    Value k32 = e.narrow(k), rowRun = e.narrow(l.rowRun);
    Value inC = e.narrow(l.inC);
    Value rest = e.rem(k32, rowRun);
    Value kh = e.widen(e.div(k32, rowRun));
    Value kw = e.widen(e.div(rest, inC)), c = e.widen(e.rem(rest, inC));
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

/// The taps of the four k from `k` (a multiple of 4) that a word of A
/// covers. With `wordLoads` (the input's channels are a multiple of 4:
/// every layer but a 3-channel stem), the four are consecutive channels of
/// one tap, so one TapSource serves: one load and one index per row.
/// Otherwise four byte loads, each with its own tap.
SmallVector<TapSource, 4> getWordTaps(const Emitter &e, const Layer &l, Value k,
                                      bool wordLoads) {
  SmallVector<TapSource, 4> taps;
  for (int64_t j = 0; j < (wordLoads ? 1 : 4); ++j)
    taps.emplace_back(e, l, j == 0 ? k : e.add(k, e.c64(j)));
  return taps;
}

/// The four A bytes of `row` at the word's taps, packed as packFour orders
/// them: pad values in the padding, zeros past M or K.
Value loadActivations(const Emitter &e, const Layer &l, Value input,
                      const RowSource &row, ArrayRef<TapSource> taps) {
  if (taps.size() == 1) {
    ActivationSource at(e, l, row, taps[0]);
    return at.choose(e, l, e.loadWord(input, at.index), 4);
  }
  return packFour(e, [&](int64_t j) {
    ActivationSource at(e, l, row, taps[j]);
    Value byte = e.load(input, at.index, e.i8());
    return at.choose(e, l, arith::ExtUIOp::create(e.b, e.loc, e.i32(), byte),
                     1);
  });
}

/// What a thread copies into shared memory in each stage, and where, the
/// part that does not depend on k (computed once, before the k loop).
/// Sixteen threads share an A row, each taking one word (four k) of the
/// stage's 64: thread t stages word t % 16 of the block's rows t / 16 + 8 i.
/// Four threads share a B row, each taking 16 bytes: thread t stages chunk
/// t % 4 of channels t / 4 + 32 i.
struct Stager {
  static constexpr int64_t kWordsPerRow = qg::kConvStageK / 4;
  static constexpr int64_t kRowStep = qg::kConvBlockThreads / kWordsPerRow;
  static constexpr int64_t kRows = qg::kConvBlockRows / kRowStep;
  static constexpr int64_t kChunksPerRow = qg::kConvStageK / 16;
  static constexpr int64_t kChannelStep = qg::kConvBlockThreads / kChunksPerRow;
  static constexpr int64_t kChannels = qg::kConvBlockCols / kChannelStep;

  SmallVector<RowSource, kRows> rows;
  /// The word's first k within a stage.
  Value wordK;
  /// Where each B channel's chunk starts in the weights, at k = 0.
  SmallVector<Value, kChannels> weightChunks;
  /// Shared-memory byte offsets of the first A word and B chunk; the others
  /// follow at kRowStep and kChannelStep rows.
  Value sharedA, sharedB;

  Stager(const Emitter &e, const Layer &l, const KernelIds &ids) {
    Value rowInBlock = e.div(ids.thread, e.c64(kWordsPerRow));
    Value word = e.rem(ids.thread, e.c64(kWordsPerRow));
    Value m0 = e.mul(ids.blockX, e.c64(qg::kConvBlockRows));
    for (int64_t i = 0; i < kRows; ++i)
      rows.emplace_back(e, l, ids.image,
                        e.add(m0, e.add(rowInBlock, e.c64(i * kRowStep))));
    wordK = e.mul(word, e.c64(4));
    Value channelInBlock = e.div(ids.thread, e.c64(kChunksPerRow));
    Value chunk = e.mul(e.rem(ids.thread, e.c64(kChunksPerRow)), e.c64(16));
    Value n0 = e.mul(ids.blockY, e.c64(qg::kConvBlockCols));
    Value depth = e.roundUp(l.k, qg::kConvStageK);
    for (int64_t i = 0; i < kChannels; ++i) {
      Value channel = e.add(n0, e.add(channelInBlock, e.c64(i * kChannelStep)));
      weightChunks.push_back(e.add(e.mul(channel, depth), chunk));
    }
    Value rowBytes = e.c64(qg::kConvSharedRowBytes);
    sharedA = e.add(e.mul(rowInBlock, rowBytes), wordK);
    sharedB =
        e.add(e.mul(e.add(channelInBlock, e.c64(qg::kConvBlockRows)), rowBytes),
              chunk);
  }

  /// The thread's global loads of the stage at k0: kRows A words (i32) and
  /// kChannels B chunks (i32x4).
  SmallVector<Value> load(const Emitter &e, const Layer &l, Value input,
                          Value weights, Value k0, bool wordLoads) const {
    SmallVector<Value> loaded;
    SmallVector<TapSource, 4> taps =
        getWordTaps(e, l, e.add(k0, wordK), wordLoads);
    for (const RowSource &row : rows)
      loaded.push_back(loadActivations(e, l, input, row, taps));
    for (Value chunk : weightChunks)
      loaded.push_back(e.loadAt(weights, e.add(chunk, k0), e.i32x4()));
    return loaded;
  }

  /// Stores what `load` returned into the shared tiles at `shared`.
  void store(const Emitter &e, Value shared, ValueRange loaded) const {
    for (int64_t i = 0; i < kRows; ++i)
      e.storeAt(loaded[i], shared,
                e.add(sharedA, e.c64(i * kRowStep * qg::kConvSharedRowBytes)));
    for (int64_t i = 0; i < kChannels; ++i)
      e.storeAt(
          loaded[kRows + i], shared,
          e.add(sharedB, e.c64(i * kChannelStep * qg::kConvSharedRowBytes)));
  }
};

/// The shared-memory byte offsets a lane gives its warp's kConvLdMatrixCalls
/// ldmatrix.x4 of the mma step at k `kk` within a stage. Matrix q of an
/// ldmatrix.x4 is the 8 rows of 16 bytes that lanes 8q .. 8q + 7 address,
/// and it lands in the call's register q: lane L gets bytes 4 (L % 4) ..
/// + 3 of row L / 4, as mma.m16n8k32 .s8 wants its fragments.
/// - Row of tiles i: lane L addresses A row 16 i + L % 16 of the warp's,
///   bytes kk + 16 (L / 16): matrices (rows 0-7, k 0-15), (8-15, 0-15),
///   (0-7, 16-31), (8-15, 16-31) of the tile, its registers a0 .. a3.
/// - Columns of tiles 2p and 2p + 1: lane L addresses B channel
///   8 (2p + L / 16) + L % 8 of the warp's, bytes kk + 16 ((L / 8) % 2): the
///   registers b0, b1 of tile 2p, then of tile 2p + 1.
SmallVector<Value> getLdMatrixOffsets(const Emitter &e, Value thread,
                                      Value kk) {
  Value lane = e.rem(thread, e.c64(32)), warp = e.div(thread, e.c64(32));
  Value warpM = e.rem(warp, e.c64(qg::kConvWarpsM));
  Value warpN = e.div(warp, e.c64(qg::kConvWarpsM));
  Value rowBytes = e.c64(qg::kConvSharedRowBytes);
  Value half = e.mul(e.div(lane, e.c64(16)), e.c64(16));
  SmallVector<Value> offsets;
  for (int64_t i = 0; i < qg::kConvWarpTilesM; ++i) {
    Value row = e.add(e.mul(warpM, e.c64(16 * qg::kConvWarpTilesM)),
                      e.add(e.c64(16 * i), e.rem(lane, e.c64(16))));
    offsets.push_back(e.add(e.mul(row, rowBytes), e.add(kk, half)));
  }
  Value secondK = e.mul(e.rem(e.div(lane, e.c64(8)), e.c64(2)), e.c64(16));
  Value tileOfLane = e.div(lane, e.c64(16));
  for (int64_t p = 0; p < qg::kConvWarpTilesN / 2; ++p) {
    Value tile = e.add(e.c64(2 * p), tileOfLane);
    Value channel =
        e.add(e.c64(qg::kConvBlockRows),
              e.add(e.mul(warpN, e.c64(8 * qg::kConvWarpTilesN)),
                    e.add(e.mul(tile, e.c64(8)), e.rem(lane, e.c64(8)))));
    offsets.push_back(e.add(e.mul(channel, rowBytes), e.add(kk, secondK)));
  }
  return offsets;
}

/// The lane's kConvFragmentRegisters registers of the mma step at `kk`,
/// loaded from the shared tiles with ldmatrix: the four A registers of
/// each row of tiles, then b0, b1 of each column of tiles.
SmallVector<Value> emitLdMatrix(const Emitter &e, Value shared, Value thread,
                                Value kk) {
  MLIRContext *context = e.b.getContext();
  Type i32 = e.i32();
  Type four = LLVM::LLVMStructType::getLiteral(context, {i32, i32, i32, i32});
  SmallVector<Value> registers;
  for (Value offset : getLdMatrixOffsets(e, thread, kk)) {
    Value matrices = NVVM::LdMatrixOp::create(
        e.b, e.loc, four, e.at(shared, offset, e.i8()), /*num=*/4,
        NVVM::MMALayout::row, NVVM::LdStMatrixShapeAttr::get(context, 8, 8),
        NVVM::LdStMatrixEltType::B16);
    for (int64_t q = 0; q < 4; ++q)
      registers.push_back(
          LLVM::ExtractValueOp::create(e.b, e.loc, matrices, q));
  }
  return registers;
}

/// One lane's place in the C tiles (PTX ISA, mma.m16n8k32 with .s32
/// results): for row of tiles i, output pixels g and g + 8 of the tile's 16
/// (at rows[2 i] and rows[2 i + 1]); for column of tiles j, the first of
/// the two channels it holds (2t); g = lane / 4, t = lane % 4.
struct Lane {
  Value image;
  SmallVector<Value, 2 * qg::kConvWarpTilesM> rows;
  SmallVector<Value, qg::kConvWarpTilesN> colsC;

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
    for (int64_t j = 0; j < qg::kConvWarpTilesN; ++j)
      colsC.push_back(e.add(e.add(n0, e.c64(8 * j)), e.mul(inGroup, e.c64(2))));
  }
};

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

/// Whether the layer's activations load a word at a time (getWordTaps).
Value takesWordLoads(const Emitter &e, const Layer &l) {
  return e.equal(e.rem(l.inC, e.c64(4)), 0);
}

/// The k loop, with loads of the given kind. Per stage: the next stage's
/// global loads issued (the last stage reloads itself rather than branch),
/// then the current stage's registers stored to shared memory between two
/// barriers (the first so that no warp still reads the previous stage),
/// then the stage's mma steps, while the loads are in flight. The loads
/// come first so that the barriers sit between them and the end of the
/// iteration: otherwise LLVM folds the loop-carried loads into one load at
/// the loop's top, which waits for memory right before its store. Returns
/// the kConvAccumulators sums.
ValueRange emitMainLoop(const Emitter &e, const Layer &l, const Stager &stager,
                        Value thread, Value shared, Value input, Value weights,
                        bool wordLoads) {
  Value depth = e.roundUp(l.k, qg::kConvStageK);
  SmallVector<Value> initial(qg::kConvAccumulators, e.c32(0));
  llvm::append_range(initial,
                     stager.load(e, l, input, weights, e.c64(0), wordLoads));
  auto loop = scf::ForOp::create(
      e.b, e.loc, e.c64(0), depth, e.c64(qg::kConvStageK), initial,
      [&](OpBuilder &b, Location loc, Value k0, ValueRange carried) {
        Emitter in{b, loc};
        Value next = in.add(k0, in.c64(qg::kConvStageK));
        SmallVector<Value> prefetched =
            stager.load(in, l, input, weights,
                        in.select(in.below(next, depth), next, k0), wordLoads);
        gpu::BarrierOp::create(b, loc);
        stager.store(in, shared, carried.drop_front(qg::kConvAccumulators));
        gpu::BarrierOp::create(b, loc);
        SmallVector<Value> results(carried.take_front(qg::kConvAccumulators));
        for (int64_t kk = 0; kk < qg::kConvStageK; kk += qg::kConvStepK)
          results = emitMma(in, emitLdMatrix(in, shared, thread, in.c64(kk)),
                            results);
        llvm::append_range(results, prefetched);
        scf::YieldOp::create(b, loc, results);
      });
  return loop.getResults().take_front(qg::kConvAccumulators);
}

} // namespace

void gpu_kernels::buildConvS8Kernel(OpBuilder &builder, Location loc) {
  // The shared tiles: a global of the gpu.module in the shared address
  // space, 16-byte aligned for ldmatrix and the 128-bit stores.
  auto tiles = LLVM::GlobalOp::create(
      builder, loc,
      LLVM::LLVMArrayType::get(builder.getI8Type(), qg::kConvSharedBytes),
      /*isConstant=*/false, LLVM::Linkage::Internal,
      std::string(qg::kConvS8KernelName) + "_tiles", Attribute(),
      /*alignment=*/16, /*addrSpace=*/3);
  OpBuilder::InsertionGuard guard(builder);
  gpu::GPUFuncOp kernel = createKernelFunction(
      builder, loc, qg::kConvS8KernelName, qg::kConvBlockThreads);
  Emitter e{builder, loc};
  ValueRange args = kernel.getArguments();
  Value input = args[0], weights = args[1], bias = args[2], requant = args[3],
        params = args[4], output = args[5];
  Value shared = LLVM::AddressOfOp::create(builder, loc, tiles);
  Layer l(e, params);
  KernelIds ids = KernelIds::fromGpu(e);
  Stager stager(e, l, ids);
  // Two copies of the loop, one per kind of activation load: the choice is
  // the layer's, the same for every thread.
  SmallVector<Type> sumTypes(qg::kConvAccumulators, e.i32());
  auto sums = scf::IfOp::create(builder, loc, sumTypes, takesWordLoads(e, l),
                                /*withElseRegion=*/true);
  for (bool wordLoads : {true, false}) {
    OpBuilder::InsertionGuard inBranch(builder);
    builder.setInsertionPointToStart(wordLoads ? sums.thenBlock()
                                               : sums.elseBlock());
    scf::YieldOp::create(builder, loc,
                         emitMainLoop(e, l, stager, ids.thread, shared, input,
                                      weights, wordLoads));
  }
  emitEpilogue(e, l, Lane(e, ids), bias, requant, output, sums.getResults());
  gpu::ReturnOp::create(builder, loc);
}

void mlir::quantx::buildConvS8LaneFunctions(OpBuilder &builder,
                                            ModuleOp module) {
  Type ptr = LLVM::LLVMPointerType::get(builder.getContext());
  Type i64 = builder.getI64Type();
  // stage(input, weights, params, image, blockX, blockY, thread, k0,
  // shared): the thread's loads of the stage at k0, stored into `shared`.
  buildHostFunction(
      builder, module, "quantx_conv_s8_stage",
      {ptr, ptr, ptr, i64, i64, i64, i64, i64, ptr},
      [&](const Emitter &e, ValueRange a) {
        Layer l(e, a[2]);
        Stager stager(e, l, KernelIds{a[6], a[4], a[5], a[3]});
        auto kinds = scf::IfOp::create(e.b, e.loc, takesWordLoads(e, l),
                                       /*withElseRegion=*/true);
        for (bool wordLoads : {true, false}) {
          OpBuilder::InsertionGuard inBranch(e.b);
          Block *branch = wordLoads ? kinds.thenBlock() : kinds.elseBlock();
          e.b.setInsertionPoint(branch->getTerminator());
          stager.store(e, a[8], stager.load(e, l, a[0], a[1], a[7], wordLoads));
        }
      });
  // ldmatrix_offsets(thread, kk, out): out[0 .. kConvLdMatrixCalls) = the
  // shared-memory offsets the lane gives its warp's ldmatrix.x4 calls.
  buildHostFunction(builder, module, "quantx_conv_s8_ldmatrix_offsets",
                    {i64, i64, ptr}, [&](const Emitter &e, ValueRange a) {
                      for (auto [i, offset] :
                           llvm::enumerate(getLdMatrixOffsets(e, a[0], a[1])))
                        e.store(offset, a[2], e.c64(i));
                    });
  // epilogue(bias, requant, params, output, image, blockX, blockY, thread,
  // sums): stores the lane's C fragments, sums[0 .. kConvAccumulators).
  buildHostFunction(builder, module, "quantx_conv_s8_epilogue",
                    {ptr, ptr, ptr, ptr, i64, i64, i64, i64, ptr},
                    [&](const Emitter &e, ValueRange a) {
                      Layer l(e, a[2]);
                      SmallVector<Value> sums;
                      for (int64_t i = 0; i < qg::kConvAccumulators; ++i)
                        sums.push_back(e.load(a[8], e.c64(i), e.i32()));
                      emitEpilogue(e, l,
                                   Lane(e, KernelIds{a[7], a[5], a[6], a[4]}),
                                   a[0], a[1], a[3], sums);
                    });
}
