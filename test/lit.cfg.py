# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# -*- Python -*-
# lit configuration of quant-x: FileCheck tests of every pass and error,
# the GoogleTest binaries (unit and JIT integration tests) and the
# find_package(QuantX) consumer build.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "QUANTX"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".c"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.quantx_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

llvm_config.with_system_environment(["HOME", "TMP", "TEMP", "CCACHE_DIR"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%quantx_src_root", config.quantx_src_root))
config.substitutions.append(("%quantx_obj_root", config.quantx_obj_root))
config.substitutions.append(("%mlir_cmake_dir", config.mlir_cmake_dir))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
# The build's own flags, for the find_package consumer: its objects must link
# against libraries built with them (scripts/sanitize.sh's sanitizers).
config.substitutions.append(("%quantx_cxx_flags", config.cxx_flags))
config.substitutions.append(("%quantx_exe_linker_flags", config.exe_linker_flags))

tool_dirs = [config.quantx_tools_dir, config.llvm_tools_dir]
tools = ["quant-opt", "quant-run", "quant-compile", "quantx-capi-test",
         "mlir-opt", "mlir-runner", "mlir-translate", "llvm-nm",
         "llvm-objcopy", "FileCheck", "not", "count"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.quantx_tools_dir, append_path=True)

# A build with the sanitizers (scripts/sanitize.sh): its plugin cannot load
# into Debian's uninstrumented mlir-opt-22 (the sanitizer runtime must come
# first in the process).
if "-fsanitize" in config.cxx_flags:
    config.available_features.add("sanitized")

# quant-x as a dialect and pass plugin of upstream tools (lib/Plugin).
config.substitutions.append(
    ("%quantx_plugin", os.path.join(config.quantx_obj_root, "lib",
                                    "QuantXPlugin.so")))

# Debian's interpreter, which sees python3-numpy/onnx/torch; python/ holds the
# quantx package.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.environment["PYTHONPATH"] = os.path.join(config.quantx_src_root, "python")

# The GPU target (docs/GPU.md). A stand-in CUDA driver
# (unittests/Runtime/FakeCudaDriver.cpp) lets the tests without a GPU run
# quant-run --target gpu's host side; ptxas, where a CUDA toolkit is
# installed, assembles the emitted PTX; "gpu" marks the tests that need a
# usable NVIDIA GPU (quant-run --target gpu --list-kernels exits 0), which
# are UNSUPPORTED elsewhere.
import shutil
import subprocess

config.substitutions.append(
    ("%fake_cuda", os.path.join(config.quantx_obj_root, "unittests",
                                "libQuantXFakeCudaFull.so")))
ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
quant_run = os.path.join(config.quantx_tools_dir, "quant-run")
if os.access(quant_run, os.X_OK) and subprocess.run(
        [quant_run, "--target", "gpu", "--list-kernels"],
        capture_output=True).returncode == 0:
    config.available_features.add("gpu")
