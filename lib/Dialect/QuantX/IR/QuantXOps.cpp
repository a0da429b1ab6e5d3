//===- QuantXOps.cpp - quantx operation verifiers and folders -------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/Matchers.h"
#include "quant-x/Dialect/QuantX/IR/PackedWeights.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"
#include "quant-x/Runtime/Kernels.h"

#include <numeric>

using namespace mlir;
using namespace mlir::quantx;

#define GET_OP_CLASSES
#include "quant-x/Dialect/QuantX/IR/QuantXOps.cpp.inc"

/// Checks the quantization parameters of a quantized tensor against its shape.
static LogicalResult verifyQuantizedTensor(Operation *op, Type type) {
  auto tensorType = cast<RankedTensorType>(type);
  auto elementType = cast<UniformType>(tensorType.getElementType());
  return elementType.verifyForShape(tensorType.getShape(),
                                    [op] { return op->emitOpError(); });
}

static LogicalResult verifyFloatQuantizedPair(Operation *op, Type floatType,
                                              Type quantizedType) {
  Type floatElement = cast<RankedTensorType>(floatType).getElementType();
  UniformType quantElement = getQuantizedElementType(quantizedType);
  if (quantElement.getExpressedType() != floatElement)
    return op->emitOpError("expressed type ")
           << quantElement.getExpressedType()
           << " of the quantized type does not match the float element type "
           << floatElement;
  return verifyQuantizedTensor(op, quantizedType);
}

LogicalResult QuantizeOp::verify() {
  return verifyFloatQuantizedPair(*this, getInput().getType(),
                                  getOutput().getType());
}

LogicalResult DequantizeOp::verify() {
  return verifyFloatQuantizedPair(*this, getOutput().getType(),
                                  getInput().getType());
}

LogicalResult RequantizeOp::verify() {
  UniformType in = getQuantizedElementType(getInput().getType());
  UniformType out = getQuantizedElementType(getOutput().getType());
  if (in.getExpressedType() != out.getExpressedType())
    return emitOpError("input and output must have the same expressed type, "
                       "got ")
           << in.getExpressedType() << " and " << out.getExpressedType();
  if (failed(verifyQuantizedTensor(*this, getInput().getType())) ||
      failed(verifyQuantizedTensor(*this, getOutput().getType())))
    return failure();
  // The lowering refines both grids to their common one, which can have far
  // more blocks than either (per-axis on rows to per-axis on columns).
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(getInput().getType()).getShape();
  SmallVector<int64_t> inBlocks = in.getParams().getGridBlockSizes(shape);
  SmallVector<int64_t> outBlocks = out.getParams().getGridBlockSizes(shape);
  SmallVector<int64_t> counts;
  for (auto [size, a, b] : llvm::zip_equal(shape, inBlocks, outBlocks))
    counts.push_back(a == size && b == size ? 1 : size / std::gcd(a, b));
  std::optional<int64_t> count = getCheckedProduct(counts);
  if (!count || *count > QuantGrid::kMaxBlocks)
    return emitOpError("requantizing between these granularities needs more "
                       "than ")
           << QuantGrid::kMaxBlocks << " blocks";
  return success();
}

//===----------------------------------------------------------------------===//
// StorageCastOp
//===----------------------------------------------------------------------===//

LogicalResult StorageCastOp::verify() {
  Type inType = getInput().getType(), outType = getOutput().getType();
  UniformType inQuant = getQuantizedElementType(inType);
  UniformType outQuant = getQuantizedElementType(outType);
  if (static_cast<bool>(inQuant) == static_cast<bool>(outQuant))
    return emitOpError("expected exactly one quantized side, got ")
           << inType << " and " << outType;
  UniformType quant = inQuant ? inQuant : outQuant;
  Type storage =
      cast<RankedTensorType>(inQuant ? outType : inType).getElementType();
  if (!storage.isSignlessInteger(quant.getStorageWidth()))
    return emitOpError("expected the storage side to have element type i")
           << quant.getStorageWidth() << ", got " << storage;
  return verifyQuantizedTensor(*this, inQuant ? inType : outType);
}

