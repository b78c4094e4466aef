"""Whose words a sentence is: an extremist group's own, or the source's.

A sentence in which an extremist group or its outlet speaks ("IS claimed …",
"Amaq said …"), or which a source only quotes after a lead-in such as "the
tweet read:" or "the statement said:", is propaganda: answers and briefs
label it with the group and never state it as the source's own finding.
This module holds that one judgment for both. A post from a table of posts
is someone's words too: answers say whose account posted it, and when.
"""

from __future__ import annotations

import re

from assistant.domain import DocumentInfo
from assistant.text.aliases import ACTOR_KINDS, EXTREMIST_KINDS, AliasGroup, AliasTable
from assistant.text.dates import MONTH_NUMBERS, WEEKDAYS, written_date
from assistant.text.speech import HAND_OVER_VERBS, SPEECH

# A piece of a magazine counts ("a Dabiq article praised …"); a post does not: "Twitter removed ISIS posts that
# praised the attack" is Twitter's action, not the group's words.
_OUTLET = (
    r"(?:video|statement|message|magazine|propaganda|spokesman|spokesperson|channel|newsletter|recording|audio"
    r"|article|editorial|issue)"
)
# What an extremist outlet is called before its name ("the group's magazine Dabiq").
_OUTLET_KIND = r"(?:magazine|agency|outlet|newsletter|newspaper|channel|media (?:arm|wing|office|center|centre))"
# A sentence that hands over to a quotation: "The tweet read:", "the statement said:", "It declared: “…".
_LEAD_IN = re.compile(rf"\b{HAND_OVER_VERBS}\s*:\s*[\"“‘']?\s*$", re.IGNORECASE)
# The same hand-over inside one sentence, before the quotation opens.
_INLINE_LEAD_IN = re.compile(rf"^(?P<lead>.*?\b{HAND_OVER_VERBS}\s*:)\s*[\"“‘]", re.IGNORECASE)


def propaganda_label(group: str) -> str:
    """How answers and briefs mark a group's own words."""
    return f"Propaganda: the words of {group}"


def post_label(document: DocumentInfo) -> str:
    """Who posted a record of a table of posts, and when ("Post by @osint_desk, 12 June 2014").

    An analyst weighs a post by its account and its date, and the sentence alone
    shows neither. Empty for a document that is not a record, or a record
    whose table names neither an author nor a date. The publisher is left to
    the sources list: for a record it may be the platform or the dataset's
    publisher, and "on Fifth Tribe (Kaggle)" would name the wrong one.
    """
    if not document.is_record or not (document.author or document.date):
        return ""
    label = "Post"
    if document.author:
        label += f" by {document.author}"
    if document.date:
        label += f", {written_date(document.date)}"
    return label


def labelled(sentence: str, speaker: str, post: str = "") -> str:
    """A sentence of an answer, marked as the group's own words when it is (never stated as fact), and as
    a post (`post_label`) when it comes from one: both are quoted, not told."""
    labels = "; ".join(label for label in (propaganda_label(speaker) if speaker else "", post) if label)
    return f"({labels}) “{sentence}”" if labels else sentence


def speaking_group(text: str, aliases: AliasTable) -> str:
    """The extremist group or outlet speaking in a sentence, or "" if none is."""
    for group in aliases.groups_in(text, EXTREMIST_KINDS):
        names = "|".join(re.escape(n) for n in sorted(group.names, key=len, reverse=True))
        name = rf"(?:{names})"
        subject = r"(?:^|[.;:,(]\s*|\b(?:[Tt]he|that|when|as|after|and|while|but)\s+)"
        patterns: tuple[str, ...] = (
            rf"{subject}{name}(?:'s|’s)?(?:\s+[\w'’-]+){{0,4}}?\s+{SPEECH}",
            rf"\baccording to (?:the )?{name}\b",
            # The group's outlet speaks ("an IS video released on Sunday threatened …", "the ISIS statement
            # read: “…”"). An outlet only named ("sites take down Islamic State videos") is the writer's topic.
            rf"\b{name}(?:'s|’s)?\s+(?:own\s+)?{_OUTLET}s?\b"
            rf"(?:(?:\s+[\w'’-]+){{0,4}}?\s+{SPEECH}|[^.;]*?{HAND_OVER_VERBS}\s*:\s*[\"“‘])",
            rf"\b(?:in|In) an? (?:video|statement|message|audio|recording)\b.*\b{name}\b",
        )
        if group.kind == "media":
            # An outlet speaks under its description ("the group's magazine Dabiq claimed …") or as a label
            # before its quoted words ("Amaq News Agency: “…”"). Only naming an outlet in a sentence that says
            # or quotes something is no sign it speaks: "Twitter said it removed accounts that shared Amaq
            # videos" is Twitter's statement.
            described = rf"\b{_OUTLET_KIND}\s+{name}(?:'s|’s)?(?:\s+[\w'’-]+){{0,4}}?\s+{SPEECH}"
            patterns = (*patterns, described, rf"{name}\s*:\s*[\"“‘]")
        if any(re.search(p, text) for p in patterns):
            return group.canonical
    return ""


