// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Runs a model compiled by quant-compile on inputs read from raw files and
// writes its outputs to raw files: run_compiled in0 [in1] out0 [out1]. The
// model's header is MODEL_HEADER and its function FN; IN_T, OUT_T,
// IN_ELEMENTS and OUT_ELEMENTS describe its first input and output, and
// with TWO_OPERANDS defined, IN1_ELEMENTS and OUT1_ELEMENTS a second input
// and output of the same types (all -D on the command line).
#include MODEL_HEADER

#include <stdio.h>

static int readFile(const char *path, void *data, size_t bytes) {
  FILE *file = fopen(path, "rb");
  int ok = file && fread(data, bytes, 1, file) == 1;
  if (file)
    fclose(file);
  return ok;
}

static int writeFile(const char *path, const void *data, size_t bytes) {
  FILE *file = fopen(path, "wb");
  int ok = file && fwrite(data, bytes, 1, file) == 1;
  if (file)
    fclose(file);
  return ok;
}

int main(int argc, char **argv) {
  static IN_T input[IN_ELEMENTS];
  static OUT_T output[OUT_ELEMENTS];
#ifdef TWO_OPERANDS
  static IN_T input1[IN1_ELEMENTS];
  static OUT_T output1[OUT1_ELEMENTS];
  if (argc != 5 || !readFile(argv[1], input, sizeof input) ||
      !readFile(argv[2], input1, sizeof input1))
    return 2;
  int status = FN(input, input1, output, output1);
#else
  if (argc != 3 || !readFile(argv[1], input, sizeof input))
    return 2;
  int status = FN(input, output);
#endif
  if (status != 0) {
    fprintf(stderr, "run_compiled: %s\n", quantx_last_error());
    return 1;
  }
#ifdef TWO_OPERANDS
  return writeFile(argv[3], output, sizeof output) &&
                 writeFile(argv[4], output1, sizeof output1)
             ? 0
             : 2;
#else
  return writeFile(argv[2], output, sizeof output) ? 0 : 2;
#endif
}
