// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Calls the C interface MLIR's LLVM lowering gives @main of int8-conv.mlir
// (int8 [1, 4, 4, 2] in and out, memref descriptors by pointer) on a raw
// input file, and writes the result to a raw file: the LLVM IR that
// quant-opt's stages and mlir-translate produce, compiled by clang, run
// without quant-run.
#include <stdint.h>
#include <stdio.h>

typedef struct {
  int8_t *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} MemRef4;

void _mlir_ciface_main(MemRef4 *input, MemRef4 *output);
int quantx_aot_end_call(void);

static MemRef4 describe(int8_t *data) {
  MemRef4 m = {data, data, 0, {1, 4, 4, 2}, {32, 8, 2, 1}};
  return m;
}

int main(int argc, char **argv) {
  int8_t input[32], output[32];
  if (argc != 3)
    return 2;
  FILE *file = fopen(argv[1], "rb");
  if (!file || fread(input, sizeof input, 1, file) != 1)
    return 2;
  fclose(file);
  MemRef4 in = describe(input), out = describe(output);
  _mlir_ciface_main(&in, &out);
  // A kernel that refused its call leaves its output unwritten.
  if (quantx_aot_end_call() != 0)
    return 1;
  file = fopen(argv[2], "wb");
  if (!file || fwrite(output, sizeof output, 1, file) != 1)
    return 2;
  fclose(file);
  return 0;
}
