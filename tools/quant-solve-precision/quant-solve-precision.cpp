//===- quant-solve-precision.cpp - the precision solver on JSON -----------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// quant-solve-precision costs.json [-o choice.json]: reads a mixed-precision
// problem (layers, their options' sensitivities and costs, ties, budgets;
// docs/Passes.md), solves it to proven optimality, and writes the choice as
// JSON. Exit 0 when optimal, 1 when infeasible (the JSON says which budget
// and its smallest feasible value), 2 on bad input.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Solver/PrecisionSolver.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::OptionCategory category("quant-solve-precision options");
static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<costs.json>"),
                                      cl::cat(category));
static cl::opt<std::string> outputPath("o", cl::init("-"),
                                       cl::desc("where the choice goes "
                                                "(default: stdout)"),
                                       cl::value_desc("file"),
                                       cl::cat(category));

static int fail(const Twine &message) {
  WithColor::error(errs(), "quant-solve-precision") << message << "\n";
  return 2;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "quant-x mixed-precision solver: the per-layer precisions that minimize "
      "the summed sensitivity under weight-byte, BOP and latency budgets\n");
  ErrorOr<std::unique_ptr<MemoryBuffer>> file =
      MemoryBuffer::getFileOrSTDIN(inputPath);
  if (!file)
    return fail("cannot read '" + inputPath +
                "': " + file.getError().message());
  Expected<json::Value> json = json::parse((*file)->getBuffer());
  if (!json)
    return fail("'" + inputPath +
                "' is not valid JSON: " + toString(json.takeError()));
  Expected<quantx::solver::Problem> problem =
      quantx::solver::parseProblem(*json);
  if (!problem)
    return fail("'" + inputPath + "': " + toString(problem.takeError()));
  Expected<quantx::solver::Solution> solution = quantx::solver::solve(*problem);
  if (!solution)
    return fail(toString(solution.takeError()));
  std::error_code error;
  ToolOutputFile output(outputPath, error, sys::fs::OF_Text);
  if (error)
    return fail("cannot write '" + outputPath + "': " + error.message());
  output.os() << formatv("{0:2}", quantx::solver::toJSON(*problem, *solution))
              << "\n";
  output.keep();
  return solution->status == quantx::solver::Solution::Status::Optimal ? 0 : 1;
}
