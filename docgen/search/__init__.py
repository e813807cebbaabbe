"""Full-text search over the archive: find past documents by enterprise, fragment or number.

The index is derived data. The archive is the source of truth: ``rebuild`` makes the index from
it at any time, a failure to index never fails an issue (the index is marked stale instead),
and an index that is missing, stale, of another schema version or corrupt is rebuilt before it
is searched. Writers are serialised by a lock file with a timeout.

Imports archive/ (the metadata it indexes) and the shared modules.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from docgen._io import atomic_write_bytes, exclusive_lock, read_plain
from docgen.archive.records import ArchiveMeta
from docgen.archive.store import DocumentStore
from docgen.errors import SearchError
from docgen.search.analysis import matches, normalise, normalise_shown, query_parts
from docgen.search.backend import Hit, IndexedDocument, SearchBackend, SearchQuery, SortOrder
from docgen.vocab import KIND_NAMES, WRITTEN_DATE, clip, parse_number

SCHEMA_VERSION = 3  # 2: a year in any bracket is indexed as 〔2021〕; 3: the shown text is stored
STATE = "state.json"
MAX_STATE_BYTES = 1 << 20  # a few hundred bytes of counts and versions
LOCK = ".lock"
SNIPPET_CHARS = 36
YEAR_MIN, YEAR_MAX = 1949, 2200

__all__ = [
    "Found",
    "Hit",
    "IndexStatus",
    "SearchError",
    "SearchIndex",
    "SearchQuery",
    "SortOrder",
    "build_query",
    "collect",
    "open_backend",
]


def available_engine(wanted: str) -> tuple[str, str | None]:
    """The engine to use and, when ``auto`` had to fall back, why."""
    if wanted in ("auto", "tantivy"):
        try:
            import tantivy  # noqa: F401, PLC0415 - probing for an optional wheel
        except ImportError as exc:
            if wanted == "tantivy":
                msg = f"设置要求使用 tantivy 检索引擎，但无法加载：{exc}"
                raise SearchError(msg) from exc
            return "whoosh", f"无法加载 tantivy（{exc}），改用纯 Python 的 whoosh 检索引擎（较慢）。"
        return "tantivy", None
    return "whoosh", None


def open_backend(engine: str, folder: Path) -> SearchBackend:
    """Open (or create) the index of ``engine`` in ``folder``."""
    if engine == "tantivy":
        from docgen.search.tantivy_backend import TantivyBackend  # noqa: PLC0415 - optional wheel

        return TantivyBackend(folder)
    from docgen.search.whoosh_backend import WhooshBackend  # noqa: PLC0415 - loaded only when chosen

    return WhooshBackend(folder)


@dataclass(frozen=True)
class IndexStatus:
    """What ``index status`` reports."""

    engine: str
    folder: Path | str  # a folder, or the city database's address
    schema_version: int | None
    documents: int | None
    archived: int
    stale: bool
    reason: str | None  # why a rebuild is needed, or None
    fallback_note: str | None = None

    @property
    def needs_rebuild(self) -> bool:
        """True when the index must be rebuilt before it can be trusted."""
        return self.reason is not None


def indexed_text(archive: DocumentStore, meta: ArchiveMeta, *, classified_text: bool = False) -> str:
    """What is indexed of a document, as stored: title, 发文字号, enterprise names and its text.

    A document marked 密级 gives its title and number only, unless the workspace allows its
    text (``[secrecy] show_text``): what is not indexed cannot leak through a snippet.
    """
    withheld = bool(meta.get("secrecy")) and not classified_text
    text = "" if withheld else archive.text_of(meta)
    enterprises = [e["name"] for e in meta.get("enterprises", []) if e.get("name")]
    return "\n".join([meta.get("title", ""), meta.get("number") or "", *enterprises, text])


def indexed_document(archive: DocumentStore, meta: ArchiveMeta, *, classified_text: bool = False) -> IndexedDocument:
    """The index entry of one archived document, from its record and its stored text."""
    enterprises = tuple(e["name"] for e in meta.get("enterprises", []) if e.get("name"))
    number = meta.get("number") or ""
    content, shown = normalise_shown(indexed_text(archive, meta, classified_text=classified_text))
    return IndexedDocument(
        path=meta["path"],
        number=number,
        title=meta.get("title", ""),
        kind=meta.get("kind", ""),
        kind_name=meta.get("kind_name", ""),
        date=meta.get("date", "1970-01-01"),
        issuer=meta.get("issuer") or "",
        enterprises=enterprises,
        content=content,
        shown=shown,
    )


class SearchStore(Protocol):
    """The full-text index, derived from the archive and rebuilt from it at any time."""

    engine: str
    fallback_note: str | None

    def add(self, metas: list[ArchiveMeta]) -> None:
        """Index newly stored documents; a failure marks the index stale."""

    def search(self, query: SearchQuery) -> Found:
        """One page of the documents matching ``query``, each checked against its text, and how many match."""

    def status(self, *, deep: bool = False) -> IndexStatus:
        """Whether the index is there, current, complete and readable."""

    def rebuild(self, iter_wrapper: Callable[[list[ArchiveMeta]], Iterable[ArchiveMeta]] | None = None) -> int:
        """Make the index anew from the archive."""

    def rebuild_if_needed(self) -> bool:
        """Rebuild when ``status`` says so."""


class SearchIndex:
    """The search index of one workspace."""

    def __init__(
        self,
        archive: DocumentStore,
        folder: Path,
        *,
        engine: str = "auto",
        lock_timeout: float = 30.0,
        classified_text: bool = False,
    ) -> None:
        self.root = folder
        self.archive = archive
        self.engine, self.fallback_note = available_engine(engine)
        self.lock_timeout = lock_timeout
        self.classified_text = classified_text
        self.folder = self.root / self.engine
        self._archived_mark: tuple[int, int] | None = None
        self._archived_count = 0
        if self.root.exists() and not self.root.is_dir():
            msg = (
                f"检索索引的位置 {self.root} 是一个文件，不是文件夹。请把它移走（索引会自动重建），"
                "或在 docgen.toml 的 [paths] index 另指定一个文件夹。"
            )
            raise SearchError(msg)

    # --- state and locking -------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        try:
            data = json.loads(read_plain(self.root / STATE, MAX_STATE_BYTES))
        except (OSError, ValueError, RecursionError):  # gone, damaged or not a file: the index is rebuilt
            return {}
        return data if isinstance(data, dict) else {}

    def _write_state(self, **changes: Any) -> None:
        state = {**self._state(), **changes}
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.root / STATE, json.dumps(state, ensure_ascii=False, indent=2).encode("utf-8"))

    def mark_stale(self, why: str) -> None:
        """Record that the index missed something and must be rebuilt."""
        self._write_state(stale=True, stale_reason=why)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        busy = f"检索索引 {self.root} 正被另一个 docgen 进程更新，等待 {self.lock_timeout:g} 秒后超时。"
        try:
            with exclusive_lock(self.root / LOCK, self.lock_timeout, busy):
                yield
        except TimeoutError as exc:
            raise SearchError(str(exc)) from None

    def _place(self) -> Path | str:
        """Where the index is kept, as ``index status`` says it."""
        return self.folder

    def _present(self) -> bool:
        """Whether the engine's files are there at all."""
        return self.folder.exists()

    def _clear(self) -> None:
        """Remove the engine's files: the index is derived, and is made anew."""
        if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
            self.folder.unlink()  # a file or a link where the index belongs
        shutil.rmtree(self.folder, ignore_errors=True)

    def _backend(self) -> SearchBackend:
        try:
            return open_backend(self.engine, self.folder)
        except Exception as exc:  # each engine has its own corruption errors
            msg = f"检索索引已损坏（{exc}）"
            raise SearchError(msg) from exc

    # --- status, rebuild, add ----------------------------------------------------------------

    def status(self, *, deep: bool = False) -> IndexStatus:
        """Whether the index is there, current, complete and readable.

        ``deep`` also reads every stored document back (a damaged file can leave the count
        intact and break every search).
        """
        state = self._state()
        archived = self._archived()
        documents = None
        reason = None
        if not state or not self._present():
            reason = "尚未建立索引"
        elif state.get("schema_version") != SCHEMA_VERSION:
            reason = f"索引格式版本 {state.get('schema_version')} 与当前版本 {SCHEMA_VERSION} 不同"
        elif state.get("engine") != self.engine:
            reason = f"索引由 {state.get('engine')} 引擎建立，现在使用 {self.engine}"
        elif state.get("stale"):
            reason = f"索引已过时：{state.get('stale_reason', '有文件未能加入索引')}"
        else:
            try:
                documents = self._backend().count()
            except SearchError as exc:
                reason = exc.message
            else:
                if documents != archived:
                    reason = f"索引中有 {documents} 份文件，归档库中有 {archived} 份"
                elif deep:
                    reason = self._unreadable(documents)
        return IndexStatus(
            self.engine,
            self._place(),
            state.get("schema_version"),
            documents,
            archived,
            bool(state.get("stale")),
            reason,
            self.fallback_note,
        )

    def _archived(self) -> int:
        """How many documents the archive holds, counted again only when its event log has changed.

        Every store appends an event, so an unchanged log means an unchanged archive; a server
        asking before every search then pays one stat(), not a walk of the whole tree.
        """
        mark = self.archive.log.generation()
        if mark[0] < 0 or mark != self._archived_mark:  # no log: nothing to trust, count every time
            self._archived_count = len(self.archive.metas())
            self._archived_mark = mark
        return self._archived_count

    def _unreadable(self, documents: int) -> str | None:
        """Why the stored documents cannot all be read back, or None when they can."""
        everything = SearchQuery((), None, None, None, None, None, max(documents, 1), "date")
        try:
            self._backend().search(everything, max(documents, 1))
        except Exception as exc:
            return f"检索索引已损坏（{str(exc)[:80]}）"
        return None

    def rebuild(self, iter_wrapper: Callable[[list[ArchiveMeta]], Iterable[ArchiveMeta]] | None = None) -> int:
        """Make the index anew from the archive; return how many documents it holds."""
        with self._locked():
            metas = self.archive.metas()
            self._clear()
            backend = self._backend()
            wrapped = iter_wrapper(metas) if iter_wrapper else metas
            try:
                count = backend.add(
                    indexed_document(self.archive, m, classified_text=self.classified_text) for m in wrapped
                )
            except OSError as exc:
                msg = f"无法在 {self.folder} 建立检索索引（{exc}）。"
                raise SearchError(msg) from exc
            self._write_state(
                schema_version=SCHEMA_VERSION, engine=self.engine, documents=count, stale=False, stale_reason=None
            )
            return count

    def rebuild_if_needed(self) -> bool:
        """Rebuild when ``status`` says so; return whether it did."""
        if self.status().needs_rebuild:
            self.rebuild()
            return True
        return False

    def add(self, metas: list[ArchiveMeta]) -> None:
        """Index newly archived documents; on any failure mark the index stale instead of failing."""
        if not metas:
            return
        try:
            if self.status().needs_rebuild:
                self.rebuild()  # includes the new documents, which are already archived
                return
            with self._locked():
                self._backend().add(
                    indexed_document(self.archive, m, classified_text=self.classified_text) for m in metas
                )
                self._write_state(documents=(self._state().get("documents") or 0) + len(metas))
        except Exception as exc:  # the archive is the record: indexing must never fail an issue
            self.mark_stale(f"加入索引失败：{exc}")
            msg = f"已归档，但未能加入检索索引（{exc}）；下次检索时会自动重建。"
            raise SearchError(msg) from exc

    # --- searching ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> Found:
        """One page of documents matching ``query``, each checked against its text, with a snippet.

        An index that fails while searching is rebuilt from the archive once and searched again.
        """
        self.rebuild_if_needed()
        try:
            return collect(self._backend(), query)
        except Exception:
            self.rebuild()
        try:
            return collect(self._backend(), query)
        except Exception as exc:
            msg = (
                f"检索索引重建后仍无法使用（{str(exc)[:80]}）。"
                f"请检查磁盘，或删除 {self.root} 后运行 docgen index rebuild。"
            )
            raise SearchError(msg) from exc


