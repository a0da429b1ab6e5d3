//===- TosaToKernels.cpp - conv/matmul to packed runtime kernels ----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Replaces TOSA conv2d, depthwise_conv2d and matmul with constant weights
// (int8 x int8 -> int32 and float) by `quantx.kernel_call`s of the runtime
// kernels, with the weights packed at compile time for the kernel's ISA. A
// preceding spatial tosa.pad is folded into the kernel's padding; constant
// bias adds after a matmul are folded into the bias; a following per-tensor
// or per-channel `quantx.rescale` to int8 becomes the kernel's epilogue.
// Anything else is left to the reference lowering.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Conversion/Passes.h"
#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Dialect/QuantX/IR/TensorSizes.h"
#include "quant-x/Runtime/Kernels.h"

#include "ConstantOperands.h"
#include "SignValues.h"

#include <unistd.h>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/Matchers.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_LOWERTOKERNELS
#include "quant-x/Conversion/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;
namespace kernels = ::quantx::kernels;

namespace {

/// What a conv-like op reads and computes, before packing.
struct KernelPlan {
  bool isInt = true;
  Value input;
  std::vector<int64_t> params = std::vector<int64_t>(kernels::kNumParams, 0);
  int64_t inputZp = 0, weightZp = 0;
  /// The op whose result the kernel replaces (the fused rescale, if any).
  Operation *last = nullptr;
  /// The ops the kernel replaces, producers first, and the folded tosa.pad
  /// and tosa.slice crops.
  SmallVector<Operation *> chain;
  Operation *pad = nullptr;
  SmallVector<Operation *> slices;
};

class KernelLowering {
public:
  KernelLowering(kernels::Isa targetIsa, int64_t lowBitMinWeights)
      : targetIsa(targetIsa), lowBitMinWeights(lowBitMinWeights) {}

  void lower(func::FuncOp func) {
    SmallVector<Operation *> candidates;
    func.walk([&](Operation *op) {
      if (isa_and_present<tosa::Conv2DOp, tosa::DepthwiseConv2DOp,
                          tosa::MatMulOp, tosa::MaxPool2dOp>(op))
        candidates.push_back(op);
    });
    for (Operation *op : candidates) {
      if (auto conv = dyn_cast<tosa::Conv2DOp>(op))
        lowerConv(conv);
      else if (auto conv = dyn_cast<tosa::DepthwiseConv2DOp>(op))
        lowerDepthwise(conv);
      else if (auto pool = dyn_cast<tosa::MaxPool2dOp>(op))
        lowerMaxPool(pool);
      else
        lowerMatmul(cast<tosa::MatMulOp>(op));
    }
  }

private:
  kernels::Isa targetIsa;
  /// The fewest weights a 2-bit layer keeps 2-bit in the kernel's memory.
  int64_t lowBitMinWeights;

  /// The ISA and the NHWC window geometry of a conv or pool.
  void setWindow(std::vector<int64_t> &p, RankedTensorType in,
                 RankedTensorType out, ArrayRef<int64_t> kernel,
                 ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
                 int64_t padTop, int64_t padLeft) const {
    p[kernels::kIsa] = int64_t(targetIsa);
    p[kernels::kBatch] = in.getDimSize(0);
    p[kernels::kInH] = in.getDimSize(1);
    p[kernels::kInW] = in.getDimSize(2);
    p[kernels::kInC] = in.getDimSize(3);
    p[kernels::kOutH] = out.getDimSize(1);
    p[kernels::kOutW] = out.getDimSize(2);
    p[kernels::kOutC] = out.getDimSize(3);
    p[kernels::kKernelH] = kernel[0];
    p[kernels::kKernelW] = kernel[1];
    p[kernels::kStrideH] = stride[0];
    p[kernels::kStrideW] = stride[1];
    p[kernels::kDilationH] = dilation[0];
    p[kernels::kDilationW] = dilation[1];
    p[kernels::kPadTop] = padTop;
    p[kernels::kPadLeft] = padLeft;
  }

