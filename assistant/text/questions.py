"""Reading a question: what it asks for, which names it holds, where one part ends and the next begins.

Answers, refusals and briefs ask the same things of a question, so they are answered here once:

- `answer_kinds` / `asked_kind`: the kind of answer asked for (a year, a share, a sum of money, a
  figure, a name, a reason, a place, a term, a limitation), and which kinds the documents must hold
  for it to be covered;
- `question_names`: its proper names (a hyphenated or lower-case word is not one);
- `premise_words`: the words of clauses that only set the scene;
- `question_parts`: the things a question asks when it asks several;
- `counted_words`: what a "how many" question counts.

Whether a sentence *gives* what is asked is the evidence layer's (`assistant.answer.evidence`).
"""

from __future__ import annotations

import re

from assistant.text.dates import MONTH_NUMBERS, WEEKDAYS
from assistant.text.words import QUESTION_WORDS, STOPWORDS, content_words, words

# Clauses of a question are told apart only where the writer put a comma or semicolon:
# "before" or "after" without one often belongs to what is asked ("... before it treats an attack as ...").
_CLAUSE = re.compile(r"[,;]")
# Verbs that open a question without being question words themselves ("Can a streamer ...").
_OPENING = frozenset({"can", "could", "has", "had", "should", "would", "will"})


def premise_words(question: str) -> set[str]:
    """Words of the question's scene-setting clauses, which hold no question word.

    "After providers dropped Gab following the shooting, which company brought
    it back, and when?" sets the scene in its first clause; the asked part is
    "which company brought it back" and "when".
    """
    asked: set[str] = set()
    scene: set[str] = set()
    for part in _CLAUSE.split(question):
        tokens = words(part)
        asking = (bool(tokens) and tokens[0] in _OPENING) or any(t in QUESTION_WORDS for t in tokens)
        (asked if asking else scene).update(tokens)
    return scene - asked if asked else set()


# Where a question moves on to another thing it asks: "..., and what did it ...", "...; how ...", "...? Why ...".
_NEXT_PART = re.compile(
    r",?\s+and\s+(?=(?:what|how|why|who|whom|which|when|where|whether|did|does|do|has|have|had|is|are|was|were"
    r"|can|could)\b)|[;?]\s+|,\s+(?=(?:what|how|why|who|which|when|where)\b)",
    re.IGNORECASE,
)
#: A part needs this many content words to stand alone; fewer ("and when?") lean on the rest of the question.
PART_WORDS = 3


def question_parts(question: str) -> list[str]:
    """The things a question asks, when it asks more than one ("Which court kept the law blocked, and what
    standard did it apply?"); otherwise an empty list."""
    parts = [part for part in _NEXT_PART.split(question) if part and len(content_words(part)) >= PART_WORDS]
    return parts if len(parts) > 1 else []


def question_names(question: str) -> list[str]:
    """The proper names of a question: capitalised words after its first, one phrase per run of them.

    A hyphenated word ("IS-related", "UAE-based") is a description, a month or weekday a date, and a
    lower-case word a common word: none of them is a name.
    """
    names: list[str] = []
    run: list[str] = []
    for raw in [*question.split()[1:], ""]:
        token = raw.strip("?,.;:!'\"()“”‘’")
        # A possessive ends a name: "Tunisia's Bardo museum" names Tunisia, then Bardo.
        possessive = token.endswith(("'s", "’s"))
        token = token[:-2] if possessive else token
        proper = (
            token[:1].isupper()
            and "-" not in token
            and token.lower() not in STOPWORDS | QUESTION_WORDS
            and token.lower() not in MONTH_NUMBERS
            and token.lower() not in WEEKDAYS
        )
        if proper:
            run.append(token)
        if run and (not proper or possessive or raw != raw.rstrip('?,.;:!)"”')):
            names.append(" ".join(run))
            run = []
    return names


