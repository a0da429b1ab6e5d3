#!/usr/bin/env bash
# The main job until the int8 pipeline lands: lower the shipped quantized
# example to integer-only arithmetic and run it, in both rounding modes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
example=$here/examples/requantize-chain.mlir
echo "== quant-opt --quantx-lower-to-arith $example (the requantize steps):"
"$here/build/bin/quant-opt" "$example" --quantx-lower-to-arith |
  grep -cE 'arith\.(divf|mulf|addf|subf)' |
  xargs -I{} echo "   float ops left in the lowered module: {} (the quantize/dequantize boundaries)"
echo "== run (double rounding, the default): input, per-channel int8, group-wise int4"
bash "$here/scripts/lower-and-run.sh" "$example" | grep -v '^Unranked'
echo "== run (single rounding)"
bash "$here/scripts/lower-and-run.sh" "$example" \
  --quantx-lower-to-arith=rounding=single | grep -v '^Unranked'
