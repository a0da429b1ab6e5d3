# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The size / accuracy trade-off of mixed precision: `python3 -m quantx
pareto model.onnx --calibration c.npy [--eval x.npy labels.npy] -o
pareto.png`.

Compiles the model with --quantize-mixed at `points` weight-size budgets
(fractions from 0, all candidates at their smallest, to 1, all at their
largest) and with each candidate uniformly (--quantize), measures each
model's weight bytes (the report's), latency (quant-run --time, one
thread) and, with labels, top-1 accuracy, or else the SQNR of its outputs
against the float model's, and draws the mixed curve beside the uniform
points with matplotlib. Returns the rows as dicts; the command line also
prints them as a Markdown table, with the additivity check of each mixed
point (Spearman rho of summed sensitivities against measured errors).
"""

import json
import os
import re
import tempfile

import numpy as np



def precision_options(precision):
    """--quantize options of a compact precision (w4a8, w4a8-g32, w4a8-pt,
    w2a8-tl16, wta8, wba8, w8a16)."""
    match = re.fullmatch(r"w(\d|t|b)a(\d+)(?:-(pt|g(\d+)|tl(\d+)))?",
                         precision)
    if not match:
        raise ValueError(f"not a compact precision: '{precision}' (e.g. "
                         "w8a8, w4a8-g32, wta8)")
    bits = {"t": "ternary", "b": "binary"}.get(match[1], match[1])
    options = f"weight-bits={bits} activation-bits={match[2]}"
    if match[3] == "pt":
        options += " weight-granularity=per-tensor"
    elif match[4]:
        options += f" weight-granularity=group:{match[4]}"
    elif match[5]:
        options += f" weight-granularity=two-level:{match[5]}"
    return options


def _sqnr_db(reference, values):
    noise = np.sum((values - reference) ** 2)
    signal = np.sum(reference ** 2)
    return float("inf") if noise == 0 else float(10 * np.log10(signal /
                                                               noise))


def pareto(model, calibration, candidates="w8a8,w4a8,w2a8", points=6,
           eval_inputs=None, eval_labels=None, sensitivity="output-mse"):
    """The rows of the trade-off for `model` (a quantx.Model, float) and
    float32 `calibration` samples: one per mixed budget ("kind": "mixed",
    "size": fraction) and per uniform candidate ("kind": "uniform"), each
    with "weight_bytes", "latency_ms", "accuracy" (with labels) or
    "sqnr_db", "precisions" (per layer) and, for mixed points,
    "spearman_rho"."""
    inputs = calibration if eval_inputs is None else eval_inputs
    reference = None if eval_labels is not None else \
        np.asarray(model.run(inputs), np.float64)
    rows = []

    def measure(quantized, report, row):
        with open(report) as f:
            summary = json.load(f)
        row["weight_bytes"] = summary["total_weight_bytes"]
        row["precisions"] = [layer["weights"] for layer in
                             summary["layers"]]
        mixed = summary.get("mixed_precision", {})
        if "additivity" in mixed:
            row["spearman_rho"] = mixed["additivity"]["spearman_rho"]
        outputs = np.asarray(quantized.run(inputs), np.float64)
        if eval_labels is not None:
            logits = outputs.reshape(len(eval_labels), -1)
            row["accuracy"] = float((logits.argmax(1) == eval_labels).mean()
                                    * 100)
        else:
            row["sqnr_db"] = _sqnr_db(reference, outputs)
        row["latency_ms"] = quantized.latency_ms(inputs[0], threads=1)
        rows.append(row)

    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        for i in range(points):
            fraction = i / (points - 1) if points > 1 else 1.0
            quantized = model.quantize(calibration, candidates=candidates,
                                       size=round(fraction, 6),
                                       sensitivity=sensitivity,
                                       report=report)
            measure(quantized, report,
                    {"kind": "mixed", "size": round(fraction, 6)})
        for candidate in candidates.split(","):
            options = dict(item.split("=") for item in
                           precision_options(candidate).split())
            quantized = model.quantize(
                calibration, weight_bits=options["weight-bits"],
                weight_granularity=options.get("weight-granularity",
                                               "per-channel"),
                activation_bits=int(options["activation-bits"]),
                report=report)
            measure(quantized, report,
                    {"kind": "uniform", "precision": candidate})
    return rows


def plot(rows, path, title):
    """Draws the rows (pareto()'s) to an image at `path`."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = "accuracy" if "accuracy" in rows[0] else "sqnr_db"
    label = "top-1 accuracy (%)" if metric == "accuracy" else \
        "output SQNR (dB)"
    mixed = sorted((r for r in rows if r["kind"] == "mixed"),
                   key=lambda r: r["weight_bytes"])
    uniform = [r for r in rows if r["kind"] == "uniform"]
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    axes.plot([r["weight_bytes"] / 1024 for r in mixed],
              [r[metric] for r in mixed], "o-", label="mixed (size=0..1)")
    for r in uniform:
        axes.plot(r["weight_bytes"] / 1024, r[metric], "s",
                  label=f"uniform {r['precision']}")
    axes.set_xlabel("weight KiB (packed, scales included)")
    axes.set_ylabel(label)
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def table(rows):
    """The rows as a Markdown table."""
    metric = "accuracy" if "accuracy" in rows[0] else "sqnr_db"
    header = "accuracy (%)" if metric == "accuracy" else "SQNR (dB)"
    lines = [f"| assignment | weight KiB | {header} | latency ms (1 thread) "
             "| Spearman rho | precisions |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        name = f"mixed size={r['size']}" if r["kind"] == "mixed" else \
            f"uniform {r['precision']}"
        rho = f"{r['spearman_rho']:.2f}" if "spearman_rho" in r else ""
        lines.append(f"| {name} | {r['weight_bytes'] / 1024:.1f} | "
                     f"{r[metric]:.2f} | {r['latency_ms']:.3f} | {rho} | "
                     f"{' '.join(r['precisions'])} |")
    return "\n".join(lines)