  /// Fills the geometry of a 2-D convolution, folding a preceding tosa.pad
  /// of H and W. Fails for types or padding the kernels do not take.
  LogicalResult planConv(Operation *op, Value input, Value inputZp,
                         Value weightZp, ArrayRef<int64_t> pad,
                         ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
                         int64_t kernelH, int64_t kernelW, KernelPlan &plan) {
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!inType.hasStaticShape() || !outType.hasStaticShape())
      return failure();
    Type inElem = inType.getElementType(), outElem = outType.getElementType();
    plan.isInt = inElem.isInteger(8);
    if (plan.isInt ? !outElem.isInteger(32)
                   : !(inElem.isF32() && outElem.isF32()))
      return failure();
    std::optional<int64_t> zpIn = getConstantInt(inputZp);
    std::optional<int64_t> zpW = getConstantInt(weightZp);
    if (plan.isInt && (!zpIn || !zpW))
      return failure();
    plan.inputZp = zpIn.value_or(0);
    plan.weightZp = zpW.value_or(0);

    std::vector<int64_t> &p = plan.params;
    SmallVector<int64_t, 4> pads(pad.begin(), pad.end());
    // Fold tosa.pad of H and W: its fill must equal what the conv's own
    // padding reads (the input zero point; 0 for float), or the conv must
    // not pad.
    int64_t padValue = plan.inputZp;
    if (auto padOp = input.getDefiningOp<tosa::PadOp>()) {
      SmallVector<int64_t> padding;
      std::optional<int64_t> intFill = getConstantInt(padOp.getPadConst());
      std::optional<double> floatFill = getConstantFloat(padOp.getPadConst());
      bool convPads = llvm::any_of(pad, [](int64_t v) { return v != 0; });
      if (tosa::getConstShapeValues(padOp.getPadding().getDefiningOp(),
                                    padding) &&
          padding.size() == 8 && padding[0] == 0 && padding[1] == 0 &&
          padding[6] == 0 && padding[7] == 0 &&
          (plan.isInt ? intFill && (!convPads || *intFill == plan.inputZp)
                      : floatFill && *floatFill == 0.0)) {
        input = padOp.getInput1();
        plan.pad = padOp;
        inType = cast<RankedTensorType>(input.getType());
        if (plan.isInt)
          padValue = *intFill;
        for (int i = 0; i < 4; ++i)
          pads[i] += padding[2 + i];
      }
    }
    // Fold a crop of the bottom/right edge (the importer trims rows a strided
    // conv never reads) when the kernel reads no row or column past it,
    // where the crop would have made it read padding.
    while (auto slice = input.getDefiningOp<tosa::SliceOp>()) {
      SmallVector<int64_t> start, size;
      auto sliceIn = cast<RankedTensorType>(slice.getInput1().getType());
      int64_t lastH = (outType.getDimSize(1) - 1) * stride[0] - pads[0] +
                      (kernelH - 1) * dilation[0];
      int64_t lastW = (outType.getDimSize(2) - 1) * stride[1] - pads[2] +
                      (kernelW - 1) * dilation[1];
      if (tosa::getConstShapeValues(slice.getStart().getDefiningOp(), start) &&
          tosa::getConstShapeValues(slice.getSize().getDefiningOp(), size) &&
          sliceIn.hasStaticShape() &&
          llvm::all_of(start, [](int64_t v) { return v == 0; }) &&
          size.size() == 4 && size[0] == sliceIn.getDimSize(0) &&
          size[3] == sliceIn.getDimSize(3) && lastH < size[1] &&
          lastW < size[2]) {
        input = slice.getInput1();
        inType = sliceIn;
        plan.slices.push_back(slice);
        continue;
      }
      break;
    }
    plan.input = input;
    setWindow(p, inType, outType, {kernelH, kernelW}, stride, dilation, pads[0],
              pads[2]);
    p[kernels::kPadValue] = padValue;
    p[kernels::kWeightZeroPoint] = plan.weightZp;
    p[kernels::kDepthMultiplier] = 1;
    return success();
  }

