"""The evidence layer: which sentences of retrieved passages are evidence, and how they relate.

Answers (`assistant.answer.extractive`) and briefs (`assistant.brief.builder`)
read passages through the same functions here:

- quotable or not: `quotable_sentences` / `quotable` (no instruction to a machine,
  no heading, no apparatus, nothing that is not prose, at least five words);
- scored candidates: `candidate_sentences` (question words, similarity, rank and
  answer-shape bonuses) and `set_aside` (the instructions left out);
- about another platform or tech company than the one asked about: `about_other_service` (such a
  sentence neither answers for it nor makes the question covered);
- enough to answer at all: `judge_coverage`;
- says the same thing: `repeats` (against an answer so far), `similar` (two
  sentences) and `agree` (two sources' distinctive words, for briefs);
- leans on the sentence before: `refers_back` (opens with a pronoun or "the
  company": an answer quotes it with the sentence it carries on from) and
  `needs_context` (that, a first person or a relative date: a brief will not
  state it as a finding).

The lower-level text judgments (sentences, figures, dates, names, speech,
apparatus) are in `assistant.text`, and what a question asks for in
`assistant.text.questions`. Every weight and threshold here comes from
an `AnswerTuning` (or, for `similar` and `agree`, from the caller's tuning).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from assistant.answer.attribution import quoted_speaker
from assistant.domain import Hit
from assistant.search.retrieval import Retrieval
from assistant.text.aliases import SERVICE_KINDS, AliasTable, default_aliases
from assistant.text.apparatus import (
    back_matter_spans,
    cut_caption,
    debris_kind,
    looks_like_apparatus,
    skip_dateline,
    skip_heading,
    skip_marks,
    skip_page_number,
    skip_title,
    without_markup,
)
from assistant.text.dates import MONTH_NUMBERS, MONTHS, WEEKDAYS, YEAR, asked_years
from assistant.text.discourse import about_itself, asks_scope
from assistant.text.figures import NUMBER_WORDS, figures, has_figure
from assistant.text.forms import hashtag_words, kin, phrase_terms, stem, word_stems
from assistant.text.instructions import instruction_flags
from assistant.text.languages import foreign, language_name
from assistant.text.names import institution_names, new_names
from assistant.text.questions import (
    COUNTED_STEM,
    KIND_WORDS,
    answer_kinds,
    asked_kind,
    counted_words,
    premise_words,
    question_names,
    question_parts,
)
from assistant.text.sentences import CONNECTIVES, closing_quote, sentence_pieces
from assistant.text.words import QUESTION_WORDS, STOPWORDS, content_words, words
from assistant.tuning import DEFAULTS, AnswerTuning


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence inside a hit, with its offsets in the chunk text."""

    hit: Hit
    start: int
    end: int
    score: float
    overlap: float
    #: The extremist group whose own words the sentence is (see `assistant.answer.attribution`), or "".
    speaker: str = ""
    #: Whether it speaks of another platform or tech company than those the question names (`about_other_service`).
    elsewhere: bool = False
    #: Whether it gives the element the question requires (`asked_kind`: a year for "in which year", a
    #: figure for "how many"): an answer should open with such a sentence.
    gives_asked: bool = False

    @property
    def text(self) -> str:
        return self.hit.text[self.start : self.end]


@dataclass(frozen=True)
class Coverage:
    covered: bool
    reason: str
    best_overlap: float
    best_similarity: float


#: A question word as sentences are matched against it: the word, its weight, its stem, its family's stems.
_Form = tuple[str, float, str, frozenset[str]]


@dataclass(frozen=True)
class TermWeights:
    """How much each question word matters, with the aliases of the names it holds kept apart."""

    #: The question's own words.
    own: dict[str, float] = field(default_factory=dict)
    #: Other names of the actors and platforms it names: they stand in for a word already weighed.
    alias: dict[str, float] = field(default_factory=dict)
    #: What a sentence holding every word would score, when not the sum of `own` (see `pool_weights`).
    whole: float = 0.0

    @property
    def terms(self) -> set[str]:
        return set(self.own) | set(self.alias)

    @property
    def total(self) -> float:
        """The weight of every own word: a sentence holding them all covers the question."""
        return self.whole or sum(self.own.values()) or 1.0

    @cached_property
    def forms(self) -> tuple[list[_Form], list[_Form]]:
        """Own and alias words as (word, weight, stem, stems of its paraphrase family), worked out once a question."""
        return (
            [(term, weight, stem(term), kin(term)) for term, weight in self.own.items()],
            [(term, weight, stem(term), kin(term)) for term, weight in self.alias.items()],
        )


def term_weights(question: str, retrieval: Retrieval, tuning: AnswerTuning = DEFAULTS.answer) -> TermWeights:
    """How much each question word matters: names and numbers most, aliases least.

    Words that only set the scene ("after the 2018 shooting, which company...")
    count for less than the words of what is asked: every source about the
    scene repeats them, but only the answer speaks to the asked part.
    """
    scene = premise_words(question)
    own: dict[str, float] = {}
    for term in retrieval.query_terms:
        if term in QUESTION_WORDS:
            continue
        weight = max(retrieval.idf.get(term, 1.0), tuning.idf_floor)
        own[term] = weight * (tuning.premise_weight if term in scene else 1.0)
    # "take down" asks about a takedown: the verb's weight goes to the one word it stands for.
    for head, word in phrase_terms(words(question)).items():
        if head in own:
            own[word] = max(own.pop(head), own.get(word, 0.0))
    alias: dict[str, float] = {}
    for term in retrieval.expanded_terms:
        # Aliases stand in for a name the question already weighs: count once, lightly.
        if term not in own:
            alias.setdefault(term, tuning.alias_weight * max(retrieval.idf.get(term, 1.0), tuning.idf_floor))
    return TermWeights(own, alias)


