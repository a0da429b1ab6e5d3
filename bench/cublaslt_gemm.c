// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

// The anchor of bench/gpu.py: cuBLASLt's int8 GEMM (int8 A and B, int32
// C, CUBLAS_COMPUTE_32I) on the GPU, median ms of the kernel alone (CUDA
// events), for each MxKxN given. Built by bench/gpu.py with the CUDA
// toolkit (/usr/local/cuda) where one is installed:
//
//   clang-22 -O2 -I/usr/local/cuda/include bench/cublaslt_gemm.c \
//     -L/usr/local/cuda/lib64 -Wl,-rpath,/usr/local/cuda/lib64 \
//     -lcublasLt -lcudart -o cublaslt_gemm
//   ./cublaslt_gemm 4096x4096x4096 ...
//
// Prints "MxKxN ms" per shape; exits with 77 where no GPU can be used.
// cuBLASLt's int8 kernels want A transposed ("TN"): C[M][N] = A[M][K]
// B[N][K]^T with both operands K-major, as quant-x's matmul stores them.

#include <cublasLt.h>
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t status = (call);                                               \
    if (status != cudaSuccess) {                                               \
      fprintf(stderr, "cublaslt_gemm: %s: %s\n", #call,                        \
              cudaGetErrorString(status));                                     \
      return 1;                                                                \
    }                                                                          \
  } while (0)
#define CHECK_LT(call)                                                         \
  do {                                                                         \
    cublasStatus_t status = (call);                                            \
    if (status != CUBLAS_STATUS_SUCCESS) {                                     \
      fprintf(stderr, "cublaslt_gemm: %s: status %d\n", #call, (int)status);   \
      return 1;                                                                \
    }                                                                          \
  } while (0)

static int compare(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/// Times C = A B^T for one shape; prints "MxKxN ms".
static int timeShape(cublasLtHandle_t handle, long m, long k, long n) {
  void *a, *b, *c, *workspace;
  size_t workspaceBytes = 32 << 20;
  CHECK_CUDA(cudaMalloc(&a, (size_t)m * k));
  CHECK_CUDA(cudaMalloc(&b, (size_t)n * k));
  CHECK_CUDA(cudaMalloc(&c, (size_t)m * n * 4));
  CHECK_CUDA(cudaMalloc(&workspace, workspaceBytes));
  CHECK_CUDA(cudaMemset(a, 1, (size_t)m * k));
  CHECK_CUDA(cudaMemset(b, 1, (size_t)n * k));

  cublasLtMatmulDesc_t desc;
  CHECK_LT(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32I, CUDA_R_32I));
  cublasOperation_t transpose = CUBLAS_OP_T;
  CHECK_LT(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                          &transpose, sizeof(transpose)));
  // Column-major, as cuBLAS reads: A^T is k x m (lda k), B is k x n (ldb
  // k), C is m x n (ldc m).
  cublasLtMatrixLayout_t layoutA, layoutB, layoutC;
  CHECK_LT(cublasLtMatrixLayoutCreate(&layoutA, CUDA_R_8I, k, m, k));
  CHECK_LT(cublasLtMatrixLayoutCreate(&layoutB, CUDA_R_8I, k, n, k));
  CHECK_LT(cublasLtMatrixLayoutCreate(&layoutC, CUDA_R_32I, m, n, m));
  cublasLtMatmulPreference_t preference;
  CHECK_LT(cublasLtMatmulPreferenceCreate(&preference));
  CHECK_LT(cublasLtMatmulPreferenceSetAttribute(
      preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspaceBytes,
      sizeof(workspaceBytes)));
  cublasLtMatmulHeuristicResult_t heuristic;
  int found = 0;
  CHECK_LT(cublasLtMatmulAlgoGetHeuristic(handle, desc, layoutA, layoutB,
                                          layoutC, layoutC, preference, 1,
                                          &heuristic, &found));
  if (found == 0) {
    fprintf(stderr, "cublaslt_gemm: no int8 algorithm for %ldx%ldx%ld\n", m, k,
            n);
    return 1;
  }
  int alpha = 1, beta = 0;
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  enum { kWarmup = 3, kRuns = 20 };
  float times[kRuns];
  for (int run = -kWarmup; run < kRuns; ++run) {
    CHECK_CUDA(cudaEventRecord(start, 0));
    CHECK_LT(cublasLtMatmul(handle, desc, &alpha, a, layoutA, b, layoutB, &beta,
                            c, layoutC, c, layoutC, &heuristic.algo, workspace,
                            workspaceBytes, 0));
    CHECK_CUDA(cudaEventRecord(stop, 0));
    CHECK_CUDA(cudaEventSynchronize(stop));
    if (run >= 0)
      CHECK_CUDA(cudaEventElapsedTime(&times[run], start, stop));
  }
  qsort(times, kRuns, sizeof(float), compare);
  printf("%ldx%ldx%ld %.4f\n", m, k, n, times[kRuns / 2]);
  fflush(stdout);
  cublasLtMatmulPreferenceDestroy(preference);
  cublasLtMatrixLayoutDestroy(layoutA);
  cublasLtMatrixLayoutDestroy(layoutB);
  cublasLtMatrixLayoutDestroy(layoutC);
  cublasLtMatmulDescDestroy(desc);
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
  cudaFree(workspace);
  return 0;
}

int main(int argc, char **argv) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    fprintf(stderr, "cublaslt_gemm: no usable GPU\n");
    return 77;
  }
  cublasLtHandle_t handle;
  CHECK_LT(cublasLtCreate(&handle));
  for (int i = 1; i < argc; ++i) {
    long m, k, n;
    if (sscanf(argv[i], "%ldx%ldx%ld", &m, &k, &n) != 3) {
      fprintf(stderr, "cublaslt_gemm: '%s' is not MxKxN\n", argv[i]);
      return 1;
    }
    if (timeShape(handle, m, k, n))
      return 1;
  }
  cublasLtDestroy(handle);
  return 0;
}
