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
import queue
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
    """Converts batches of documents with ``workers`` LibreOffice processes in parallel.

    Used as a context manager, the pool keeps its workers' profile folders for its whole life
    (a batch of many cases, each fit round): a LibreOffice profile made afresh costs about half
    a second at every start.
    """

    soffice: str = "soffice"
    timeout: float = 180.0
    font_dirs: tuple[Path, ...] = ()
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chunk: int = 25
    pdfa: bool = True
    _root: Path | None = field(default=None, init=False, repr=False)
    _profiles: queue.SimpleQueue[Path] = field(default_factory=queue.SimpleQueue, init=False, repr=False)

    def __enter__(self) -> ConversionPool:
        self._root = Path(tempfile.mkdtemp(prefix="docgen-pool-"))
        return self

    def __exit__(self, *_: object) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
        self._root, self._profiles = None, queue.SimpleQueue()

    def _take_profile(self) -> Path:
        """A profile folder no running soffice uses: one kept from before, or a new one."""
        try:
            return self._profiles.get_nowait()
        except queue.Empty:
            assert self._root is not None  # noqa: S101 - only called inside a pool's life
            return Path(tempfile.mkdtemp(prefix="worker-", dir=self._root))

    def _give_back(self, profile: Path, *, broken: bool) -> None:
        if broken:  # a killed soffice may leave its profile locked: the next run starts afresh
            shutil.rmtree(profile, ignore_errors=True)
        else:
            self._profiles.put(profile)

    def convert_each(
        self, jobs: Sequence[tuple[Path, Path]], on_done: Callable[[int, str | None], None] | None = None
    ) -> dict[int, str]:
        """Convert what can be converted; report each job as it finishes; return the failures."""
        if not jobs:
            return {}
        if self._root is None:  # not inside ``with``: a pool for this call alone
            with self:
                return self.convert_each(jobs, on_done)
        exe = find_soffice(self.soffice)
        size = max(1, min(self.chunk, -(-len(jobs) // self.workers)))  # keep every worker busy
        chunks = [list(range(i, min(i + size, len(jobs)))) for i in range(0, len(jobs), size)]
        failures: dict[int, str] = {}
        lock = threading.Lock()

        def report(index: int, reason: str | None) -> None:
            with lock:
                if reason is not None:
                    failures[index] = reason
                if on_done:
                    on_done(index, reason)

        def run(indices: list[int]) -> dict[int, str]:
            """Convert in one soffice; each success is reported as it lands, the failures returned."""
            profile = self._take_profile()
            failed = run_batch(
                exe,
                [jobs[i] for i in indices],
                profile=profile,
                timeout=self.timeout,
                font_dirs=self.font_dirs,
                pdfa=self.pdfa,
                on_ready=lambda position: report(indices[position], None),
            )
            self._give_back(profile, broken=bool(failed))
            return failed

        def convert_chunk(indices: list[int]) -> None:
            failed = run(indices)
            for position in sorted(failed):
                index = indices[position]
                # Once more, alone, so a bad neighbour cannot sink it; a success there is reported by ``run``.
                if (again := run([index]).get(0)) is not None:
                    report(index, again)

        with ThreadPoolExecutor(max_workers=self.workers) as executor:
            for future in [executor.submit(convert_chunk, c) for c in chunks]:
                future.result()
        return failures
