# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Finding and calling quant-opt and quant-run."""

import os
import shutil
import subprocess


class ToolError(Exception):
    pass


class GpuUnavailableError(ToolError):
    """quant-run --target gpu found no usable GPU (its exit code 77): no
    driver, the CUDA toolkit's stub library, no device, or a GPU older than
    compute capability 8.0."""


# quant-run's exit code for "no usable GPU", which test drivers read as
# skipped.
EXIT_NO_GPU = 77


def find_tool(name):
    """$QUANTX_TOOLS/<name>, then PATH, then this checkout's build/bin."""
    candidates = []
    if os.environ.get("QUANTX_TOOLS"):
        candidates.append(os.path.join(os.environ["QUANTX_TOOLS"], name))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(here, "..", "..", "build", "bin", name))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise ToolError(f"cannot find {name}: build quant-x (bash scripts/setup.sh)"
                    " and put build/bin on PATH, or set QUANTX_TOOLS")


def run_tool(name, arguments, stream_stderr=False):
    """Runs a tool and returns its stdout; its stderr becomes the ToolError
    message on failure (or goes to ours as it comes, with
    `stream_stderr`: progress)."""
    result = subprocess.run([find_tool(name), *arguments],
                            stdout=subprocess.PIPE, text=True,
                            stderr=None if stream_stderr else subprocess.PIPE)
    if result.returncode != 0:
        error = (GpuUnavailableError if result.returncode == EXIT_NO_GPU
                 else ToolError)
        raise error((result.stderr or "").strip() or
                    f"{name} failed with exit code {result.returncode}")
    return result.stdout