def part_weights(question: str, weights: TermWeights) -> list[TermWeights]:
    """The question's word weights for each of its `question_parts`, with all of its aliases."""
    found = []
    for part in question_parts(question):
        present = set(words(part))
        own = {term: weight for term, weight in weights.own.items() if term in present}
        if own:
            found.append(TermWeights(own, weights.alias))
    return found


#: A sentence's words as question words are matched against them: the words themselves, and their stems.
WordBag = tuple[set[str], set[str]]


def word_bag(sentence_words: Iterable[str]) -> WordBag:
    """`sentence_words` (in order, see `word_stems`) as a `WordBag`, worked out once a sentence."""
    listed = list(sentence_words)
    return set(listed), word_stems(listed)


def _match(form: _Form, bag: WordBag, tuning: AnswerTuning) -> float:
    """The weight a question word counts for in a sentence: in full, in another form, or by its family."""
    term, weight, own_stem, family = form
    exact, stems = bag
    if term in exact:
        return weight
    if own_stem in stems:
        return weight * tuning.inflection_weight
    return weight * tuning.paraphrase_weight if family and not family.isdisjoint(stems) else 0.0


def pool_weights(weights: TermWeights, bags: list[WordBag], tuning: AnswerTuning) -> TermWeights:
    """`weights` with each own word discounted by the share of candidate sentences (`bags`) holding it in any form.

    A word every candidate holds (the platform all the passages are about) tells none of them apart;
    the words of what is asked, found in few, then decide.
    """
    if not bags or not tuning.pool_share_discount:
        return weights
    own_forms, _ = weights.forms
    own = {}
    for form in own_forms:
        holding = sum(1 for bag in bags if _match(form, bag, tuning))
        own[form[0]] = form[1] * (1.0 - tuning.pool_share_discount * holding / len(bags))
    # Shares stay out of the question's full weight: where the words tell the candidates little apart, the
    # other signals (similarity, source rank, the kind of answer) decide more.
    return TermWeights(own, weights.alias, weights.total)


def overlap_share(sentence_words: Iterable[str], weights: TermWeights, tuning: AnswerTuning = DEFAULTS.answer) -> float:
    """Share of the question's (IDF-weighted) words that the sentence contains.

    A word counts in any of its forms ("banned" for "ban", "suspension" for
    "suspended", see `assistant.text.forms`) at the tuning's `inflection_weight`,
    and a word of the same paraphrase family ("deleted" for "removal") at its
    `paraphrase_weight`. Aliases do not add up: the best matching one adds its
    weight once.
    """
    return bag_share(word_bag(sentence_words), weights, tuning)


def bag_share(bag: WordBag, weights: TermWeights, tuning: AnswerTuning = DEFAULTS.answer) -> float:
    """`overlap_share` of a sentence whose `word_bag` is already worked out (a sentence weighed several ways)."""
    own_forms, alias_forms = weights.forms
    own = sum(_match(form, bag, tuning) for form in own_forms)
    alias = max((_match(form, bag, tuning) for form in alias_forms), default=0.0)
    return min(1.0, (own + alias) / weights.total)


