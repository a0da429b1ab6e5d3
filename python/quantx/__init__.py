# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""quant-x's Python front: model import, a numpy API, and drivers for
quant-opt/quant-run."""

from .api import Model, compare_layers, constant_bytes  # noqa: F401
from .onnx_import import (DynamicDimensionWarning,  # noqa: F401
                          OnnxImportError, from_torch, import_onnx)
from . import pareto  # noqa: F401
from .hessian import hessian_traces  # noqa: F401
from .precision_solver import InfeasibleBudget, solve_precision  # noqa: F401
from .tools import GpuUnavailableError, ToolError  # noqa: F401
