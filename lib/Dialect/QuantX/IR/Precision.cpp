//===- Precision.cpp - per-layer precision: verifier and text form --------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "quant-x/Dialect/QuantX/IR/Precision.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::quantx;

/// Largest group or vector length: beyond it the granularity is per channel
/// in all but name, and products with it must stay far from overflow.
constexpr int64_t kMaxBlock = int64_t(1) << 24;

LogicalResult
PrecisionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      WeightFormat weights, WeightGranularity granularity,
                      int64_t block, int64_t activations, WeightLevels levels) {
  if (weights == WeightFormat::Float)
    return success();
  bool blocked = granularity == WeightGranularity::Group ||
                 granularity == WeightGranularity::TwoLevel;
  if (blocked && (block < 1 || block > kMaxBlock))
    return emitError() << "granularity '"
                       << stringifyWeightGranularity(granularity)
                       << "' needs a block size in [1, " << kMaxBlock
                       << "], got " << block;
  if (!blocked && block != 0)
    return emitError() << "block is only meaningful for 'group' and "
                          "'two_level' granularity";
  if (activations != 8 && activations != 16 && activations != 1)
    return emitError() << "activations must be 8, 16 or 1 bits, got "
                       << activations;
  if (activations == 1 && weights != WeightFormat::Binary)
    return emitError() << "1-bit (sign) activations need binary weights";
  if ((weights == WeightFormat::Ternary || weights == WeightFormat::Binary) &&
      granularity != WeightGranularity::PerChannel &&
      granularity != WeightGranularity::PerTensor)
    return emitError() << stringifyWeightFormat(weights)
                       << " weights have one scale per channel or tensor, not "
                       << stringifyWeightGranularity(granularity);
  if (levels != WeightLevels::Uniform) {
    if (weights != WeightFormat::Int4 && weights != WeightFormat::Int3 &&
        weights != WeightFormat::Int2)
      return emitError() << stringifyWeightLevels(levels)
                         << " weights are int4, int3 or int2 codes, not "
                         << stringifyWeightFormat(weights);
    // The table is decoded before sub-scales could apply: a group's own
    // scale would take the codes off the int8 grid.
    if (blocked)
      return emitError() << stringifyWeightLevels(levels)
                         << " weights have one scale per channel or tensor, "
                            "not "
                         << stringifyWeightGranularity(granularity);
  }
  return success();
}

int64_t PrecisionAttr::getWeightBits() const {
  switch (getWeights()) {
  case WeightFormat::Float:
    return 32;
  case WeightFormat::Int8:
    return 8;
  case WeightFormat::Int4:
    return 4;
  case WeightFormat::Int3:
    return 3;
  case WeightFormat::Int2:
  case WeightFormat::Ternary:
    return 2;
  case WeightFormat::Binary:
    return 1;
  }
  llvm_unreachable("unknown weight format");
}

int64_t PrecisionAttr::getMaxWeightMagnitude() const {
  if (getLevels() == WeightLevels::Codebook)
    return 127;
  if (getLevels() == WeightLevels::Pow2)
    return getLargestPowerOfTwoWeight(getWeightBits());
  switch (getWeights()) {
  case WeightFormat::Float:
    return 0;
  case WeightFormat::Ternary:
  case WeightFormat::Binary:
    return 1;
  default:
    return (int64_t(1) << (getWeightBits() - 1)) - 1;
  }
}

int64_t PrecisionAttr::getArithmeticWeightBits() const {
  if (!hasWeightTable())
    return getWeightBits();
  // A sign bit and the magnitude's bits.
  return llvm::Log2_64_Ceil(uint64_t(getMaxWeightMagnitude()) + 1) + 1;
}

int64_t mlir::quantx::getLargestPowerOfTwoWeight(int64_t bits) {
  // Codes 1 .. 2^(bits-1) - 1 of each sign are 2^0 .. 2^(2^(bits-1) - 2).
  return int64_t(1) << ((int64_t(1) << (bits - 1)) - 2);
}

int64_t PrecisionAttr::getMaxSubscale() const {
  if (isFloat())
    return 1;
  int64_t fitting = 127 / getMaxWeightMagnitude();
  switch (getGranularity()) {
  case WeightGranularity::Group:
    return fitting;
  case WeightGranularity::TwoLevel:
    return std::min<int64_t>(fitting, 15);
  default:
    return 1;
  }
}

std::string PrecisionAttr::str() const {
  if (isFloat())
    return "float";
  std::string text;
  llvm::raw_string_ostream os(text);
  os << 'w';
  if (getWeights() == WeightFormat::Ternary)
    os << 't';
  else if (getWeights() == WeightFormat::Binary)
    os << 'b';
  else
    os << getWeightBits();
  os << 'a' << getActivations();
  switch (getGranularity()) {
  case WeightGranularity::PerTensor:
    os << "-pt";
    break;
  case WeightGranularity::PerChannel:
    break;
  case WeightGranularity::Group:
    os << "-g" << getBlock();
    break;
  case WeightGranularity::TwoLevel:
    os << "-tl" << getBlock();
    break;
  }
  if (getLevels() == WeightLevels::Codebook)
    os << "-cb";
  else if (getLevels() == WeightLevels::Pow2)
    os << "-p2";
  return text;
}