  /// planConv for a conv2d or depthwise_conv2d with static weights.
  template <class ConvOp>
  LogicalResult planConv(ConvOp conv, int64_t kernelH, int64_t kernelW,
                         KernelPlan &plan) {
    if (!cast<RankedTensorType>(conv.getWeight().getType()).hasStaticShape())
      return failure();
    return planConv(conv, conv.getInput(), conv.getInputZp(),
                    conv.getWeightZp(), conv.getPad(), conv.getStride(),
                    conv.getDilation(), kernelH, kernelW, plan);
  }

  /// Fuses a following int8 rescale into the plan's epilogue and returns its
  /// multiplier table, or leaves the accumulator output.
  std::vector<int32_t> planEpilogue(KernelPlan &plan, Operation *producer,
                                    int64_t channels) {
    plan.last = producer;
    if (plan.chain.empty() || plan.chain.back() != producer)
      plan.chain.push_back(producer);
    plan.params[kernels::kOutputKind] =
        int64_t(kernels::OutputKind::Accumulator);
    Value result = producer->getResult(0);
    if (!plan.isInt || !result.hasOneUse())
      return {};
    auto rescale = dyn_cast<RescaleOp>(*result.getUsers().begin());
    if (!rescale)
      return {};
    auto outType = cast<RankedTensorType>(rescale.getType());
    int64_t rank = outType.getRank();
    DyadicAttr dyadic = rescale.getMultiplier();
    bool perChannel = dyadic.size() == size_t(channels) &&
                      rescale.getAxis() == std::optional<int64_t>(rank - 1);
    if (!outType.getElementType().isInteger(8) || rescale.getInputUnsigned() ||
        rescale.getOutputUnsigned() || rescale.getInputZeroPoint() != 0 ||
        !(dyadic.size() == 1 || perChannel))
      return {};
    std::vector<int32_t> table(2 * channels);
    for (int64_t c = 0; c < channels; ++c) {
      size_t i = dyadic.size() == 1 ? 0 : size_t(c);
      table[c] = dyadic.getMultiplier()[i];
      table[channels + c] = dyadic.getShift()[i];
    }
    std::vector<int64_t> &p = plan.params;
    p[kernels::kOutputKind] = int64_t(kernels::OutputKind::Int8);
    p[kernels::kRounding] = int64_t(dyadic.getRounding() == RoundingMode::Single
                                        ? kernels::Rounding::Single
                                        : kernels::Rounding::Double);
    p[kernels::kOutputZeroPoint] = rescale.getOutputZeroPoint();
    p[kernels::kClampMin] = rescale.getOutputMin();
    p[kernels::kClampMax] = rescale.getOutputMax();
    plan.last = rescale;
    plan.chain.push_back(rescale);
    return table;
  }

  /// Whether kernel `kind` accepts the plan's parameters (window geometry,
  /// sizes); what it does not stays with the reference lowering, so that
  /// every emitted call verifies.
  static bool isRunnable(kernels::KernelKind kind, const KernelPlan &plan) {
    kernels::CallSpec spec;
    return kernels::checkParams(kind, plan.params.data(), spec).empty();
  }

