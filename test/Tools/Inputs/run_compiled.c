// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Runs a model compiled by quant-compile on one input read from a raw file
// and writes its one output to another: the model's header is
// MODEL_HEADER, its function FN, its element types IN_T and OUT_T, its
// sizes IN_ELEMENTS and OUT_ELEMENTS (all -D on the command line).
#include MODEL_HEADER

#include <stdio.h>

int main(int argc, char **argv) {
  static IN_T input[IN_ELEMENTS];
  static OUT_T output[OUT_ELEMENTS];
  if (argc != 3)
    return 2;
  FILE *file = fopen(argv[1], "rb");
  if (!file || fread(input, sizeof input, 1, file) != 1)
    return 2;
  fclose(file);
  if (FN(input, output) != 0) {
    fprintf(stderr, "run_compiled: %s\n", quantx_last_error());
    return 1;
  }
  file = fopen(argv[2], "wb");
  if (!file || fwrite(output, sizeof output, 1, file) != 1)
    return 2;
  fclose(file);
  return 0;
}
