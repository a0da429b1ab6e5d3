# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""run_each_isa.py ISAS_FILE COMMAND...: runs the commands, in order, for
each kernel ISA listed in ISAS_FILE (quant-run --list-kernels) and for 1 and
2 threads, with {isa} and {threads} substituted and `quant-run` given
--kernels and --threads. Prints "<isa> threads=<n>: ok" per combination and
exits non-zero at the first failing command."""

import shlex
import subprocess
import sys


def main(isa_file, commands):
    with open(isa_file) as f:
        isas = [line.strip() for line in f if line.strip()]
    for isa in isas:
        for threads in (1, 2):
            for command in commands:
                text = command.format(isa=isa, threads=threads)
                argv = shlex.split(text)
                if argv and argv[0].endswith("quant-run"):
                    argv += ["--kernels", isa, "--threads", str(threads)]
                result = subprocess.run(argv)
                if result.returncode:
                    print(f"{isa} threads={threads}: FAILED: {text}")
                    sys.exit(1)
            print(f"{isa} threads={threads}: ok", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