  /// A 1-D constant holding raw bytes (packed weights) or typed values.
  static Value bytesConstant(OpBuilder &b, Location loc,
                             ArrayRef<uint8_t> bytes) {
    auto type = RankedTensorType::get({int64_t(bytes.size())}, b.getI8Type());
    ArrayRef<char> raw(reinterpret_cast<const char *>(bytes.data()),
                       bytes.size());
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::getFromRawBuffer(type, raw));
  }
  template <class T>
  static Value vectorConstant(OpBuilder &b, Location loc, ArrayRef<T> values,
                              Type elementType) {
    auto type = RankedTensorType::get({int64_t(values.size())}, elementType);
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, values));
  }

  /// Emits the kernel call replacing `plan.last`.
  void emit(KernelPlan &plan, const char *symbol, ArrayRef<uint8_t> weights,
            Value bias, ArrayRef<int32_t> requant) {
    OpBuilder b(plan.last);
    Location loc = plan.last->getLoc();
    auto outType = cast<RankedTensorType>(plan.last->getResult(0).getType());
    SmallVector<Value> inputs{plan.input, bytesConstant(b, loc, weights), bias};
    if (!requant.empty())
      inputs.push_back(vectorConstant(b, loc, requant, b.getI32Type()));
    Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                         outType.getElementType());
    auto call = KernelCallOp::create(b, loc, TypeRange{outType},
                                     b.getStringAttr(symbol), inputs, init,
                                     b.getDenseI64ArrayAttr(plan.params));
    plan.last->getResult(0).replaceAllUsesWith(call.getResult()[0]);
    // Erase the replaced chain, consumers first, and a folded pad nothing
    // else reads.
    for (Operation *op : llvm::reverse(plan.chain))
      if (op->use_empty())
        op->erase();
    SmallVector<Operation *> folded{plan.pad};
    folded.append(plan.slices);
    for (Operation *op : folded)
      if (op && op->use_empty())
        op->erase();
  }

  Value biasConstant(OpBuilder &b, Location loc, const KernelPlan &plan,
                     ArrayRef<int32_t> intBias, ArrayRef<float> floatBias) {
    return plan.isInt ? vectorConstant(b, loc, intBias, b.getI32Type())
                      : vectorConstant(b, loc, floatBias, b.getF32Type());
  }

  void lowerConv(tosa::Conv2DOp conv) {
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    KernelPlan plan;
    if (failed(planConv(conv, wType.getDimSize(1), wType.getDimSize(2), plan)))
      return;
    int64_t n = wType.getDimSize(0);
    int64_t k = wType.getDimSize(1) * wType.getDimSize(2) * wType.getDimSize(3);
    lowerGemm(plan, conv, conv.getWeight(), /*transposed=*/false,
              /*batches=*/1, n, k, getConstant(conv.getBias()));
  }

  /// Packs W (as [batches][n][k], or [batches][k][n] when `transposed`), and
  /// emits the conv kernel. `weightOperand` is the weights' value: packed
  /// weights without sub-scales stay packed in memory where the ISA expands
  /// them.
  void lowerGemm(KernelPlan &plan, Operation *producer, Value weightOperand,
                 bool transposed, int64_t batches, int64_t n, int64_t k,
                 DenseElementsAttr biasAttr) {
    DenseElementsAttr w = getConstant(weightOperand);
    std::vector<int32_t> requant = planEpilogue(plan, producer, n);
    auto transpose = [&](auto values) {
      if (!transposed)
        return values;
      auto copy = values;
      for (int64_t batch = 0; batch < batches; ++batch)
        for (int64_t row = 0; row < k; ++row)
          for (int64_t col = 0; col < n; ++col)
            copy[(batch * n + col) * k + row] =
                values[(batch * k + row) * n + col];
      return copy;
    };
    // The int8 weights as [batches][n][k].
    std::optional<std::vector<int8_t>> int8Rows;
    if (plan.isInt)
      if (auto weights = getValues<int8_t>(w, batches * n * k))
        int8Rows = transpose(*weights);
    // vpmaddubsw only where no weight pair can saturate it; the exact
    // int16 AVX2 kernel elsewhere.
    kernels::Isa isa = targetIsa;
    if (plan.isInt && isa == kernels::Isa::Avx2Maddubs) {
      if (!int8Rows ||
          !kernels::provesNoPairSaturation(int8Rows->data(), batches * n, k))
        isa = kernels::Isa::Avx2;
      plan.params[kernels::kIsa] = int64_t(isa);
    }
    // Bits per weight the kernel keeps in memory: int4 as nibbles; int2,
    // ternary and binary (+-1) in 2 bits; sub-scaled weights are int8.
    auto unpack = weightOperand.getDefiningOp<mlir::quantx::UnpackWeightsOp>();
    int64_t lowBits = 0;
    if (plan.isInt && unpack && !unpack.getSubscales() && plan.weightZp == 0 &&
        kernels::supportsLowBitWeights(isa))
      lowBits = unpack.getFormat() == mlir::quantx::PackedFormat::Int4 ? 4
                : batches * n * k >= lowBitMinWeights                  ? 2
                                                                       : 0;
    // The kernel decodes each code through a table: two's complement for
    // uniform weights (the codes are the values), the layer's own table for
    // codebook and pow2 weights (whose codes are read from the packed
    // bytes).
    std::optional<std::vector<int8_t>> codes;
    std::array<int8_t, 16> table{};
    if (lowBits)
      table = kernels::getTwosComplementTable(int(lowBits));
    if (lowBits && unpack.getCodebook()) {
      auto codebook = getValues<int8_t>(getConstant(unpack.getCodebook()),
                                        int64_t(1) << lowBits);
      auto bytes = getValues<int8_t>(
          getConstant(unpack.getPacked()),
          cast<ShapedType>(unpack.getPacked().getType()).getNumElements());
      if (codebook && bytes) {
        std::copy(codebook->begin(), codebook->end(), table.begin());
        codes.emplace(batches * n * k);
        for (int64_t i = 0; i < batches * n * k; ++i)
          (*codes)[i] =
              int8_t(mlir::quantx::unpackCode(unpack.getFormat(), *bytes, i));
      } else {
        lowBits = 0;
      }
    }
    if (plan.isInt) {
      plan.params[kernels::kPanelWidth] = kernels::getPanelWidthS8(isa, n);
      plan.params[kernels::kPackedWeightBits] = lowBits;
      kernels::setWeightTable(plan.params.data(), table);
    }
    if (!isRunnable(plan.isInt ? kernels::KernelKind::ConvS8
                               : kernels::KernelKind::ConvF32,
                    plan))
      return;
    OpBuilder b(plan.last);
    Location loc = plan.last->getLoc();
    std::vector<uint8_t> packed;
    if (plan.isInt) {
      auto bias = biasAttr ? getValues<int32_t>(biasAttr, n)
                           : std::vector<int32_t>(n, 0);
      if (!int8Rows || !bias)
        return;
      // The codes the low-bit packing stores: the values themselves, or
      // codebook codes in the same order.
      if (codes)
        codes = transpose(*codes);
      const int8_t *codeRows = codes ? codes->data() : int8Rows->data();
      if (isBinaryLayer(plan, *int8Rows)) {
        lowerBinaryGemm(plan, *int8Rows, batches, n, k, *bias, requant);
        return;
      }
      std::vector<int32_t> folded =
          kernels::foldConvBiasS8(isa, int8Rows->data(), n, k, bias->data(),
                                  plan.inputZp, plan.weightZp);
      for (int64_t batch = 0; batch < batches; ++batch) {
        const int8_t *matrix = int8Rows->data() + batch * n * k;
        std::vector<uint8_t> one =
            lowBits ? kernels::packWeightsLowBit(isa, codeRows + batch * n * k,
                                                 n, k, int(lowBits))
                    : kernels::packWeightsS8(isa, matrix, n, k);
        packed.insert(packed.end(), one.begin(), one.end());
        // Batches share the bias, so their weight sums must agree.
        if (batch > 0 &&
            kernels::foldConvBiasS8(isa, int8Rows->data() + batch * n * k, n, k,
                                    bias->data(), plan.inputZp,
                                    plan.weightZp) != folded)
          return;
      }
      emit(plan, kernels::kConvS8Symbol, packed,
           biasConstant(b, loc, plan, folded, {}), requant);
      return;
    }
    auto weights = getValues<float>(w, batches * n * k);
    auto bias =
        biasAttr ? getValues<float>(biasAttr, n) : std::vector<float>(n, 0.0f);
    if (!weights || !bias)
      return;
    std::vector<float> rows = transpose(*weights);
    for (int64_t batch = 0; batch < batches; ++batch) {
      std::vector<uint8_t> one =
          kernels::packWeightsF32(targetIsa, rows.data() + batch * n * k, n, k);
      packed.insert(packed.end(), one.begin(), one.end());
    }
    emit(plan, kernels::kConvF32Symbol, packed,
         biasConstant(b, loc, plan, {}, *bias), {});
  }

  /// Whether the XNOR-popcount kernel computes the layer exactly: +-1
  /// weights without zero points, activations and padding in {-1, 0, +1}.
  static bool isBinaryLayer(const KernelPlan &plan, ArrayRef<int8_t> weights) {
    int64_t padValue = plan.params[kernels::kPadValue];
    return plan.inputZp == 0 && plan.weightZp == 0 && padValue >= -1 &&
           padValue <= 1 && isSignValued(plan.input) &&
           llvm::all_of(weights, [](int8_t w) { return w == 1 || w == -1; });
  }

  /// Emits the XNOR-popcount kernel for a binary layer's weights `rows`
  /// ([batches][n][k]); the bias needs no zero-point terms.
  void lowerBinaryGemm(KernelPlan &plan, ArrayRef<int8_t> rows, int64_t batches,
                       int64_t n, int64_t k, ArrayRef<int32_t> bias,
                       ArrayRef<int32_t> requant) {
    plan.params[kernels::kPanelWidth] = 0;
    plan.params[kernels::kPackedWeightBits] = 0;
    if (!isRunnable(kernels::KernelKind::ConvB1, plan))
      return;
    std::vector<uint8_t> packed;
    for (int64_t batch = 0; batch < batches; ++batch) {
      std::vector<uint8_t> one =
          kernels::packWeightsBinary(rows.data() + batch * n * k, n, k);
      packed.insert(packed.end(), one.begin(), one.end());
    }
    OpBuilder b(plan.last);
    emit(plan, kernels::kConvB1Symbol, packed,
         biasConstant(b, plan.last->getLoc(), plan, bias, {}), requant);
  }

  void lowerDepthwise(tosa::DepthwiseConv2DOp conv) {
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    KernelPlan plan;
    if (failed(planConv(conv, wType.getDimSize(0), wType.getDimSize(1), plan)))
      return;
    int64_t taps = wType.getDimSize(0) * wType.getDimSize(1);
    int64_t channels = wType.getDimSize(2) * wType.getDimSize(3);
    plan.params[kernels::kDepthMultiplier] = wType.getDimSize(3);
    DenseElementsAttr w = getConstant(conv.getWeight());
    DenseElementsAttr biasAttr = getConstant(conv.getBias());
    std::vector<int32_t> requant = planEpilogue(plan, conv, channels);
    if (!isRunnable(plan.isInt ? kernels::KernelKind::DepthwiseS8
                               : kernels::KernelKind::DepthwiseF32,
                    plan))
      return;
    OpBuilder b(plan.last);
    Location loc = plan.last->getLoc();
    if (plan.isInt) {
      auto weights = getValues<int8_t>(w, taps * channels);
      auto bias = getValues<int32_t>(biasAttr, channels);
      if (!weights || !bias)
        return;
      std::vector<int16_t> packed = kernels::packDepthwiseWeightsS8(
          weights->data(), taps, channels, plan.weightZp);
      std::vector<int32_t> folded = kernels::foldDepthwiseBiasS8(
          packed.data(), taps, channels, bias->data(), plan.inputZp);
      ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(packed.data()),
                              packed.size() * sizeof(int16_t));
      emit(plan, kernels::kDepthwiseS8Symbol, bytes,
           biasConstant(b, loc, plan, folded, {}), requant);
      return;
    }
    auto weights = getValues<float>(w, taps * channels);
    auto bias = getValues<float>(biasAttr, channels);
    if (!weights || !bias)
      return;
    ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>(weights->data()),
                            weights->size() * sizeof(float));
    emit(plan, kernels::kDepthwiseF32Symbol, bytes,
         biasConstant(b, loc, plan, {}, *bias), {});
  }

  /// tosa.max_pool2d of int8 or float (NaN propagates, as in TOSA's default
  /// nan_mode).
  void lowerMaxPool(tosa::MaxPool2dOp pool) {
    auto inType = cast<RankedTensorType>(pool.getInput().getType());
    auto outType = cast<RankedTensorType>(pool.getType());
    Type elem = inType.getElementType();
    if (!inType.hasStaticShape() || !outType.hasStaticShape() ||
        !(elem.isInteger(8) || elem.isF32()))
      return;
    ArrayRef<int64_t> kernel = pool.getKernel(), stride = pool.getStride(),
                      pad = pool.getPad();
    KernelPlan plan;
    plan.input = pool.getInput();
    std::vector<int64_t> &p = plan.params;
    setWindow(p, inType, outType, kernel, stride, {1, 1}, pad[0], pad[2]);
    if (!isRunnable(elem.isF32() ? kernels::KernelKind::MaxPoolF32
                                 : kernels::KernelKind::MaxPoolS8,
                    plan))
      return;
    plan.last = pool;
    plan.chain.push_back(pool);
    OpBuilder b(pool);
    Location loc = pool.getLoc();
    auto call = KernelCallOp::create(
        b, loc, TypeRange{outType},
        b.getStringAttr(elem.isF32() ? kernels::kMaxPoolF32Symbol
                                     : kernels::kMaxPoolS8Symbol),
        ValueRange{plan.input},
        tensor::EmptyOp::create(b, loc, outType.getShape(), elem),
        b.getDenseI64ArrayAttr(p));
    pool.getResult().replaceAllUsesWith(call.getResult()[0]);
    pool.erase();
  }

  /// tosa.matmul [B, M, K] x constant [B, K, N]: a 1x1 convolution over a
  /// 1xM image per batch, with constant [1, 1, N] adds folded into the bias.
  void lowerMatmul(tosa::MatMulOp matmul) {
    auto aType = cast<RankedTensorType>(matmul.getA().getType());
    auto bType = cast<RankedTensorType>(matmul.getB().getType());
    auto outType = cast<RankedTensorType>(matmul.getType());
    DenseElementsAttr w = getConstant(matmul.getB());
    if (!w || !aType.hasStaticShape() || !bType.hasStaticShape() ||
        !outType.hasStaticShape())
      return;
    Type aElem = aType.getElementType(), outElem = outType.getElementType();
    KernelPlan plan;
    plan.isInt = aElem.isInteger(8);
    if (plan.isInt ? !outElem.isInteger(32)
                   : !(aElem.isF32() && outElem.isF32()))
      return;
    std::optional<int64_t> zpA = getConstantInt(matmul.getAZp());
    std::optional<int64_t> zpB = getConstantInt(matmul.getBZp());
    if (plan.isInt && (!zpA || !zpB))
      return;
    plan.inputZp = zpA.value_or(0);
    plan.weightZp = zpB.value_or(0);
    int64_t batches = aType.getDimSize(0), m = aType.getDimSize(1),
            k = aType.getDimSize(2), n = bType.getDimSize(2);
    plan.input = matmul.getA();
    std::vector<int64_t> &p = plan.params;
    p[kernels::kIsa] = int64_t(targetIsa);
    p[kernels::kBatch] = batches;
    p[kernels::kInH] = p[kernels::kOutH] = 1;
    p[kernels::kInW] = p[kernels::kOutW] = m;
    p[kernels::kInC] = k;
    p[kernels::kOutC] = n;
    p[kernels::kKernelH] = p[kernels::kKernelW] = 1;
    p[kernels::kStrideH] = p[kernels::kStrideW] = 1;
    p[kernels::kDilationH] = p[kernels::kDilationW] = 1;
    p[kernels::kPadValue] = plan.inputZp;
    p[kernels::kWeightZeroPoint] = plan.weightZp;
    p[kernels::kWeightsPerBatch] = batches > 1;

    // Fold following adds of constant [1, 1, N] vectors into the bias.
    Operation *producer = matmul;
    plan.chain.push_back(matmul);
    std::vector<int64_t> intBias(n, 0);
    std::vector<double> floatBias(n, 0.0);
    while (producer->getResult(0).hasOneUse()) {
      auto add = dyn_cast<tosa::AddOp>(*producer->getResult(0).user_begin());
      if (!add || add.getType() != outType)
        break;
      Value other = add.getInput1() == producer->getResult(0) ? add.getInput2()
                                                              : add.getInput1();
      auto otherType = cast<RankedTensorType>(other.getType());
      DenseElementsAttr attr = getConstant(other);
      if (!attr || otherType.getNumElements() != n ||
          otherType.getDimSize(2) != n)
        break;
      if (plan.isInt) {
        auto values = getValues<int32_t>(attr, n);
        if (!values)
          break;
        for (int64_t j = 0; j < n; ++j)
          intBias[j] += (*values)[j];
      } else {
        auto values = getValues<float>(attr, n);
        if (!values)
          break;
        for (int64_t j = 0; j < n; ++j)
          floatBias[j] += (*values)[j];
      }
      producer = add;
      plan.chain.push_back(add);
    }
    // The bias attribute the GEMM lowering reads: the folded adds, wrapped
    // to int32 like the reference's adds.
    OpBuilder b(matmul);
    auto biasType = RankedTensorType::get({n}, outElem);
    DenseElementsAttr biasAttr;
    if (plan.isInt) {
      SmallVector<int32_t> wrapped;
      for (int64_t v : intBias)
        wrapped.push_back(static_cast<int32_t>(uint32_t(uint64_t(v))));
      biasAttr = DenseElementsAttr::get(biasType, ArrayRef<int32_t>(wrapped));
    } else {
      SmallVector<float> rounded(floatBias.begin(), floatBias.end());
      biasAttr = DenseElementsAttr::get(biasType, ArrayRef<float>(rounded));
    }
    lowerGemm(plan, producer, matmul.getB(), /*transposed=*/true, batches, n, k,
              biasAttr);
  }
};

/// The host's last-level (L3) cache in bytes, or 32 MiB where the system
/// does not say.
static int64_t getLastLevelCacheBytes() {
  long bytes = sysconf(_SC_LEVEL3_CACHE_SIZE);
  return bytes > 0 ? int64_t(bytes) : int64_t(32) << 20;
}

struct LowerToKernelsPass
    : public mlir::quantx::impl::LowerToKernelsBase<LowerToKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<kernels::Isa> target =
        isaName == "host" ? kernels::getHostIsa() : kernels::parseIsa(isaName);
    if (!target) {
      getOperation().emitError("quantx-lower-to-kernels: unknown isa '")
          << isaName
          << "' (expected host, avx512vnni, avx2-maddubs, avx2 or generic)";
      return signalPassFailure();
    }
    if (!kernels::hostSupports(*target)) {
      getOperation().emitError("quantx-lower-to-kernels: this CPU cannot run "
                               "isa=")
          << isaName;
      return signalPassFailure();
    }
    KernelLowering(*target, lowBitMinWeights >= 0 ? lowBitMinWeights
                                                  : getLastLevelCacheBytes())
        .lower(getOperation());
  }
};

} // namespace