def candidate_sentences(
    question: str,
    retrieval: Retrieval,
    *,
    pool_size: int | None = None,
    aliases: AliasTable | None = None,
    tuning: AnswerTuning = DEFAULTS.answer,
) -> list[Sentence]:
    """Every sentence of the first `pool_size` hits (and of further passages of their documents), scored.

    The pool is the tuning's `sentence_pool` unless given. Sentences addressed to the assistant are
    never candidates (`set_aside` counts them); each candidate knows whether it is an extremist
    group's own words.

    Score: share of question words (in any of their forms, see `overlap_share`; a word most candidates hold
    counts for less, see `pool_weights`) + passage similarity
    + source rank + a bonus for holding the kind of answer asked for (see `answer_kinds`)
    - a length damper, and for a question asking several things the best share of one part's words
    (see `question_parts`), weighted as the tuning says.
    """
    aliases = aliases or default_aliases()
    weights = term_weights(question, retrieval, tuning)
    kinds = answer_kinds(question)
    required = asked_kind(question)
    asked = set(words(question))
    years, _ = asked_years(question)
    # A report's account of its own scope answers only a question about that scope.
    scope_penalty = 0.0 if asks_scope(question) else tuning.scope_penalty
    found: list[Sentence] = []
    pool, source_rank = _pool(retrieval, tuning.sentence_pool if pool_size is None else pool_size, tuning.passages_read)
    seen: set[tuple[str, str]] = set()
    off_topic = _unnamed_documents(question, pool, retrieval.idf, tuning) if tuning.unnamed_penalty else set()
    read: list[tuple[Hit, list[tuple[int, int]], int, int, int, list[str], WordBag]] = []
    for hit in pool:
        pieces = list(sentence_pieces(hit.text))
        for index, (start, end, tokens) in quotable_sentences(
            hit.text, tuning, record=hit.document.is_record, title=hit.document.title
        ):
            # Overlapping passages of one document repeat sentences; keep the first copy.
            key = (hit.document.path, " ".join(tokens))
            if key in seen:
                continue
            seen.add(key)
            read.append((hit, pieces, index, start, end, tokens, word_bag(tokens + hashtag_words(hit.text[start:end]))))
    # A word every candidate holds tells none of them apart (see `pool_weights`); the score reads the words that
    # do, while `Sentence.overlap`, which the coverage judgment reads, stays the share of the question's words.
    telling = pool_weights(weights, [bag for *_, bag in read], tuning)
    parts = part_weights(question, weights) if tuning.part_weight else []
    services = asked_services(question, aliases)
    for hit, pieces, index, start, end, tokens, bag in read:
        rank = source_rank[hit.document.path]
        similarity = hit.similarity if hit.similarity is not None else 0.0
        # A year the question names is a soft hint about which sources speak to it.
        dated = tuning.year_bonus if years and hit.document.date[:4] in years else 0.0
        text = hit.text[start:end]
        overlap = bag_share(bag, weights, tuning)
        # A long sentence matches more words by chance; damp it a little.
        reference = tuning.length_reference_words
        length_penalty = tuning.length_weight * math.log(max(len(tokens), reference) / reference)
        # The answer to "how many" or "who" is a figure or a name the question does not already contain.
        given = [kind for kind in kinds if offers(kind, text, tokens, asked)]
        bonus = dated + sum(_kind_bonus(kind, tuning) for kind in given)
        distinct = bag_share(bag, telling, tuning) if telling is not weights else overlap
        score = distinct + tuning.similarity_weight * similarity + tuning.rank_weight / rank + bonus - length_penalty
        if hit.document.path in off_topic:
            score -= tuning.unnamed_penalty
        if scope_penalty and about_itself(text):
            score -= scope_penalty
        if parts:
            # One part of a question asking several things, answered in full, outweighs a little of each.
            score += tuning.part_weight * max(bag_share(bag, part, tuning) for part in parts)
        before, context = lead_in(hit, pieces, index, pool, tuning)
        # What Facebook removed does not answer what YouTube removed, however alike the two sentences read.
        elsewhere = bool(services) and about_other_service(text, before, services, aliases)
        if elsewhere:
            score -= tuning.other_service_penalty
        speaker = quoted_speaker(text, before, aliases, context)
        gives = bool(required) and required in given and not elsewhere
        found.append(Sentence(hit, start, end, score, overlap, speaker, elsewhere, gives))
    return found


def asked_services(question: str, aliases: AliasTable) -> frozenset[str]:
    """The platforms and tech companies a question names, each by its alias group's canonical name."""
    return frozenset(group.canonical for group in aliases.groups_in(question, SERVICE_KINDS))


def about_other_service(sentence: str, before: str, asked: frozenset[str], aliases: AliasTable) -> bool:
    """Whether a sentence speaks of another platform or company than those `asked` about.

    It does when it names one and none of those asked about ("Facebook said it removed 1.5 million
    copies" for a question about YouTube), or, naming none, carries on from a sentence `before` it
    that does ("The company said ..."). A sentence naming no service at all speaks of none.
    """
    named = {group.canonical for group in aliases.groups_in(sentence, SERVICE_KINDS)}
    if not named and before and refers_back(sentence):
        named = {group.canonical for group in aliases.groups_in(before, SERVICE_KINDS)}
    return bool(named) and named.isdisjoint(asked)


def _unnamed_documents(question: str, pool: list[Hit], idf: dict[str, float], tuning: AnswerTuning) -> set[str]:
    """Documents of `pool` that name none of the question's names, when another document names one.

    A question about Meta's Instagram figures is not answered from a report on X, however alike the
    two reports read; but a question whose names no document holds (a nickname, a misspelling) is left
    to the other rules.
    """
    names = question_names(question)
    if not names:
        return set()
    grouped: dict[str, list[Hit]] = {}
    for hit in pool:
        grouped.setdefault(hit.document.path, []).append(hit)
    unnamed = {
        path
        for path, hits in grouped.items()
        if not any(_names(_document_words(hits[0], hits), name, idf, tuning) for name in names)
    }
    return unnamed if len(unnamed) < len(grouped) else set()


def set_aside(
    retrieval: Retrieval, *, pool_size: int | None = None, tuning: AnswerTuning = DEFAULTS.answer
) -> list[str]:
    """The sentences of the candidate passages left out as instructions to the assistant, each once."""
    pool, _ = _pool(retrieval, tuning.sentence_pool if pool_size is None else pool_size, tuning.passages_read)
    found: dict[tuple[str, str], str] = {}
    for hit in pool:
        pieces = list(sentence_pieces(hit.text))
        for (start, end), flagged in zip(pieces, _flags(hit.text, pieces), strict=True):
            if flagged:
                found.setdefault((hit.document.path, " ".join(words(hit.text[start:end]))), hit.text[start:end])
    return list(found.values())


def answer_passages(
    retrieval: Retrieval, *, pool_size: int | None = None, tuning: AnswerTuning = DEFAULTS.answer
) -> list[Hit]:
    """The passages `candidate_sentences` reads, in its order: the best of the leading documents, the first hits,
    then more of their documents."""
    return _pool(retrieval, tuning.sentence_pool if pool_size is None else pool_size, tuning.passages_read)[0]


