"""Layout and apparatus: what in a passage is not prose a source states.

- Layout: Markdown emphasis, links, list and quote markers, HTML tags. They are
  not words, so they neither match a question nor show in a quote read as prose
  (`strip_emphasis`, `without_markup`, `display_text`, `skip_marks`, `only_layout`).
- Apparatus: reference-list entries, contents lines, keyword lines, captions and
  other page furniture (`looks_like_apparatus`); sentences about the page itself
  ("this article", "click here": `about_the_page`); headlines, which announce
  rather than state (`finished`, `reads_as_prose`).
- Debris: what is not prose at all, whatever it says (`debris_kind`): pieces of
  links, file names of images and photo credits, reference entries, bylines and
  credits, headlines and name lists, table rows, asides in brackets, a speaker's
  label with nothing said, the writer's own questions, fragments cut from the
  middle of a sentence, and a page's account of itself ("This list is not complete.").
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from assistant.text.speech import SPEECH_VERBS, quotes_someone, reports_speech

#: Characters that mark a heading, a quotation or a list item at the start of a Markdown line.
LINE_MARKS = "#>*-|•◦○▪●"

_EMPHASIS = re.compile(r"(\*\*|__|`)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LEADING_MARKS = re.compile(rf"^[\s{re.escape(LINE_MARKS)}]+")
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]\s+(?=\S)")
# Link targets and markup are not read by anyone: they neither match the question nor make a sentence.
_MARKUP = re.compile(r"<[^<>]*>|\]\([^()\s]*\)|https?://\S+")
# What a reader of the prose does not see: HTML tags, and bare web addresses (their link text, if any, stays).
_TAG = re.compile(r"<[^<>]*>")
# Single-mark italics ("_Title_", "*word*") and a link cut before its address closes ("[text](https://ex").
_ITALIC = re.compile(r"(?<![\w*_])([_*])(?=[^\s_*])([^_*\n]+?)(?<=[^\s_*])\1(?![\w*_])")
# A page number left inside a sentence where a page ended mid-sentence ("there was\n\n6 a notable surge").
_PAGE_NUMBER = re.compile(r"\n\s*\d{1,4}\s+(?=[a-z])")
# A source's own footnote marks, glued to the word or stop they follow ("in Mosul.[31]", "Extremists",[135]).
# Shown in an answer they read as its citations, which are numbered in the same brackets.
# Markdown's own footnote references ("identity[^transgenderism]") are marks of the same kind.
_FOOTNOTE_MARK = re.compile(r"(?<=[^\s\[\]])(?:\[\d{1,3}\]|\[\^[^\]\s]{1,40}\])+")
_CUT_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*$")
_WHOLE_LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)|<a\b[^<>]*>[^<>]*</a>", re.IGNORECASE)
_BARE_URL = re.compile(r"(?<![\w(\[/])(?:https?://|www\.)[^\s<>()\[\]]+")
_LAYOUT = re.compile(rf"(?:\s|<[^<>]*>|[{re.escape(LINE_MARKS.lstrip('#'))}]\s|\d{{1,2}}[.)]\s)*")


def strip_emphasis(text: str) -> str:
    """`text` without Markdown bold, italic-underscore and code marks."""
    return _EMPHASIS.sub("", text)


def without_markup(text: str) -> str:
    """`text` with HTML tags, link targets and bare URLs blanked out (for counting its words)."""
    return _MARKUP.sub(" ", text)


def without_links(text: str) -> str:
    """`text` with every link and image removed whole, its text too, and HTML tags blanked out."""
    return _TAG.sub(" ", _WHOLE_LINK.sub(" ", text))


def display_text(quote: str) -> str:
    """A quote as prose: entities decoded; links show their text only; tags, bare addresses, emphasis,
    footnote marks and list markers removed; spaces collapsed."""
    # Web pages sometimes keep entities (&#8217;) in their extracted text; a reader wants the character.
    text = html.unescape(quote)
    text = _CUT_LINK.sub(r"\1", _LINK.sub(r"\1", text))
    text = _BARE_URL.sub("", _TAG.sub("", text))
    text = _ITALIC.sub(r"\2", strip_emphasis(text))
    text = _LEADING_MARKS.sub("", _PAGE_NUMBER.sub(" ", _FOOTNOTE_MARK.sub("", text)))
    return " ".join(text.split())


def skip_marks(text: str, start: int, end: int) -> int:
    """Where the words of `text[start:end]` begin, after quote and list markers (bullets or "2.")."""
    while start < end and (text[start] in LINE_MARKS or text[start] in " \t"):
        start += 1
    numbered = _LIST_NUMBER.match(text, start, end)
    return numbered.end() if numbered else start


# A report's section heading that a PDF's text layer ran into the first sentence of the section
# ("Conclusion In conclusion, this study ...", "4.2 Limitations While this study ..."): a heading
# word, perhaps numbered, then a sentence's opening ("In conclusion", "While this"), not more of a title.
_HEADING_WORDS = (
    r"(?:Abstract|Introduction|Background|Overview|Summary|Executive [Ss]ummary|Methods?|Methodology|Results|"
    r"Findings|Key [Ff]indings|Discussion|Limitations|Conclusions?|Recommendations|Acknowledge?ments)"
)
# The heading word, in either case, then a sentence's opening: a capitalised word and a lower-case one.
_HEADING_THEN_SENTENCE = rf"(?:{_HEADING_WORDS}|{_HEADING_WORDS.upper()})[ \t]+(?=[A-Z][a-z]*[ \t]+[a-z])"
_GLUED_HEADING = re.compile(rf"(?:\d{{1,2}}(?:\.\d{{1,2}})*\.?\s+)?{_HEADING_THEN_SENTENCE}")
# A running head in capitals ("CHAPTER 1. INTRODUCTION") that a page break left before the rest of a
# sentence begun on the page before ("ready been used on …"): what follows it is no sentence's start.
_RUNNING_HEAD = re.compile(rf"^(?:\d{{1,4}}\s+)?(?:CHAPTER\s+\d{{1,2}}\.?\s+)?{_HEADING_WORDS.upper()}\s+[a-z]")


# A page number (in roman numerals on a report's front pages) and a section heading inside what the
# splitter took for one sentence: a title page ran into the abstract ("… Master's thesis 2024 ii Abstract
# Incels are …"). Prose never carries a page's number and heading in its middle: the sentence starts after.
_PAGED_HEADING = re.compile(rf"(?<!\S)(?:[ivxlc]{{1,6}}|\d{{1,3}})[ \t]+{_HEADING_THEN_SENTENCE}")


def skip_heading(text: str, start: int, end: int) -> int:
    """Where a sentence begins after a section heading glued to its front, or `start` when there is none.

    A heading after a page number counts wherever it is: what comes before it is another page's debris.
    """
    glued = _GLUED_HEADING.match(text, start, end)
    if glued:
        return glued.end()
    paged = _PAGED_HEADING.search(text, start, end)
    return paged.end() if paged else start


def skip_title(text: str, start: int, end: int, title: str) -> int:
    """Where a sentence begins after its document's headline run into its front, or `start`.

    A news feed's snippet opens "CBS News US government websites hacked … CBS News COLUMBUS, Ohio --
    Government websites …": the title "US government websites hacked … - CBS News" again, between
    two copies of its source. Only that shape counts (the source after the headline, perhaps before
    it too), so a first sentence whose subject is the title ("The Islamic State of Iraq … is") is kept.
    """
    headline, dash, source = title.rpartition(" - ")
    headline, source = " ".join(headline.split()), " ".join(source.split())
    if not dash or not source or len(headline.split()) < 4:
        return start
    body = text[start:end]
    for opening in (f"{source} {headline} {source} ", f"{headline} {source} "):
        if body.startswith(opening) and len(body) > len(opening):
            return start + len(opening)
    return start


# A news story's dateline: the place in capitals ("CAIRO", "SAN FRANCISCO/WASHINGTON"), perhaps its state
# and the agency ("COLUMBUS, Ohio", "LONDON (Reuters)"), then a dash or the tag a page closed it with.
# Without such a mark the capitals may be the sentence's own subject ("NATO Secretary General said ..."),
# so nothing is cut.
_DATELINE = re.compile(
    r"[A-Z][A-Z'’.]+(?:[ /][A-Z][A-Z'’.]+){0,3}(?:,[ \t]+[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)?(?:[ \t]+\([A-Z][\w ]+\))?"
    r"[ \t]*(?:—|–|--?|</span>)[ \t]*(?=[A-Z\"“‘])"
)


def skip_dateline(text: str, start: int, end: int) -> int:
    """Where a news story's first sentence begins after its dateline ("CAIRO — Gunmen opened fire"), or `start`.

    The place and agency say where the story was filed, not what happened: a quote starts with the news.
    """
    dateline = _DATELINE.match(text, start, end)
    return dateline.end() if dateline and dateline.end() < end else start


# A page number a PDF's text layer left at the front of a sentence ("7 This dramatic rise suggests ...",
# "10 Following the declaration ..."): a bare number, then a word that opens a clause. A count is followed
# by what it counts ("13 May", "3 Tiers", "50 people were hurt"), so only after these openers is it cut.
_LEADING_PAGE_NUMBER = re.compile(
    r"\d{1,3}[ \t]+(?=(?:The|This|These|Those|That|It|Its|In|On|At|As|While|When|Following|After|Before"
    r"|However|We|Our|They|Their|There|By|For|From|With|Although|Since|Despite|During|Overall|Similarly"
    r"|Furthermore|Moreover|Additionally)[ \t]+\S)"
)
# A figure's or table's caption that a PDF ran into the sentence before it ("... compared to January 1
# Figure 4%Change in number of hate links ..."): the label glued to the caption's first word or sign.
# A reference to a figure ("as shown in Figure 4", "Figure 13 shows") has a space after its number.
_GLUED_CAPTION = re.compile(r"[ \t]+(?:Figure|Fig\.|Table|Chart|Exhibit)[ \t]?\d{1,3}(?=[A-Z%(])")


def skip_page_number(text: str, start: int, end: int) -> int:
    """Where a sentence begins after a page number its PDF left at its front, or `start`."""
    number = _LEADING_PAGE_NUMBER.match(text, start, end)
    return number.end() if number else start


def cut_caption(text: str, start: int, end: int) -> int:
    """Where a sentence ends before a figure's or table's caption run into it, or `end`."""
    caption = _GLUED_CAPTION.search(text, start, end)
    return caption.start() if caption else end


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
#: The opening of a pointer to the whole story elsewhere ("Full story on …:", "Read more…", "Source").
POINTER = re.compile(
    r"(?:full story|read (?:the )?full (?:story|article)|read more|continue reading|source(?: link)?|view original)"
    r"\b\W*(?:(?:on|at)\b[^:]{0,40}:?\s*)?",
    re.IGNORECASE,
)


def points_elsewhere(text: str) -> bool:
    """`text` is only a pointer to the story elsewhere: "Read Full Article at RT.com", "Source", "Read more…"."""
    pointer = POINTER.match(text.strip())
    return pointer is not None and not text.strip()[pointer.end() :].strip(" .…")


# Sentences about the page itself ("this article", "click here") state no finding.
_ABOUT_THE_PAGE = re.compile(
    r"\b(?:this|our) (?:article|post|page|repository|repo|example|blog|thread|newsletter|piece)\b"
    r"|\b(?:click|subscribe|sign up|read more|we can use)\b|^This is\b",
    re.IGNORECASE,
)


# The heading of a page's back matter, alone on its line: lists of related pages, references and links.
_BACK_MATTER = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:See also|External links|Other links|Further reading|References|Bibliography"
    r"|Works cited)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_MARKDOWN_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]", re.MULTILINE)


def back_matter_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` runs through a page's back matter: from a "See also", "References" or "External links"
    heading to the next Markdown heading (or the end).

    The list items there name other pages and sources ("List of armed groups in the Syrian Civil War"); they
    are titles, not findings. A policy's section that happens to be called "External links" ends at its
    next heading, so the rules listed under the one after it are not taken for back matter.
    """
    spans = []
    for heading in _BACK_MATTER.finditer(text):
        after = _MARKDOWN_HEADING.search(text, heading.end())
        spans.append((heading.end(), after.start() if after else len(text)))
    return spans


