"""A pool of LibreOffice workers for converting many documents.

Start-up is what one soffice per document pays for (about 1.1 s of 1.3 s here). The pool keeps
N workers (default: one per core) busy with chunks of documents, each chunk one soffice run with
the worker's own profile folder, so start-up is paid once per chunk and memory is released when
the run ends (a restart every ``chunk`` documents). A worker that makes no progress for the
per-document timeout is killed; documents it did not finish, and any whose output is empty or
invalid, are retried once each on their own, so one bad document fails alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from docgen.convert.libreoffice import ConvertsAll, find_soffice, run_batch


@dataclass
class ConversionPool(ConvertsAll):
    """Converts batches of documents with ``workers`` LibreOffice processes in parallel."""

    soffice: str = "soffice"
    timeout: float = 180.0
    font_dirs: tuple[Path, ...] = ()
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chunk: int = 25
    pdfa: bool = True

    def convert_each(
        self, jobs: Sequence[tuple[Path, Path]], on_done: Callable[[int, str | None], None] | None = None
    ) -> dict[int, str]:
        """Convert what can be converted; report each job as it finishes; return the failures."""
        if not jobs:
            return {}
        exe = find_soffice(self.soffice)
        size = max(1, min(self.chunk, -(-len(jobs) // self.workers)))  # keep every worker busy
        chunks = [list(range(i, min(i + size, len(jobs)))) for i in range(0, len(jobs), size)]
        failures: dict[int, str] = {}
        lock = threading.Lock()
        local = threading.local()
        with tempfile.TemporaryDirectory(prefix="docgen-pool-") as root:

            def profile() -> Path:
                if not hasattr(local, "profile"):
                    local.profile = Path(tempfile.mkdtemp(prefix="worker-", dir=root))
                return Path(local.profile)

            def convert_chunk(indices: list[int]) -> None:
                batch = [jobs[i] for i in indices]
                failed = run_batch(
                    exe, batch, profile=profile(), timeout=self.timeout, font_dirs=self.font_dirs, pdfa=self.pdfa
                )
                if failed:
                    # A killed soffice may leave its profile locked: start the next run afresh.
                    shutil.rmtree(profile(), ignore_errors=True)
                for position, index in enumerate(indices):
                    reason = failed.get(position)
                    if reason is not None:  # once more, alone, so a bad neighbour cannot sink it
                        retry = run_batch(
                            exe,
                            [jobs[index]],
                            profile=profile(),
                            timeout=self.timeout,
                            font_dirs=self.font_dirs,
                            pdfa=self.pdfa,
                        )
                        reason = retry.get(0)
                        if reason is not None:
                            shutil.rmtree(profile(), ignore_errors=True)
                    with lock:
                        if reason is not None:
                            failures[index] = reason
                        if on_done:
                            on_done(index, reason)

            with ThreadPoolExecutor(max_workers=self.workers) as executor:
                for future in [executor.submit(convert_chunk, c) for c in chunks]:
                    future.result()
        return failures
