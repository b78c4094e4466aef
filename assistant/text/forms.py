"""Word forms: when two words count as the same word in matching a sentence to a question.

- `stem`: a light suffix stemmer for English (British spellings made American
  first: "colour", "centre", "defence", "programme", "labelled"), so that inflections and close
  derivations share one form ("ban", "banned", "banning" -> "ban"; "suspend",
  "suspension" -> "suspend"; "designate", "designation" -> "design";
  "radicalise", "radicalized", "radicalisation" -> "radicaliz"; "prosecutor",
  "prosecute" -> "prosecut"). It only ever
  compares words with each other, so a stem need not be a word.
- `kin`: a small table of paraphrase families of the vocabulary of content
  moderation and extremism research ("remove", "delete", "takedown", "take
  down"; "ban", "prohibit", "proscribe"), whose members say the same thing in
  other words.
- `hashtag_words`: the words a camel-case hashtag runs together ("#HillarysHealth"),
  matched besides the hashtag itself.
- `word_stems`: the stems of a sentence's words, which
  `assistant.answer.evidence` matches the question's words (and their kin) against.

Lexical search (BM25) keeps its own exact words: the stored index counts them,
so changing them would need every index rebuilt.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

# Words a suffix rule would confuse with another word ("news" is not "new", "billion" not "bill", "sector"
# not "sect").
_KEPT = frozenset({"news", "million", "billion", "trillion", "series", "species", "sector", "factor", "mentor"})
# British "-ise" spellings become "-ize" ones first, so both spellings share their forms.
_BRITISH = re.compile(r"is(e|ed|es|ing|ation|ations|er|ers)$")
_VOWELS = frozenset("aeiouy")
# Derivational endings, longest first, and what replaces them.
_DERIVATIONS = (
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("nsion", "nd"),
    ("tor", "t"),
    ("sor", "s"),
    ("ment", ""),
    ("ist", "ism"),
    ("val", "ve"),
    ("ion", ""),
)


# Other British spellings, made American: "colour", "behaviour", "harbour" (but not "hour" or "four");
# "centre", "fibre"; "defence", "licence"; "programme"; "catalogue"; "analyse". An analyst may write
# either, and so may the document.
_SPELLINGS = (
    (re.compile(r"(?<=[a-z]{2})our(s|ed|ing|ite|ites|able|ably|ful|less|er|ers)?$"), r"or\1"),
    (re.compile(r"(?<=[a-z]{2})([tb])re(s|d)?$"), r"\1er\2"),
    (re.compile(r"^(def|off|lic|pret)ence(s)?$"), r"\1ense\2"),
    (re.compile(r"^programme(s)?$"), r"program\1"),
    (re.compile(r"^catalogue(s|d)?$"), r"catalog\1"),
    (re.compile(r"(?<=[a-z])lys(e|ed|es|ing)$"), r"lyz\1"),
)
# Verbs whose "-ll-" before an ending is British ("labelled", "travelling"); "called" keeps its own.
_DOUBLED_L = frozenset(
    {"label", "model", "travel", "cancel", "signal", "channel", "fuel", "counsel", "level", "marshal", "tunnel"}
    | {"jewel", "rival", "dial", "duel", "equal"}
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The form `word` shares with its inflections and close derivations (lower-case words only)."""
    if len(word) <= 3 or not word.isalpha() or word in _KEPT:
        return word
    for pattern, american in _SPELLINGS:
        word = pattern.sub(american, word)
    word = _BRITISH.sub(r"iz\1", word)
    word = _inflection(word)
    if word.endswith("ll") and word[:-1] in _DOUBLED_L:
        word = word[:-1]
    if word in _KEPT:
        return word  # "sectors", "millions": the plural of a kept word keeps it too
    word = _derivation(word)
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    # "designat(e)" and "design", "moderat(e)" and "moder": an -ate verb shares the form of its root.
    if word.endswith("at") and len(word) >= 6 and word[-3] not in _VOWELS:
        word = word[:-2]
    return word


