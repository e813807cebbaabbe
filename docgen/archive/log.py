"""The archive's event log: an append-only, hash-chained record of everything done to it.

``events.jsonl`` holds one JSON object a line: what happened, when, by whom, with the digests
of what was stored. Each event carries its number and the SM3 of the line before it, and
``events.head`` the count and the SM3 of the last, so an event deleted, edited, moved or cut
off the end is found (``problems``). Readers get only well-formed events (``events``); its
size and time are the archive's one notion of "something changed" (``generation``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from docgen._io import atomic_write_bytes, current_user, now
from docgen.archive.digests import digest_bytes
from docgen.archive.paths import EVENTS, EVENTS_HEAD

NO_PREVIOUS = "0" * 64
TAIL_BYTES = 1 << 16  # the end of the log read to confirm its head; a longer event is read in full


class EventLog:
    """The event log of the archive at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / EVENTS
        self._paths: tuple[tuple[int, int], frozenset[str]] | None = None  # (generation, folders named)

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
        record = {
            "time": now(),
            "user": current_user(),
            "event": event,
            **fields,
            **notes,
            "seq": count + 1,
            "prev_sm3": last,
        }
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
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
        lines = path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:  # a line torn by a power cut: end it, so the next event is a line of its own
            with path.open("ab") as fh:
                fh.write(b"\n")
        if not lines:
            return 0, NO_PREVIOUS, {}
        actual = (len(lines), digest_bytes(lines[-1], "sm3"))
        head = self.head()
        if head is None:
            if _chained(lines[-1]):
                return (*actual, {"log_anomaly": f"缺少 {EVENTS_HEAD}，日志末尾无法确认"})
            sealed = digest_bytes(b"\n".join(lines) + b"\n", "sm3")
            return (*actual, {"legacy_lines": len(lines), "legacy_sm3": sealed})
        count, sm3 = head
        if 0 < count <= len(lines) <= count + 1 and digest_bytes(lines[count - 1], "sm3") == sm3:
            return (*actual, {})
        found = f"日志末尾与 {EVENTS_HEAD} 不符（应有 {count} 条记录，实有 {len(lines)} 条，或最后一条被改动）"
        return count, sm3, {"log_anomaly": found}

    def head(self) -> tuple[int, str] | None:
        """(events in the log, SM3 of the last one) as ``events.head`` records them, or None."""
        try:
            head = json.loads((self.root / EVENTS_HEAD).read_text(encoding="utf-8"))
            count, sm3 = head["count"], head["sm3"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return (count, sm3) if isinstance(count, int) and isinstance(sm3, str) else None

    def _tail_from_head(self, path: Path) -> tuple[int, str] | None:
        try:
            head = json.loads((self.root / EVENTS_HEAD).read_text(encoding="utf-8"))
            size = path.stat().st_size
            if head.get("bytes") != size or size == 0:
                return None
            with path.open("rb") as fh:
                fh.seek(max(0, size - TAIL_BYTES))
                tail = fh.read()
        except (OSError, ValueError, AttributeError):
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
        path = self.path
        if not path.exists():
            return []
        lines = path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        problems = []
        previous = NO_PREVIOUS
        chained = False
        for n, raw in enumerate(lines, start=1):
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                problems.append(f"第{n}行不是完整的记录（被改动，或写入时中断）")
                previous = digest_bytes(raw, "sm3")
                continue
            if "prev_sm3" in record:
                if not chained:
                    problems += _legacy_problems(lines[: n - 1], record)
                chained = True
                problems += _link_problems(n, record, previous)
            elif chained:
                problems.append(f"第{n}行没有链接：是在链接开始后插入的记录")
            previous = digest_bytes(raw, "sm3")
        head = self.head()
        if chained and head is not None:
            if head != (len(lines), previous):
                problems.append(f"日志应有 {head[0]} 条记录，现有 {len(lines)} 条，或最后一条被改动：末尾被截断或改写")
        elif chained:
            problems.append(f"缺少 {EVENTS_HEAD}：无法确认日志末尾完整")
        elif lines:
            problems.append(
                "事件日志没有链接（docgen 旧版本写的日志），改动无法发现：运行 docgen archive add-sm3 加以封存"
            )
        return problems

    def paths(self) -> frozenset[str]:
        """The folders some event names (read once for as long as the log stays the same)."""
        generation = self.generation()
        if self._paths is None or self._paths[0] != generation or generation[0] < 0:
            named = frozenset(str(e["path"]) for e in self.events() if isinstance(e.get("path"), str))
            self._paths = (generation, named)
        return self._paths[1]

    def events(self) -> list[dict[str, Any]]:
        """Every event so far: lines that are not one (a torn last line, damage) are skipped here.

        ``log_problems`` names them; every reader of the log gets records it can rely on.
        """
        path = self.path
        if not path.exists():
            return []
        out = []
        for line in path.read_bytes().splitlines():
            try:
                record = json.loads(line)
            except ValueError:  # not JSON, or not UTF-8
                continue
            if isinstance(record, dict):
                out.append(record)
        return out


def _chained(raw: bytes) -> bool:
    try:
        record = json.loads(raw)
    except ValueError:
        return False
    return isinstance(record, dict) and "prev_sm3" in record


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


def _legacy_problems(before: list[bytes], first_chained: dict[str, Any]) -> list[str]:
    """Lines written before the chain began are vouched for by the SM3 the first chained event sealed."""
    if not before:
        return []
    sealed, count = first_chained.get("legacy_sm3"), first_chained.get("legacy_lines")
    if sealed is None:
        return [f"第1–{len(before)}行没有链接，也没有被封存：是后来插入的记录"]
    if count != len(before) or digest_bytes(b"\n".join(before) + b"\n", "sm3") != sealed:
        return [f"第1–{len(before)}行（链接开始前的旧记录）与封存时不符：被改动、删除或插入"]
    return []
