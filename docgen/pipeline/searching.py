"""The search index as the commands and the pages use it: search, add what was stored, status, rebuild.

The index is derived from the archive; the workspace keeps one, so a server asks the engine
without counting the archive again before every search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from docgen.archive.records import ArchiveMeta
from docgen.errors import SearchError
from docgen.pipeline.workspace import Workspace
from docgen.search import IndexStatus, SearchQuery, SortOrder, build_query
from docgen.search.backend import Hit

__all__ = [
    "SearchResult",
    "SortOrder",
    "build_query",  # the faces make their queries through the pipeline
    "index_archived",
    "index_status",
    "rebuild_index",
    "search_archive",
]


@dataclass(frozen=True)
class SearchResult:
    """Hits, and a note when the index had to fall back to another engine."""

    hits: list[Hit]
    note: str | None = None
    total: int = 0  # how many documents match in all (``hits`` is one page of them)
    approximate: bool = False
    at_least: bool = False  # more than ``total`` match (the city's engine counts no further)


def search_archive(ws: Workspace, query: SearchQuery) -> SearchResult:
    """The search behind ``docgen search`` and the search page: the same engine and the same recall.

    The query is made by ``build_query`` from what the clerk typed; the workspace keeps its index,
    so a server does not count the archive again before every search.
    """
    found = ws.search.search(query)
    return SearchResult(found.hits, ws.search.fallback_note, found.total, found.approximate, found.at_least)


def index_archived(ws: Workspace, metas: list[ArchiveMeta], on_warning: Callable[[str], None] | None = None) -> None:
    """Add newly archived documents to the search index; a failure is a warning, never an error."""
    if not metas:
        return
    try:
        ws.search.add(metas)
    except SearchError as exc:
        if on_warning:
            on_warning(exc.message)


def index_status(ws: Workspace, *, deep: bool = False) -> IndexStatus:
    """``docgen index status``: the engine, the schema, how many documents, whether to rebuild."""
    return ws.search.status(deep=deep)


def rebuild_index(
    ws: Workspace, iter_wrapper: Callable[[list[ArchiveMeta]], Iterable[ArchiveMeta]] | None = None
) -> int:
    """``docgen index rebuild``: the index made anew from the archive; how many documents it holds."""
    return ws.search.rebuild(iter_wrapper)
