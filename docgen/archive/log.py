"""The archive's event log: an append-only, hash-chained record of everything done to it.

``events.jsonl`` holds one JSON object a line: what happened, when, by whom, with the digests
of what was stored. Each event carries its number and the SM3 of the line before it, and
``events.head`` the count and the SM3 of the last, so an event deleted, edited, moved or cut
off the end is found (``problems``). Readers get only well-formed events (``events``); its
size and time are the archive's one notion of "something changed" (``generation``).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docgen._io import (
    NOT_PLAIN,
    NotPlainFileError,
    atomic_write_bytes,
    current_user,
    now,
    open_plain,
    plain_lines,
    read_plain,
)
from docgen.archive.digests import digest_bytes, new_hash
from docgen.archive.paths import EVENTS, EVENTS_HEAD

NO_PREVIOUS = "0" * 64
TAIL_BYTES = 1 << 16  # the end of the log read to confirm its head; a longer event is read in full
MAX_EVENT_BYTES = 4 * 1024 * 1024  # an event is a few hundred bytes; a longer line is damage, never read whole
MAX_HEAD_BYTES = 4096


class ArchiveLog:
    """What every event log of an archive does: the file's here, the city database's in ``archive.city``."""

    _paths: tuple[tuple[int, int], frozenset[str]] | None = None  # (generation, folders named)

    def generation(self) -> tuple[int, int]:
        """A value that changes with every event appended (equal values: nothing happened since)."""
        raise NotImplementedError

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append one event, chained onto the last."""
        raise NotImplementedError

    def head(self) -> tuple[int, str] | None:
        """(events in the log, SM3 of the last one) as the log's head records them, or None."""
        raise NotImplementedError

    def problems(self) -> list[str]:
        """Where the chain or the head does not hold."""
        raise NotImplementedError

    def events(self) -> list[dict[str, Any]]:
        """Every well-formed event so far, oldest first."""
        raise NotImplementedError

    def paths(self) -> frozenset[str]:
        """The folders some event names (read once for as long as the log stays the same)."""
        generation = self.generation()
        if self._paths is None or self._paths[0] != generation or generation[0] < 0:
            named = frozenset(str(e["path"]) for e in self.events() if isinstance(e.get("path"), str))
            self._paths = (generation, named)
        return self._paths[1]


