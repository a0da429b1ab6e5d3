// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

// One core's int8 multiply-add peak in each form an x86 CPU offers: 12
// independent accumulator chains hide the instructions' latency. Prints
// GOP/s (2 ops per multiply-add) for each form the CPU runs:
//   vpdpbusd-512, vpdpbusd-256 (VNNI: u8 x s8 -> s32 in one instruction);
//   vpmaddubsw-256 (AVX2: u8 x s8 pairs -> s16, saturating, then
//     vpmaddwd by ones -> s32 and vpaddd: the usual AVX2 int8 idiom);
//   vpmaddwd-256 (AVX2: s16 x s16 pairs -> s32, then vpaddd: exact, half
//     the multiply-adds per instruction).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CHAINS 12

// Uses the 256-bit accumulators, so that the compiler keeps their chains.
__attribute__((target("avx2"))) static void keep256(const __m256i *acc) {
  int lanes[8], sink = 0;
  for (int i = 0; i < CHAINS; ++i) {
    _mm256_storeu_si256((__m256i *)lanes, acc[i]);
    sink += lanes[0];
  }
  if (sink == 42)
    puts("");
}

__attribute__((target("avx512f,avx512vnni"))) static double peak512(long n) {
  __m512i acc[CHAINS];
  __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(2);
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = _mm512_setzero_si512();
  double start = now();
  for (long k = 0; k < n; ++k)
    for (int i = 0; i < CHAINS; ++i) {
      acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
      __asm__ volatile("" : "+v"(acc[i]));
    }
  double seconds = now() - start;
  int sink = 0;
  for (int i = 0; i < CHAINS; ++i)
    sink += _mm512_reduce_add_epi32(acc[i]);
  if (sink == 42)
    puts("");
  return 2.0 * 64 * CHAINS * n / seconds / 1e9;
}

__attribute__((target("avx2,avxvnni"))) static double peak256(long n) {
  __m256i acc[CHAINS];
  __m256i a = _mm256_set1_epi8(1), b = _mm256_set1_epi8(2);
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = _mm256_setzero_si256();
  double start = now();
  for (long k = 0; k < n; ++k)
    for (int i = 0; i < CHAINS; ++i) {
      acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
      __asm__ volatile("" : "+v"(acc[i]));
    }
  double seconds = now() - start;
  keep256(acc);
  return 2.0 * 32 * CHAINS * n / seconds / 1e9;
}

// vpmaddubsw then vpmaddwd by ones then vpaddd: 32 u8 x s8 multiply-adds
// per three instructions.
__attribute__((target("avx2"))) static double peakMaddubs(long n) {
  __m256i acc[CHAINS];
  __m256i b = _mm256_set1_epi8(2);
  __m256i ones = _mm256_set1_epi16(1);
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = _mm256_setzero_si256();
  double start = now();
  for (long k = 0; k < n; ++k)
    for (int i = 0; i < CHAINS; ++i) {
      // The accumulator is also the unsigned operand: with constant
      // operands the compiler would hoist both multiplies out of the loop
      // and time vpaddd alone.
      __m256i pairs = _mm256_maddubs_epi16(acc[i], b);
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(pairs, ones));
      __asm__ volatile("" : "+v"(acc[i]));
    }
  double seconds = now() - start;
  keep256(acc);
  return 2.0 * 32 * CHAINS * n / seconds / 1e9;
}

// vpmaddwd then vpaddd: 16 s16 x s16 multiply-adds per two instructions.
__attribute__((target("avx2"))) static double peakMaddwd(long n) {
  __m256i acc[CHAINS];
  __m256i b = _mm256_set1_epi16(2);
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = _mm256_setzero_si256();
  double start = now();
  for (long k = 0; k < n; ++k)
    for (int i = 0; i < CHAINS; ++i) {
      // The accumulator is also an operand of the multiply (see above).
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(acc[i], b));
      __asm__ volatile("" : "+v"(acc[i]));
    }
  double seconds = now() - start;
  keep256(acc);
  return 2.0 * 16 * CHAINS * n / seconds / 1e9;
}

int main(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512vnni")) {
    printf("vpdpbusd-512: unsupported\n");
  } else {
    peak512(10000000); // warm up the clock
    printf("vpdpbusd-512 GOP/s: %.1f\n", peak512(50000000));
  }
  if (__builtin_cpu_supports("avxvnni"))
    printf("vpdpbusd-256 GOP/s: %.1f\n", peak256(50000000));
  if (__builtin_cpu_supports("avx2")) {
    peakMaddwd(10000000); // warm up the clock
    printf("vpmaddubsw-256 GOP/s: %.1f\n", peakMaddubs(50000000));
    printf("vpmaddwd-256 GOP/s: %.1f\n", peakMaddwd(50000000));
  }
  return 0;
}