def _pool(retrieval: Retrieval, pool_size: int, passages_read: int) -> tuple[list[Hit], dict[str, int]]:
    """The passages answers read, and each one's source rank.

    First the best passages of the leading documents (`Retrieval.passages`, at
    most `passages_read`), then the first hits, then further passages of their
    documents. A source's rank is that of its first hit.
    """
    first = retrieval.passages[:passages_read] + retrieval.hits[:pool_size]
    chosen = {hit.document.path for hit in first}
    source_rank: dict[str, int] = {}
    for hit in retrieval.hits:
        if hit.document.path in chosen:
            source_rank.setdefault(hit.document.path, hit.rank)
    # Other passages of the sources already chosen often hold the rest of the answer.
    later = [hit for hit in retrieval.hits[pool_size:] + retrieval.support if hit.document.path in chosen]
    pool: list[Hit] = []
    seen: set[str] = set()
    for hit in first + later:
        if hit.chunk_id not in seen:
            seen.add(hit.chunk_id)
            pool.append(hit)
    return pool, source_rank


def _flags(text: str, pieces: list[tuple[int, int]]) -> list[bool]:
    return instruction_flags([text[start:end] for start, end in pieces])


def quotable_sentences(
    text: str, tuning: AnswerTuning = DEFAULTS.answer, *, record: bool = False, title: str = ""
) -> Iterator[tuple[int, tuple[int, int, list[str]]]]:
    """The sentences of a passage worth quoting: their piece number, offsets without layout marks, and words.

    A sentence is quotable unless it is addressed to a machine (`assistant.text.instructions`),
    a heading, a horizontal rule, shorter than the tuning's `min_sentence_words`, report apparatus
    or not prose at all (`looks_like_apparatus`, `debris_kind` in `assistant.text.apparatus`).
    Piece numbers count every sentence of `sentence_pieces`. A `record` (a post, a row of a table of
    posts) need not be written as a sentence: its text is not judged by how its paragraph ends. The
    document's `title`, run into the front of a sentence as news feeds do, is left out of the quote, and the
    title standing alone without a stop (a PDF's running head) is not quoted.
    """
    pieces = list(sentence_pieces(text))
    back_matter = back_matter_spans(text)
    # A running head (the title a PDF repeats on every page) is the title's words without a stop. A post is
    # exempt: a short one is often its own title, and a sentence ending in a stop is prose whatever its words.
    running_head = words(title) if title and not record else None
    for index, ((start, end), instruction) in enumerate(zip(pieces, _flags(text, pieces), strict=True)):
        if instruction:
            continue  # written for whatever reads the page, not for the analyst: never evidence
        if text[start] == "#" or (text[end - 1] not in ".!?" and _UNDERLINE.match(text, end)):
            # A heading ("# Title", or a title underlined with === or ---) names a topic; it states no fact.
            # A finished sentence over a rule is prose the writer set a line under.
            continue
        # Markdown quote and list markers (bullets or "2.") are layout, not words: start after them.
        marked, start = start, skip_marks(text, start, end)
        item = start > marked and text[marked] not in ">|"  # after a bullet or number, not a quote or table mark
        if item and any(low <= start < high for low, high in back_matter):
            continue  # an entry of a "See also" or reference list: another page's title, not a finding
        # A section heading a PDF ran into the sentence is not part of the quote either.
        start = skip_heading(text, start, end)
        start = skip_title(text, start, end, title) if title else start
        start = skip_dateline(text, start, end)
        # A PDF's page number before the sentence and a caption run into its end are page furniture.
        start = skip_page_number(text, start, end)
        end = cut_caption(text, start, end)
        body = text[start:end]
        tokens = words(without_markup(body))
        if len(tokens) < tuning.min_sentence_words or body.startswith("---") or looks_like_apparatus(body):
            continue
        if tokens == running_head and body.rstrip()[-1:] not in ".!?":
            continue  # the document's own title, standing alone, states no finding
        ends_paragraph = not record and bool(_PARAGRAPH_END.match(text, end))
        if debris_kind(body, list_item=item, ends_paragraph=ends_paragraph):
            continue  # not prose: a piece of a link, a caption, a reference, a byline, a headline, a fragment
        yield index, (start, closing_quote(text, start, end), tokens)


_UNDERLINE = re.compile(r"[ \t]*\n[ \t]*(?:=+|-+)[ \t]*(?:\n|\Z)")
# A blank line, or the end of the passage (chunks end where sentences do).
_PARAGRAPH_END = re.compile(r"[ \t]*(?:\n[ \t]*\n|\s*\Z)")


def quotable(sentence: str, tuning: AnswerTuning = DEFAULTS.answer) -> bool:
    """Whether one sentence, taken alone, may be quoted as evidence (see `quotable_sentences`)."""
    return any(True for _ in quotable_sentences(sentence, tuning))