class EventLog(ArchiveLog):
    """The event log of the archive at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / EVENTS

    def generation(self) -> tuple[int, int]:
        """(size, modification time) of the log: the archive's one notion of "something changed".

        Every store appends an event, so an archive whose log has not changed has not changed,
        and a cache of it (the newest versions, a count, a web page's listing) is still good.
        """
        try:
            seen = self.path.stat()
        except OSError:
            return (-1, 0)
        return (seen.st_size, seen.st_mtime_ns)

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append one event to ``events.jsonl`` and flush it to disk. Call with the lock held.

        Each event carries its number and the SM3 of the line before it, so an event deleted,
        edited or moved breaks the chain at the next one; ``events.head`` records the count and
        the SM3 of the last line, so a cut-off tail shows too. An append never hides a tampered
        end: it chains onto what the head says came last and records what it found.
        """
        count, last, notes = self._chain_point()
        record, line = chained_event(count, last, event, {**fields, **notes})
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        fd = os.open(self.path, flags, 0o644)  # a FIFO put in its place fails here instead of waiting
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise NotPlainFileError(errno.EINVAL, NOT_PLAIN, str(self.path))
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        head = {"count": count + 1, "sm3": digest_bytes(line.encode("utf-8"), "sm3"), "bytes": size}
        atomic_write_bytes(self.root / EVENTS_HEAD, json.dumps(head).encode("utf-8"))
        return record

    def _chain_point(self) -> tuple[int, str, dict[str, Any]]:
        """(seq of the last event, its SM3, fields the next event must carry) for an append.

        Read from the head when the file's end agrees with it: reading only the end keeps an
        append cheap in an archive of many thousand events. Any doubt reads the whole file:
        - a head one event behind is a crash between writing a line and its head: chain on;
        - a head that disagrees otherwise means the end was cut or rewritten: chain onto the
          head's record (so the sequence jump stays visible) and say so in the new event;
        - no head over a chained log: say so; no head over an unchained log (written before
          the chain existed): seal its lines with one SM3, so editing them later shows.
        """
        path = self.path
        trusted = self._tail_from_head(path) if path.exists() else (0, NO_PREVIOUS)
        if trusted is not None:
            return (*trusted, {})
        head = self.head()
        count_read, last, at_head, sealer = 0, b"", None, new_hash("sm3")
        for raw in plain_lines(path, MAX_EVENT_BYTES):
            line = raw if raw is not None else b""  # a line too long to be an event chains as damage
            count_read += 1
            last = line
            if head is not None and count_read == head[0]:
                at_head = digest_bytes(line, "sm3")
            sealer.update(line + b"\n")
        if count_read and not _ends_with_newline(path):  # a line torn by a power cut: end it
            with path.open("ab") as fh:
                fh.write(b"\n")
        if not count_read:
            return 0, NO_PREVIOUS, {}
        actual = (count_read, digest_bytes(last, "sm3"))
        if head is None:
            if _chained(last):
                return (*actual, {"log_anomaly": f"缺少 {EVENTS_HEAD}，日志末尾无法确认"})
            return (*actual, {"legacy_lines": count_read, "legacy_sm3": sealer.hexdigest()})
        count, sm3 = head
        if 0 < count <= count_read <= count + 1 and at_head == sm3:
            return (*actual, {})
        found = f"日志末尾与 {EVENTS_HEAD} 不符（应有 {count} 条记录，实有 {count_read} 条，或最后一条被改动）"
        return count, sm3, {"log_anomaly": found}

    def head(self) -> tuple[int, str] | None:
        """(events in the log, SM3 of the last one) as ``events.head`` records them, or None."""
        try:
            head = json.loads(read_plain(self.root / EVENTS_HEAD, MAX_HEAD_BYTES))
            count, sm3 = head["count"], head["sm3"]
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        return (count, sm3) if isinstance(count, int) and isinstance(sm3, str) else None

    def _tail_from_head(self, path: Path) -> tuple[int, str] | None:
        try:
            head = json.loads(read_plain(self.root / EVENTS_HEAD, MAX_HEAD_BYTES))
            with open_plain(path) as fh:
                size = os.fstat(fh.fileno()).st_size
                if head.get("bytes") != size or size == 0:
                    return None
                fh.seek(max(0, size - TAIL_BYTES))
                tail = fh.read(TAIL_BYTES)
        except (OSError, ValueError, AttributeError, RecursionError):
            return None
        body = tail[:-1] if tail.endswith(b"\n") else None
        if body is None or (b"\n" not in body and size > len(tail)):
            return None  # torn last line, or a line longer than the tail read
        last = body.rsplit(b"\n", 1)[-1]
        if digest_bytes(last, "sm3") != head.get("sm3") or not isinstance(head.get("count"), int):
            return None
        return int(head["count"]), str(head["sm3"])

    def problems(self) -> list[str]:
        """Where the event log's chain or head does not hold (edited, deleted, reordered, cut-off events)."""
        if not self.path.exists():
            return []
        try:
            return chain_problems(plain_lines(self.path, MAX_EVENT_BYTES), self.head(), EVENTS_HEAD)
        except OSError as exc:
            return [f"{EVENTS} 无法读取（{exc.strerror}）"]

    def events(self) -> list[dict[str, Any]]:
        """Every event so far: lines that are not one (a torn last line, damage) are skipped here.

        ``log_problems`` names them; every reader of the log gets records it can rely on.
        """
        path = self.path
        if not path.exists():
            return []
        try:
            return [record for raw in plain_lines(path, MAX_EVENT_BYTES) if (record := parse_event(raw)) is not None]
        except OSError:  # not a plain file: ``problems`` says so, and there are no events to rely on
            return []


def chained_event(count: int, last: str, event: str, fields: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The next event after ``count`` events whose last line's SM3 is ``last``: its record and its line."""
    record = {"time": now(), "user": current_user(), "event": event, **fields, "seq": count + 1, "prev_sm3": last}
    return record, json.dumps(record, ensure_ascii=False, sort_keys=True)


def chain_problems(lines: Iterable[bytes | None], head: tuple[int, str] | None, head_name: str) -> list[str]:
    """Where a log's lines, oldest first, break the chain or disagree with its ``head`` (count, SM3 of the last).

    A line is None when it was too long to be an event. The file's log and the city's
    database log are checked by this one function: the lines are the same JSON either way.
    """
    problems: list[str] = []
    previous = NO_PREVIOUS
    chained = False
    before_chain = new_hash("sm3")  # the lines before the first chained one, as its seal covers them
    n = 0
    for n, raw in enumerate(lines, start=1):
        record = parse_event(raw)
        if record is None:
            said = "过长，不是一条记录" if raw is None else "不是完整的记录（被改动，或写入时中断）"
            problems.append(f"第{n}行{said}")
        elif "prev_sm3" in record:
            if not chained:
                problems += _legacy_problems(n - 1, before_chain.hexdigest(), record)
            chained = True
            problems += _link_problems(n, record, previous)
        elif chained:
            problems.append(f"第{n}行没有链接：是在链接开始后插入的记录")
        line = raw if raw is not None else b""
        if not chained:
            before_chain.update(line + b"\n")
        previous = digest_bytes(line, "sm3")
    if chained and head is not None:
        if head != (n, previous):
            problems.append(f"日志应有 {head[0]} 条记录，现有 {n} 条，或最后一条被改动：末尾被截断或改写")
    elif chained:
        problems.append(f"缺少 {head_name}：无法确认日志末尾完整")
    elif n:
        problems.append("事件日志没有链接（docgen 旧版本写的日志），改动无法发现：运行 docgen archive add-sm3 加以封存")
    return problems


def parse_event(raw: bytes | None) -> dict[str, Any] | None:
    """The event a log line holds, or None (not JSON, not UTF-8, nested absurdly, not an object)."""
    if raw is None:
        return None
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _ends_with_newline(path: Path) -> bool:
    with open_plain(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        fh.seek(max(0, size - 1))
        return fh.read(1) == b"\n"


def _chained(raw: bytes) -> bool:
    record = parse_event(raw)
    return record is not None and "prev_sm3" in record


def _link_problems(n: int, record: dict[str, Any], previous: str) -> list[str]:
    """What one chained event says is wrong: its link, its number, what its writer found."""
    problems = []
    if record["prev_sm3"] != previous:
        problems.append(f"第{n}行与上一行的链接不符：上一行被改动、删除或调换了位置")
    if record.get("seq") != n:
        problems.append(f"第{n}行的序号是 {record.get('seq')}：其前的记录被删除或插入")
    if record.get("log_anomaly"):
        problems.append(f"第{n}行写入时发现：{record['log_anomaly']}")
    return problems


def _legacy_problems(count: int, digest: str, first_chained: dict[str, Any]) -> list[str]:
    """Lines written before the chain began are vouched for by the SM3 the first chained event sealed.

    ``count`` lines came before it, and ``digest`` is the SM3 of them as the seal covers them.
    """
    if not count:
        return []
    sealed, sealed_count = first_chained.get("legacy_sm3"), first_chained.get("legacy_lines")
    if sealed is None:
        return [f"第1–{count}行没有链接，也没有被封存：是后来插入的记录"]
    if sealed_count != count or digest != sealed:
        return [f"第1–{count}行（链接开始前的旧记录）与封存时不符：被改动、删除或插入"]
    return []
