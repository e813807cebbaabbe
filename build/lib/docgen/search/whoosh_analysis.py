"""The whoosh tokenizer.

whoosh pickles the analyzer into the index, so this module's path and class name must never
change: renaming them breaks every existing whoosh index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

from docgen.search.analysis import index_tokens


class CjkBigramTokenizer(Tokenizer):  # type: ignore[misc]
    """Yield ``analysis.index_tokens`` of already-normalised text as whoosh tokens."""

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        """Tokens with their positions (and character spans when whoosh asks for them)."""
        positions = bool(kwargs.pop("positions", False))
        chars = bool(kwargs.pop("chars", False))
        start_pos = int(kwargs.pop("start_pos", 0))
        start_char = int(kwargs.pop("start_char", 0))
        kwargs.pop("keeporiginal", None)
        kwargs.pop("tokenize", None)
        token = Token(positions, chars, **kwargs)
        for term, position, start, end in index_tokens(value):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token
