"""How `assistant eval` reads question files and scores passages, splits, lengths and conversations.

Every question, passage and answer here is made up; none comes from an evaluation set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest

from assistant.domain import Answer, AnswerSentence, Citation, DocumentInfo, Hit
from assistant.errors import UsageError
from assistant.evaluation import (
    Question,
    QuestionResult,
    by_split,
    by_type,
    evidence_ranks,
    read_questions,
    score_question,
    snippet_in_passage,
    summarise,
)

SNIPPET = "the harbour authority closed the eastern pier for repairs in 2011"


def _hit(text: str, path: str = "notes/harbour.md", rank: int = 1) -> Hit:
    info = DocumentInfo("d-" + path, path, path, "Title", "Desk", "", "2011-05-01", "", "en", "md", 1)
    return Hit(f"c{rank}", text, info, 0, len(text), None, 1.0, rank, similarity=0.7)


def _answer(
    passages: list[Hit],
    *,
    status: Literal["answered", "not_covered"] = "answered",
    text: str = "An answer. [1]",
    note: str = "",
) -> Answer:
    citations = (Citation(1, passages[0], passages[0].text),) if status == "answered" and passages else ()
    return Answer("q", status, text, citations, retrieved=tuple(passages), note=note, passages=tuple(passages))


def _question(
    qid: str,
    *,
    kind: str = "factoid",
    split: str = "",
    evidence: tuple[str, ...] = (SNIPPET,),
    gold: tuple[str, ...] = ("notes/harbour.md",),
) -> Question:
    return Question(qid, "When did the pier close?", kind, gold, ("2011",) if gold else (), evidence, split)


def _score(question: Question, answer: Answer) -> QuestionResult:
    return score_question(question, answer, lambda path: " ".join(h.text for h in answer.passages))


# --- snippet matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    "passage",
    [
        f"Local news. Last spring {SNIPPET}, a spokesman said.",
        # Line breaks, doubled spaces and capitals are layout, not words.
        "Last spring The Harbour   Authority closed\nthe eastern pier for repairs\n\nin 2011.",
        # Markdown emphasis and a link's target are markup around the same words.
        "Last spring the **harbour authority** closed the _eastern_ pier for [repairs](https://x.example/r) in 2011.",
        # The snippet runs over the end of the passage: most of it is here, the rest in the next one.
        "Some earlier sentence about boats. Last spring the harbour authority closed the eastern pier",
        # ... or it started in the previous passage and ends here.
        "closed the eastern pier for repairs in 2011. The ferry moved to the west quay.",
    ],
)
def test_a_passage_holds_a_snippet_despite_layout_or_a_passage_boundary(passage: str) -> None:
    assert snippet_in_passage(SNIPPET, passage)


@pytest.mark.parametrize(
    "passage",
    [
        "The harbour authority opened a new pier in 2012.",
        # Only the snippet's first words end this passage: too little of it to count.
        "Some earlier sentence about boats and ferries and tides. Last spring the harbour authority",
        # The snippet's words, but not in one run.
        "The eastern pier was busy. In 2011 the harbour authority closed for repairs.",
    ],
)
def test_a_passage_without_most_of_the_snippet_in_one_run_does_not_hold_it(passage: str) -> None:
    assert not snippet_in_passage(SNIPPET, passage)


def test_a_snippet_matches_a_passage_that_draws_its_letters_with_ligatures() -> None:
    assert snippet_in_passage("the harbour office confirmed the figures", "Then the harbour oﬃce conﬁrmed the ﬁgures.")
    assert snippet_in_passage("the harbour oﬃce conﬁrmed the ﬁgures", "Then the harbour office confirmed the figures.")


def test_a_snippet_that_keeps_a_links_brackets_matches_the_whole_link() -> None:
    passage = "Nothing of it is in the [public register](https://x.example/register) yet."
    assert snippet_in_passage("is in the [public register] yet", passage)


def test_evidence_rank_is_the_first_passage_that_holds_each_snippet() -> None:
    passages = [_hit("Nothing here.", rank=1), _hit("Other news.", rank=2), _hit(f"So {SNIPPET}.", rank=3)]
    assert evidence_ranks([SNIPPET, "a snippet found nowhere"], passages) == [3, None]


# --- evidence@k --------------------------------------------------------------------------


def test_evidence_at_k_counts_questions_whose_snippet_is_among_the_first_k_passages() -> None:
    filler = [_hit(f"Unrelated passage number {n}.", rank=n) for n in range(1, 12)]
    first = [_hit(f"Yes: {SNIPPET}.", rank=1), *filler[1:]]
    third = [*filler[:2], _hit(f"Yes: {SNIPPET}.", rank=3), *filler[3:]]
    eleventh = [*filler[:10], _hit(f"Yes: {SNIPPET}.", rank=11)]
    results = [
        _score(_question("a"), _answer(first)),
        _score(_question("b"), _answer(third)),
        _score(_question("c"), _answer(eleventh)),
        _score(_question("d"), _answer(filler)),
        # No evidence, and unanswerable: neither is in the denominator.
        _score(_question("e", evidence=()), _answer(filler)),
        _score(_question("f", kind="unanswerable", gold=(), evidence=()), _answer(filler, status="not_covered")),
    ]
    assert [r.evidence_rank for r in results[:4]] == [1, 3, 11, None]
    summary = summarise(results).to_json()
    assert summary["with_evidence"] == 4
    assert (summary["evidence@1"], summary["evidence@3"], summary["evidence@10"]) == (0.25, 0.5, 0.5)


def test_evidence_at_k_is_absent_when_no_question_has_evidence() -> None:
    summary = summarise([_score(_question("a", evidence=()), _answer([_hit("Text.")]))]).to_json()
    assert summary["with_evidence"] == 0 and summary["evidence@10"] is None


def test_a_refused_question_still_scores_the_passages_the_refusal_was_judged_on() -> None:
    passages = [_hit("Unrelated."), _hit(f"Yes: {SNIPPET}.", rank=2)]
    refused = _score(_question("a"), _answer(passages, status="not_covered", text="Not covered.", note="too loose"))
    assert refused.evidence_rank == 2 and refused.facts_found == 0


# --- answer length -----------------------------------------------------------------------


def test_median_answer_length_counts_answered_questions_only() -> None:
    passage = [_hit(f"Yes: {SNIPPET}.")]
    results = [
        _score(_question("a"), _answer(passage, text="x" * 100)),
        _score(_question("b"), _answer(passage, text="x" * 300)),
        _score(_question("c"), _answer(passage, text="x" * 1000)),
        _score(_question("d"), _answer(passage, status="not_covered", text="y" * 5000)),
    ]
    assert summarise(results).median_answer_chars == 300
    assert summarise(results[3:]).median_answer_chars is None


def _spoken(sentences: list[str], passage: list[Hit]) -> Answer:
    """An answer of these sentences, each cited to the passage."""
    text = " ".join(f"{sentence} [{n}]" for n, sentence in enumerate(sentences, 1))
    parts = tuple(AnswerSentence(sentence, (n,)) for n, sentence in enumerate(sentences, 1))
    return Answer("q", "answered", text, (), retrieved=tuple(passage), sentences=parts, passages=tuple(passage))


def test_lead_counts_answers_whose_first_sentence_states_a_key_fact() -> None:
    passage = [_hit(f"Yes: {SNIPPET}.")]
    scene = "The harbour has two piers and a ferry terminal."
    fact = "The eastern pier closed for repairs in 2011."
    first = _score(_question("a"), _spoken([fact, scene], passage))
    later = _score(_question("b"), _spoken([scene, fact], passage))
    # An answer stating no key fact at all says nothing about where its facts stand.
    none = _score(_question("c"), _spoken([scene], passage))
    refused = _score(_question("d"), _answer(passage, status="not_covered"))
    assert (first.lead_fact, later.lead_fact, none.lead_fact, refused.lead_fact) == (True, False, None, None)
    assert summarise([first, later, none, refused]).lead_fact_share == 0.5
    assert summarise([none, refused]).lead_fact_share is None
    assert first.to_json()["lead_has_fact"] is True


# --- splits ------------------------------------------------------------------------------


def test_each_split_gets_its_own_table_per_type_and_overall() -> None:
    good = [_hit(f"Yes: {SNIPPET}.")]
    bad = [_hit("Unrelated.", path="notes/other.md")]
    results = [
        _score(_question("a", split="check"), _answer(bad)),
        _score(_question("b", split="tune"), _answer(good)),
        _score(_question("c", split="tune", kind="numeric"), _answer(good)),
        _score(_question("d", split="check", kind="numeric"), _answer(good)),
    ]
    splits = by_split(results)
    assert list(splits) == ["tune", "check"]
    assert set(splits["tune"]) == {"factoid", "numeric", "overall"}
    assert splits["tune"]["overall"].questions == 2 and splits["check"]["overall"].questions == 2
    assert splits["tune"]["overall"].recall_at[1] == 1.0
    assert splits["check"]["factoid"].recall_at[1] == 0.0 and splits["check"]["numeric"].recall_at[1] == 1.0
    # The whole-set table still covers every question.
    assert by_type(results)["overall"].questions == 4


def test_questions_without_a_split_give_no_split_tables() -> None:
    assert by_split([_score(_question("a"), _answer([_hit("Text.")]))]) == {}


# --- question files ----------------------------------------------------------------------


def _write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    return path


def test_a_list_of_turns_is_read_as_one_conversation_scored_on_its_last_turn(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "id": "t1",
            "type": "followup",
            "question": ["Who runs the harbour?", "When did they close the pier?"],
            "gold_docs": ["notes/harbour.md"],
            "key_facts": ["2011"],
            "evidence": [SNIPPET],
            "split": "check",
        },
        {"id": "t2", "question": "Where is the harbour?", "gold_docs": [], "evidence": "one snippet"},
    )
    conversation, single = read_questions(path)
    assert conversation.turns == ("Who runs the harbour?", "When did they close the pier?")
    assert conversation.question == "When did they close the pier?"
    assert conversation.earlier == ("Who runs the harbour?",)
    assert (conversation.split, conversation.evidence) == ("check", (SNIPPET,))
    assert single.turns == ("Where is the harbour?",) and single.split == "" and single.evidence == ("one snippet",)


@pytest.mark.parametrize("value", [[], ["fine", 3], {"turn": "x"}, 7])
def test_a_question_that_is_neither_text_nor_a_list_of_turns_is_refused_with_its_line(
    tmp_path: Path, value: object
) -> None:
    path = _write(tmp_path, {"id": "ok", "question": "Fine?"}, {"id": "bad", "question": value})
    with pytest.raises(UsageError, match=r"questions\.jsonl: line 2 is not a question record"):
        read_questions(path)


def test_evidence_that_is_not_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="line 1"):
        read_questions(_write(tmp_path, {"question": "Fine?", "evidence": [1, 2]}))


# --- per-question JSON -------------------------------------------------------------------


def test_each_question_reports_its_split_status_reason_ranks_length_and_facts() -> None:
    passages = [_hit("Unrelated.", path="notes/other.md"), _hit(f"Yes: {SNIPPET}.", rank=2)]
    answered = _score(_question("a", split="tune"), _answer(passages, text="It closed in 2011. [1]")).to_json()
    assert answered["split"] == "tune" and answered["status"] == "answered"
    assert answered["not_covered_reason"] is None
    assert answered["gold_rank"] == 2 and answered["evidence_rank"] == 2 and answered["evidence_ranks"] == [2]
    assert answered["answer_chars"] == len("It closed in 2011. [1]")
    assert answered["facts_found"] == 1 and answered["facts_total"] == 1

    refused = _score(
        _question("b", split="check"),
        _answer([_hit("Unrelated.", path="notes/other.md")], status="not_covered", note="loosely related"),
    ).to_json()
    assert refused["status"] == "not_covered" and refused["not_covered_reason"] == "loosely related"
    assert refused["gold_rank"] is None and refused["evidence_rank"] is None
    assert refused["answer_chars"] is None and refused["facts_found"] == 0


def test_each_question_shows_its_answer_and_the_key_facts_it_missed() -> None:
    passages = [_hit(f"Yes: {SNIPPET}.")]
    question = Question("a", "When did the pier close and reopen?", "factoid", ("notes/harbour.md",), ("2011", "2019"))
    row = _score(question, _answer(passages, text="It closed in 2011. [1]")).to_json()
    assert row["answer"] == "It closed in 2011. [1]" and row["facts_missed"] == ["2019"]

    refused = _score(question, _answer(passages, status="not_covered", text="Not covered.")).to_json()
    assert refused["facts_missed"] == ["2011", "2019"]
