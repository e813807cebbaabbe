r"""Chinese-aware analysis shared by every search engine: normalisation, tokens, query phrases.

Chinese has no spaces, so a word analyser sees a sentence as one token and finds nothing. Here:

- text is NFKC-normalised and lower-cased, and white space between Han characters is dropped
  (PDF line wraps split 华艺陶\\n瓷);
- a Han run of n >= 2 characters gives its overlapping bigrams at positions 0..n-2, and each
  character at the position of the bigram it starts (the last one shares the last bigram's
  position): so any fragment of two or more characters is a phrase of consecutive bigrams, and
  one character (钢) is a term. Giving the last character a position of its own would break
  phrases that run from Han text into digits (恩科工商务字〔2021〕58号);
- a Latin or digit run is one whole token, so 58号 does not find 158号;
- punctuation separates runs and takes no position, so 〔2021〕58号 and 58号 both match;
- a year in any bracket a clerk or an old system types ([2021], （2021）, 【2021】) is written
  〔2021〕, in documents and queries alike, so a 发文字号 is found however it was typed.

Engines only store and intersect these tokens; every decision about Chinese lives here.
"""

from __future__ import annotations

import re
import unicodedata

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_HAN}]+|[0-9a-z]+")


_YEAR_IN_BRACKETS = re.compile(r"[\[(【〔]\s*(\d{4})\s*[\])】〕]")


def normalise(text: str) -> str:
    """NFKC, lower case, no white space between Han characters, other white space collapsed."""
    return normalise_shown(text)[0]


_SPACE_RUN = re.compile(r"\s+")
_HAN_CHAR = re.compile(rf"[{_HAN}]")
_FOLDED: dict[str, str] = {}  # each character's NFKC lower-case form, computed once per process


def _fold(ch: str) -> str:
    folded = _FOLDED.get(ch)
    if folded is None:
        folded = _FOLDED[ch] = unicodedata.normalize("NFKC", ch).lower()
    return folded


def normalise_shown(text: str) -> tuple[str, str]:
    """``normalise(text)`` and, character for character, the same text as the document writes it.

    Matches are found in the normalised text; snippets are shown from the other: full-width
    punctuation, brackets and letters as the document has them (a character NFKC expands, … to
    ..., is shown expanded). Computed once, when a document is indexed, so no query normalises a
    whole text again. The work is done by ``str.translate`` and a pass over the white space
    runs, not character by character.
    """
    fold, written = {}, {}
    for ch in set(text):
        folded = _fold(ch)
        if folded != ch:
            fold[ord(ch)] = folded
            written[ord(ch)] = ch if len(folded) == 1 else folded
    normalised = text.translate(fold) if fold else text
    shown = text.translate(written) if written else text  # the same length as ``normalised``
    out: list[str] = []
    out_shown: list[str] = []
    at = 0
    for m in _SPACE_RUN.finditer(normalised):
        start, end = m.span()
        out.append(normalised[at:start])
        out_shown.append(shown[at:start])
        between_han = (
            start > 0
            and end < len(normalised)
            and bool(_HAN_CHAR.match(normalised[start - 1]) and _HAN_CHAR.match(normalised[end]))
        )
        if not between_han:  # a PDF line wrap splits 华艺陶\n瓷; elsewhere white space is one space
            out.append(" ")
            out_shown.append(" ")
        at = end
    out.append(normalised[at:])
    out_shown.append(shown[at:])
    return _brackets_normalised("".join(out), "".join(out_shown))


def _brackets_normalised(text: str, shown: str) -> tuple[str, str]:
    """A year in any bracket written 〔2021〕 in the normalised text; the shown text keeps its own."""
    if not _YEAR_IN_BRACKETS.search(text):
        return text, shown
    out: list[str] = []
    out_shown: list[str] = []
    at = 0
    for m in _YEAR_IN_BRACKETS.finditer(text):
        out.append(text[at : m.start()])
        out_shown.append(shown[at : m.start()])
        year_at = m.start(1)
        out.append(f"〔{m[1]}〕")
        out_shown.append(shown[m.start()] + shown[year_at : year_at + 4] + shown[m.end() - 1])
        at = m.end()
    out.append(text[at:])
    out_shown.append(shown[at:])
    return "".join(out), "".join(out_shown)


def _is_han(run: str) -> bool:
    return not run[0].isascii()  # runs are either Han or ASCII letters and digits


# (term, position, start, end): a 2,000-character document has ~4,000 of them.
Token = tuple[str, int, int, int]


def token_columns(normalised: str) -> tuple[list[str], list[int], list[int], list[int]]:
    """The index tokens of already-normalised text as four columns: terms, positions, starts, ends.

    Built run by run with list extends rather than one object per token: an engine makes its
    own token objects straight from the columns (``map``), which halves the indexing time.
    """
    terms: list[str] = []
    positions: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for m in _RUN.finditer(normalised):
        run, start = m.group(), m.start()
        n = len(run)
        if not _is_han(run) or n == 1:
            terms.append(run)
            positions.append(position)
            starts.append(start)
            ends.append(m.end())
            position += 1
            continue
        terms += map(str.__add__, run, run[1:])  # bigrams at positions 0..n-2
        positions += range(position, position + n - 1)
        starts += range(start, start + n - 1)
        ends += range(start + 2, start + n + 1)
        terms += run  # each character at its bigram's position; the last shares the last bigram's
        positions += range(position, position + n - 1)
        positions.append(position + n - 2)
        starts += range(start, start + n)
        ends += range(start + 1, start + n + 1)
        position += n - 1
    return terms, positions, starts, ends


def index_tokens(normalised: str) -> list[Token]:
    """Tokens of already-normalised text, for indexing: (term, position, start, end)."""
    return list(zip(*token_columns(normalised), strict=True))


def query_phrase(normalised: str) -> list[tuple[int, str]]:
    """The (offset, term) phrase that finds ``normalised`` as a fragment of indexed text."""
    phrase: list[tuple[int, str]] = []
    position = 0
    for m in _RUN.finditer(normalised):
        run = m.group()
        if _is_han(run) and len(run) >= 2:
            phrase += [(position + i, run[i : i + 2]) for i in range(len(run) - 1)]
            position += len(run) - 1
        else:
            phrase.append((position, run))
            position += 1
    return phrase


def query_parts(query: str) -> list[str]:
    """What a clerk typed, as normalised fragments that must all occur (split at spaces)."""
    parts = []
    for part in unicodedata.normalize("NFKC", query).split():
        norm = normalise(part).strip()
        if norm and query_phrase(norm):
            parts.append(norm)
    return parts


def matches(query_part: str, normalised_text: str) -> bool:
    """The exact check behind every hit: the fragment occurs in the text, white space aside."""
    return query_part.replace(" ", "") in normalised_text.replace(" ", "")
