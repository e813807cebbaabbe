"""Atomic file output: nothing half-written is ever left under its final name."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry so a rename inside it survives a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success fsync it and rename it into place.

    The temporary file lives in the target's folder so ``os.replace`` is a same-filesystem
    rename. On any exception the temporary file is removed and ``target`` is left untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(target)
        fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically (the source may be on another filesystem)."""
    with atomic_path(target) as tmp, source.open("rb") as src, tmp.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


@contextlib.contextmanager
def exclusive_lock(lock_file: Path, timeout: float, busy_message: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file``, waiting up to ``timeout`` seconds.

    ``busy_message`` becomes the ``TimeoutError`` raised when another process keeps it longer.
    The lock dies with its process, so a killed docgen never leaves the archive locked.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(busy_message) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
