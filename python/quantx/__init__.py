"""quant-x's Python front: model import and drivers for quant-opt/quant-run."""

from .onnx_import import OnnxImportError, from_torch, import_onnx  # noqa: F401