def lead_in(
    hit: Hit, pieces: list[tuple[int, int]], index: int, pool: list[Hit], tuning: AnswerTuning = DEFAULTS.answer
) -> tuple[str, str]:
    """The sentence before piece `index` of a hit, and the text before that one (for `quoted_speaker`).

    `pieces` are the hit's `sentence_pieces`; `pool` the passages at hand. The text before
    is the tuning's `context_chars`: how far back a lead-in ("It read:") may name the group quoted.

    The first sentence of a passage is preceded by the end of an earlier,
    overlapping passage of the same document, when one was retrieved.
    """
    if index > 0:
        start, end = pieces[index - 1]
        return hit.text[start:end], hit.text[max(0, start - tuning.context_chars) : start]
    for other in pool:
        if other.document.path == hit.document.path and other.start < hit.start <= other.end:
            earlier = other.text[: hit.start - other.start]
            spans = list(sentence_pieces(earlier)) if earlier.strip() else []
            if spans:
                start, end = spans[-1]
                return earlier[start:end], earlier[max(0, start - tuning.context_chars) : start]
    return "", ""


def judge_coverage(
    question: str, retrieval: Retrieval, sentences: list[Sentence], tuning: AnswerTuning = DEFAULTS.answer
) -> Coverage:
    if not retrieval.hits:
        return Coverage(False, "nothing in the index matches the question", 0.0, 0.0)
    best_similarity = max((h.similarity or 0.0) for h in retrieval.hits)
    best_overlap = max((s.overlap for s in sentences), default=0.0)
    names = _missing_names(question, retrieval)
    if names:
        reason = f"no indexed document mentions {', '.join(names)}"
        elsewhere = next((hit for hit in retrieval.hits if foreign(hit.document.language)), None)
        if elsewhere is not None:
            # A transliterated name ("Tayyar Muwatana") is written in its own script in the document that
            # has it: the refusal may be wrong, and the analyst should know where to look.
            reason += (
                f" in English letters; a document in {language_name(elsewhere.document.language)} among the results"
                f" may name it in its own script: {elsewhere.document.path}"
            )
        return Coverage(False, reason, best_overlap, best_similarity)
    absent = [name for name in institution_names(question) if not _mentioned(name, retrieval)]
    if absent:
        listed = ", ".join(f"“{name}”" for name in absent)
        return Coverage(False, f"no retrieved passage mentions {listed}", best_overlap, best_similarity)
    if best_similarity < tuning.min_similarity and not strong_passage(question, retrieval, tuning):
        return Coverage(False, "the closest passages are only loosely related", best_overlap, best_similarity)
    if best_overlap < tuning.min_overlap:
        return Coverage(False, "no passage addresses the question's key terms", best_overlap, best_similarity)
    kind = asked_kind(question)
    passages = answer_passages(retrieval, tuning=tuning) if kind else []
    if kind and not _given(kind, question, sentences, passages, retrieval.idf, tuning):
        return Coverage(
            False, f"no retrieved passage on the topic gives {KIND_WORDS[kind]}", best_overlap, best_similarity
        )
    return Coverage(True, "", best_overlap, best_similarity)


def strong_passage(question: str, retrieval: Retrieval, tuning: AnswerTuning = DEFAULTS.answer) -> bool:
    """One of the first `tuning.strong_passages` passages is close to the question and its document names
    every name the question names, a name of several words at least by its first word if that word is rare.

    Its document counts with its title, author, publisher and path and every retrieved passage of it, and
    a name counts under any of its aliases. A question that names nothing gets no such benefit of the doubt.
    """
    names = question_names(question)
    if not names:
        return False
    for first in retrieval.hits[: tuning.strong_passages]:
        if (first.similarity or 0.0) < tuning.strong_similarity:
            continue
        own = [hit for hit in retrieval.hits + retrieval.support if hit.document.path == first.document.path]
        text = _document_words(first, own)
        if all(_names(text, name, retrieval.idf, tuning) for name in names):
            return True
    return False


def _names(document: str, name: str, idf: dict[str, float], tuning: AnswerTuning) -> bool:
    """A document's words (`_document_words`) name `name`: in full, by an alias, or by its rare first word."""
    return _named_in(name, document) or _named_in_part(name, document, idf, tuning)


def _named_in_part(name: str, text: str, idf: dict[str, float], tuning: AnswerTuning) -> bool:
    """A name of several words whose first word `text` names, when that word is a rare one (`idf`, the
    library's weights of the question's words): a report says "the Manchester attack" of what a question
    calls "the Manchester Arena bombing"; but "new" does not stand for "New Zealand"."""
    spelled = _spelled(name).split()
    return len(spelled) > 1 and idf.get(spelled[0], 0.0) >= tuning.partial_name_idf and f" {spelled[0]} " in text


def _named_in(name: str, text: str) -> bool:
    """`name` or one of its aliases appears in `text` (lower-case words joined by single spaces, padded)."""
    if "/" in name:  # "Twitter/X": either name will do
        return any(_named_in(part, text) for part in name.split("/") if part)
    # Only another name for the whole name counts: "ISIS Watch" is not "Islamic State".
    wanted = _spelled(name)
    spellings = [name] + [
        other
        for group in default_aliases().groups_in(name)
        if any(_spelled(alias) == wanted for alias in group.names)
        for other in group.names
    ]
    return any(f" {_spelled(spelling)} " in text for spelling in spellings)


