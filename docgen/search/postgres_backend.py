"""Search in the city's PostgreSQL: docgen's own character bigrams as ``tsvector``s under a GIN index.

PostgreSQL has no Chinese parser here (zhparser, pg_bigm and pgroonga are not packaged), and
pg_trgm cannot use its index for two-character queries. So the tokens come from
``search.analysis``, the same as tantivy's: each document's bigrams and characters with their
positions are written as a ``tsvector`` literal, and a fragment becomes a phrase of bigrams
(``'华艺' <1> '艺陶' <1> '陶瓷'``). The same tokens, the same phrases, the same check of every
candidate against the stored text (``search.collect``): the same answers as tantivy.

PostgreSQL keeps at most 16,383 positions in a document and 256 per lexeme, and a ``tsvector``
under 1 MB. A document beyond either limit is stored without positions and matched by all of a
fragment's bigrams, in any order: it may be a candidate the text check then refuses, never a miss.
Counting stops past ``COUNT_CAP`` matches: a common phrase is checked against
every document's positions, which tantivy does in its index and PostgreSQL row by row.
Every row belongs to an organ; every query is kept to this workspace's organ.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from docgen.archive.store import DocumentStore
from docgen.errors import SearchError
from docgen.pg import Database, shown
from docgen.search import SearchIndex
from docgen.search.analysis import normalise, query_phrase, token_columns
from docgen.search.backend import Hit, IndexedDocument, SearchBackend, SearchQuery

MAX_POSITION = 16_383  # PostgreSQL's last position in a tsvector
MAX_POSITIONS_PER_LEXEME = 256
COUNT_CAP = 1000  # a search page says "超过 1000 份" past it
ANALYZE_AFTER = 500  # documents added at once (a rebuild, an import) after which the statistics are renewed
_COLUMNS = "path, number, title, kind, kind_name, date, enterprises, content, shown"


def tsvector(text: str) -> tuple[str, bool]:
    """The ``tsvector`` literal of normalised text, and whether it is kept without positions.

    A document past PostgreSQL's limits (too many positions, a token too often) is kept without
    them: matched by its tokens in any order, checked against its text after.
    """
    terms, positions, _, _ = token_columns(text)
    at: dict[str, list[int]] = defaultdict(list)
    for term, position in zip(terms, positions, strict=True):
        at[term].append(position + 1)  # PostgreSQL counts positions from 1
    long = (positions[-1] + 1 if positions else 0) > MAX_POSITION or any(
        len(p) > MAX_POSITIONS_PER_LEXEME for p in at.values()
    )
    if long:
        return " ".join(f"'{_quoted(t)}'" for t in at), True
    return " ".join(f"'{_quoted(t)}':{','.join(map(str, sorted(set(p))))}" for t, p in at.items()), False


def _quoted(term: str) -> str:
    """A lexeme inside quotes (docgen's tokens are Han characters, letters and digits: nothing to escape)."""
    return term.replace("\\", "\\\\").replace("'", "''")


def phrase(fragment: str) -> str:
    """The ``tsquery`` that finds a normalised fragment as consecutive tokens."""
    parts = query_phrase(fragment)
    out = f"'{_quoted(parts[0][1])}'"
    for (before, _), (offset, term) in itertools.pairwise(parts):
        out += f" <{offset - before}> '{_quoted(term)}'"
    return out


def every_term(fragment: str) -> str:
    """The ``tsquery`` that finds documents holding every token of a fragment, in any order."""
    return " & ".join(dict.fromkeys(f"'{_quoted(term)}'" for _, term in query_phrase(fragment)))


class PgSearchBackend:
    """One organ's documents in the city's search table."""

    name = "postgresql"
    counts_up_to: int | None = COUNT_CAP

    def __init__(self, database: Database, organ: str) -> None:
        self.database = database
        self.organ = organ

    def _transaction(self) -> contextlib.AbstractContextManager[Any]:
        return self.database.transaction("检索索引", SearchError)

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        """Add or replace documents (by path) in one transaction."""
        rows = []
        for d in documents:
            terms, long = tsvector(d.content)
            rows.append(
                (
                    self.organ,
                    d.path,
                    d.number,
                    d.title,
                    d.kind,
                    d.kind_name,
                    d.date,
                    d.day,
                    d.year,
                    d.issuer,
                    list(d.enterprises),
                    d.content,
                    d.shown,
                    terms,
                    long,
                    tsvector(normalise(d.number))[0],
                    tsvector(normalise(" ".join(d.enterprises)))[0],
                )
            )
        with self._transaction() as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO search_documents (organ, path, number, title, kind, kind_name, date, day, year, issuer,"
                " enterprises, content, shown, terms, long, number_terms, enterprise_terms)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector, %s, %s::tsvector,"
                " %s::tsvector)"
                " ON CONFLICT (organ, path) DO UPDATE SET number = excluded.number, title = excluded.title,"
                " kind = excluded.kind, kind_name = excluded.kind_name, date = excluded.date, day = excluded.day,"
                " year = excluded.year, issuer = excluded.issuer, enterprises = excluded.enterprises,"
                " content = excluded.content, shown = excluded.shown, terms = excluded.terms, long = excluded.long,"
                " number_terms = excluded.number_terms, enterprise_terms = excluded.enterprise_terms",
                rows,
            )
            if len(rows) >= ANALYZE_AFTER:  # the planner's word counts: else a rare name is looked for row by row
                cur.execute("ANALYZE search_documents")
        return len(rows)

    def clear(self) -> None:
        """Remove this organ's documents (before a rebuild)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM search_documents WHERE organ = %s", (self.organ,))

    def _where(self, query: SearchQuery) -> tuple[str, list[object]]:
        clauses: list[str] = ["organ = %s"]
        args: list[object] = [self.organ]
        for part in query.parts:
            clauses.append("((NOT long AND terms @@ %s::tsquery) OR (long AND terms @@ %s::tsquery))")
            args += [phrase(part), every_term(part)]
        if query.enterprise:  # a full name is a phrase of its own bigrams: one index answers both
            clauses.append("enterprise_terms @@ %s::tsquery")
            args.append(phrase(query.enterprise))
        if query.number:
            clauses.append("number_terms @@ %s::tsquery")
            args.append(phrase(query.number))
        if query.kind:
            clauses.append("kind = %s")
            args.append(query.kind)
        bounds = (("year >=", query.year_from), ("year <=", query.year_to), ("day >=", query.day_from))
        for clause, value in (*bounds, ("day <=", query.day_to)):
            if value is not None:
                clauses.append(f"{clause} %s")
                args.append(value)
        return " AND ".join(clauses), args

    def search(self, query: SearchQuery, limit: int) -> list[Hit]:
        """Up to ``limit`` candidates, newest first (or by relevance: how densely the fragments occur)."""
        where, args = self._where(query)
        order = "day DESC, path"
        if query.sort == "relevance" and query.parts:
            rank = " || ".join("%s::tsquery" for _ in query.parts)
            order = f"ts_rank(terms, {rank}) DESC, day DESC, path"
            args = [*args, *(every_term(p).replace(" & ", " | ") for p in query.parts)]
        sql = f"SELECT {_COLUMNS} FROM search_documents WHERE {where} ORDER BY {order} LIMIT %s"  # noqa: S608
        with self._transaction() as conn:
            rows = conn.execute(sql, [*args, limit]).fetchall()
        return [
            Hit(
                path=path,
                number=number,
                title=title,
                kind=kind,
                kind_name=kind_name,
                date=date,
                enterprises=tuple(enterprises),
                content=content,
                shown=shown,
            )
            for path, number, title, kind, kind_name, date, enterprises, content, shown in rows
        ]

    def matching(self, query: SearchQuery) -> int:
        """How many of this organ's documents match ``query``, counted up to ``counts_up_to`` + 1.

        A phrase is checked against each candidate's positions: counting every document that
        holds a common phrase costs a read of each, so the count stops past the cap.
        """
        where, args = self._where(query)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM search_documents WHERE {where} LIMIT %s) AS found"  # noqa: S608
        with self._transaction() as conn:
            # Through the index, always: a row-by-row scan checks every document's positions,
            # while the index's candidates are at most all of them (the planner, misled by
            # common bigrams, would scan for a phrase that one rare token makes rare).
            conn.execute("SET LOCAL enable_seqscan = off")
            (n,) = conn.execute(sql, [*args, COUNT_CAP + 1]).fetchone()
        return int(n)

    def count(self) -> int:
        """How many documents of this organ the index holds."""
        with self._transaction() as conn:
            (n,) = conn.execute("SELECT count(*) FROM search_documents WHERE organ = %s", (self.organ,)).fetchone()
        return int(n)

    def state(self) -> dict[str, Any]:
        """The index's state of this organ (schema version, engine, stale), as the folder's state file holds it."""
        with self._transaction() as conn:
            row = conn.execute("SELECT state FROM search_state WHERE organ = %s", (self.organ,)).fetchone()
        return dict(row[0]) if row else {}

    def write_state(self, state: dict[str, Any]) -> None:
        """Replace this organ's index state."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO search_state (organ, state) VALUES (%s, %s::jsonb)"
                " ON CONFLICT (organ) DO UPDATE SET state = excluded.state",
                (self.organ, json.dumps(state, ensure_ascii=False)),
            )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """This organ's index to one writer at a time, on any server (a transaction-level advisory lock)."""
        with self._transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('docgen-search'), hashtext(%s))", (self.organ,))
            yield


class PgSearchIndex(SearchIndex):
    """The workspace's search index when the city's PostgreSQL holds it: state and lock in the database too."""

    def __init__(self, archive: DocumentStore, database: Database, organ: str, *, classified_text: bool) -> None:
        super().__init__(archive, Path(), engine="auto", classified_text=classified_text)
        self.engine, self.fallback_note = PgSearchBackend.name, None
        self.pg = PgSearchBackend(database, organ)

    def _place(self) -> str:
        return f"{shown(self.pg.database.dsn)}（{self.pg.organ}）"

    def _state(self) -> dict[str, Any]:
        return self.pg.state()

    def _write_state(self, **changes: Any) -> None:
        self.pg.write_state({**self.pg.state(), **changes})  # under _locked when it matters, as the folder's

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self.pg.locked():
            yield

    def _present(self) -> bool:
        return True

    def _clear(self) -> None:
        self.pg.clear()

    def _backend(self) -> SearchBackend:
        return self.pg


__all__ = ["PgSearchBackend", "PgSearchIndex", "every_term", "phrase", "tsvector"]
