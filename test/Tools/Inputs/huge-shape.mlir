// a shape whose byte count wraps 64 bits.
func.func @main(%x: tensor<4294967296x4294967296x16xi8>) -> tensor<4294967296x4294967296x16xi8> {
  return %x : tensor<4294967296x4294967296x16xi8>
}
