// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Classifies Fashion-MNIST test images with a model compiled ahead of time
// by quant-compile, no LLVM or MLIR involved, and prints the accuracy:
//
//   quant-compile cnn_bn.minmax.mlir -o fashion_mnist.so \
//       --header fashion_mnist.h --name fashion_mnist
//   cc -I. classify.c ./fashion_mnist.so -o classify
//   ./classify images.f32 labels.u8 [logits.f32]
//
// images.f32: N normalized 28x28 images, float32, C order (what the
// model's single input holds, one image per call); labels.u8: their N
// classes. The logits of every image go to logits.f32 if named, for
// comparison with quant-run's. examples/aot/run.py prepares the files.

#include "fashion_mnist.h"

#include <stdio.h>
#include <stdlib.h>

#define PIXELS FASHION_MNIST_INPUT0_ELEMENTS
#define CLASSES FASHION_MNIST_OUTPUT0_ELEMENTS

/// The whole file at `path`, its size in `bytes`; exits on failure.
static void *readFile(const char *path, long *bytes) {
  FILE *file = fopen(path, "rb");
  if (!file || fseek(file, 0, SEEK_END) != 0 || (*bytes = ftell(file)) < 0 ||
      fseek(file, 0, SEEK_SET) != 0) {
    fprintf(stderr, "classify: cannot read %s\n", path);
    exit(1);
  }
  void *data = malloc(*bytes ? *bytes : 1);
  if (!data || fread(data, 1, *bytes, file) != (size_t)*bytes) {
    fprintf(stderr, "classify: cannot read %s\n", path);
    exit(1);
  }
  fclose(file);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: classify images.f32 labels.u8 [logits.f32]\n");
    return 2;
  }
  long imageBytes, labelBytes;
  const float *images = readFile(argv[1], &imageBytes);
  const unsigned char *labels = readFile(argv[2], &labelBytes);
  long count = labelBytes;
  if (imageBytes != count * PIXELS * (long)sizeof(float)) {
    fprintf(stderr,
            "classify: %s holds %ld bytes, not %ld images of %d "
            "floats\n",
            argv[1], imageBytes, count, PIXELS);
    return 1;
  }
  FILE *logitsFile = argc == 4 ? fopen(argv[3], "wb") : NULL;
  if (argc == 4 && !logitsFile) {
    fprintf(stderr, "classify: cannot write %s\n", argv[3]);
    return 1;
  }
  quantx_set_threads(1);
  long correct = 0;
  for (long i = 0; i < count; ++i) {
    float logits[CLASSES];
    if (fashion_mnist(images + i * PIXELS, logits) != 0) {
      fprintf(stderr, "classify: image %ld: %s\n", i, quantx_last_error());
      return 1;
    }
    int best = 0;
    for (int c = 1; c < CLASSES; ++c)
      if (logits[c] > logits[best])
        best = c;
    correct += best == labels[i];
    if (logitsFile)
      fwrite(logits, sizeof logits, 1, logitsFile);
  }
  if (logitsFile)
    fclose(logitsFile);
  printf("accuracy: %.2f%% of %ld images\n", 100.0 * correct / count, count);
  return 0;
}