def _inflection(word: str) -> str:
    """Without a plural, past or -ing ending ("bans", "banned", "banning" -> "ban")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "i"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")) and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
        # The plural of an -ing noun keeps going: "shootings" and "earnings" share "shoot" and "earn".
        if not word.endswith("ing"):
            return word
    for ending in ("ing", "ed"):
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3 and _VOWELS & set(base) and not base.endswith("e" * 2):
            if ending == "ed" and base.endswith("e"):
                return word  # "need", "speed": no past ending
            # "bann" -> "ban", "stopp" -> "stop"; "call", "pass" and short "add" keep theirs.
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz" + "aeiou":
                base = base[:-1]
            return base
    if word.endswith("y") and len(word) > 3 and word[-2] not in _VOWELS:
        return word[:-1] + "i"
    return word


def _derivation(word: str) -> str:
    for ending, replacement in _DERIVATIONS:
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3:
            if ending == "ion" and base.endswith("s") and not base.endswith("ss") and base[-2] in _VOWELS:
                return base[:-1] + "d"  # "decision" -> "decid", "invasion" -> "invad"
            return base + replacement
    return word


# Families of words that say the same thing in this field: general vocabulary, one line a family.
_FAMILIES = (
    "remove removal delete deletion takedown erase",
    "ban prohibit prohibition outlaw proscribe proscription forbid",
    "suspend suspension deactivate",
    "restrict restriction limit curb",
    "arrest detain detention apprehend",
    "imprison prison jail",
    "kill murder",
    "recruit enlist",
    "upload post publish",
    "follower subscriber",
    "video footage clip",
    "fund finance donate donation",
    "attacker gunman shooter perpetrator assailant",
    "attack assault",
    "law legislation statute",
    "livestream stream broadcast",
    "increase rise surge grow growth",
    "decrease decline drop shrink dwindle",
)
# Two-word verbs that mean one family's word ("took down" a video removes it).
_PHRASE_HEADS = frozenset({"take", "takes", "taking", "took", "taken"})


@lru_cache(maxsize=1)
def _families() -> dict[str, frozenset[str]]:
    """Each family member's stem, with the stems of its whole family."""
    table: dict[str, frozenset[str]] = {}
    for line in _FAMILIES:
        members = frozenset(stem(member) for member in line.split())
        for member in members:
            table[member] = members
    return table


@lru_cache(maxsize=4096)
def kin(word: str) -> frozenset[str]:
    """The stems of the other words of `word`'s paraphrase family (none when it belongs to none)."""
    own = stem(word)
    return _families().get(own, frozenset()) - {own}


def word_stems(tokens: Iterable[str]) -> set[str]:
    """The stems of a text's words (`assistant.text.words.words`).

    Given in order (a list or tuple), two-word verbs count too ("took down" is a takedown); a set of
    words has no order, so only its single words count.
    """
    found = {stem(token) for token in tokens}
    if isinstance(tokens, Sequence) and "down" in found:
        found |= {stem(word) for word in phrase_terms(tokens).values()}
    return found


def phrase_terms(tokens: Sequence[str]) -> dict[str, str]:
    """The two-word verbs among a text's words, in order, as {first word: the one word it stands for}."""
    return {
        first: "takedown" for first, second in itertools.pairwise(tokens) if second == "down" and first in _PHRASE_HEADS
    }


# A hashtag written in camel case ("#HillarysHealth", "#IslamicState") runs its words together.
_HASHTAG = re.compile(r"(?<![\w#])#([A-Za-z][A-Za-z0-9]*[a-z][A-Z][A-Za-z0-9]*)")
_CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def hashtag_words(text: str) -> list[str]:
    """The words run together in `text`'s camel-case hashtags ("#HillarysHealth" -> "hillarys", "health").

    The sentence's own tokens keep the hashtag whole (search counts it so); these are matched besides it.
    """
    return [part.lower() for tag in _HASHTAG.findall(text) for part in _CAMEL_PART.findall(tag)]
