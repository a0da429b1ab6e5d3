// RUN: quant-opt %s --split-input-file --verify-diagnostics

func.func @wrong_result(%x: tensor<4xi8>, %init: tensor<4xi8>) -> tensor<4xi32> {
  // expected-error @+1 {{on tensors returns one result of the init's type}}
  %r = quantx.kernel_call "k"(%x : tensor<4xi8>) outs(%init : tensor<4xi8>) {params = array<i64: 0>} -> tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

func.func @mixed(%x: tensor<4xi8>, %init: memref<4xi8>) {
  // expected-error @+1 {{mixes tensors and memrefs}}
  quantx.kernel_call "k"(%x : tensor<4xi8>) outs(%init : memref<4xi8>) {params = array<i64: 0>}
  return
}
