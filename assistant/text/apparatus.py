"""Layout and apparatus: what in a passage is not prose a source states.

- Layout: Markdown emphasis, links, list and quote markers, HTML tags. They are
  not words, so they neither match a question nor show in a quote read as prose
  (`strip_emphasis`, `without_markup`, `display_text`, `skip_marks`, `only_layout`).
- Apparatus: reference-list entries, contents lines, keyword lines, captions and
  other page furniture (`looks_like_apparatus`); sentences about the page itself
  ("this article", "click here": `about_the_page`); headlines, which announce
  rather than state (`finished`, `reads_as_prose`).
"""

from __future__ import annotations

import html
import re

from assistant.text.speech import reports_speech

#: Characters that mark a heading, a quotation or a list item at the start of a Markdown line.
LINE_MARKS = "#>*-|•◦○▪●"

_EMPHASIS = re.compile(r"(\*\*|__|`)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LEADING_MARKS = re.compile(rf"^[\s{re.escape(LINE_MARKS)}]+")
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]\s+(?=\S)")
# Link targets and markup are not read by anyone: they neither match the question nor make a sentence.
_MARKUP = re.compile(r"<[^<>]*>|\]\([^()\s]*\)|https?://\S+")
_LAYOUT = re.compile(rf"(?:\s|<[^<>]*>|[{re.escape(LINE_MARKS.lstrip('#'))}]\s|\d{{1,2}}[.)]\s)*")


def strip_emphasis(text: str) -> str:
    """`text` without Markdown bold, italic-underscore and code marks."""
    return _EMPHASIS.sub("", text)


def without_markup(text: str) -> str:
    """`text` with HTML tags, link targets and bare URLs blanked out (for counting its words)."""
    return _MARKUP.sub(" ", text)


def display_text(quote: str) -> str:
    """A quote as prose: entities decoded; Markdown links, emphasis and list markers removed; spaces collapsed."""
    # Web pages sometimes keep entities (&#8217;) in their extracted text; a reader wants the character.
    text = html.unescape(quote)
    text = _LINK.sub(r"\1", text)
    text = strip_emphasis(text)
    text = _LEADING_MARKS.sub("", text)
    return " ".join(text.split())


def skip_marks(text: str, start: int, end: int) -> int:
    """Where the words of `text[start:end]` begin, after quote and list markers (bullets or "2.")."""
    while start < end and (text[start] in LINE_MARKS or text[start] in " \t"):
        start += 1
    numbered = _LIST_NUMBER.match(text, start, end)
    return numbered.end() if numbered else start


def only_layout(text: str) -> bool:
    """`text` holds nothing but spaces, tags and list markers: what may stand between two sentences of a run."""
    return bool(_LAYOUT.fullmatch(text))


# Apparatus of a report or page rather than its statements: a reference-list
# entry (authors, then a quoted title followed by a venue or year, or volume and
# page numbers), a contents line with dot leaders, a keyword line, and page furniture.
_REFERENCE = re.compile(
    r"^\W*\d*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3},\s.*[“\"][^”\"]{8,}[,.]?[”\"],?\s+[A-Z0-9(]"
    r"|\bvol\.\s*\d|\bpp?\.\s*\d+\s*[-–]|\bdoi:|\barxiv:|\bet al\.,"
)
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}|(?:\s\.){2,}\s*$|…\s?…")
_FURNITURE = re.compile(
    r"^\s*(?:keywords|key words|index terms|posted on|published|updated|last updated|full story|read more|"
    r"related|source|photograph|image|copyright)\b[^:—]{0,30}[:—]",
    re.IGNORECASE,
)
# Sentences about the page itself ("this article", "click here") state no finding.
_ABOUT_THE_PAGE = re.compile(
    r"\b(?:this|our) (?:article|post|page|repository|repo|example|blog|thread|newsletter|piece)\b"
    r"|\b(?:click|subscribe|sign up|read more|we can use)\b|^This is\b",
    re.IGNORECASE,
)


def looks_like_apparatus(sentence: str) -> bool:
    """A bibliography entry, contents line, keyword list or image: found in reports, but not an answer.

    A reference-like line in which someone speaks ("…, the minister said") is a sentence after all.
    """
    if _DOT_LEADER.search(sentence) or _FURNITURE.match(sentence) or sentence.lstrip().startswith("!["):
        return True
    return bool(_REFERENCE.search(sentence)) and not reports_speech(sentence)


def about_the_page(sentence: str) -> bool:
    """The sentence talks about the page or post it is on, or asks the reader to click or subscribe."""
    return bool(_ABOUT_THE_PAGE.search(sentence))


def finished(text: str) -> bool:
    """Ends as a sentence does; a headline or caption has no closing stop."""
    return text.rstrip().endswith((".", "!", "?", "”", '"', "’", "'"))


def reads_as_prose(text: str) -> bool:
    """A finished sentence without links: not a headline, a caption or a post full of URLs."""
    return "http" not in text and finished(text)
