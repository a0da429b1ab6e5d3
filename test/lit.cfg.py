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
config.suffixes = [".mlir", ".test"]
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
tools = ["quant-opt", "quant-run", "mlir-opt", "mlir-runner", "FileCheck", "not", "count"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.quantx_tools_dir, append_path=True)

# Debian's interpreter, which sees python3-numpy/onnx/torch; python/ holds the
# quantx package.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.environment["PYTHONPATH"] = os.path.join(config.quantx_src_root, "python")
