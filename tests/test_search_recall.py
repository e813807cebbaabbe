"""Both engines pass the same contract: every fragment a substring scan finds, and nothing else."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from bench.corpus import generate, write_archive
from docgen.archive.records import ArchiveMeta
from docgen.errors import SearchError
from docgen.pipeline.workspace import Workspace
from docgen.search import SearchStore, build_query, indexed_document
from docgen.search.analysis import query_parts
from tests.conftest import CITY_ORGAN
from tools.city import Postgres

DOCS = 300
QUERIES = 240


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def scan(fragment: str, contents: dict[str, str]) -> set[str]:
    """Brute force: documents containing the fragment, a number counting only as a whole number."""
    found = set()
    for path, content in contents.items():
        text = content.replace(" ", "")
        start = text.find(fragment)
        while start >= 0:
            end = start + len(fragment)
            left_ok = start == 0 or not (_alnum(text[start - 1]) and _alnum(fragment[0]))
            right_ok = end == len(text) or not (_alnum(text[end]) and _alnum(fragment[-1]))
            if left_ok and right_ok:
                found.add(path)
                break
            start = text.find(fragment, start + 1)
    return found


def fragments(contents: dict[str, str], metas: list[ArchiveMeta], count: int) -> list[str]:
    """Fragments of 1-12 characters from enterprise names, numbers and body text."""
    rng = random.Random(7)
    out: list[str] = []
    texts = list(contents.values())
    names = sorted({e["name"] for m in metas for e in m["enterprises"]})
    numbers = sorted({str(m["number"]) for m in metas if m.get("number")})
    while len(out) < count:
        source = rng.choice(["name", "number", "text", "text"])
        text = rng.choice(names if source == "name" else numbers if source == "number" else texts).replace(" ", "")
        length = rng.randint(1, min(12, len(text)))
        start = rng.randint(0, len(text) - length)
        piece = text[start : start + length]
        cut_left = start > 0 and _alnum(text[start - 1]) and _alnum(piece[0])
        cut_right = start + length < len(text) and _alnum(text[start + length]) and _alnum(piece[-1])
        if cut_left or cut_right or not query_parts(piece) or "\n" in piece:
            continue
        out.append(piece)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("corpus")
    write_archive(ws / "archive", generate(DOCS, seed=11, chars=600))
    return ws


ENGINES = ["tantivy", "whoosh", "postgresql"]  # the embedded engines and the city's


def engine_env(corpus: Path, engine: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """The settings that search ``corpus`` with ``engine``: the city's in a database of the module's own."""
    if engine != "postgresql":
        return {"DOCGEN_SEARCH_ENGINE": engine, "DOCGEN_INDEX": str(corpus / f"index-{engine}")}
    marker = corpus / "database.txt"
    if not marker.exists():
        server: Postgres = request.getfixturevalue("city_postgres")
        marker.write_text(server.create_database(f"search{uuid.uuid4().hex[:10]}"), encoding="utf-8")
    return {"DOCGEN_DATABASE": marker.read_text(encoding="utf-8"), "DOCGEN_ORGAN": CITY_ORGAN}


@pytest.mark.parametrize("engine", ENGINES)
def test_recall_and_precision_against_a_substring_scan(
    corpus: Path, engine: str, request: pytest.FixtureRequest
) -> None:
    ws = Workspace.open(corpus, env=engine_env(corpus, engine, request))
    index = ws.search
    assert index.engine == engine
    assert index.rebuild() == DOCS
    metas = ws.archive.metas()
    contents = {m["path"]: indexed_document(ws.archive, m).content for m in metas}
    queries = fragments(contents, metas, QUERIES)
    assert sum(1 for q in queries if len(q) == 1) >= 10, "single characters are among the queries"
    assert sum(1 for q in queries if "号" in q and any(c.isdigit() for c in q)) >= 5, "numbers too"
    missed, extra = [], []
    for fragment in queries:
        expected = scan(fragment, contents)
        got = {h.path for h in index.search(build_query(fragment, limit=DOCS + 10)).hits}
        if expected - got:
            missed.append((fragment, len(expected - got)))
        if got - expected:
            extra.append((fragment, len(got - expected)))
    assert not missed, f"{engine} missed documents for {missed[:10]}"
    assert not extra, f"{engine} returned documents lacking the phrase for {extra[:10]}"


def indexed(
    corpus: Path, engine: str, request: pytest.FixtureRequest
) -> tuple[Workspace, SearchStore, list[ArchiveMeta]]:
    """The corpus's workspace searched with ``engine``, its index built, and its documents' records."""
    ws = Workspace.open(corpus, env=engine_env(corpus, engine, request))
    ws.search.rebuild_if_needed()
    return ws, ws.search, ws.archive.metas()


@pytest.mark.parametrize("engine", ENGINES)
def test_filters_and_order(corpus: Path, engine: str, request: pytest.FixtureRequest) -> None:
    _, index, metas = indexed(corpus, engine, request)
    found = index.search(build_query("落后产能", kind="acceptance", year="2018-2020", limit=1000))
    hits = found.hits
    expected = {m["path"] for m in metas if m["kind"] == "acceptance" and 2018 <= int(m["date"][:4]) <= 2020}
    assert {h.path for h in hits} == expected and found.total == len(expected) and not found.approximate
    assert [h.date for h in hits] == sorted((h.date for h in hits), reverse=True), "newest first"
    name = metas[0]["enterprises"][0]["name"]
    by_name = {h.path for h in index.search(build_query("", enterprise=name, limit=1000)).hits}
    assert by_name == {m["path"] for m in metas if any(e["name"] == name for e in m["enterprises"])}
    fragment = name[3:7]
    by_fragment = {h.path for h in index.search(build_query("", enterprise=fragment, limit=1000)).hits}
    assert by_fragment == {m["path"] for m in metas if any(fragment in e["name"] for e in m["enterprises"])}
    number = next(m.get("number") or "" for m in metas if m.get("number"))
    tail = number.split("〕")[1]
    by_number = {h.path for h in index.search(build_query("", number=tail, limit=1000)).hits}
    assert by_number == {m["path"] for m in metas if (m.get("number") or "").endswith("〕" + tail)}
    relevance = index.search(build_query("钢铁", sort="relevance", limit=5)).hits
    assert len(relevance) == 5 and relevance[0].score >= relevance[-1].score


@pytest.mark.parametrize("engine", ENGINES)
def test_pages_totals_dates_and_number_order(corpus: Path, engine: str, request: pytest.FixtureRequest) -> None:
    ws, index, metas = indexed(corpus, engine, request)
    expected = sorted(
        (m for m in metas if "落后产能" in indexed_document(ws.archive, m).content), key=lambda m: m["path"]
    )
    pages = [index.search(build_query("落后产能", limit=20, offset=at)) for at in range(0, len(expected) + 20, 20)]
    assert {p.total for p in pages} == {len(expected)}, "every page tells the same true total"
    assert not any(p.approximate for p in pages)
    paged = [h.path for p in pages for h in p.hits]
    assert len(paged) == len(set(paged)) == len(expected), "pages neither repeat nor skip a document"
    assert [h.date for p in pages for h in p.hits] == sorted((m["date"] for m in expected), reverse=True)
    first, last = sorted(m["date"] for m in metas)[len(metas) // 3], sorted(m["date"] for m in metas)[len(metas) // 2]
    in_range = index.search(build_query("", date_from=first, date_to=last, limit=1000))
    assert {h.path for h in in_range.hits} == {m["path"] for m in metas if first <= m["date"] <= last}
    assert in_range.total == len(in_range.hits)
    numbered = index.search(build_query("", kind="notice", sort="number", limit=1000)).hits
    keys = [
        (n.number.split("〔")[0], int(n.number.split("〔")[1][:4]), int(n.number.split("〕")[1][:-1]))
        for n in numbered
        if n.number
    ]
    assert keys and keys == sorted(keys), "by 机关代字, year and number"
    with pytest.raises(SearchError, match="起止颠倒"):
        build_query("", date_from="2021-05-24", date_to="2020-01-01")
    with pytest.raises(SearchError, match="截止日期应写成"):
        build_query("", date_to="2021-02-30")