def looks_like_apparatus(sentence: str) -> bool:
    """A bibliography entry, contents line, keyword list or image: found in reports, but not an answer.

    A reference-like line in which someone speaks ("…, the minister said") is a sentence after all.
    """
    if _DOT_LEADER.search(sentence) or _FURNITURE.match(sentence) or sentence.lstrip().startswith("!["):
        return True
    if points_elsewhere(display_text(sentence)):
        return True
    return bool(_REFERENCE.search(sentence)) and not reports_speech(sentence)


def about_the_page(sentence: str) -> bool:
    """The sentence talks about the page or post it is on, or asks the reader to click or subscribe."""
    return bool(_ABOUT_THE_PAGE.search(sentence))


def finished(text: str) -> bool:
    """Ends as a sentence does, perhaps before its footnote marks; a headline or caption has no closing stop."""
    return bool(_FINISHED.search(_FOOTNOTE_MARK.sub("", text.rstrip())))


# A stop, perhaps inside closing quotes or brackets ('… he said “no.”', '… (as it did.)'). A closing quote
# without a stop ends a headline ("… to 'impact on how the world perceives ISIS'"), not a sentence.
_FINISHED = re.compile(r"[.!?。！？][\"”’'»)\]*_]*$")


def reads_as_prose(text: str) -> bool:
    """A finished sentence without links: not a headline, a caption or a post full of URLs."""
    return "http" not in text and finished(text)