FailureOr<PrecisionAttr> mlir::quantx::parsePrecision(MLIRContext *context,
                                                      StringRef text,
                                                      std::string &error) {
  StringRef rest = text.trim();
  if (rest == "float")
    return PrecisionAttr::get(context, WeightFormat::Float,
                              WeightGranularity::PerChannel, 0, 8,
                              WeightLevels::Uniform);
  auto fail = [&](const Twine &why) -> FailureOr<PrecisionAttr> {
    error = ("'" + text + "' is not a precision (" + why +
             "; expected e.g. w8a8, w4a8-g32, wta8, wba1, w8a16-pt, w4a8-cb or "
             "float)")
                .str();
    return failure();
  };
  if (!rest.consume_front("w"))
    return fail("it must start with 'w'");
  std::optional<WeightFormat> weights;
  if (rest.consume_front("t"))
    weights = WeightFormat::Ternary;
  else if (rest.consume_front("b"))
    weights = WeightFormat::Binary;
  else {
    int64_t bits = 0;
    if (rest.consumeInteger(10, bits) ||
        !(weights = parseWeightFormat(std::to_string(bits))))
      return fail("weight bits must be 8, 4, 3, 2, t or b");
  }
  int64_t activations = 0;
  if (!rest.consume_front("a") || rest.consumeInteger(10, activations))
    return fail("activation bits must follow as a8, a16 or a1");
  WeightGranularity granularity = WeightGranularity::PerChannel;
  int64_t block = 0;
  if (rest.consume_front("-pt"))
    granularity = WeightGranularity::PerTensor;
  else if (rest.consume_front("-pc"))
    granularity = WeightGranularity::PerChannel;
  else if (rest.consume_front("-tl")) {
    granularity = WeightGranularity::TwoLevel;
    if (rest.consumeInteger(10, block))
      return fail("-tl needs a vector length");
  } else if (rest.consume_front("-g")) {
    granularity = WeightGranularity::Group;
    if (rest.consumeInteger(10, block))
      return fail("-g needs a group size");
  }
  WeightLevels levels = WeightLevels::Uniform;
  if (rest.consume_front("-cb"))
    levels = WeightLevels::Codebook;
  else if (rest.consume_front("-p2"))
    levels = WeightLevels::Pow2;
  if (!rest.empty())
    return fail("unexpected '" + rest + "'");
  std::string why;
  auto attr = getCheckedPrecision(context, *weights, granularity, block,
                                  activations, levels, why);
  if (failed(attr))
    return fail(why);
  return attr;
}

std::optional<WeightFormat> mlir::quantx::parseWeightFormat(StringRef text) {
  return llvm::StringSwitch<std::optional<WeightFormat>>(text.trim())
      .Case("8", WeightFormat::Int8)
      .Case("4", WeightFormat::Int4)
      .Case("3", WeightFormat::Int3)
      .Case("2", WeightFormat::Int2)
      .Case("ternary", WeightFormat::Ternary)
      .Case("binary", WeightFormat::Binary)
      .Case("float", WeightFormat::Float)
      .Default(std::nullopt);
}

std::optional<WeightLevels> mlir::quantx::parseWeightLevels(StringRef text) {
  return llvm::StringSwitch<std::optional<WeightLevels>>(text.trim())
      .Case("uniform", WeightLevels::Uniform)
      .Case("codebook", WeightLevels::Codebook)
      .Case("pow2", WeightLevels::Pow2)
      .Default(std::nullopt);
}

std::optional<WeightGranularity>
mlir::quantx::parseGranularity(StringRef text, int64_t &block) {
  text = text.trim();
  block = 0;
  if (text == "per-tensor")
    return WeightGranularity::PerTensor;
  if (text == "per-channel")
    return WeightGranularity::PerChannel;
  WeightGranularity granularity;
  if (text.consume_front("group:"))
    granularity = WeightGranularity::Group;
  else if (text.consume_front("two-level:"))
    granularity = WeightGranularity::TwoLevel;
  else
    return std::nullopt;
  if (text.getAsInteger(10, block) || block < 1 || block > kMaxBlock)
    return std::nullopt;
  return granularity;
}

std::string mlir::quantx::granularityName(WeightGranularity granularity,
                                          int64_t block) {
  switch (granularity) {
  case WeightGranularity::PerTensor:
    return "per-tensor";
  case WeightGranularity::PerChannel:
    return "per-channel";
  case WeightGranularity::Group:
    return "group:" + std::to_string(block);
  case WeightGranularity::TwoLevel:
    return "two-level:" + std::to_string(block);
  }
  llvm_unreachable("unknown granularity");
}

PrecisionAttr mlir::quantx::getPrecision(Operation *op) {
  if (auto precision = op->getAttrOfType<PrecisionAttr>(kPrecisionAttrName))
    return precision;
  return PrecisionAttr::get(op->getContext(), WeightFormat::Int8,
                            WeightGranularity::PerChannel, 0, 8,
                            WeightLevels::Uniform);
}

FailureOr<PrecisionAttr> mlir::quantx::getCheckedPrecision(
    MLIRContext *context, WeightFormat weights, WeightGranularity granularity,
    int64_t block, int64_t activations, WeightLevels levels, std::string &why) {
  // The verifier's message says what is wrong with the combination.
  ScopedDiagnosticHandler capture(context, [&](Diagnostic &diagnostic) {
    why = diagnostic.str();
    return success();
  });
  auto attr = PrecisionAttr::getChecked(
      [&] { return mlir::emitError(UnknownLoc::get(context)); }, context,
      weights, granularity, block, activations, levels);
  if (!attr)
    return failure();
  return attr;
}

SmallVector<std::string> mlir::quantx::getLayerNames(Operation *op,
                                                     int64_t position) {
  SmallVector<std::string> names;
  if (auto layer = op->getAttrOfType<StringAttr>(kLayerAttrName))
    names.push_back(layer.str());
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    names.push_back(named.getName().str());
  names.push_back("#" + std::to_string(position));
  return names;
}