OpFoldResult StorageCastOp::fold(FoldAdaptor) {
  // storage_cast(storage_cast(x)) is x when the types round-trip.
  auto producer = getInput().getDefiningOp<StorageCastOp>();
  if (producer && producer.getInput().getType() == getType())
    return producer.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

/// I64Attr getters return uint64_t; clamp bounds are signed.
static std::optional<int64_t> signedValue(IntegerAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getInt();
}

static unsigned elementWidth(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementTypeBitWidth();
}

int64_t RescaleOp::getOutputMin() {
  int64_t lo = integerMin(elementWidth(getOutput()), getOutputUnsigned());
  std::optional<int64_t> clampMin = signedValue(getClampMinAttr());
  return clampMin ? std::max(lo, *clampMin) : lo;
}

int64_t RescaleOp::getOutputMax() {
  int64_t hi = integerMax(elementWidth(getOutput()), getOutputUnsigned());
  std::optional<int64_t> clampMax = signedValue(getClampMaxAttr());
  return clampMax ? std::min(hi, *clampMax) : hi;
}

LogicalResult RescaleOp::verify() {
  unsigned inWidth = elementWidth(getInput());
  unsigned outWidth = elementWidth(getOutput());
  // Inputs may also be the int48 accumulators of quantx-widen-accumulators.
  if (inWidth == 0 || outWidth == 0 || (inWidth > 32 && inWidth != 48) ||
      outWidth > 32)
    return emitOpError("expected integers of at most 32 bits (or an i48 "
                       "input), got i")
           << inWidth << " -> i" << outWidth;
  if (inWidth >= 32 && getInputUnsigned())
    return emitOpError("a 32-bit input must be signed");
  int64_t inZp = getInputZeroPoint();
  if (inZp < integerMin(inWidth, getInputUnsigned()) ||
      inZp > integerMax(inWidth, getInputUnsigned()))
    return emitOpError("input zero point ")
           << inZp << " is outside the input range";
  if (inWidth >= 32 && inZp != 0)
    return emitOpError("a 32-bit input needs input zero point 0, got ") << inZp;
  int64_t outZp = getOutputZeroPoint();
  int64_t lo = integerMin(outWidth, getOutputUnsigned());
  int64_t hi = integerMax(outWidth, getOutputUnsigned());
  if (outZp < lo || outZp > hi)
    return emitOpError("output zero point ")
           << outZp << " is outside the output range [" << lo << ", " << hi
           << "]";
  std::optional<int64_t> clampMin = signedValue(getClampMinAttr());
  std::optional<int64_t> clampMax = signedValue(getClampMaxAttr());
  if ((clampMin && (*clampMin < lo || *clampMin > hi)) ||
      (clampMax && (*clampMax < lo || *clampMax > hi)))
    return emitOpError("clamp bounds must lie in the output range [")
           << lo << ", " << hi << "]";
  if (getOutputMin() > getOutputMax())
    return emitOpError("clamp_min must not exceed clamp_max");

  size_t count = getMultiplier().size();
  auto shape = cast<RankedTensorType>(getInput().getType()).getShape();
  if (std::optional<int64_t> axis = signedValue(getAxisAttr())) {
    if (*axis < 0 || *axis >= static_cast<int64_t>(shape.size()))
      return emitOpError("axis ")
             << *axis << " is out of range for rank " << shape.size();
    if (ShapedType::isDynamic(shape[*axis]) ||
        shape[*axis] != static_cast<int64_t>(count))
      return emitOpError("expected ")
             << shape[*axis] << " multipliers along axis " << *axis << ", got "
             << count;
  } else if (count != 1) {
    return emitOpError("per-channel multipliers need an axis");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// KernelCallOp
//===----------------------------------------------------------------------===//

/// The values of a constant i8 tensor (a splat expanded), or nothing.
static std::optional<SmallVector<int8_t>> getConstantInt8s(Value value) {
  DenseElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)) ||
      !attr.getElementType().isInteger(8))
    return std::nullopt;
  return SmallVector<int8_t>(attr.getValues<int8_t>());
}

LogicalResult UnpackWeightsOp::verify() {
  RankedTensorType type = getOutput().getType();
  int64_t count = type.getNumElements();
  int64_t expected = getPackedBytes(getFormat(), count);
  if (getPacked().getType().getDimSize(0) != expected)
    return emitOpError("expects ")
           << expected << " packed bytes for " << count << " "
           << stringifyPackedFormat(getFormat()) << " elements, got "
           << getPacked().getType();
  if (bool(getSubscales()) != getAxis().has_value() ||
      bool(getSubscales()) != getBlock().has_value())
    return emitOpError("takes subscales, axis and block together");
  if (Value codebook = getCodebook()) {
    if (getSubscales())
      return emitOpError("takes a codebook or subscales, not both");
    if (getFormat() == PackedFormat::Sign)
      return emitOpError("a codebook needs int4 or int2 codes, not sign bits");
    int64_t entries = int64_t(1) << getPackedBits(getFormat());
    if (cast<RankedTensorType>(codebook.getType()).getDimSize(0) != entries)
      return emitOpError("expects a codebook of ")
             << entries << " entries for " << stringifyPackedFormat(getFormat())
             << " codes, got " << codebook.getType();
    return success();
  }
  if (!getSubscales())
    return success();
  int64_t axis = *getAxis(), block = *getBlock(), rank = type.getRank();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is not a dimension of " << type;
  if (block <= 0 || type.getDimSize(axis) % block != 0)
    return emitOpError("block ")
           << block << " does not divide dimension " << axis << " of " << type;
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] /= block;
  auto subscaleType = cast<RankedTensorType>(getSubscales().getType());
  if (subscaleType.getShape() != ArrayRef(shape))
    return emitOpError("expects subscales of shape ")
           << type.clone(shape) << ", got " << subscaleType;
  // With constant operands, every product must be an int8.
  std::optional<SmallVector<int8_t>> subscales =
      getConstantInt8s(getSubscales());
  std::optional<SmallVector<int8_t>> packed = getConstantInt8s(getPacked());
  if (!subscales)
    return success();
  for (auto [i, s] : llvm::enumerate(*subscales))
    if (s < 1)
      return emitOpError("sub-scale ")
             << i << " is " << int(s) << ", outside [1, 127]";
  if (!packed)
    return success();
  for (int64_t i = 0; i < count; ++i) {
    int64_t s = (*subscales)[getSubscaleIndex(type.getShape(), axis, block, i)];
    int64_t product = unpackValue(getFormat(), *packed, i) * s;
    if (product < -128 || product > 127)
      return emitOpError("element ") << i << " times its sub-scale " << s
                                     << " is " << product << ", outside int8";
  }
  return success();
}

