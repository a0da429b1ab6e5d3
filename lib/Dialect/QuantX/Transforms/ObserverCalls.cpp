//===- ObserverCalls.cpp - handing values to the host from the JIT --------===//

#include "ObserverCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;

void mlir::quantx::insertObserverCalls(ModuleOp module, ArrayRef<Value> values,
                                       StringRef name) {
  MLIRContext *ctx = module.getContext();
  auto f32 = Float32Type::get(ctx);
  auto dynamic = RankedTensorType::get({ShapedType::kDynamic}, f32);
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto observe =
      func::FuncOp::create(b, module.getLoc(), name,
                           b.getFunctionType({b.getI64Type(), dynamic}, {}));
  observe.setPrivate();
  observe->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                   b.getUnitAttr());
  for (auto [id, value] : llvm::enumerate(values)) {
    b.setInsertionPointAfterValue(value);
    ImplicitLocOpBuilder ib(value.getLoc(), b);
    auto type = cast<RankedTensorType>(value.getType());
    int64_t count = type.getNumElements();
    Value flat = tosa::ReshapeOp::create(
        ib, type.clone({count}), value,
        tosa::getTosaConstShape(ib, ArrayRef<int64_t>{count}));
    Value erased = tensor::CastOp::create(ib, dynamic, flat);
    Value index = arith::ConstantOp::create(ib, ib.getI64IntegerAttr(id));
    func::CallOp::create(ib, observe, ValueRange{index, erased});
  }
}
