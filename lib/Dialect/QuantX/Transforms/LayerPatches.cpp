//===- LayerPatches.cpp - a layer as matrices over input patches ----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "LayerPatches.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <Eigen/Core>

using namespace mlir;
using namespace mlir::quantx;

using Matrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

static std::optional<ArrayRef<int64_t>> getStaticShape(Value value) {
  auto type = dyn_cast<ShapedType>(value.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return type.getShape();
}

std::optional<LayerMatrices> mlir::quantx::getLayerMatrices(Operation *layer) {
  auto weightShape = getStaticShape(layer->getOperand(1));
  auto inputShape = getStaticShape(layer->getOperand(0));
  if (!weightShape || !inputShape)
    return std::nullopt;
  ArrayRef<int64_t> w = *weightShape;
  LayerMatrices m;
  if (isa<tosa::Conv2DOp>(layer) && w.size() == 4) {
    // OHWI: row o, col (kh, kw, ic) as stored.
    m.rows = w[0];
    m.cols = w[1] * w[2] * w[3];
    m.weightIndex.resize(m.rows * m.cols);
    for (int64_t i = 0, e = m.rows * m.cols; i < e; ++i)
      m.weightIndex[i] = i;
    return m;
  }
  if (isa<tosa::DepthwiseConv2DOp>(layer) && w.size() == 4) {
    // HWCM: group c, row m, col (kh, kw).
    int64_t window = w[0] * w[1], channels = w[2], multiplier = w[3];
    m.groups = channels;
    m.rows = multiplier;
    m.cols = window;
    m.weightIndex.resize(channels * multiplier * window);
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t r = 0; r < multiplier; ++r)
        for (int64_t k = 0; k < window; ++k)
          m.weightIndex[(c * multiplier + r) * window + k] =
              (k * channels + c) * multiplier + r;
    return m;
  }
  if (isa<tosa::MatMulOp>(layer) && w.size() == 3) {
    // [B, K, N]: group b, row n, col k.
    int64_t batches = w[0], depth = w[1], columns = w[2];
    m.groups = batches;
    m.rows = columns;
    m.cols = depth;
    m.weightIndex.resize(batches * columns * depth);
    for (int64_t b = 0; b < batches; ++b)
      for (int64_t n = 0; n < columns; ++n)
        for (int64_t k = 0; k < depth; ++k)
          m.weightIndex[(b * columns + n) * depth + k] =
              (b * depth + k) * columns + n;
    return m;
  }
  return std::nullopt;
}

PatchMoments::PatchMoments(Operation *layer, const LayerMatrices &matrices,
                           MomentRequest request)
    : matrices(matrices), request(request) {
  auto input = cast<ShapedType>(layer->getOperand(0).getType());
  inputShape.assign(input.getShape().begin(), input.getShape().end());
  auto output = cast<ShapedType>(layer->getResult(0).getType());
  auto getConvGeometry = [&](ArrayRef<int64_t> pad, ArrayRef<int64_t> stride,
                             ArrayRef<int64_t> dilation) {
    outH = output.getShape()[1];
    outW = output.getShape()[2];
    padTop = pad[0];
    padLeft = pad[2];
    strideH = stride[0];
    strideW = stride[1];
    dilationH = dilation[0];
    dilationW = dilation[1];
    patchesPerCall = inputShape[0] * outH * outW;
  };
  ArrayRef<int64_t> w =
      cast<ShapedType>(layer->getOperand(1).getType()).getShape();
  if (auto conv = dyn_cast<tosa::Conv2DOp>(layer)) {
    kind = Kind::Conv;
    kernelH = w[1];
    kernelW = w[2];
    getConvGeometry(conv.getPad(), conv.getStride(), conv.getDilation());
  } else if (auto conv = dyn_cast<tosa::DepthwiseConv2DOp>(layer)) {
    kind = Kind::Depthwise;
    kernelH = w[0];
    kernelW = w[1];
    getConvGeometry(conv.getPad(), conv.getStride(), conv.getDilation());
  } else {
    kind = Kind::MatMul;
    patchesPerCall = inputShape[1];
  }
  auto zeros = [&](int64_t size) {
    return std::vector<std::vector<double>>(matrices.groups,
                                            std::vector<double>(size, 0.0));
  };
  int64_t cols = matrices.cols;
  sums = zeros(cols);
  if (request.secondMoment)
    secondMoments = zeros(cols * cols);
  if (request.floatReference) {
    referenceSums = zeros(cols);
    if (request.secondMoment)
      crossMoments = zeros(cols * cols);
  }
}

