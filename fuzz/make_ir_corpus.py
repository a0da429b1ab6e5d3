#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes a seed corpus for quantx-ir-fuzzer and quantx-opt-fuzzer.

Every lit test input under test/ (*.mlir) is split at `// -----` as
-split-input-file does, and each piece is written to CORPUS_DIR as a file
named after its source and index. Comment-only lines (RUN and CHECK lines,
expected-error annotations) are dropped: they are noise to the parser, and
the fuzzer's mutations are better spent on IR. Pieces longer than MAX_LEN
bytes (default 4096, the fuzz runs' -max_len) are left out rather than
truncated by libFuzzer into unparsable seeds.

    make_ir_corpus.py CORPUS_DIR [MAX_LEN]
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPLIT = re.compile(r"^// -----.*$", re.MULTILINE)


def pieces(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for piece in SPLIT.split(text):
        lines = [l for l in piece.splitlines() if not l.lstrip().startswith("//")]
        ir = "\n".join(lines).strip()
        if ir:
            yield ir + "\n"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    directory = sys.argv[1]
    max_len = int(sys.argv[2]) if len(sys.argv) == 3 else 4096
    os.makedirs(directory, exist_ok=True)
    written = skipped = 0
    for dirpath, _, files in sorted(os.walk(os.path.join(ROOT, "test"))):
        for name in sorted(files):
            if not name.endswith(".mlir"):
                continue
            path = os.path.join(dirpath, name)
            stem = os.path.relpath(path, ROOT).replace(os.sep, "_")[:-5]
            for i, ir in enumerate(pieces(path)):
                data = ir.encode()
                if len(data) > max_len:
                    skipped += 1
                    continue
                with open(os.path.join(directory, f"{stem}-{i}.mlir"), "wb") as f:
                    f.write(data)
                written += 1
    print(f"make_ir_corpus.py: {written} seeds in {directory}, "
          f"{skipped} over {max_len} bytes left out")


if __name__ == "__main__":
    main()