# The element a question asks for, told from the question's form. "When" counts only where it asks
# ("When did ...", "..., and when?"), not where it joins clauses ("what did they do when ...").
# A "When ..." clause followed by another question ("When X happened, what did Y do?") sets the scene.
_ASKS_YEAR = re.compile(
    r"\b(?:which|what) year\b|^\s*when\b(?![^,]*,\s*(?:and\s+)?(?:what|which|who|whom|how|why|where)\b)"
    r"|\bwhen\s*\?|\band when\b",
    re.IGNORECASE,
)
_ASKS_SHARE = re.compile(r"\bwhat (?:share|percentage|proportion|fraction|per ?cent)\b", re.IGNORECASE)
# Sums of money; "penalties" is not among them (a penalty may be a prison term).
_AMOUNTS = r"fines?|bail|damages|ransom|bounty|settlement|compensation|budget|funding|grant"
_ASKS_AMOUNT = re.compile(
    rf"\b(?:what|which|how large an?|how big an?|how much)\s+(?:\w+\s+)?(?:{_AMOUNTS})\b|\bhow much money\b",
    re.IGNORECASE,
)
_ASKS_FIGURE = re.compile(r"\bhow many\b|\bwhat (?:number|amount) of\b|\bhow much\b", re.IGNORECASE)
_ASKS_NAME = re.compile(
    r"\b(?:which|what) (?:\w+ )?(?:app|application|platform|service|company|firm|site|website|network"
    r"|organi[sz]ation|agency|group|court|body|authority|government|country|party|outlet)\b",
    re.IGNORECASE,
)
#: How a refusal names each kind the documents must hold.
KIND_WORDS = {
    "year": "a year",
    "share": "a share or percentage",
    "amount": "an amount of money",
    "figure": "a figure",
    "name": "a name",
}
# Kinds asked for without the documents having to hold them: the answer may give them in other ways
# ("how long" in a year, "who" as "the company"), so they only earn a sentence a bonus.
_ASKS_MEASURE = re.compile(
    r"\bhow (?:large|big|long|fast|often|far|old)\b|\bwhat number\b|\bdeath toll\b", re.IGNORECASE
)
_ASKS_DATE = re.compile(r"\b(?:what|which) (?:date|month|day)\b|\bsince when\b|\bhow long ago\b", re.IGNORECASE)
_ASKS_WHO = re.compile(r"^\s*(?:who|whom|whose|which)\b|(?:,|\band|\bor)\s+(?:who|whom|which)\b|\bwhat company\b", re.I)
_ASKS_WHY = re.compile(r"\bwhy\b|\bwhat (?:led|prompted|caused|drove)\b|\bfor what reason\b", re.IGNORECASE)
# A word or phrase as such: coded language, slogans, labels ("which word became a marker of ...",
# "what slogan did they chant", "what did the press call him").
_ASKS_TERM = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}(?:words?|terms?|phrases?|slogans?|hashtags?|nicknames?|labels?"
    r"|code ?words?|slurs?|expressions?|euphemisms?|wording|catchphrases?)\b"
    r"|\bwhat (?:did|do|does) (?:[\w'’-]+\s+){1,5}(?:call|dub|nickname|label)\b(?!\s+(?:for|on|off|in|up)\b)",
    re.IGNORECASE,
)
# A shortcoming: "what was the main limitation of that approach", "what are the weaknesses of ...".
_ASKS_LIMIT = re.compile(
    r"\b(?:limitations?|weakness(?:es)?|drawbacks?|shortcomings?|flaws?|downsides?|blind spots?"
    r"|loopholes?|gaps? in)\b"
    r"|\bwhat (?:can(?:'|’)?t|cannot|couldn(?:'|’)?t|could not) (?:it|they|the(?:\s+[\w-]+){1,3}) do\b",
    re.IGNORECASE,
)
_ASKS_WHERE = re.compile(r"^\s*where\b|(?:,|\band|\bor)\s+where\b|\bin (?:what|which) (?:country|city|place)\b", re.I)
#: The kinds of answer a question may ask for, with the form that asks and whether the documents must hold one
#: for the question to count as covered (`asked_kind`); earlier entries win where one form holds another.
_KINDS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("share", _ASKS_SHARE, True),
    ("amount", _ASKS_AMOUNT, True),
    ("figure", _ASKS_FIGURE, True),
    ("year", _ASKS_YEAR, True),
    ("name", _ASKS_NAME, True),
    ("figure", _ASKS_MEASURE, False),
    ("year", _ASKS_DATE, False),
    ("name", _ASKS_WHO, False),
    ("reason", _ASKS_WHY, False),
    ("place", _ASKS_WHERE, False),
    ("term", _ASKS_TERM, False),
    ("limit", _ASKS_LIMIT, False),
)


def answer_kinds(question: str) -> tuple[str, ...]:
    """Every kind of answer a question asks for, each once: "share", "amount", "figure" (how many, how
    long, how large), "year" (when, what year or date), "name" (who, which company), "reason" (why),
    "place" (where), "term" (which word, slogan or label) and "limit" (a limitation or weakness)."""
    found: list[str] = []
    for kind, pattern, _ in _KINDS:
        if kind not in found and pattern.search(question):
            found.append(kind)
    return tuple(found)


def asked_kind(question: str) -> str:
    """What a question asks for, when the documents must hold it: "year", "share", "amount", "figure", "name" or ""."""
    return next((kind for kind, pattern, required in _KINDS if required and pattern.search(question)), "")


#: Words are compared by their first letters, so that "follower" matches "followers" and "video" "videos".
COUNTED_STEM = 5
# What "how many" counts runs to the verb or preposition after it ("how many copies of the attack video
# did ..." counts copies of a video); "how many of the dead ..." counts a part of something named before.
_COUNTED = re.compile(
    r"\b(?:how many|what number of)\s+(?!of\b)((?:(?!(?:did|do|does|were|was|are|is|have|has|had|will|would"
    r"|could|can|should|in|on|during|at|since|after|before)(?![\w'’-]))[\w'’-]+\s*){1,6})",
    re.IGNORECASE,
)


def counted_words(question: str) -> set[str]:
    """The opening letters of the words of what a "how many" question counts ("how many followers" -> "follow")."""
    found: set[str] = set()
    for match in _COUNTED.finditer(question):
        found |= {word[:COUNTED_STEM] for word in content_words(match.group(1)) if "-" not in word}
    return found
