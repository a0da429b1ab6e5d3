//===- InitAllDialects.h - the dialects quant-x's tools parse ---*- C++ -*-===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// One list of the dialects quant-opt parses, shared with the fuzzers in fuzz/
// so that they accept exactly the IR the driver does.
//
//===----------------------------------------------------------------------===//

#ifndef QUANTX_INITALLDIALECTS_H
#define QUANTX_INITALLDIALECTS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "quant-x/Conversion/TosaToKernels/TosaToKernels.h"
#include "quant-x/Dialect/QuantX/IR/QuantXDialect.h"

namespace mlir::quantx {

/// Adds quantx, the upstream dialects its passes read and produce, and the
/// bufferization model of quantx.kernel_call to `registry`.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<QuantXDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, LLVM::LLVMDialect, linalg::LinalgDialect,
                  math::MathDialect, memref::MemRefDialect, quant::QuantDialect,
                  scf::SCFDialect, tensor::TensorDialect, tosa::TosaDialect>();
  registerKernelCallBufferization(registry);
}

} // namespace mlir::quantx

#endif // QUANTX_INITALLDIALECTS_H
