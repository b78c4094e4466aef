"""Composing cited extractive answers: which candidate sentences, in what order, with what citations.

The extractive backend takes the scored candidate sentences of the evidence
layer (`assistant.answer.evidence`: what is quotable, what is a repeat, what
leans on the sentence before), picks the best without repeats, keeps a
source's sentence together with the one that carries it on, puts them in a
readable order (by source rank, then position) and cites each with the exact
sentence as its quote, so every claim can be found in the source by a plain
string search.

How many points, how many characters and which score floor come from an `AnswerTuning`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from assistant.answer.attribution import labelled, post_label
from assistant.answer.evidence import Sentence, refers_back, repeats
from assistant.domain import Citation
from assistant.text.apparatus import display_text, only_layout
from assistant.tuning import DEFAULTS, AnswerTuning


def select_sentences(
    sentences: list[Sentence], limit: int | None = None, *, tuning: AnswerTuning = DEFAULTS.answer
) -> list[Sentence]:
    """The best sentences without repeats: the best first, the rest in reading order.

    A sentence that carries on from a chosen one ("It said...") comes with it,
    and brings the one it carries on from, without counting as a further
    point. Short sentences leave room for more of them: the answer stops at
    `limit` points (the tuning's `max_sentences` unless given) or when the next
    best sentence does not fit its reading budget of characters, whichever
    comes first. Lesser sentences that happen to be short do not fill the rest:
    on the development questions none of them held a fact asked for.
    """
    if not sentences:
        return []
    limit = tuning.max_sentences if limit is None else limit
    floor = max(s.score for s in sentences) * tuning.score_floor
    remaining = [s for s in sentences if s.score >= floor]
    chosen: list[Sentence] = []
    length = 0
    pairs = list(_pairs(sentences))
    follower = {id(first): second for first, second in pairs}
    leader = {id(second): first for first, second in pairs}
    attached: list[Sentence] = []
    points = 0
    while (remaining and points < limit) or attached:
        carried_on = bool(attached)
        best = attached.pop() if attached else max(remaining, key=lambda s: (s.score, -s.hit.rank, -s.start))
        if best in remaining:
            remaining.remove(best)
        if repeats(best.text, chosen, tuning, source=best.hit.document.path):
            continue
        # The budget is of what the reader reads: a link's address or emphasis marks take no room.
        shown = len(display_text(best.text))
        if chosen and length + shown > tuning.answer_chars:
            if carried_on:
                continue  # the sentence it carries on from is quoted whole already
            break
        chosen.append(best)
        points += 0 if carried_on else 1
        # "It said it is expanding the team" continues the chosen sentence before it:
        # it goes in next, or the answer keeps half of what the source said.
        nxt = follower.get(id(best))
        if nxt is not None and nxt not in chosen and refers_back(nxt.text):
            attached.append(nxt)
        # And a sentence that carries on from another brings the one it carries on from.
        previous = leader.get(id(best))
        if previous is not None and previous not in chosen and refers_back(best.text):
            attached.append(previous)
        length += shown
    if not chosen:
        return []
    # A group's own words never lead: the best sentence of the sources' own does, even from below the floor.
    if all(s.speaker for s in chosen):
        own = [
            s for s in sentences if not s.speaker and not repeats(s.text, chosen, tuning, source=s.hit.document.path)
        ]
        if own:
            chosen.insert(0, max(own, key=lambda s: (s.score, -s.hit.rank, -s.start)))
    # The best sentence leads, after any sentence it carries on from ("It said ..." needs its subject);
    # the rest follow in reading order: sources as first retrieved, each in the order of its text.
    # A chosen sentence that merely comes before the best one in its source does not lead: the answer
    # opens with what answers the question, not with the scene its source set first.
    sources_own = [s for s in chosen if not s.speaker] or chosen
    answering = [s for s in sources_own if s.gives_asked] or sources_own
    # "The company said ..." cannot open an answer whose reader never saw which company: a sentence that refers
    # back leads only with the sentence it carries on from.
    whole = [s for s in answering if not refers_back(s.text) or leader.get(id(s)) in chosen] or answering
    head = [max(whole, key=lambda s: (s.score, -s.hit.rank, -s.start))]
    while (
        refers_back(head[0].text)
        and (previous := leader.get(id(head[0]))) is not None
        and previous in chosen
        and previous not in head
        and not previous.speaker
    ):
        head.insert(0, previous)
    others = [s for s in chosen if s not in head]
    source_order: dict[str, int] = {}
    for sentence in sorted(others, key=lambda s: s.hit.rank):
        source_order.setdefault(sentence.hit.document.path, len(source_order))
    rest = sorted(others, key=lambda s: (source_order[s.hit.document.path], s.hit.start + s.start))
    return head + rest


def _pairs(sentences: list[Sentence]) -> Iterator[tuple[Sentence, Sentence]]:
    """Candidates that follow each other directly in the same document, in reading order.

    Positions are the document's own, so a sentence at the end of one passage
    pairs with the first of the next passage retrieved. Only layout (spaces,
    tags, list markers) may stand between them: a heading or a skipped line
    ends the run.
    """
    by_document: dict[str, list[Sentence]] = {}
    for sentence in sentences:
        by_document.setdefault(sentence.hit.document.path, []).append(sentence)
    for group in by_document.values():
        group.sort(key=lambda s: s.hit.start + s.start)
        for first, second in itertools.pairwise(group):
            if only_layout(_between(first, second) or "?"):
                yield first, second


def _between(first: Sentence, second: Sentence) -> str | None:
    """The document text between two sentences, when a passage at hand holds it."""
    end = first.hit.start + first.end
    start = second.hit.start + second.start
    if start < end:
        return None
    for hit in (second.hit, first.hit):
        if hit.start <= end and start <= hit.end:
            return hit.text[end - hit.start : start - hit.start]
    if second.hit.start <= first.hit.end <= start:
        # The gap runs from the end of one passage into the next.
        tail = first.hit.text[end - first.hit.start :]
        return tail + second.hit.text[first.hit.end - second.hit.start : start - second.hit.start]
    return None


def compose_extractive(sentences: list[Sentence]) -> tuple[str, list[Citation]]:
    """Answer text with [n] after each sentence, and the matching citations."""
    citations: list[Citation] = []
    parts: list[str] = []
    for n, sentence in enumerate(sentences, 1):
        citations.append(Citation(n=n, hit=sentence.hit, quote=sentence.text, attributed_to=sentence.speaker))
        # The quote keeps the source's exact characters; the answer shows them as prose: a link's
        # text without its address, no Markdown emphasis or image syntax, no HTML tags.
        body = display_text(sentence.text)
        parts.append(f"{labelled(body, sentence.speaker, post_label(sentence.hit.document))} [{n}]")
    return " ".join(parts), citations
