"""Shared text helpers for retrieval and answering: word tokens, the alias table, planted instructions.

Lexical search, query expansion and extractive answering must agree on what
a "word" is, so the tokenizer lives here once. The alias table (names that
mean the same actor or platform) is data in `data/aliases.toml`.

`looks_like_instruction` is the one judgment of whether a sentence addresses
the assistant (or any machine reading the document) or tells the reader what
to answer: answers, briefs and prompts all set such sentences aside.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from assistant.chunking import sentence_spans

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


def words(text: str) -> list[str]:
    """Lower-cased word tokens; numbers lose thousands separators (125,000 -> 125000)."""
    tokens = []
    for match in _WORD.finditer(text):
        token = match.group(0).lower().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        elif token[0].isdigit():
            token = re.sub(r"(?<=\d),(?=\d{3})", "", token)
        tokens.append(token)
    return tokens


#: Month names and their usual abbreviations, lower-cased, with the month's number.
MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
#: The same names, capitalised, as a regular-expression alternation (longest first).
MONTHS = "|".join(sorted((name.capitalize() for name in MONTH_NUMBERS), key=len, reverse=True))

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "after the 2020 election": the year marks where the story starts, not when its sources were written.
_SINCE_YEAR = re.compile(
    r"\b(?:after|since|following|in the wake of|in the aftermath of)\s+(?:the\s+|its\s+|his\s+|her\s+)?"
    r"(?:[\w'’-]+\s+){0,2}((?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def asked_years(question: str) -> tuple[set[str], str | None]:
    """The years a question is about, and the earliest year it names.

    A year after "after", "since" or "following" only bounds the period from
    below, so it is in the second result but not the first.
    """
    years = set(_YEAR.findall(question))
    if not years:
        return set(), None
    bounds = {match.group(1) for match in _SINCE_YEAR.finditer(question)}
    return years - bounds, min(years)


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if (w not in STOPWORDS and len(w) > 1) or w.isdigit()]


@dataclass(frozen=True)
class AliasGroup:
    canonical: str
    kind: str
    names: tuple[str, ...]


class AliasTable:
    """Groups of equivalent names, and matching them in free text."""

    def __init__(self, groups: list[AliasGroup]) -> None:
        self.groups = groups
        self._patterns = [(group, _pattern(group.names)) for group in groups]

    def groups_in(self, text: str) -> list[AliasGroup]:
        return [group for group, pattern in self._patterns if pattern.search(text)]

    def expansion(self, text: str) -> list[str]:
        """Alternative names for every group mentioned in `text` (not already in it)."""
        lowered = text.lower()
        extra: list[str] = []
        for group in self.groups_in(text):
            extra += [name for name in group.names if name.lower() not in lowered]
        return extra


def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for name in names:
        escaped = re.escape(name)
        if len(name) <= 3 and name.isupper():
            parts.append(rf"(?-i:\b{escaped}\b)")
        else:
            parts.append(rf"\b{escaped}\b")
    return re.compile("|".join(parts), re.IGNORECASE)


@lru_cache(maxsize=1)
def default_aliases() -> AliasTable:
    raw = tomllib.loads(resources.files("assistant").joinpath("data/aliases.toml").read_text(encoding="utf-8"))
    return AliasTable([AliasGroup(g["canonical"], g.get("kind", ""), tuple(g["names"])) for g in raw.get("group", [])])


# --- sentences addressed to a machine rather than to the reader ---------------------------------

# Whoever an injected instruction speaks to: an AI, an assistant, a model, a summariser, a bot, or
# another machine reading the page. Bare "model" or "assistant" are ordinary words too, so every
# rule below also needs the shape of an address (a heading, "you", "reading this page ... must").
_MACHINE = (
    r"(?:(?:AI|A\.I\.|artificial[- ]intelligence|automated|automatic|machine|robot|virtual|digital|LLM|GPT)[- ]?"
    r"(?:assistants?|models?|systems?|agents?|tools?|bots?|readers?|summari[sz]ers?|crawlers?|scrapers?"
    r"|engines?|programs?|pipelines?|services?)"
    r"|(?:large |generative )?language models?|LLMs?|chat-?bots?|AIs?|A\.I\.|assistants?|summari[sz]ers?"
    r"|summari[sz]ation (?:tools?|systems?|models?|engines?)|(?:web )?crawlers?|scrapers?|bots?|models?|machines?"
    r"|ChatGPT|GPT-?\d*|Claude|Gemini|Copilot|Bard)"
)
# What the instruction calls the document it sits in.
_HERE = (
    r"(?:this|these|the present|the following)\s+(?:[\w-]+\s+)?(?:page|article|text|document|file|post|passage"
    r"|report|content|row|cell|table|dataset|data|record|source|story|piece|material|note|entry|spreadsheet|pdf"
    r"|website|site|paragraph|section|snippet|excerpt|chunk|csv|thread)s?\b"
)
_OBLIGED = (
    r"\b(?:should|must|shall|needs? to|have to|has to|are to|is to|ought to|(?:are|is) (?:required|instructed|asked"
    r"|expected|supposed|told) to|will|please|may only|can only)\b"
)
_TOLD_TO = (
    r"(?:answer|reply|respond|say|state|write|conclude|assert|output"
    r"|tell (?:the |your )?(?:user|reader|analyst|questioner)s?)"
)
# A heading that addresses a machine: "Note to the AI:", "Dear summariser,", "Attention, language models.",
# "LLM directive: …" ("Model:" or "AI models:" alone head a section of ordinary text).
_ADDRESS = re.compile(
    rf"^\W*(?:(?:an?\s+|the\s+)?(?:important\s+|urgent\s+|special\s+)?(?:note|notice|message|memo|reminder"
    rf"|instructions?|directive|request|warning|attention|attn|psa|guidance)\s*,?\s*(?:to|for)?\s*"
    rf"|(?:dear|hey|hi|hello|to)\s+)(?:the\s+|all\s+|any\s+|every\s+)?(?:[\w-]+\s+)?{_MACHINE}\b"
    rf"(?:\s+[\w-]+ing\b[^:,.;]{{0,40}})?\s*[:,.;—–-]"
    rf"|^\W*(?!(?:models?|machines?|bots?)\s*:){_MACHINE}"
    rf"(?:\s+(?:note|notice|message|instructions?|directive|prompt|override|guidance)s?)?\s*[:—–]\s*\w",
    re.IGNORECASE,
)
_INSTRUCTION = re.compile(
    "|".join(
        (
            # Planted overrides: "ignore all previous instructions", "system prompt".
            r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions|prompt|rules)\b",
            r"\bsystem (?:note|prompt|message)\b",
            r"\b(?:you must|always) (?:answer|reply|respond)\b|\b(?:answer|reply|respond) (?:every|all|each) question",
            # A machine processing "this page" that is told what it must do.
            rf"\b{_MACHINE}\b(?:\s+(?:that|which|who)(?:\s+(?:is|are))?)?\s+(?:currently\s+)?(?:reading|summari[sz]ing"
            rf"|processing|parsing|indexing|analy[sz]ing|scanning|crawling|ingesting|quoting|citing|answering|using"
            rf"|retrieving|given|fed|shown|consulting|handling)\b[^.;:]{{0,60}}?\b{_HERE}.*{_OBLIGED}",
            rf"\b(?:anyone|anybody|whoever|any\s+(?:[\w-]+\s+)?(?:system|tool|program|software|reader|service"
            rf"|application|app|process)s?)\s+(?:that\s+|which\s+|who\s+)?(?:is\s+|are\s+)?(?:summari[sz](?:es|ing)"
            rf"|answer(?:s|ing) questions (?:about|on|from)|process(?:es|ing)|pars(?:es|ing)|index(?:es|ing)"
            rf"|ingest(?:s|ing))\b[^.;:]{{0,60}}?\b{_HERE}.*{_OBLIGED}",
            rf"\b(?:summar(?:y|ies)|answers?|responses?|repl(?:y|ies)|outputs?|descriptions?)\s+(?:of|about|based on"
            rf"|drawn from|derived from|generated from|on)\s+{_HERE}[^.]{{0,40}}{_OBLIGED}",
            # The reader addressed as a machine: "If you are an AI", "As a language model, you ...".
            rf"\b(?:if|when|since|as|because)\s+you(?:'re|’re|\s+are)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?{_MACHINE}\b",
            rf"\bas\s+an?\s+(?:[\w-]+\s+)?{_MACHINE}\b[^.]{{0,40}}\byou\b|\byou,?\s+the\s+(?:[\w-]+\s+)?{_MACHINE}\b",
            r"\b(?:if|when|while)\s+you(?:'re|’re|\s+are)?\s+(?:summari[sz]ing|answering questions (?:about|on)"
            r"|processing|parsing|indexing|asked (?:about|whether|how|what|if|to summari[sz]e))\b",
            r"\bwhen\s+(?:you\s+)?summari[sz](?:e|ing)\s+(?:this|these)\b",
            # The reader told what to answer: "Say that …", "… : reply that …", "When asked about X, respond that …".
            rf"^\W*(?:please\s+|simply\s+|just\s+|always\s+)*{_TOLD_TO}\s+(?:only\s+)?(?:that|with|as if|:)",
            rf"[:;—–]\s*(?:please\s+|simply\s+|just\s+|always\s+)*{_TOLD_TO}\s+(?:only\s+)?(?:that|with|as if)\b",
            rf"\bwhen(?:ever)?\s+(?:you\s+are\s+|you're\s+|you’re\s+)?asked\b[^.]{{0,80}}?,\s*(?:please\s+|simply\s+"
            rf"|just\s+|always\s+)?(?:{_TOLD_TO}|report|claim|insist)\b",
            r"\byour\s+(?:answers?|summar(?:y|ies)|outputs?|repl(?:y|ies)|responses?)\s+(?:should|must|shall|needs? to"
            r"|has to|is to|ought to|may only|can only)\b",
            r"\b(?:in|into)\s+your\s+(?:answers?|summar(?:y|ies)|outputs?)\b",
        )
    ),
    re.IGNORECASE,
)
# "The correct answer is …" tells the reader what to answer, unless someone is reported saying it.
_ANSWER_GIVEN = re.compile(
    r"\b(?:correct|right|true|real|only|official|expected|proper)\s+(?:answer|response|reply)\s+"
    r"(?:to\s+(?:this|that|the|any|every|all|your)\s+(?:[\w-]+\s+){0,2}?(?:questions?|quer(?:y|ies)|prompts?)\b"
    r"[^.:]*?\s*)?(?:is|are|would be|will be|should be|:)",
    re.IGNORECASE,
)
_REPORTED = re.compile(r"\b(?:said|says|argued|argues|told|according|believes?|insisted|wrote|added|claimed)\b")
# A heading that only addresses a machine ("Attention, language models."): what follows is its message.
_BARE_ADDRESS = 4


def looks_like_instruction(sentence: str) -> bool:
    """A sentence that addresses an AI, assistant, model or other machine reader, or tells the reader what to answer.

    Such a sentence is written for whatever summarises the page, not for the
    analyst, so it is never evidence. Reporting about AI tools, moderation
    models or instructions given to users ("users were instructed to report
    extremist content") is not addressed to the reader and is kept.
    """
    if _ADDRESS.search(sentence) or _INSTRUCTION.search(sentence):
        return True
    return bool(_ANSWER_GIVEN.search(sentence)) and not _REPORTED.search(sentence)


def instruction_flags(sentences: Sequence[str]) -> list[bool]:
    """`looks_like_instruction` for consecutive sentences; a bare address also taints the sentence after it."""
    own = [looks_like_instruction(s) for s in sentences]
    flags = list(own)
    for index in range(1, len(sentences)):
        before = sentences[index - 1]
        if own[index - 1] and len(words(before)) <= _BARE_ADDRESS and _ADDRESS.search(before):
            flags[index] = True
    return flags


def strip_instructions(text: str, replacement: str = "") -> tuple[str, int]:
    """`text` with every instruction-like sentence replaced, and how many were."""
    spans = sentence_spans(text)
    flags = instruction_flags([text[span.start : span.end] for span in spans])
    parts, position = [], 0
    for span, flagged in zip(spans, flags, strict=True):
        if flagged:
            parts.append(text[position : span.start] + replacement)
            position = span.end
    parts.append(text[position:])
    return "".join(parts), sum(flags)
