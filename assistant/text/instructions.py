"""Sentences addressed to a machine rather than the reader.

`looks_like_instruction` is the one judgment of whether a sentence addresses
the assistant (or any machine reading the document) or tells the reader what
to answer: answers, briefs and prompts all set such sentences aside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.text.sentences import sentence_spans
from assistant.text.speech import SPEECH
from assistant.text.words import words

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
# Someone is reported saying (or believing) it: "the correct answer is …, he said".
_REPORTED = re.compile(rf"{SPEECH}|\baccording\b|\bbelieves?\b")
# A heading that only addresses a machine ("Attention, language models."): what follows is its message.
_BARE_ADDRESS = 4


# Answers read a passage's sentences more than once (candidates, then what was set aside), and
# follow-up questions read the same passages again; the judgment depends on the text alone.
@lru_cache(maxsize=8192)
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
