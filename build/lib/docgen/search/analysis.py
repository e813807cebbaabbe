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
- punctuation separates runs and takes no position, so 〔2021〕58号 and 58号 both match.

Engines only store and intersect these tokens; every decision about Chinese lives here.
"""

from __future__ import annotations

import re
import unicodedata

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_HAN}]+|[0-9a-z]+")
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])")


def normalise(text: str) -> str:
    """NFKC, lower case, no white space between Han characters, other white space collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SPACE_BETWEEN_HAN.sub("", text)
    return re.sub(r"\s+", " ", text)


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
