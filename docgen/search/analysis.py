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
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])")


_YEAR_IN_BRACKETS = re.compile(r"[\[(【〔]\s*(\d{4})\s*[\])】〕]")


def normalise(text: str) -> str:
    """NFKC, lower case, no white space between Han characters, other white space collapsed."""
    return normalise_mapped(text)[0]


def normalise_mapped(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` and, for each of its characters, the index of the character it came from.

    Snippets are cut from the normalised text (where matches are found) and shown in the stored
    text's own characters: full-width punctuation, brackets and letters as the document has them.
    """
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).lower():
            chars.append(out)
            origin.append(i)
    joined = "".join(chars)
    keep = [True] * len(chars)
    for m in _SPACE_BETWEEN_HAN.finditer(joined):
        keep[m.start() : m.end()] = [False] * (m.end() - m.start())
    chars, origin = (
        [c for c, k in zip(chars, keep, strict=True) if k],
        [o for o, k in zip(origin, keep, strict=True) if k],
    )
    collapsed_chars: list[str] = []
    collapsed_origin: list[int] = []
    for ch, at in zip(chars, origin, strict=True):
        if ch.isspace():
            if collapsed_chars and collapsed_chars[-1] == " ":
                continue
            ch = " "  # noqa: PLW2901 - every white space becomes one plain space
        collapsed_chars.append(ch)
        collapsed_origin.append(at)
    return _brackets_normalised("".join(collapsed_chars), collapsed_origin)


def _brackets_normalised(text: str, origin: list[int]) -> tuple[str, list[int]]:
    out: list[str] = []
    out_origin: list[int] = []
    at = 0
    for m in _YEAR_IN_BRACKETS.finditer(text):
        out += text[at : m.start()]
        out_origin += origin[at : m.start()]
        year_at = m.start(1)
        out += ["〔", *m[1], "〕"]
        out_origin += [origin[m.start()], *origin[year_at : year_at + 4], origin[m.end() - 1]]
        at = m.end()
    out += text[at:]
    out_origin += origin[at:]
    return "".join(out), out_origin


def _is_han(run: str) -> bool:
    return not run[0].isascii()  # runs are either Han or ASCII letters and digits


# (term, position, start, end): plain tuples, since a 2,000-character document has ~3,000
# tokens and building objects for them would dominate indexing time.
Token = tuple[str, int, int, int]


def index_tokens(normalised: str) -> list[Token]:
    """Tokens of already-normalised text, for indexing."""
    tokens: list[Token] = []
    position = 0
    for m in _RUN.finditer(normalised):
        run, start = m.group(), m.start()
        n = len(run)
        if not _is_han(run) or n == 1:
            tokens.append((run, position, start, m.end()))
            position += 1
            continue
        last = n - 2  # the last character shares the last bigram's position
        tokens += [(run[i : i + 2], position + i, start + i, start + i + 2) for i in range(n - 1)]
        tokens += [(run[i], position + (i if i < last else last), start + i, start + i + 1) for i in range(n)]
        position += n - 1
    return tokens


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
