"""Where sentences begin and end: the one sentence splitter chunking, answers, briefs and prompts use.

`sentence_spans` splits plain or Markdown text; `sentence_pieces` also ends a
sentence at the HTML block tags web pages keep (a paragraph tag ends a
sentence as surely as a full stop), with the tags left out. `closing_quote` gives
a quoted sentence back the closing quotation mark the split leaves after its stop.
`CONNECTIVES` are the words a sentence may open with to link itself to the one before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

# A sentence ends at . ! ? (with closing quotes or brackets, and footnote marks
# such as Wikipedia's "[12]") before whitespace and a capital, digit or opening
# quote. A line or paragraph break ends one too, except before a lower-case
# letter when the line did not end in punctuation: PDF text and hard-wrapped
# Markdown break lines (even with blank lines between) inside sentences, and
# "...pieces of video\n\ncontent globally..." is one sentence. So is "...and prohibiting\n\n“glorification” of…",
# a lower-case word in quotes, and "...there was\n\n6 a notable surge...", where a page ended mid-sentence and
# left its number behind.
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])"
    # Initials and common abbreviations ("U.S. State Department", "Dr. Ahmed", "No. 13", a case's
    # "Twitter v. Taamneh", a paper's "Smith et al. (2020)") end no sentence. Python's look-behinds are of
    # fixed width, hence one group per length.
    r"(?<!\b[A-Z]\.)(?<!\b[A-Z]\.[A-Z]\.)(?<!\b(?:e\.g|i\.e)\.)(?<!\bv\.)"
    r"(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|vs|No|Co|al|Lt|cf|pp)\.)"
    r"(?<!\b(?:Mrs|Inc|Ltd|Gen|Sen|Rep|Gov|Col|Sgt|Nos|Vol|Fig|Art)\.)(?<!\b(?:Prof|Capt|Corp|Dept)\.)"
    # A month's abbreviation before a day ("the Nov. 9 attack") ends no sentence either.
    r"(?!(?:(?<=\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.)|(?<=\bSept\.))\s+\d)"
    # What may close a sentence after its stop: quotes, brackets, footnote marks, and Markdown emphasis
    # ("... on our platform.** This includes").
    r"(?:[\"'”’)\]*_]|\[\d{1,4}\])*\s+(?=[\"'“‘(\[*_]?[A-Z0-9])"
    # A break after closing punctuation, or before anything but a lower-case letter.
    r"|(?<=[.!?;:…])[ \t]*\n\s*+|\n\s*+(?![a-z]|[\"'“‘][a-z]|\d{1,4}\s+[a-z])"
)
# Paragraph and line-break tags left in web pages end a sentence as surely as a full stop does. A
# <span> is matched with them, since some pages separate paragraphs with empty ones, but alone it
# ends a paragraph only after a stop (`_ends_paragraph`).
_PARAGRAPH_TAGS = r"p|div|br|li|ul|ol|h[1-6]|tr|td"
_BLOCK_TAGS = re.compile(rf"(?:\s*</?(?:{_PARAGRAPH_TAGS}|span)\b[^<>]*>\s*)+", re.IGNORECASE)
_PARAGRAPH_TAG = re.compile(rf"</?(?:{_PARAGRAPH_TAGS})\b", re.IGNORECASE)


#: Words that open a sentence by linking it to the one before ("However, …", "But …").
CONNECTIVES = r"(?:However|But|And|Also|Meanwhile|In addition|Moreover|Still|Yet)"


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentence_spans(text: str) -> list[Span]:
    """Sentence (or line) spans of `text`, whitespace excluded."""
    spans: list[Span] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        _append_trimmed(text, position, match.start(), spans)
        position = match.end()
    _append_trimmed(text, position, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))


def cut_after_tags(text: str, span: Span) -> Iterator[Span]:
    """`span` of `text` cut after the HTML tags that end a paragraph (`_ends_paragraph`).

    The tags stay with the text before them and the pieces cover the span, so a chunker that packs
    them loses no character.
    """
    start = span.start
    for tag in _BLOCK_TAGS.finditer(text, span.start, span.end):
        if tag.start() > start and tag.end() < span.end and _ends_paragraph(text, tag):
            end = tag.end()
            while text[end - 1].isspace():
                end -= 1
            yield Span(start, end)
            start = tag.end()
    yield Span(start, span.end)


def _ends_paragraph(text: str, tag: re.Match[str]) -> bool:
    """A run of tags ends a paragraph when it holds a paragraph-level tag (`<p>`, `<br>`, `<div>` …) or
    follows a stop. A `<span>` alone is often inline: "Twitter Inc (<span>TWTR.N</span>) is sued …"."""
    return text[tag.start() - 1] in ".!?…\"'”’)" or bool(_PARAGRAPH_TAG.search(tag.group()))


def sentence_pieces(text: str) -> Iterator[tuple[int, int]]:
    """Sentence offsets in a passage, also split where HTML tags end a paragraph, with those tags left out.

    An inline `<span>` inside a sentence stays in it: the sentence is quoted with it, and shown without it.
    """
    yield from _pieces(text)


# An answer splits each passage it reads several times (candidates, quotable sentences, what was
# set aside), and follow-up questions read the same passages again.
@lru_cache(maxsize=1024)
def _pieces(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_split_pieces(text))


def _split_pieces(text: str) -> Iterator[tuple[int, int]]:
    for span in sentence_spans(text):
        start = span.start
        for tag in _BLOCK_TAGS.finditer(text, span.start, span.end):
            if tag.start() <= start:
                start = tag.end()  # tags that open a piece are not part of it
            elif tag.end() >= span.end or _ends_paragraph(text, tag):
                yield start, tag.start()
                start = tag.end()
        if start < span.end:
            yield start, span.end


# Opening marks and the closing mark each one pairs with.
_QUOTE_PAIRS = (("“", "”"), ("‘", "’"))
# A right single quote between letters ("it’s", "Qur’an") is an apostrophe, not a closing mark.
_APOSTROPHE = re.compile(r"(?<=\w)’(?=\w)")


def closing_quote(text: str, start: int, end: int) -> int:
    """The end of the sentence `text[start:end]`, moved past the closing quotation mark right after it when
    the sentence opened a quotation it does not close ('He called it “worse than admitted.”').

    The splitter ends a sentence at its stop and leaves what closes it to the gap before the next one
    (chunk edges were drawn that way, so the split itself stays); a quote shown without its closing mark
    misquotes. Only a mark the sentence needs is taken: an apostrophe or a stray mark is not.
    """
    if end >= len(text):
        return end
    body, after = _APOSTROPHE.sub("", text[start:end]), text[end]
    for opening, closing in _QUOTE_PAIRS:
        if after == closing and body.count(opening) > body.count(closing):
            return end + 1
    if after == '"' and body.count('"') % 2 == 1:
        return end + 1
    return end