_YEAR_OR_MONTH = re.compile(rf"\b{YEAR}\b|\b(?:{MONTHS})\b")
# A clause giving a cause or purpose: what a "why" question is answered with.
_REASON = re.compile(
    r"\b(?:because|due to|owing to|in order to|so that|as a result|as a consequence|in response to"
    r"|the reasons?|reasons? (?:for|why)|led to|leading to|caused by|driven by|aimed at|in an effort to|to prevent"
    r"|to avoid|for fear|attributed to|blamed on|because of|(?:the|a) result of|stems? from|stemmed from)\b",
    re.IGNORECASE,
)
# What a limitation is said with: something a thing cannot do, or does only in part ("would catch reposts, but
# would not block new videos", "is unable to", "only works when").
# Sources who "would not say" or "did not comment" decline to speak: that is no limitation of anything.
_LIMIT = re.compile(
    r"\b(?:(?:cannot|can(?:'|’)?t|could not|couldn(?:'|’)?t|would not|wouldn(?:'|’)?t|will not|unable to"
    r"|fails? to|failed to|does not|doesn(?:'|’)?t|did not|didn(?:'|’)?t)(?!\s+(?:say|discuss|comment|confirm"
    r"|disclose|reveal|elaborate|talk|respond|specify|answer|give details|name)\b)"
    r"|only (?:works?|catch(?:es)?|detects?|if|when)|limited to|limitations?|weakness(?:es)?|drawbacks?"
    r"|shortcomings?|flaws?|no way to)\b",
    re.IGNORECASE,
)
# A place named after a preposition ("in Germany", "at the Al Noor mosque"): what a "where" question wants.
_PLACE = re.compile(r"\b(?:in|at|from|across|near|into|inside|throughout|outside)\s+(?:the\s+)?([A-Z][\w-]+)")
_NOT_PLACES = frozenset(MONTH_NUMBERS) | frozenset(WEEKDAYS) | STOPWORDS
# A share in words or figures: "40%", "half", "two-thirds", "one in five", "1 in 3", "3 out of 4".
_COUNT_WORD = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_SHARE = re.compile(
    r"%|\bper ?cent\b|\bpercentage\b|\b(?:half|third|thirds|quarter|quarters|majority)\b"
    rf"|\b{_COUNT_WORD} (?:in|out of) (?:\d+|ten|five|four|three|twenty|a hundred)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(r"[$€£¥]|\b(?:EUR|USD|GBP|euros?|dollars?|pounds?)\b", re.IGNORECASE)
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b")


def offers(kind: str, sentence: str, tokens: list[str], asked: set[str]) -> bool:
    """Whether a sentence (with its `words`) gives an answer of `kind` that is not among the question's `asked` words.

    A number, year or name the question already holds answers nothing; a reason is a clause of cause
    or purpose ("because", "in order to"); a place a capitalised word after "in", "at", "from" ....
    """
    if kind == "figure":
        # Any number counts, dates too: "how much did it rise on election day" is answered beside the day,
        # and on `tune` counting only `figures` lost more answers than it gained.
        return any((t[0].isdigit() or t in NUMBER_WORDS) and t not in asked for t in tokens)
    if kind in ("share", "amount"):
        return holds(kind, sentence)
    if kind == "year":
        return any(match.group(0).lower() not in asked for match in _YEAR_OR_MONTH.finditer(sentence))
    if kind == "name":
        return new_names(sentence, asked)
    if kind == "reason":
        return bool(_REASON.search(sentence))
    if kind == "limit":
        return bool(_LIMIT.search(sentence))
    if kind == "term":
        # A word quoted as a word ("the term “jogger”") or a hashtag: what "which word ..." asks for.
        terms = (match.group(1) or match.group(2) for match in _TERM.finditer(sentence))
        return any(len(term.split()) <= _TERM_WORDS and not set(words(term)) <= asked for term in terms)
    if kind == "place":
        return any(
            (word := match.group(1).lower()) not in asked and word not in _NOT_PLACES
            for match in _PLACE.finditer(sentence)
        )
    return False


#: The most words a quoted term has: a longer quotation is someone's words, not a word.
_TERM_WORDS = 4
# A quoted word is a term when the sentence speaks of it as one ("the word “jogger”", "terms such as
# "dindu"", "dubbed 'the caliphate's voice'"); a quotation after any other word is someone's words.
_TERM = re.compile(
    r"(?:\b(?:words?|terms?|phrases?|slogans?|hashtags?|labels?|nicknames?|slurs?|names?|known as|such as|like"
    r"|as|or|and)|\b(?:called|dubbed|termed|branded|nicknamed|labell?ed)(?:\s+[\w'’-]+){0,2}?),?\s+(?:the\s+)?"
    r"[\"“‘]([^\"“”‘’\n]{1,40}?)[\"”’](?!\w)"
    r"|(?<!\w)#(\w{2,})",
    re.IGNORECASE,
)


def _kind_bonus(kind: str, tuning: AnswerTuning) -> float:
    if kind in ("figure", "share", "amount"):
        return tuning.number_bonus
    if kind == "year":
        return tuning.date_bonus
    if kind == "name":
        return tuning.name_bonus
    if kind == "reason":
        return tuning.reason_bonus
    if kind == "term":
        return tuning.term_bonus
    if kind == "limit":
        return tuning.limit_bonus
    return tuning.place_bonus


def _given(
    kind: str,
    question: str,
    sentences: list[Sentence],
    passages: list[Hit],
    idf: dict[str, float],
    tuning: AnswerTuning,
) -> bool:
    """Some sentences hold the element asked for, speak of the question's topic, and between them name its names.

    On the topic: a sentence shares enough of the question's words (and, for "how many", a word for what
    is counted) and, when the question names a year, its document (its passages among `passages`, with
    its title, author, publisher and path) names that year in its text or as its date. The question's
    names may be spread over documents: one asking how two states' laws fared is answered by a ruling on
    each, neither naming the other state; a document naming none of them is about something else.
    """
    # In a question asking several things, the part asking for this element says what it must be about:
    # "how did the press describe X in 2016, and what share of Y did Z report?" wants Y's share from Z, and
    # a document giving it need not name X or 2016.
    asking = next((part for part in question_parts(question) if kind in answer_kinds(part)), question)
    names = question_names(asking)
    wanted = set(names)
    counted = counted_words(asking)
    years, _ = asked_years(asking)
    named_by: dict[str, set[str] | None] = {}  # per document: the names it names, None when off the year
    for sentence in sentences:
        if sentence.overlap < tuning.element_overlap or sentence.elsewhere or not holds(kind, sentence.text):
            continue
        if counted and not counted & {word[:COUNTED_STEM] for word in words(sentence.text)}:
            continue
        doc = sentence.hit.document
        if doc.path not in named_by:
            text = _document_words(sentence.hit, [hit for hit in passages if hit.document.path == doc.path])
            on_year = not years or doc.date[:4] in years or any(f" {year} " in text for year in years)
            named_by[doc.path] = {name for name in names if _names(text, name, idf, tuning)} if on_year else None
        named = named_by[doc.path]
        if named is None or (names and not named):
            continue
        wanted -= named
        if not wanted:
            return True
    return False


def _document_words(hit: Hit, passages: list[Hit]) -> str:
    """The words of `passages` with the title, author, publisher and path of `hit`'s document, padded."""
    doc = hit.document
    parts = [doc.title, doc.author, doc.publisher, doc.path.replace("-", " "), *(p.text for p in passages)]
    return f" {' '.join(spelled for part in parts if (spelled := _spelled_part(part)))} "


@lru_cache(maxsize=4096)
def _spelled_part(text: str) -> str:
    # The same passages are spelled out for several judgments of a question, and again for the next one.
    return _spelled(text)


def _spelled(text: str) -> str:
    """Lower-case words joined by single spaces, without the dots of abbreviations ("U.S." is "us")."""
    return " ".join(words(text)).replace(".", "")


def holds(kind: str, sentence: str) -> bool:
    """Whether a sentence holds an element of the `kind` a question asks for (see `asked_kind`)."""
    if kind == "year":
        return bool(_YEAR_OR_MONTH.search(sentence))
    if kind == "share":
        return bool(_SHARE.search(sentence))
    if kind == "amount":
        return bool(_MONEY.search(sentence)) and has_figure(sentence)
    if kind == "figure":
        # An ordinal ("the 1st of October") places something; it counts nothing.
        return has_figure(_ORDINAL.sub(" ", sentence)) or not NUMBER_WORDS.isdisjoint(words(sentence))
    # A name the answer gives is often the sentence's subject, so its first word counts too.
    return any(raw[:1].isupper() and words(raw) and words(raw)[0] not in STOPWORDS for raw in sentence.split())


def _mentioned(name: str, retrieval: Retrieval) -> bool:
    """The name, or another name for the same thing, appears in one of the retrieved passages."""
    spellings = [name] + [other for group in default_aliases().groups_in(name) for other in group.names]
    wanted = [f" {' '.join(words(spelling))} " for spelling in spellings]
    for hit in retrieval.hits + retrieval.support:
        text = f" {' '.join(words(hit.text))} "
        if any(spelling in text for spelling in wanted):
            return True
    return False


def _missing_names(question: str, retrieval: Retrieval) -> list[str]:
    """Words of the question's proper names (see `question_names`) that appear in no indexed chunk at all."""
    unknown = set(retrieval.unknown_terms)
    missing = []
    for name in question_names(question):
        missing += [word for word in name.split() if words(word) and words(word)[0] in unknown]
    return missing


def similar(a: str, b: str, *, share: float, figure_share: float) -> bool:
    """Two sentences say much the same thing: more than `share` of the shorter one's words are the
    other's, or more than `figure_share` with the same figure (the same figure in other words counts)."""
    first, second = set(content_words(a)), set(content_words(b))
    if not first or not second:
        return False
    shared = len(first & second) / min(len(first), len(second))
    same_figure = bool(figures(a) & figures(b))
    return shared > share or (same_figure and shared > figure_share)


@lru_cache(maxsize=16384)
def _word_set(text: str) -> frozenset[str]:
    """A sentence's content words as a set, remembered: `repeats` asks it of each chosen sentence again and again."""
    return frozenset(content_words(text))


def repeats(
    text: str, chosen: list[Sentence], tuning: AnswerTuning = DEFAULTS.answer, *, source: str | None = None
) -> bool:
    """The sentence mostly says what one chosen sentence says, or gives a figure already given.

    A figure the answer does not have yet makes a sentence worth its place
    unless nearly all its other words are already there. From another document
    (`source`, the candidate's path) it is worth its place whatever its words:
    a later report restating a sentence with a new count ("more than 52,000
    items" after "more than 41,000") is an update, and two sources giving
    different counts is a discrepancy the analyst should see.
    """
    own = _word_set(text)
    if not own:
        return True
    given = figures(text)
    # Figures are compared as figures: "NZ$100m" and "$100m" give the same 100.
    theirs = [(_word_set(other.text), figures(other.text), other.hit.document.path) for other in chosen]
    new_figure = bool(given - set().union(*(said for _, said, _ in theirs)))
    for words_said, figures_said, path in theirs:
        shared = len(own & words_said) / len(own)
        if new_figure and source is not None and path != source:
            continue  # an update or a discrepancy, not a repeat (see above)
        if shared > (tuning.new_figure_repeat_share if new_figure else tuning.repeat_share):
            return True
        if given & figures_said and not new_figure and shared > tuning.figure_repeat_share:
            return True
    return False


# Opening with a pronoun, a demonstrative or "the company": the sentence carries on the one before it.
# After a connective the pronoun is in lower case ("But they ...").
_REFERENCE = (
    r"(?:It|He|She|They|Its|His|Her|Their|This|These|Those"
    r"|The (?:company|firm|group|report|study|commission|inquiry|platform|site"
    r"|network|agency|court|government|spokesman|spokeswoman|spokesperson|researchers|authors))\b"
)
# A clause opening on a pronoun ("When he failed to get in, he …") leaves its subject to the sentence before too.
_CLAUSE = r"(?:When|After|Before|As|Although|Though|While|Because|If|Once|Since|Until|Unless)"
_REFERS_BACK = re.compile(
    rf"^(?:{CONNECTIVES},?\s+(?i:{_REFERENCE})|{_REFERENCE}|{_CLAUSE}\s+(?:he|she|they|it|its|his|her|their)\b)"
)
# An "it" that stands for nothing before it: it holds the place of a clause that follows ("It is clear that
# hate flourishes …", "It may be that …", "It was reported that …", "It remains unclear whether …"). Such a
# sentence says all it means, so it neither needs its predecessor nor drags it into the answer.
_EXPLETIVE_IT = re.compile(
    rf"^(?:{CONNECTIVES},?\s+)?[Ii]t\s+"
    r"(?:is|was|'s|’s|seems|seemed|appears|appeared|remains|remained|has been|had been"
    r"|(?:may|might|could|would|will|can|must)(?: also| well)? (?:be|seem|appear|remain))"
    r"(?: not| also| now| still| therefore| thus)?\s+(?:\w+ly\s+)?"
    r"(?:that|whether|as if|as though|clear|unclear|likely|unlikely|possible|impossible|probable|true|evident"
    r"|obvious|apparent|notable|noteworthy|important|necessary|difficult|hard|easy|worth|known|reported"
    r"|estimated|believed|thought|said|claimed|alleged|expected|understood|feared|argued|suggested)\b"
    # "It took 29 minutes to detect the stream": the time or effort something needed.
    rf"|^(?:{CONNECTIVES},?\s+)?[Ii]t\s+(?:took|takes|has taken|had taken|will take|would take)\s+"
    r"(?:(?:about|around|nearly|almost|more than|less than|over|under|only|just|at least|roughly|some)\s+)?"
    r"(?:\d|an?\s|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|several|many|a few)"
    # Idioms whose "it" is nobody: "When it comes to livestreams, …", "As it turned out, …".
    r"|^(?:When|As) it (?:comes|came) to\b|^As it (?:turns|turned) out\b|^As it happens\b"
)
# Speaking in the first person (outside a quotation), or a relative time ("last week", "on Wednesday")
# that means nothing once the article's date is gone.
_CONTEXT_BOUND = re.compile(
    r"^(?:We|I)\b|\b(?:we|our|us|I|my)\b(?![^“”\"]*[”\"])"
    r"|\b(?:[Ll]ast|[Tt]his|[Nn]ext) (?:week|month|year|weekend)\b|\b(?:[Yy]esterday|[Rr]ecent(?:ly)?)\b"
    rf"|\b(?:on|[Ll]ast|[Tt]his) (?:{'|'.join(day.capitalize() for day in WEEKDAYS)})\b"
)


def refers_back(sentence: str) -> bool:
    """Opens by referring to what came before ("It said …", "The company added …", "But they …").

    An "it" holding the place of what follows ("However, it is clear that …") refers to nothing before.
    """
    return bool(_REFERS_BACK.match(sentence)) and not _EXPLETIVE_IT.match(sentence)


def needs_context(sentence: str) -> bool:
    """Leans on what came before it: it refers back, speaks in the first person, or gives a relative date."""
    return refers_back(sentence) or bool(_CONTEXT_BOUND.search(sentence))


def agree(
    a_words: frozenset[str],
    a_figures: frozenset[str],
    b_words: frozenset[str],
    b_figures: frozenset[str],
    *,
    min_words: int,
    share: float,
    figure_share: float,
) -> bool:
    """Two sources' sentences agree: they share most distinctive words and give no different figures.

    Distinctive words leave out the topic's own words (every source on the topic
    has them). Each sentence needs `min_words` of them; at least `share` of the
    fewer must be shared, or `figure_share` when both give the same figure.
    """
    if len(a_words) < min_words or len(b_words) < min_words:
        return False
    if a_figures and b_figures and not (a_figures & b_figures):
        return False
    shared = len(a_words & b_words) / min(len(a_words), len(b_words))
    return shared >= share or (bool(a_figures & b_figures) and shared >= figure_share)
