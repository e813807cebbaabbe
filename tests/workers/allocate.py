"""A worker process for the registry tests: allocate N numbers through the CLI entry point.

Usage: python -m tests.workers.allocate WORKSPACE PREFIX YEAR COUNT OUTFILE
Each allocation is a full CLI call (argument parsing, settings, a fresh registry connection);
the numbers printed are appended to OUTFILE, one per line.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

from docgen.cli import main as docgen


def run() -> None:
    workspace, prefix, year, count, outfile = sys.argv[1:6]
    with open(outfile, "a", encoding="utf-8") as out:  # noqa: PTH123
        for i in range(int(count)):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                docgen(
                    # Each document its own title: the same title asking again would get its number back.
                    [
                        "-w",
                        workspace,
                        "number",
                        "next",
                        "--prefix",
                        prefix,
                        "--year",
                        year,
                        "--confirm-year",  # a new ledger's year, whatever today is
                        "--title",
                        f"并发测试{os.getpid()}-{i}",
                    ]
                )
            out.write(buffer.getvalue())
            out.flush()


if __name__ == "__main__":
    run()
