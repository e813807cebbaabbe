"""File output that never harms: atomic writes, names checked at writing, one temporary folder.

Imports nothing from docgen but its errors.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import csv
import datetime as dt
import errno
import fcntl
import getpass
import io
import os
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from docgen.errors import DocgenError, UnsafePathError


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry so a rename inside it survives a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


NOT_PLAIN = "不是普通文件（是管道、设备或文件夹）"


class NotPlainFileError(OSError):
    """A link, FIFO, device or folder where a plain file was to be read; ``strerror`` says which."""


@contextlib.contextmanager
def open_plain(path: Path) -> Iterator[BinaryIO]:
    """Open the plain file at ``path`` for reading, never through a link.

    Anything else raises ``NotPlainFileError`` saying so in Chinese: a FIFO put where a record belongs
    would make the reader wait for a writer forever, a link to ``/dev/zero`` read without end
    (both found by an attack run). Opening does not block, and the check is on what was opened.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotPlainFileError(errno.ELOOP, "是符号链接", str(path)) from None
        raise
    try:
        is_plain = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        os.close(fd)
        raise
    if not is_plain:
        os.close(fd)
        raise NotPlainFileError(errno.EINVAL, NOT_PLAIN, str(path))
    with os.fdopen(fd, "rb") as fh:
        yield fh


