"""The seam between docgen and a full-text engine: what is indexed, asked and answered.

An engine stores ``IndexedDocument``s and returns candidate ``Hit``s for a ``SearchQuery``;
tokens come from ``docgen.search.analysis``. Candidates are checked against the stored text
by the caller, so an engine may over-match but must never miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

SortOrder = Literal["date", "relevance", "number"]


@dataclass(frozen=True)
class IndexedDocument:
    """One archived document as the index holds it."""

    path: str  # archive-relative folder: the document's identity in the index
    number: str
    title: str
    kind: str
    kind_name: str
    date: str  # ISO 成文日期
    issuer: str
    enterprises: tuple[str, ...]
    content: str  # normalised: title, number, enterprise names and full text
    shown: str = ""  # the same text as the document writes it, character for character (for snippets)

    @property
    def year(self) -> int:
        """The year of the 成文日期."""
        return int(self.date[:4])

    @property
    def day(self) -> int:
        """The 成文日期 as YYYYMMDD, for sorting newest first."""
        return int(self.date.replace("-", ""))


@dataclass(frozen=True)
class SearchQuery:
    """A search: fragments that must all occur, and filters."""

    parts: tuple[str, ...] = ()  # normalised fragments (analysis.query_parts)
    enterprise: str | None = None  # normalised fragment of an enterprise name, or the full name
    kind: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    day_from: int | None = None  # 成文日期 from and to, as YYYYMMDD
    day_to: int | None = None
    number: str | None = None  # normalised fragment of the 发文字号
    limit: int = 20
    offset: int = 0  # hits skipped: a page further on
    sort: SortOrder = "date"


@dataclass(frozen=True)
class Hit:
    """A matching document, with what the result list shows."""

    path: str
    number: str
    title: str
    kind: str
    kind_name: str
    date: str
    enterprises: tuple[str, ...]
    content: str
    shown: str = ""
    score: float = 0.0
    snippet: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)


class SearchBackend(Protocol):
    """A full-text engine behind docgen's search."""

    name: str
    # An engine that stops counting matches past this many (None: counts them all): a count
    # above it means "more than this", said so.
    counts_up_to: int | None

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        """Add or replace documents (by path) in one commit; return how many."""

    def search(self, query: SearchQuery, limit: int) -> list[Hit]:
        """Return up to ``limit`` candidates, ordered as ``query.sort`` asks (by 文号: newest first)."""

    def matching(self, query: SearchQuery) -> int:
        """How many documents the engine finds for ``query`` (candidates, before the text check).

        At most ``counts_up_to`` + 1 when the engine has such a limit.
        """

    def count(self) -> int:
        """How many documents the index holds."""