def quoted_speaker(sentence: str, before: str, aliases: AliasTable, context: str = "") -> str:
    """The extremist group whose words `sentence` is, given the sentence `before` it, or "".

    The sentence is the group's when the group speaks in it, or when the
    sentence before hands over to a quotation ("the tweet read:") and the
    group is named there, in the quotation itself, or (when the lead-in names
    nobody, as in "It read:") in the `context` just before the lead-in. A
    lead-in that names someone else ("Facebook said in a statement:") quotes
    them, not a group.
    """
    own = speaking_group(sentence, aliases)
    if own:
        return own
    inline = _INLINE_LEAD_IN.match(sentence)
    if inline:
        before, sentence = inline.group("lead"), sentence[inline.end() :]
    elif not _LEAD_IN.search(before):
        return ""
    named = _actors(before, aliases)
    if named:
        extremist = [g for g in named if g.kind in EXTREMIST_KINDS]
        return extremist[0].canonical if extremist else ""
    if _stranger(before):
        return ""  # someone the alias table does not know speaks ("Al-Fudayl said:")
    quoted = _actors(sentence, aliases)
    if quoted:
        # "Islamic State has killed …" after "The tweet read:": the group opens its own words.
        # A quotation that opens otherwise, or names only others, is not known to be theirs.
        first = quoted[0]
        opening = _actors(" ".join(sentence.split()[:_OPENING_WORDS]), aliases)
        return first.canonical if first.kind in EXTREMIST_KINDS and opening and opening[0] is first else ""
    earlier = [g for g in _actors(context, aliases) if g.kind in EXTREMIST_KINDS]
    return earlier[-1].canonical if earlier else ""


#: How far into a quotation its speaker's name may come ("Islamic State has killed …", "The Islamic State says").
_OPENING_WORDS = 4
# Capitalised words of a lead-in that name no one: openers, pronouns, languages, days and months.
_NOBODY = frozenset(
    """
    I It The A An In On At After When Then And But So He She They We This That These Those Its Their His Her One
    Arabic English French German
    """.split()  # noqa: SIM905 - a word list reads better as prose
) | {name.capitalize() for name in (*MONTH_NUMBERS, *WEEKDAYS)}
_CAPITALISED = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*)")


def _stranger(lead_in: str) -> bool:
    """The lead-in names a speaker the alias table does not know ("Al-Fudayl said:"), not "It read:"."""
    for match in _CAPITALISED.finditer(lead_in):
        if match.group(1) in _NOBODY or _MEDIUM.search(lead_in, 0, match.start()):
            continue
        return True
    return False


_MEDIUM = re.compile(r"\b(?:on|via|across|through|to|from)\s+$", re.IGNORECASE)


def _actors(text: str, aliases: AliasTable) -> list[AliasGroup]:
    """Actors a text names by a capitalised name, in order of first mention.

    Plain lower-case words of the table ("tweet", "posts") and a platform something was
    posted on name a medium, not a speaker.
    """
    found: list[tuple[int, AliasGroup]] = []
    for group in aliases.groups_in(text, ACTOR_KINDS):
        positions = [
            match.start()
            for name in group.names
            if name[:1].isupper()
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)
            # "posted on Telegram", "shared via Twitter": where something was said, not who said it.
            if not _MEDIUM.search(text, 0, match.start())
        ]
        if positions:
            found.append((min(positions), group))
    return [group for _, group in sorted(found, key=lambda item: item[0])]
