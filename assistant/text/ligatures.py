"""Ligatures a PDF's text layer lost: "signi\\x00cant", "pla\\x00orm", "commi\\x00ed".

Some PDF fonts draw "fi", "ff", "tt" or "tf" as one glyph with no character
behind it, so text extraction leaves a NUL where two or three letters were
(two risk assessments in a typical library lose about 2,500 words this way,
and neither search nor an analyst can read "e\\x00ective"). Which letters is a
question of English: with "fi" the word is "significant", with "tf" it is
"platform". `repair_lost_ligatures` puts back, in each word, the letters
that make the word a `Lexicon` knows best: one it holds whole beats one it
spells in pieces, and a common word beats a rare one ("off", not "oft").
The lexicon in practice is the embedding model's word-piece vocabulary
(`assistant.ingest.chunking.Chunker.word_cost`).
"""

from __future__ import annotations

import itertools
import re
from typing import Protocol

#: What a lost ligature leaves in extracted text.
LOST = "\x00"
# The ligatures fonts draw, most common first: the order settles what the lexicon leaves tied.
_CANDIDATES = ("fi", "ff", "fl", "ffi", "ffl", "ft", "tt", "tf", "fj")
# A word with lost ligatures in it: letters around one NUL or more (a NUL with no letters is left alone).
_BROKEN = re.compile(r"[^\W\d_]*(?:\x00[^\W\d_]*)+", re.UNICODE)
# More lost ligatures than this in one word are left alone (9^3 spellings are already plenty).
_MOST = 3


class Lexicon(Protocol):
    def word_cost(self, word: str) -> tuple[int, int]:
        """How unfamiliar a lower-case word is: (pieces it is spelled in, rarity); lower is more familiar."""
        ...


def repair_lost_ligatures(text: str, lexicon: Lexicon) -> str:
    """`text` with each lost ligature replaced by the letters that make its word the most familiar."""
    if LOST not in text:
        return text

    def repaired(match: re.Match[str]) -> str:
        word = match.group(0)
        pieces = word.split(LOST)
        if len(pieces) - 1 > _MOST or not word.replace(LOST, ""):
            return word
        spellings = (
            "".join(part + letters for part, letters in zip(pieces, (*choice, ""), strict=True))
            for choice in itertools.product(_CANDIDATES, repeat=len(pieces) - 1)
        )
        # min() keeps the first of equals, so a tie goes to the more common ligature.
        return min(spellings, key=lambda spelling: lexicon.word_cost(spelling.lower()))

    return _BROKEN.sub(repaired, text)
