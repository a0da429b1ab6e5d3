# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""expect_exit.py CODE COMMAND...: runs COMMAND, passing its output through,
and succeeds exactly when it exits with CODE (lit's shell cannot test an
exit status other than zero or non-zero)."""

import subprocess
import sys

code = subprocess.run(sys.argv[2:]).returncode
if code != int(sys.argv[1]):
    print(f"expect_exit.py: exit code {code}, expected {sys.argv[1]}",
          file=sys.stderr)
    sys.exit(1)
