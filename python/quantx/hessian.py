# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Hessian traces of a PyTorch model's layers (HAWQ-V2/V3's metric) for
mixed precision: `quantx.hessian_traces(module, data, labels)`.

For every nn.Conv2d and nn.Linear, the average trace Tr(H)/n of the
Hessian of the loss with respect to its weight, estimated by Hutchinson's
method (E[v^T H v] over Rademacher vectors v, H v by double
back-propagation). The result maps the ONNX node names the quant-x
importer gives those layers (their `quantx.layer`) to the traces, ready
for `Model.quantize(..., hessian_traces=traces)` or a `hessian-traces=`
file, where quant-x computes each candidate's sensitivity as
Tr(H)/n x ||Q(W) - W||^2 with its own quantizer.

The traces are taken with respect to the PyTorch weights: where batch norm
follows a layer, quant-x folds it into the weights, which rescales each
output channel; the metric does not correct for that.
"""

import numpy as np


def _layer_names(module, example_input):
    """ONNX node name of each Conv2d / Linear, by module path: the node
    whose weight input is the module's parameter (`<path>.weight`)."""
    import torch

    from .onnx_import import torch_to_onnx

    model = torch_to_onnx(module, example_input)
    by_weight = {}
    for node in model.graph.node:
        if node.op_type in ("Conv", "Gemm", "MatMul") and len(node.input) > 1:
            by_weight[node.input[1]] = node.name
    names = {}
    for path, child in module.named_modules():
        if isinstance(child, (torch.nn.Conv2d, torch.nn.Linear)):
            name = by_weight.get(f"{path}.weight")
            if name is None:
                raise ValueError(f"cannot find the ONNX node of layer "
                                 f"'{path}' (its weight is not an "
                                 "initializer of that name)")
            names[path] = name
    return names


def hessian_traces(module, data, labels, iterations=32, batch_size=128,
                   loss=None, seed=0):
    """{ONNX node name: Tr(H)/n} for the Conv2d and Linear layers of
    `module` on `data` ([N, ...] as the module takes it) and integer
    `labels` ([N]), with `loss` (default cross entropy), averaged over
    `iterations` Rademacher probes on batches of `batch_size`."""
    import torch

    module.eval()
    x = torch.as_tensor(np.asarray(data, np.float32))
    y = torch.as_tensor(np.asarray(labels, np.int64))
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"{len(x)} samples but {len(y)} labels")
    loss = loss or torch.nn.functional.cross_entropy
    layers = [(path, child) for path, child in module.named_modules()
              if isinstance(child, (torch.nn.Conv2d, torch.nn.Linear))]
    if not layers:
        raise ValueError("the module has no Conv2d or Linear layer")
    weights = [child.weight for _, child in layers]
    generator = torch.Generator().manual_seed(seed)
    sums = [0.0] * len(weights)
    for i in range(iterations):
        start = (i * batch_size) % len(x)
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        grads = torch.autograd.grad(loss(module(xb), yb), weights,
                                    create_graph=True)
        probes = [torch.randint(0, 2, w.shape, generator=generator,
                                dtype=w.dtype) * 2 - 1 for w in weights]
        products = torch.autograd.grad(grads, weights, grad_outputs=probes)
        for k, (hv, v) in enumerate(zip(products, probes)):
            sums[k] += float((hv * v).sum())
    names = _layer_names(module, x[:1])
    return {names[path]: max(total / iterations / weight.numel(), 0.0)
            for (path, _), weight, total in zip(layers, weights, sums)}
