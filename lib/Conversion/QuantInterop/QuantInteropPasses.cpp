//===- QuantInteropPasses.cpp - quantx-import-quant / quantx-export-quant -===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Pass/Pass.h"
#include "quant-x/Conversion/Passes.h"

namespace mlir::quantx {
#define GEN_PASS_DEF_IMPORTUPSTREAMQUANT
#define GEN_PASS_DEF_EXPORTUPSTREAMQUANT
#include "quant-x/Conversion/Passes.h.inc"
} // namespace mlir::quantx

using namespace mlir;
using namespace mlir::quantx;

namespace {
/// Converts the element type of ranked tensors whose elements are `From`.
template <typename From, typename ConvertFn>
class ElementTypeConverter : public TypeConverter {
public:
  explicit ElementTypeConverter(ConvertFn convert) {
    addConversion([](Type type) { return type; });
    addConversion([convert](RankedTensorType type) -> std::optional<Type> {
      auto element = dyn_cast<From>(type.getElementType());
      if (!element)
        return type;
      Type converted = convert(element, type.getShape(), [&] {
        return mlir::emitError(UnknownLoc::get(type.getContext()));
      });
      if (!converted)
        return std::nullopt;
      return type.clone(converted);
    });
  }
};
} // namespace

/// Whether `op` mentions a type `isForeign` accepts, in operands, results,
/// block arguments or a function signature.
static bool usesType(Operation *op, function_ref<bool(Type)> isForeign) {
  auto anyForeign = [&](TypeRange types) {
    return llvm::any_of(types, isForeign);
  };
  if (anyForeign(op->getOperandTypes()) || anyForeign(op->getResultTypes()))
    return true;
  if (auto func = dyn_cast<func::FuncOp>(op))
    return anyForeign(func.getArgumentTypes()) ||
           anyForeign(func.getResultTypes());
  return false;
}

/// Checks every type first, with diagnostics at the ops that hold them, then
/// runs the conversion. `isConvertedOp` names the ops the patterns handle.
template <typename From, typename ConvertFn>
static LogicalResult convertModule(
    ModuleOp module, ConvertFn convert,
    function_ref<bool(Operation *)> isConvertedOp,
    function_ref<void(TypeConverter &, RewritePatternSet &)> populate) {
  auto isForeign = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && isa<From>(tensor.getElementType());
  };
  bool ok = true;
  module.walk([&](Operation *op) {
    if (!usesType(op, isForeign))
      return;
    if (!isConvertedOp(op) &&
        !isa<func::FuncOp, func::ReturnOp, func::CallOp>(op)) {
      op->emitOpError("uses quantized types but is not converted by this "
                      "pass (only func and quant ops are)");
      ok = false;
      return;
    }
    SmallVector<Type> types(op->getOperandTypes());
    llvm::append_range(types, op->getResultTypes());
    if (auto func = dyn_cast<func::FuncOp>(op))
      llvm::append_range(types, func.getFunctionType().getInputs());
    for (Type type : types) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !isa<From>(tensor.getElementType()))
        continue;
      if (!convert(cast<From>(tensor.getElementType()), tensor.getShape(),
                   [op] { return op->emitOpError(); })) {
        ok = false;
        return;
      }
    }
  });
  if (!ok)
    return failure();

  MLIRContext *ctx = module.getContext();
  ElementTypeConverter<From, ConvertFn> converter(convert);
  ConversionTarget target(*ctx);
  target.markUnknownOpDynamicallyLegal(
      [&](Operation *op) { return converter.isLegal(op); });
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
    return converter.isSignatureLegal(op.getFunctionType()) &&
           converter.isLegal(&op.getBody());
  });
  RewritePatternSet patterns(ctx);
  populate(converter, patterns);
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateCallOpTypeConversionPattern(patterns, converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  // Never fold: upstream folds quant.dcast(quant.qcast(x)) to x, which would
  // drop the quantization the conversion exists to keep.
  ConversionConfig config;
  config.foldingMode = DialectConversionFoldingMode::Never;
  return applyPartialConversion(module, target, std::move(patterns), config);
}

namespace {
struct ImportUpstreamQuantPass
    : quantx::impl::ImportUpstreamQuantBase<ImportUpstreamQuantPass> {
  void runOnOperation() override {
    auto convert = [](quant::QuantizedType type, ArrayRef<int64_t> shape,
                      function_ref<InFlightDiagnostic()> emitError) -> Type {
      return convertFromUpstream(type, shape, emitError);
    };
    auto isQuantOp = [](Operation *op) {
      return isa<quant::QuantizeCastOp, quant::DequantizeCastOp,
                 quant::StorageCastOp>(op);
    };
    if (failed(convertModule<quant::QuantizedType>(
            getOperation(), convert, isQuantOp,
            populateImportUpstreamQuantPatterns)))
      signalPassFailure();
  }
};

struct ExportUpstreamQuantPass
    : quantx::impl::ExportUpstreamQuantBase<ExportUpstreamQuantPass> {
  void runOnOperation() override {
    auto convert = [](UniformType type, ArrayRef<int64_t> shape,
                      function_ref<InFlightDiagnostic()> emitError) -> Type {
      return convertToUpstream(type, shape, emitError);
    };
    auto isQuantXOp = [](Operation *op) {
      return isa<QuantizeOp, DequantizeOp, RequantizeOp, StorageCastOp>(op);
    };
    if (failed(convertModule<UniformType>(getOperation(), convert, isQuantXOp,
                                          populateExportUpstreamQuantPatterns)))
      signalPassFailure();
  }
};
} // namespace