def read_plain(path: Path, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of the plain file at ``path`` (more than ``limit`` means too big)."""
    with open_plain(path) as fh:
        return fh.read(limit + 1)


def plain_lines(path: Path, longest: int) -> Iterator[bytes | None]:
    """The lines of the plain file at ``path``, without their ends, read one at a time.

    A line longer than ``longest`` bytes is skipped (read through, never held) and given as None:
    a log is read in bounded memory whatever was appended to it.
    """
    with open_plain(path) as fh:
        while line := fh.readline(longest + 1):
            if len(line) > longest and not line.endswith(b"\n"):
                while (rest := fh.readline(longest + 1)) and not rest.endswith(b"\n"):
                    pass
                yield None
                continue
            yield line.removesuffix(b"\n")


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
        if tmp.stat().st_mode & 0o777 == 0o600:  # mkstemp's private mode: give the file the usual one
            tmp.chmod(0o666 & ~_UMASK)
        tmp.replace(target)
        fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _read_umask() -> int:
    mask = os.umask(0)  # the only way to read it; set straight back, once, before any thread starts
    os.umask(mask)
    return mask


_UMASK = _read_umask()


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


# A cell Excel or WPS would read as a formula (=HYPERLINK(…) in a title from an imported file).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula mark is quoted away with '."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def write_spreadsheet(target: Path, rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV that Excel on a Chinese PC opens as it is (UTF-8 with a BOM), cells never formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    atomic_write_bytes(target, out.getvalue().encode("utf-8-sig"))


def child(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any ``name`` that would land anywhere but directly in ``folder``.

    Names are checked when a case is loaded; this is the second lock on the same door, at the
    moment of writing.
    """
    path = folder / name
    if os.sep in name or (os.altsep and os.altsep in name) or path.resolve().parent != folder.resolve():
        msg = f"“{name[:80]}”不是一个安全的文件名（会写到 {folder} 以外），未写入任何文件。"
        raise UnsafePathError(msg)
    return path


# --- one folder for a run's temporary work ------------------------------------------------------

RUNS_FOLDER = ".tmp"
_run: Path | None = None
_before: tuple[str | None, str | None] = (None, None)  # tempfile.tempdir and TMPDIR before the run


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (Linux), which tells a live process from a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def sweep_runs(workspace: Path) -> list[Path]:
    """Remove the run folders of docgen processes that are gone (killed, crashed); return them."""
    removed = []
    root = workspace / RUNS_FOLDER
    for folder in root.glob("run-*-*") if root.is_dir() else []:
        _, pid, started = folder.name.split("-", 2)
        if pid.isdigit() and _process_start(int(pid)) != started:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def use_run_folder(workspace: Path) -> Path:
    """Send this process's temporary files, and its children's (LibreOffice), into one folder.

    The folder is ``<workspace>/.tmp/run-<pid>-<start>``; it is removed when the process exits,
    and a later run removes it if the process was killed. Falls back to the system's temporary
    folder when the workspace cannot be written.
    """
    global _run, _before  # noqa: PLW0603 - one run folder per process, by design
    if _run is not None:
        if _run.parent.parent == workspace:
            return _run
        end_run()  # another workspace in the same process (tests call the CLI many times)
    _before = (tempfile.tempdir, os.environ.get("TMPDIR"))
    pid = os.getpid()
    try:
        sweep_runs(workspace)
        _run = workspace / RUNS_FOLDER / f"run-{pid}-{_process_start(pid) or int(time.time())}"
        _run.mkdir(parents=True)
    except OSError:
        _run = Path(tempfile.mkdtemp(prefix=f"docgen-run-{pid}-"))
    tempfile.tempdir = str(_run)
    os.environ["TMPDIR"] = str(_run)  # LibreOffice writes its lu*.tmp files there
    atexit.register(end_run)
    return _run


_TERMINATED: list[int] = []  # the signal that asked this process to stop, once it has


def note_termination(signum: int) -> None:
    """Remember that the process was asked to stop (SIGTERM), whatever catches the exception raised for it."""
    _TERMINATED.append(signum)


def termination_exit() -> int | None:
    """The exit code owed to a termination asked for earlier (128 + the signal), or None."""
    return 128 + _TERMINATED[0] if _TERMINATED else None


def end_run() -> None:
    """Remove this process's run folder and send temporary files back where they went before."""
    global _run
    if _run is None:
        return
    folder, _run = _run, None
    tempfile.tempdir = _before[0]
    if _before[1] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = _before[1]
    shutil.rmtree(folder, ignore_errors=True)
    if folder.parent.name == RUNS_FOLDER:
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # .tmp itself, when no other run is using it


# --- who and when, for records ----------------------------------------------------------------


_ACTING_USER: contextvars.ContextVar[str | None] = contextvars.ContextVar("docgen_acting_user", default=None)


def current_user() -> str:
    """Who is acting: the signed-in clerk of a web request, else ``DOCGEN_USER``, else the login name."""
    return _ACTING_USER.get() or os.environ.get("DOCGEN_USER") or getpass.getuser()


@contextlib.contextmanager
def acting_as(name: str | None) -> Iterator[None]:
    """Record what is done inside as done by ``name`` (the registry's 经办人, the event log's user)."""
    token = _ACTING_USER.set(name or None)
    try:
        yield
    finally:
        _ACTING_USER.reset(token)


def now() -> str:
    """The local time with its offset, to the second (what a clerk's audit needs)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class SqliteRecords:
    """A file of records in SQLite (the registry, the accounts): one connection a call, closed after.

    Autocommit (each method opens its own transaction), write-ahead log, every commit synced to
    disk, waiting up to ``busy_timeout`` for another process's write; the schema is made once per
    object (``_create_schema``); SQLite's errors become ``error``, naming the file as ``label``.
    """

    error: type[DocgenError] = DocgenError
    label = "记录文件"
    busy_timeout = 60.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._schema_ready = False

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        """Make the tables (called once per object, on its first connection)."""

    def _write_ahead(self, conn: sqlite3.Connection) -> None:
        """Put the file in write-ahead-log mode, waiting out another process that holds it.

        Turning a new file to WAL needs it to itself, and SQLite answers "database is locked" at
        once rather than calling the busy handler: several processes opening a new ledger
        together (under load) would fail for no reason.
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            else:
                return

    def _said(self, exc: sqlite3.Error) -> str:
        """SQLite's error as the clerk reads it."""
        return str(exc)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            msg = f"无法打开{self.label} {self.path}：{self._said(exc)}"
            raise self.error(msg) from exc
        try:
            self._write_ahead(conn)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            if not self._schema_ready:  # once per object: it may cost a write transaction
                self._create_schema(conn)
                self._schema_ready = True
            yield conn
        except sqlite3.DatabaseError as exc:
            msg = f"{self.label} {self.path} 无法读写：{self._said(exc)}"
            raise self.error(msg) from exc
        finally:
            conn.close()