# --- debris: what is not prose at all ----------------------------------------------------

# A piece of a web address: percent-encoding, a query string, or a long run of letters and digits
# (an image id, a hash) before any word. Sentences split inside a link leave such pieces.
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}.*%[0-9A-Fa-f]{2}|[?&][\w.-]+=[^\s&]*&[\w.-]+=")
_ADDRESS_START = re.compile(r"^\W*(?=\S{10,})(?:[\w.-]*[/=&%#]\S*|(?=[a-z]*\d)(?=\d*[a-z])[0-9a-z]{12,}\S*)(?:\s|$)")
# The file name of an image, and the credits and numbers of pictures and figures.
_IMAGE_FILE = re.compile(r"[\w%()-]+\.(?:jpe?g|png|gif|svg|webp|tiff?)\b", re.IGNORECASE)
# A figure's caption goes on with a capital or a sign ("Figure 3: Share …"); prose with a verb ("Figure 3 shows").
_PICTURE = re.compile(
    r"^\W*(?i:figure|fig\.|table|chart|exhibit|graph|map)\s*\d+(?:\.\d+)*[.:]?(?:\s+[A-Z%]|\s*$)"
    r"|(?i:^\W*(?:photo(?:graph)?|image|picture)s? ?(?:credits?)?\s*[:/]|\bgetty images\b|^\W*credits?:)"
    r"|(?i:\((?:[a-z]+ )?(?:left|right|centre|center|pictured|above|below)\))"
)
# Reference-list entries the quoted-title rule misses: a footnote number opening the line, an access
# date, an author with a date in brackets before a title (not before a verb: "NetzDG (2017) relied …"),
# an italic venue after a name, a page number or DOI at the end.
_ENTRY = re.compile(
    r"^\W*\[\d{1,4}\]\s*\S"
    r"|^\[\^[^\]\s]{1,40}\]:"  # a Markdown footnote's text ("[^term]: Neologism implying …")
    r"|\b(?:retrieved|accessed|archived)(?: on| from)?\s+(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\.?\s+\d{1,2},?\s+)?\d{4}\b"
    r"|^[A-Z][\w'’.-]*(?:,?\s+[A-Z][\w'’.-]*){0,4},?\s+\((?:\d{4}|[A-Z][a-z]+\.? \d{1,2}, \d{4}|eds?\.?)\)"
    r"[.,]?(?:\s+[A-Z\"“_*]|\s*$)"
    r"|^[A-Z][\w'’.-]*(?:,?\s+[A-Z][\w'’.-]*){0,4},\s+[_*][A-Z]"
    r"|(?:^|[.,]\s+)[_*][A-Z][^_*]{2,60}[_*][.,]?\s*(?:\(?\d{4}\)?[.,]?\s*)?$"
    r"|^[\"“][^\"”]{3,}[,.]?[\"”][,.]\s+(?:[_*]?[A-Z])"
    r"|^[_*][A-Z][^_*]{2,80}[_*]\s*(?:\(\d{4}\)\s*)?(?:[—–]|\(\d{4}\))"
    r"|\bpp?\.\s*[\d–-]*\.?\s*$|\bdoi\.org/"
    # A book's imprint ("New York: Columbia University Press, 2012.") or a thesis ("PhD thesis, X University, 2018.").
    r"|^[A-Z][\w .'’-]{1,40}:\s+[A-Z][\w .&'’-]*\b(?:Press|Publishers|Publishing|Books)\b[^.]{0,40},\s*\d{4}\.?\s*$"
    r"|^(?:PhD|Ph\.D\.|MA|MSc|Master'?s|Doctoral|Bachelor'?s)\s+(?:thesis|dissertation)\b[^.]{0,80}\d{4}\.?\s*$"
)
# Who wrote or reported a piece, not what it says: "(Reporting by …; editing by …)", "Written by …",
# a paper's author note ("∗All authors contributed equally …", "Corresponding author: …"),
# or the authors' block of a paper, with their e-mail addresses.
_CREDIT = re.compile(
    r"^\W*(?:(?:additional )?(?:reporting|writing|editing|written|compiled) by\b"
    r"|(?:all |the |these )?authors? (?:contributed equally|declare|acknowledge|thank|would like to thank)\b"
    r"|corresponding authors?\b)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
# A post's own marks: a post need not be written as a sentence.
_POST_MARKS = re.compile(r"(?:^|\s)[#@]\w")
# A speaker's label opening a transcript turn: "Jane Q. Doe, Jr.: …", "DOE and ROE (together): …".
_SPEAKER_LABEL = re.compile(r"^[A-Z][\w.'’-]*(?:(?:,?\s+|\s+and\s+)[A-Z][\w.'’-]*){0,4}(?:\s+\([^()]*\))?:\s+")
# A transcript typed with its contractions split ("Here 's", "don' t"): the split-off piece is no word.
_SPLIT_CONTRACTION = re.compile(r"(?<=\w)\s?['’]\s?(?=(?:s|t|re|ve|ll|d|m)\b)")
# A fact line of a notes page or fact box: a short label, a colon and its value ("Passed by the
# Bundestag: 30 June 2017.", "Partners: Jigsaw and Moonshot."). It states a fact in few words.
_FACT_LABEL = re.compile(r"^[A-Z][\w'’.()/&-]*(?:\s+[\w'’.()/&-]+){0,4}:(?:\*\*|__)?\s+\S")
# Words that may stay in lower case in a title, a name or a list of names ("Ku Klux Klan in the Cities",
# "Sciences & Lettres", "Osama bin Laden", "Nathalie van Raemdonck").
_TITLE_WORDS = frozenset(
    """
    a an and as at by de del der des du ed eds et for from in la le of on or the to van von vs al bin ibn und with
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
# Finite verbs a headline keeps when it is a sentence after all ("Site says it will remove …").
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|must|shall|should|do|does|did)\b"
    rf"|{SPEECH_VERBS}|\b\w{{3,}}ed\b",
    re.IGNORECASE,
)
#: A line of at most this many words, with no verb and no closing stop, is a headline or a list item;
#: a speaker's label followed by fewer than half as many words has said nothing.
HEADLINE_WORDS = 8


def _case_words(shown: str) -> list[str]:
    """Words of a displayed text that begin with a letter that has a case (not in Arabic or Chinese script)."""
    found = []
    for raw in shown.split():
        token = raw.strip("\"'“”‘’()[]{}.,;:!?*_#@")
        if token[:1].isupper() or token[:1].islower():
            found.append(token)
    return found


def _cased(shown: str, cased: list[str]) -> bool:
    """Most of a displayed text is in a script with capitals, so its capitals can be read."""
    lettered = [token for token in shown.split() if any(ch.isalpha() for ch in token)]
    return len(cased) >= 2 and len(cased) >= len(lettered) / 2


def _no_prose_words(shown: str, cased: list[str]) -> bool:
    """Every word is capitalised or a title's small word: a title, a name list, a byline or a heading."""
    if not _cased(shown, cased):
        return False  # too little in a cased script to tell
    return all(not word[:1].islower() or word.lower() in _TITLE_WORDS for word in cased)


# A snippet cut short: an ellipsis right after the last word ("… more needs to be do...").
_TRUNCATED = re.compile(r"\w\s?(?:\.\.\.|…)$")
# Words no sentence ends on: an unfinished sentence ending with one ("..., there was") was cut at a
# passage's edge, and what it was going to say is in the next passage.
_DETERMINERS = ("a", "an", "the", "its", "their", "his", "her", "our", "my", "your")
_PREPOSITIONS = ("of", "to", "in", "on", "at", "for", "with", "by", "from", "into", "as", "than")
_JOINING = ("and", "or", "but", "nor", "that", "which", "whose")  # conjunctions and relatives
_WAITING = ("was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "there")  # verbs wanting more
_DANGLING = frozenset((*_DETERMINERS, *_PREPOSITIONS, *_JOINING, *_WAITING))
# A page's prompt to follow a link ("Download and read the letter here."): the words of a button, not a claim.
_LINK_PROMPT = re.compile(
    r"^\W*(?:(?:click|tap)\s+(?:here|on|this link|the link|below)\b[^.!?]{0,80}"
    r"|(?:download|read|see|watch|listen|view|visit|subscribe|sign up|find out|learn more)\b[^.!?]{0,60}"
    r"\b(?:here|below|at this link|at the link))\W*$",
    re.IGNORECASE,
)


# A sentence that ends on a colon ("The rewrite adds some clear permissions:", "In June it apologised,
# stating:") announces what follows it, a list or a quotation, and says nothing alone.
_LEADS_ON = re.compile(r":[\s*_]*$")


# A table whose cells a PDF's text layer ran together ("Number of Communities 111 89 -19.8% Size of the
# Largest Community 6877 8027 16.72%"), often with the paragraph after it glued on: up to its last cell,
# figures are a third of the words and no verb joins them.
_CELL_NUMBER = re.compile(r"^[-+−–]?[$€£]?\d[\d,.]*%?$")
TABLE_FIGURES = 6


def _flattened_table(text: str) -> bool:
    verb = _FINITE.search(text)
    first_verb = verb.start() if verb else len(text)
    figures = 0
    for count, token in enumerate(re.finditer(r"\S+", text), 1):
        if token.start() >= first_verb:
            return False  # a verb joins what came before: prose, perhaps about figures
        if _CELL_NUMBER.match(token.group().strip("()[],;")):
            figures += 1
            if figures >= TABLE_FIGURES and figures * 3 >= count:
                return True
    return False


def _cut_fragment(text: str, list_item: bool) -> bool:
    """Begins or ends where a sentence was cut: a lower-case first word (not in a list item), a closing mark,
    an open bracket or one never closed, a trailing ellipsis."""
    shown = text.lstrip()
    if shown[:1] in ",;:)]}" or shown.rstrip().endswith(("(", "[")) or _TRUNCATED.search(shown):
        return True
    # A bracket opened and never closed: the line broke inside it ("integrations with StopNCII.org (Stop
    # Non-Consensual Intimate"), and the rest of the sentence is on the next line.
    if shown.count("(") > shown.count(")"):
        return True
    last = shown.rstrip().split()[-1] if shown.split() else ""
    if last.lower() in _DANGLING and not (list_item and last.endswith((",", ";"))):
        return True
    first = shown.split()[0] if shown.split() else ""
    first = first.lstrip("\"'“‘(")
    # "eBay" and "iPhone" are names; "@user" and "#tag" are a post's own words.
    return not list_item and first[:1].islower() and not any(ch.isupper() for ch in first[1:])


# A page's account of itself: what it lists, covers or leaves out ("This article is a timeline of …",
# "This list is not complete."). Its subject is the document, so it tells what the document holds rather
# than a fact of it. A study or a report stays out ("This study found that …" states a finding), and so do
# a law's own parts: "This Article shall apply …" and "This section provides …" are the rule itself.
# A list is often one the text has just named ("This list includes every group the ministry banned"): only
# its page's warning that it is incomplete is about the page.
# A court transcript's procedure: the call of the case ("We'll hear argument this morning in Case 21-1333, X
# versus Y") and its close ("The case is submitted"), after the speaker's label. They name the case, so they
# match every question about it, and say nothing about it.
_PROCEDURE = re.compile(
    r"^(?:[A-Z][\w.,'’ -]*:\s+)?(?:We(?:'|’)ll hear argument|We will hear argument|The case is (?:now )?submitted)\b"
)
# A caption: text that ends with the label of its figure or table ("Frequency of tweets over seven months
# Figure 14."), where prose would say "as shown in Figure 14".
_CAPTION = re.compile(
    r"(?<!\bin)(?<!\bsee)(?<!\bof)(?<!\bfrom)(?<!\bto)(?<!\band)[ \t]+(?:Figure|Fig\.|Table|Chart)[ \t]?\d{1,3}\.?$"
)
_SELF_DESCRIPTION = re.compile(
    r"^\W*(?:[Tt]his|[Tt]he following) (?:article|page|timeline)\b(?! (?:said|says|shows|showed|found|finds)\b)"
    r"|^\W*[Tt]his list (?:is|may be) (?:not |in)?(?:complete|exhaustive)\b"
)

# A figure lost in extraction: reports render their numbers as images or styled spans that text export
# drops, leaving "amounts to of total removals" or "representing of all posts". The words before "of"
# need a figure between them and it ("not only of" and "rather than of" are grammar, not gaps).
# A count word left without its count reads the same way: "X received over reports", "removed almost posts",
# "more than items were actioned".
_COUNTED = (
    r"(?:pieces|posts|items|accounts|reports|videos|actions|users|notices|appeals|complaints|removals|orders"
    r"|requests|images|channels|groups|tweets|comments|messages)\b"
)
_FIGURE_GAP = re.compile(
    r"(?<!\bnot )\b(?:to|only|approximately|nearly|roughly|almost|representing|represents|represented)\s+of\b"
    r"|\b(?:more|less|fewer) than of\b"
    rf"|\b(?:approximately|nearly|roughly|almost)\s+{_COUNTED}"
    rf"|\b(?:more|fewer|less) than {_COUNTED}\s+(?:were|was|have been|had been)\s+\w+ed\b"
    r"|\b(?:received|removed|actioned|suspended|deleted|reviewed|processed|detected|restricted|enforced|handled)"
    rf"\s+(?:over|more than|fewer than|less than|up to)\s+{_COUNTED}",
    re.IGNORECASE,
)


def _table_row(text: str) -> bool:
    """A row of a Markdown table: three cell borders, or two when one ends the row (a two-column table's row
    whose opening border the sentence splitter left behind: "Copies removed | about 1.5 million |")."""
    bars = text.count("|")
    return text.count(" | ") >= 2 or bars >= 3 or (bars >= 2 and (text.endswith("|") or text.startswith("|")))


@lru_cache(maxsize=16384)
def debris_kind(sentence: str, *, list_item: bool = False, ends_paragraph: bool = False) -> str:
    """What kind of non-prose a sentence is ("link", "image", "reference", "byline", "headline", "table",
    "aside", "speaker", "question", "fragment", "lead-in", "self-description", "caption", "procedure",
    "figure-gap"), or "" when it reads as prose.

    Each kind is a property of how the text is written, not of what it is about, so a real sentence that
    merely mentions a link, a picture, a book or a speaker still reads as prose (judgments are remembered:
    the same passages come back question after question). A `list_item` (the text
    after a bullet or a number) may open in lower case and end with a comma or semicolon: it carries on
    the sentence that leads into the list. A sentence that `ends_paragraph` without ending like a sentence is a
    title, a standfirst, a story highlight, a related-story link or a line a page cut, however long and whatever
    its verbs: prose closes its paragraph with a stop.
    """
    text = sentence.strip()
    if not text:
        return "fragment"
    shown = _LINK.sub(r"\1", text)  # a link in a sentence shows its text: only what is left of links counts
    if _ENCODED.search(shown) or _ADDRESS_START.match(shown) or _LINK_PROMPT.match(display_text(text)):
        return "link"
    if _IMAGE_FILE.search(shown) or _PICTURE.search(text):
        return "image"
    if (_ENTRY.search(text) or _CREDIT.match(text) or len(_EMAIL.findall(text)) > 1) and not (
        reports_speech(text) and finished(text)
    ):
        return "reference"
    if _table_row(text) or _flattened_table(text):
        return "table"
    if text[0] in "([" and text.rstrip(".").endswith((")", "]")) and text.rstrip(".")[1:-1].count(text[0]) == 0:
        return "aside"
    label = _SPEAKER_LABEL.match(text)
    said = _SPLIT_CONTRACTION.sub("'", text[label.end() :]) if label else ""
    if label and len(_case_words(display_text(said))) < HEADLINE_WORDS // 2 and not any(c.isdigit() for c in said):
        return "speaker"
    ended = finished(text) or (list_item and text.endswith((";", ",", ":")))
    fact_line = bool(_FACT_LABEL.match(text)) and (ended or any(ch.isdigit() for ch in text))
    displayed = display_text(text)
    cased = _case_words(displayed)
    if _no_prose_words(displayed, cased) and not fact_line:
        return "byline" if text.lower().startswith(("by ", "from ")) else "headline"
    if text.endswith("?") and not quotes_someone(text) and not label:
        return "question"  # the writer asks, and the answer, if any, is in another sentence
    if _POST_MARKS.search(text):
        return ""  # hashtags and mentions: a post, which need be neither finished nor capitalised
    short = _cased(displayed, cased) and len(cased) <= HEADLINE_WORDS
    if not ended and not fact_line and short and not _FINITE.search(text):
        return "headline"
    if ends_paragraph and not ended and not fact_line and not list_item:
        return "headline"  # prose ends its paragraph with a stop; "> Inquiry details how gunman …" does not
    if _cut_fragment(text, list_item) or _RUNNING_HEAD.match(text):
        return "fragment"
    if _LEADS_ON.search(text):
        return "lead-in"
    if _SELF_DESCRIPTION.match(displayed):
        return "self-description"
    if _CAPTION.search(displayed):
        return "caption"
    if _PROCEDURE.match(displayed):
        return "procedure"
    if _FIGURE_GAP.search(displayed):
        return "figure-gap"
    return ""
