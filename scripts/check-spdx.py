#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Lists the project's source files (C, C++, TableGen, Python, shell, CMake)
that lack the SPDX line of the project's licence (LICENSE), and exits 1 if
there is one. Usage: check-spdx.py [source-root]."""

import os
import sys

SPDX = "SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception"
FOLDERS = ("bench", "cmake", "docs", "examples", "fuzz", "include", "lib",
           "python", "scripts", "test", "tools", "unittests", ".ci")
SUFFIXES = (".c", ".cpp", ".h", ".td", ".py", ".sh", ".cmake", ".cmake.in",
            ".py.in")


def is_source(name):
    return name == "CMakeLists.txt" or name == "run" or name.endswith(SUFFIXES)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..")
    missing, checked = [], 0
    candidates = [os.path.join(root, "CMakeLists.txt")]
    for folder in FOLDERS:
        for parent, dirs, files in os.walk(os.path.join(root, folder)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            candidates += [os.path.join(parent, f) for f in files
                           if is_source(f)]
    for path in sorted(candidates):
        with open(path, errors="replace") as f:
            head = f.read(2000)
        checked += 1
        if SPDX not in head:
            missing.append(os.path.relpath(path, root))
    for path in missing:
        print(f"{path}: no '{SPDX}' line")
    print(f"{checked} source files, {len(missing)} without the SPDX line")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
