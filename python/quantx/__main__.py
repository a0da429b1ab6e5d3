"""python3 -m quantx import-onnx model.onnx -o model.mlir [--batch N]"""

import argparse
import sys

from .onnx_import import OnnxImportError, import_onnx


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m quantx")
    commands = parser.add_subparsers(dest="command", required=True)
    onnx_cmd = commands.add_parser("import-onnx",
                                   help="ONNX model -> float TOSA (MLIR)")
    onnx_cmd.add_argument("model")
    onnx_cmd.add_argument("-o", "--output", default="-")
    onnx_cmd.add_argument("--batch", type=int, default=1,
                          help="size of dynamic batch dimensions")
    args = parser.parse_args(argv)
    try:
        text = import_onnx(args.model, batch=args.batch)
    except (OnnxImportError, OSError) as error:
        print(f"quantx: error: {error}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
