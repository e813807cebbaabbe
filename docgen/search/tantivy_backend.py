"""The default engine: tantivy, fed tokens made by ``analysis`` with their real positions.

tantivy's own n-gram tokenizer puts every gram at position 0, which makes phrase queries match
scattered bigrams; pre-tokenized text keeps positions right.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from docgen.search.analysis import normalise, query_phrase, token_columns
from docgen.search.backend import Hit, IndexedDocument, SearchQuery

WRITER_HEAP = 64_000_000


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("path", stored=True, tokenizer_name="raw")
    builder.add_text_field("number", stored=True, tokenizer_name="raw")
    builder.add_text_field("number_text", tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind_name", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("date", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("day", stored=False, indexed=True, fast=True)
    builder.add_unsigned_field("year", stored=False, indexed=True, fast=True)
    builder.add_text_field("issuer", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("enterprise", stored=True, tokenizer_name="raw")
    builder.add_text_field("enterprise_text", tokenizer_name="raw")
    builder.add_text_field("content", tokenizer_name="raw")
    builder.add_bytes_field("content_store", stored=True, indexed=False, fast=False)
    builder.add_bytes_field("shown_store", stored=True, indexed=False, fast=False)
    return builder.build()


def _pre_tokenized(text: str) -> Any:
    return tantivy.PreTokenizedString(text, list(map(tantivy.Token, *token_columns(text))))


class TantivyBackend:
    """tantivy in a folder; one writer at a time (docgen's index lock ensures it)."""

    name = "tantivy"
    counts_up_to: int | None = None  # its count of matches is exact and cheap

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(folder), reuse=True)

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        """Add or replace documents (by path) in one commit."""
        writer = self.index.writer(WRITER_HEAP, 1)
        n = 0
        for d in documents:
            writer.delete_documents_by_term("path", d.path)
            doc = tantivy.Document()
            doc.add_text("path", d.path)
            doc.add_text("number", d.number)
            doc.add_pre_tokenized_text("number_text", _pre_tokenized(normalise(d.number)))
            doc.add_text("title", d.title)
            doc.add_text("kind", d.kind)
            doc.add_text("kind_name", d.kind_name)
            doc.add_text("date", d.date)
            doc.add_unsigned("day", d.day)
            doc.add_unsigned("year", d.year)
            doc.add_text("issuer", d.issuer)
            for name in d.enterprises:
                doc.add_text("enterprise", name)
                doc.add_pre_tokenized_text("enterprise_text", _pre_tokenized(normalise(name)))
            doc.add_pre_tokenized_text("content", _pre_tokenized(d.content))
            doc.add_bytes("content_store", d.content.encode("utf-8"))
            doc.add_bytes("shown_store", d.shown.encode("utf-8"))
            writer.add_document(doc)
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return n

    def _phrase(self, field: str, fragment: str) -> Any:
        phrase = query_phrase(fragment)
        if len(phrase) == 1:
            return tantivy.Query.term_query(self.schema, field, phrase[0][1])
        return tantivy.Query.phrase_query(self.schema, field, [(offset, term) for offset, term in phrase])

    def _query(self, query: SearchQuery) -> Any:
        must = [self._phrase("content", part) for part in query.parts]
        if query.enterprise:
            exact = tantivy.Query.term_query(self.schema, "enterprise", query.enterprise)
            must.append(
                tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Should, exact),
                        (tantivy.Occur.Should, self._phrase("enterprise_text", query.enterprise)),
                    ]
                )
            )
        if query.number:
            must.append(self._phrase("number_text", query.number))
        if query.kind:
            must.append(tantivy.Query.term_query(self.schema, "kind", query.kind))
        if query.year_from is not None or query.year_to is not None:
            low = query.year_from if query.year_from is not None else 0
            high = query.year_to if query.year_to is not None else 9999
            must.append(tantivy.Query.range_query(self.schema, "year", tantivy.FieldType.Unsigned, low, high))
        if query.day_from is not None or query.day_to is not None:
            low, high = query.day_from or 0, query.day_to or 99_991_231
            must.append(tantivy.Query.range_query(self.schema, "day", tantivy.FieldType.Unsigned, low, high))
        if not must:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])

    def search(self, query: SearchQuery, limit: int) -> list[Hit]:
        """Candidates for ``query``, newest first or by relevance."""
        searcher = self.index.searcher()
        tq = self._query(query)
        if query.sort == "relevance":
            result = searcher.search(tq, limit, count=False)
        else:
            result = searcher.search(tq, limit, count=False, order_by_field="day", order=tantivy.Order.Desc)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(
                Hit(
                    path=str(doc.get_first("path")),
                    number=doc.get_first("number") or "",
                    title=doc.get_first("title") or "",
                    kind=doc.get_first("kind") or "",
                    kind_name=doc.get_first("kind_name") or "",
                    date=doc.get_first("date") or "",
                    enterprises=tuple(doc.get_all("enterprise")),
                    content=bytes(doc.get_first("content_store") or b"").decode("utf-8"),
                    shown=bytes(doc.get_first("shown_store") or b"").decode("utf-8"),
                    score=float(score) if query.sort == "relevance" else 0.0,
                )
            )
        return hits

    def matching(self, query: SearchQuery) -> int:
        """How many documents match ``query``, counted by the engine."""
        found = self.index.searcher().search(self._query(query), 1, count=True)
        return int(found.count or 0)  # type: ignore[attr-defined]  # tantivy-py has it; its stub does not

    def count(self) -> int:
        """How many documents the index holds."""
        return int(self.index.searcher().num_docs)
