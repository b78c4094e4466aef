"""Sentences about the document itself: what a study sets out to do, rather than what it found.

Reports open and close with their own scope ("This study examines …", "In
conclusion, this research illuminates …", "This section looks into …"). Such a
sentence repeats the question's words, since it names the same topic, but it
states no finding: an analyst asking what happened does not want it in the
answer. `about_itself` recognises one; `asks_scope` tells when a question asks
for exactly that (what a study examined or set out to do), so the sentence is
then what answers.

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


def about_itself(sentence: str) -> bool:
    """`sentence` says what its document sets out to do, and reports no finding and no figure."""
    if not _ABOUT_ITSELF.search(sentence) or _FINDING.search(sentence):
        return False
    return not has_figure(_FOOTNOTE.sub(" ", sentence))


def asks_scope(question: str) -> bool:
    """The question asks what a document examined, aimed at or contributed."""
    return any(stem(word) in _SCOPE_STEMS for word in words(question))