@dataclass(frozen=True)
class Found:
    """One page of hits, and how many documents match in all.

    ``approximate``: the engine's count, less the candidates the text check refused so far, when
    the pages not yet read may hold more such (the engine over-matches rarely; said, not hidden).
    ``at_least``: the engine counts no further than ``total``, and more match.
    """

    hits: list[Hit]
    total: int
    approximate: bool = False
    at_least: bool = False  # more than ``total`` match: the engine stopped counting there


MAX_SORTED_BY_NUMBER = 5000  # 文号 order is docgen's own: every hit is read to sort them


def collect(backend: SearchBackend, query: SearchQuery) -> Found:
    """Ask the engine for candidates, keep those whose text really matches, add snippets to one page.

    Fetches more candidates until the page is full or the engine runs out. The engine's phrase of
    bigrams rarely finds a text the check refuses, so a few spare candidates suffice at first:
    each one costs a stored document read and decoded.
    """
    if query.sort == "number":
        return _by_number(backend, query)
    wanted = query.offset + query.limit
    fetch = wanted + max(8, wanted // 4)
    while True:
        candidates = backend.search(query, fetch)
        verified = [h for h in candidates if _verify(h, query)]
        if len(verified) >= wanted or len(candidates) < fetch:
            break
        fetch *= 4
    page = [_with_snippet(h, query) for h in verified[query.offset : wanted]]
    if len(candidates) < fetch:  # the engine ran out: every match was read and checked
        return Found(page, len(verified))
    refused = len(candidates) - len(verified)
    matched = backend.matching(query)
    if backend.counts_up_to is not None and matched > backend.counts_up_to:
        return Found(page, backend.counts_up_to, approximate=True, at_least=True)
    return Found(page, matched - refused, approximate=refused > 0)


def _by_number(backend: SearchBackend, query: SearchQuery) -> Found:
    """Every match read and checked, in 文号 order (机关代字, year, number), then the page cut out."""
    total = backend.matching(query)
    if total > MAX_SORTED_BY_NUMBER:
        msg = f"找到 {total} 份，按文号排序最多 {MAX_SORTED_BY_NUMBER} 份：请加上年度、文种等条件，或按日期排序。"
        raise SearchError(msg)
    verified = [h for h in backend.search(query, max(total, 1)) if _verify(h, query)]
    verified.sort(key=_number_order)
    page = verified[query.offset : query.offset + query.limit]
    return Found([_with_snippet(h, query) for h in page], len(verified))


def _number_order(hit: Hit) -> tuple[int, str, int, int, str]:
    """Numbered documents first, by series, year and number; the rest by date, newest first."""
    parsed = parse_number(hit.number) if hit.number else None
    if parsed is None:
        return (1, "", 0, -int(hit.date.replace("-", "") or 0), hit.path)
    n = parsed.number
    return (0, n.prefix, n.year, n.sequence, hit.path)


def _verify(hit: Hit, query: SearchQuery) -> bool:
    if not all(matches(part, hit.content) for part in query.parts):
        return False
    if query.number and not matches(query.number, normalise(hit.number)):
        return False
    return not query.enterprise or any(matches(query.enterprise, normalise(name)) for name in hit.enterprises)


def _with_snippet(hit: Hit, query: SearchQuery) -> Hit:
    """A snippet around the first match, found in the normalised text, shown as the document writes it.

    The index stores both texts, character for character, so nothing is normalised per query.
    """
    text = hit.content
    display = hit.shown if len(hit.shown) == len(text) else text
    first = query.parts[0] if query.parts else (query.enterprise or "")
    at = text.find(first) if first else -1
    if at < 0:
        return replace(hit, snippet=display[: SNIPPET_CHARS * 2], highlights=[])
    start = max(0, at - SNIPPET_CHARS)
    end = min(len(text), at + len(first) + SNIPPET_CHARS)
    snippet = text[start:end]
    highlights = []
    for part in query.parts or (first,):
        pos = snippet.find(part)
        while pos >= 0:
            highlights.append((pos, pos + len(part)))
            pos = snippet.find(part, pos + len(part))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return replace(
        hit,
        snippet=prefix + display[start:end] + suffix,
        highlights=sorted((a + shift, b + shift) for a, b in highlights),
    )


def _years(text: str) -> tuple[int, int]:
    """2021 → (2021, 2021); 2019-2021 → (2019, 2021); anything else is refused with the right form."""
    first, _, last = text.strip().partition("-")
    form = "年份应写成四位数字，如 2021，或一个范围，如 2019-2021"
    if not re.fullmatch(r"\d{4}", first.strip()) or (last and not re.fullmatch(r"\d{4}", last.strip())):
        msg = f"{form}，现为“{text}”。"
        raise SearchError(msg)
    year_from, year_to = int(first), int(last or first)
    if not (YEAR_MIN <= year_from <= YEAR_MAX and YEAR_MIN <= year_to <= YEAR_MAX):
        msg = f"年份“{text}”不在 {YEAR_MIN}—{YEAR_MAX} 之间。{form}。"
        raise SearchError(msg)
    if year_from > year_to:
        msg = f"年份范围“{text}”起止颠倒，应写成 {year_to}-{year_from}。"
        raise SearchError(msg)
    return year_from, year_to


def build_query(
    text: str,
    *,
    enterprise: str | None = None,
    kind: str | None = None,
    year: str | None = None,
    number: str | None = None,
    limit: int = 20,
    sort: SortOrder = "date",
    offset: int = 0,
    date_from: str | None = None,
    date_to: str | None = None,
) -> SearchQuery:
    """Turn what a clerk typed into a ``SearchQuery``; ``year`` is 2021 or 2019-2021, dates YYYY-MM-DD."""
    year_from = year_to = None
    if year:
        year_from, year_to = _years(year)
    if limit < 1:
        msg = "--limit 至少为 1。"
        raise SearchError(msg)
    day_from, day_to = _day(date_from, "起始日期"), _day(date_to, "截止日期")
    if day_from and day_to and day_from > day_to:
        msg = f"日期范围起止颠倒：{date_from} 晚于 {date_to}。"
        raise SearchError(msg)
    if kind is not None and kind not in KIND_NAMES and kind != "other":
        known = "、".join(f"{k}（{v}）" for k, v in KIND_NAMES.items())
        msg = f"没有“{clip(kind, 20)}”这种文种；可选：{known}、other（其他文件）。"
        raise SearchError(msg)
    enterprise_norm = normalise(enterprise).strip() if enterprise else None
    number_norm = normalise(number).strip() if number else None
    parts = tuple(query_parts(text))
    if text.strip() and not parts:  # only marks or undecodable bytes: not "every document"
        shown = text.strip().encode("utf-8", "backslashreplace").decode("utf-8")  # bytes a terminal sent raw
        msg = f"检索词“{clip(shown, 20)}”中没有可以检索的文字、字母或数字。"
        raise SearchError(msg)
    if not parts and not (enterprise_norm or number_norm or kind or year or day_from or day_to):
        msg = "请写出检索词（企业名称、发文字号、正文片段），或用文种、年度、日期、企业、发文字号筛选。"
        raise SearchError(msg)
    return SearchQuery(
        parts=parts,
        enterprise=enterprise_norm or None,
        kind=kind,
        year_from=year_from,
        year_to=year_to,
        number=number_norm or None,
        limit=limit,
        offset=max(0, offset),
        sort=sort,
        day_from=day_from,
        day_to=day_to,
    )


def _day(text: str | None, label: str) -> int | None:
    """A date typed as YYYY-MM-DD (or 2021年5月24日) as YYYYMMDD; None when left empty."""
    if not text or not text.strip():
        return None
    written = WRITTEN_DATE.fullmatch(text.strip())
    try:
        day = (
            dt.date(int(written[1]), int(written[2]), int(written[3]))
            if written
            else dt.date.fromisoformat(text.strip())
        )
    except ValueError:
        msg = f"{label}应写成 2021-05-24 这样的日期，现为“{clip(text, 20)}”。"
        raise SearchError(msg) from None
    return day.year * 10000 + day.month * 100 + day.day
