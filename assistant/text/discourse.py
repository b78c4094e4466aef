"""Sentences about the document itself: what a study sets out to do, or how it did it, rather than what it found.

Reports open and close with their own scope ("This study examines …", "In
conclusion, this research illuminates …", "This section looks into …") and
spend paragraphs on their method ("We collected 333,325 messages from 52
channels", "Pages were chosen by searching for terms …"). Such a sentence
repeats the question's words, since it names the same topic, but it states no
finding: an analyst asking what happened does not want it in the answer.
`about_itself` recognises one; `asks_scope` tells when a question asks for
exactly that (what a study examined or set out to do, how it gathered its
data), so the sentence is then what answers.

A sentence in the same frame that reports a result ("this study found that
…", "this report shows that …") is a finding, and so is one giving figures.
"""

from __future__ import annotations

import re

from assistant.text.figures import has_figure
from assistant.text.forms import stem
from assistant.text.words import words

# The document speaking of itself: "this study", "our paper", "the present report", "this section".
_SELF = (
    r"\b(?:this|the present|the current|our)\s+"
    r"(?:study|paper|report|research|article|section|chapter|analysis|work|assessment|review|essay)"
)
# What a document does with its topic, as opposed to what it found.
_SCOPE_VERBS = (
    r"(?:aims|aimed|seeks|sought|attempts|examines|examined|explores|explored|investigates|investigated|looks|looked"
    r"|focuses|focused|focusses|delves|contributes|illuminates|provides|offers|describes|discusses|presents|outlines"
    r"|considers|addresses|analy[sz]es|analy[sz]ed|sets out|begins|concludes|is organi[sz]ed|is structured|builds"
    r"|draws|employs|adopts|applies|uses|highlights|will)"
)
_ABOUT_ITSELF = re.compile(
    rf"{_SELF}\s+(?:\w+ly\s+)?(?:also\s+)?{_SCOPE_VERBS}\b"
    # "In this section, we …": a signpost.
    r"|^(?:In|Throughout) (?:this|the following|the next) (?:section|paper|study|report|chapter|part)\b",
    re.IGNORECASE,
)
# A result reported in the same frame: "this study found that …".
_FINDING = re.compile(
    r"\b(?:finds|found|shows|showed|shown|reveals|revealed|demonstrates|demonstrated|suggests|confirms|confirmed)"
    r"\s+(?:that|how)\b",
    re.IGNORECASE,
)
# A footnote mark ("[5]") is not a figure the sentence reports.
_FOOTNOTE = re.compile(r"\[\d{1,4}\]")
# Question words asking for a document's scope: "what did the study examine", "what was its aim".
_SCOPE_STEMS = frozenset(
    stem(word)
    for word in (
        "aim",
        "examine",
        "explore",
        "investigate",
        "focus",
        "purpose",
        "scope",
        "goal",
        "objective",
        "seek",
        "contribute",
        "contribution",
    )
)


# How a study gathered its material: "We also collected 333,325 messages from 52 channels", "Pages were
# chosen by searching for terms …", "The data for this study was collected by …". The verbs are those of
# gathering and sorting data, said of the writers ("we") or in the passive.
_METHOD_VERBS = (
    r"(?:collected|gathered|scraped|sampled|selected|chosen|searched|filtered|coded|labell?ed|annotated|downloaded"
    r"|compiled|queried|retrieved|extracted|crawled)"
)
# In the passive only when the thing gathered is data ("pages and groups were chosen") or the way it was
# gathered is said ("… were then searched for terms …"): "the targets were chosen for their symbolism" is
# a finding about an attack, not a study's method.
_DATA = (
    r"(?:data|dataset|corpus|sample|posts|messages|tweets|channels|pages|groups|accounts|videos|comments"
    r"|articles|documents|records|terms|keywords)"
)
# What the writers did to their material ("we conducted our analysis on ...", "we used the API"): said
# of "we" only, since a passive "was used" or "were examined" is as often an event as a method.
_WRITERS_VERBS = r"(?:conducted|analy[sz]ed|examined|studied|measured|counted|used|ran|built|constructed|trained)"
_METHOD = re.compile(
    rf"\b(?:we|the researchers|the authors)\s+(?:also\s+|then\s+|first\s+|further\s+)?"
    rf"(?:{_METHOD_VERBS}|{_WRITERS_VERBS})\b(?!\s+to\b)"
    rf"|\b{_DATA}\b(?:\s+[\w-]+){{0,4}}?\s+(?:were|was)\s+(?:then\s+|also\s+|first\s+)?{_METHOD_VERBS}\b"
    rf"|\b(?:were|was)\s+(?:then\s+|also\s+|first\s+)?{_METHOD_VERBS}\s+(?:by\s+(?:searching|using|querying"
    r"|scraping|filtering|hand)|manually|using|for\s+(?:the\s+)?(?:terms|keywords))\b",
    re.IGNORECASE,
)
# Question words asking how a study was done: "how did the thesis build its networks", "what data …".
_METHOD_STEMS = frozenset(
    stem(word)
    for word in (
        "method",
        "methodology",
        "data",
        "dataset",
        "sample",
        "collect",
        "gather",
        "select",
        "build",
        "construct",
        "measure",
        "label",
        "code",
        "scrape",
        "search",
    )
)


def about_itself(sentence: str) -> bool:
    """`sentence` says what its document sets out to do, and reports no finding and no figure; or how
    its study gathered and sorted its material (a count of what was gathered is part of the method)."""
    if _FINDING.search(sentence):
        return False
    if _METHOD.search(sentence):
        return True
    if not _ABOUT_ITSELF.search(sentence):
        return False
    return not has_figure(_FOOTNOTE.sub(" ", sentence))


def asks_scope(question: str) -> bool:
    """The question asks what a document examined, aimed at or contributed, or how its study was done."""
    return any(stem(word) in _SCOPE_STEMS | _METHOD_STEMS for word in words(question))
