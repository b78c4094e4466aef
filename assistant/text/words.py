"""Word tokens, stopwords and content words: what lexical search, query expansion and answering count as a word."""

from __future__ import annotations

import re
from collections.abc import Iterator

STOPWORDS = frozenset(
    """
    a about above according after again against all also am among an and any are as at be because
    been before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only onto or other our ours
    ourselves out over own per said same says she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up upon very via was
    we were what when where which while who whom whose why will with within without would you your
    yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
QUESTION_WORDS = frozenset(
    """
    are did do does how is many much was were what when where which who whom whose why
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

_WORD = re.compile(r"\d+(?:[.,]\d+)*(?![^\W_])|[^\W_]+(?:['’.-][^\W_]+)*", re.UNICODE)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


#: The typographic ligatures PDF text layers keep ("conﬁrmed"), as the letters they join: the same
#: word must match however a file's fonts drew it.
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})
_LIGATURE = re.compile("[\ufb00-\ufb04]")


def words(text: str) -> list[str]:
    """Lower-cased word tokens; numbers lose thousands separators (125,000 -> 125000), ligatures are letters."""
    if _LIGATURE.search(text):
        text = text.translate(LIGATURES)
    curly = "’" in text
    return [_token(raw, curly) for raw in _WORD.findall(text)]


def leading_words(text: str) -> Iterator[str]:
    """The tokens of `words(text)`, one at a time: for a caller that needs only the first few of a long text."""
    if _LIGATURE.search(text):
        text = text.translate(LIGATURES)
    curly = "’" in text
    for match in _WORD.finditer(text):
        yield _token(match.group(0), curly)


def _token(raw: str, curly: bool) -> str:
    # Every answer reads thousands of sentences through this: the steps that change nothing
    # (no curly apostrophe in the text, no comma in the number) are skipped.
    token = raw.lower()
    if curly:
        token = token.replace("’", "'")
    if token.endswith("'s"):
        return token[:-2]
    if token[0].isdigit() and "," in token:
        return _THOUSANDS.sub("", token)
    return token


#: Month names and their usual abbreviations, lower-cased, with the month's number.
def content_words(text: str) -> list[str]:
    return [w for w in words(text) if (w not in STOPWORDS and len(w) > 1) or w.isdigit()]