DenseElementsAttr UnpackWeightsOp::evaluate() {
  std::optional<SmallVector<int8_t>> packed = getConstantInt8s(getPacked());
  std::optional<SmallVector<int8_t>> subscales, codebook;
  if (!packed ||
      (getSubscales() && !(subscales = getConstantInt8s(getSubscales()))) ||
      (getCodebook() && !(codebook = getConstantInt8s(getCodebook()))))
    return {};
  RankedTensorType type = getOutput().getType();
  SmallVector<int8_t> values(type.getNumElements());
  for (auto [i, v] : llvm::enumerate(values)) {
    int64_t value = codebook ? (*codebook)[unpackCode(getFormat(), *packed, i)]
                             : unpackValue(getFormat(), *packed, i);
    if (subscales)
      value *= (*subscales)[getSubscaleIndex(type.getShape(), *getAxis(),
                                             *getBlock(), i)];
    v = int8_t(value);
  }
  return DenseElementsAttr::get(type, ArrayRef(values));
}

LogicalResult KernelCallOp::verify() {
  Type initType = getInit().getType();
  if (isa<RankedTensorType>(initType)) {
    if (getNumResults() != 1 || getResult()[0].getType() != initType)
      return emitOpError("on tensors returns one result of the init's type");
  } else if (getNumResults() != 0) {
    return emitOpError("on memrefs has no result");
  }
  for (Value input : getInputs())
    if (isa<RankedTensorType>(input.getType()) !=
        isa<RankedTensorType>(initType))
      return emitOpError("mixes tensors and memrefs");

  // The kernel indexes its buffers with `params`: they must be valid on
  // their own and describe exactly the operands.
  namespace kernels = ::quantx::kernels;
  std::optional<kernels::KernelKind> kind =
      kernels::parseKernel(getKernel().str());
  if (!kind)
    return emitOpError("unknown kernel '") << getKernel() << "'";
  ArrayRef<int64_t> params = getParams();
  if (params.size() != kernels::kNumParams)
    return emitOpError("expected ")
           << int(kernels::kNumParams) << " params, got " << params.size();
  kernels::CallSpec spec;
  std::string error = kernels::checkParams(*kind, params.data(), spec);
  if (!error.empty())
    return emitOpError("invalid params: ") << error;
  if (getInputs().size() != size_t(spec.numInputs))
    return emitOpError("expected ")
           << spec.numInputs << " inputs for these params, got "
           << getInputs().size();
  auto checkBuffer = [&](Value value, const kernels::BufferSpec &buffer,
                         StringRef what) -> LogicalResult {
    auto type = cast<ShapedType>(value.getType());
    Builder b(getContext());
    Type element =
        buffer.element == kernels::ElementKind::F32
            ? Type(b.getF32Type())
            : Type(b.getIntegerType(
                  buffer.element == kernels::ElementKind::I8 ? 8 : 32));
    if (type.getElementType() != element)
      return emitOpError() << what << " must have element type " << element
                           << ", got " << type;
    std::optional<int64_t> count = getCheckedProduct(type.getShape());
    if (!count || *count != buffer.elements)
      return emitOpError() << what << " must have " << buffer.elements
                           << " elements for these params, got " << type;
    return success();
  };
  static constexpr StringLiteral kInputNames[] = {
      "input", "packed weights", "bias", "requantization table"};
  for (auto [input, buffer, name] :
       llvm::zip(getInputs(), spec.inputs, kInputNames))
    if (failed(checkBuffer(input, buffer,
                           buffer.name ? StringRef(buffer.name)
                                       : StringRef(name))))
      return failure();
  return checkBuffer(getInit(), spec.output, "init");
}

void KernelCallOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  if (hasPureTensorSemantics())
    return;
  for (OpOperand &operand : getInputsMutable())
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), &getInitMutable(),
                       SideEffects::DefaultResource::get());
}