template <typename PatchMatrix>
void PatchMoments::extractPatches(const float *input, int64_t g,
                                  PatchMatrix &patches) const {
  int64_t cols = matrices.cols;
  if (kind == Kind::MatMul) {
    // Rows of batch g of [B, M, K].
    for (int64_t r = 0; r < patchesPerCall; ++r)
      for (int64_t k = 0; k < cols; ++k)
        patches(r, k) = input[(g * patchesPerCall + r) * cols + k];
    return;
  }
  int64_t inH = inputShape[1], inW = inputShape[2], channels = inputShape[3];
  int64_t row = 0;
  for (int64_t n = 0; n < inputShape[0]; ++n)
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow, ++row) {
        int64_t col = 0;
        for (int64_t kh = 0; kh < kernelH; ++kh) {
          int64_t ih = oh * strideH - padTop + kh * dilationH;
          for (int64_t kw = 0; kw < kernelW; ++kw) {
            int64_t iw = ow * strideW - padLeft + kw * dilationW;
            bool inside = ih >= 0 && ih < inH && iw >= 0 && iw < inW;
            const float *pixel = input + ((n * inH + ih) * inW + iw) * channels;
            // Zero padding: TOSA's float convolutions pad with 0.
            if (kind == Kind::Depthwise) {
              patches(row, col++) = inside ? pixel[g] : 0.0;
              continue;
            }
            for (int64_t c = 0; c < channels; ++c)
              patches(row, col++) = inside ? pixel[c] : 0.0;
          }
        }
      }
}

void PatchMoments::observe(const float *input, const float *reference,
                           int64_t size) {
  int64_t expected = 1;
  for (int64_t d : inputShape)
    expected *= d;
  if (size != expected || (request.floatReference && !reference))
    return;
  int64_t cols = matrices.cols;
  Matrix patches(patchesPerCall, cols), referencePatches;
  if (request.floatReference)
    referencePatches.resize(patchesPerCall, cols);
  for (int64_t g = 0; g < matrices.groups; ++g) {
    extractPatches(input, g, patches);
    Eigen::Map<Eigen::RowVectorXd> sum(sums[g].data(), cols);
    sum += patches.colwise().sum();
    if (request.secondMoment) {
      Eigen::Map<Matrix> second(secondMoments[g].data(), cols, cols);
      second.noalias() += patches.transpose() * patches;
    }
    if (!request.floatReference)
      continue;
    extractPatches(reference, g, referencePatches);
    Eigen::Map<Eigen::RowVectorXd> referenceSum(referenceSums[g].data(), cols);
    referenceSum += referencePatches.colwise().sum();
    if (request.secondMoment) {
      Eigen::Map<Matrix> cross(crossMoments[g].data(), cols, cols);
      cross.noalias() += patches.transpose() * referencePatches;
    }
  }
  count += patchesPerCall;
}

/// `sums` / `count`.
static std::vector<double> getAverage(std::vector<double> sums, int64_t count) {
  for (double &v : sums)
    v = count ? v / double(count) : 0.0;
  return sums;
}

std::vector<double> PatchMoments::getMean(int64_t group) const {
  return getAverage(sums[group], count);
}

std::vector<double> PatchMoments::getSecondMoment(int64_t group) const {
  return getAverage(secondMoments[group], count);
}

std::vector<double> PatchMoments::getReferenceMean(int64_t group) const {
  return getAverage(referenceSums[group], count);
}

std::vector<double> PatchMoments::getCrossMoment(int64_t group) const {
  return getAverage(crossMoments[group], count);
}
