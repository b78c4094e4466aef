"""`assistant eval` on generated answers: the share of unsupported sentences and the time to answer.

Every question and answer here is made up; none comes from an evaluation set.
"""

from __future__ import annotations

from assistant.domain import Answer, AnswerSentence, DocumentInfo, Hit
from assistant.evaluation import Question, score_question, summarise

PASSAGE = "The harbour board closed the eastern pier in 2011 to replace its deck."


def _hit() -> Hit:
    info = DocumentInfo("d", "notes/pier.md", "notes/pier.md", "Pier", "Desk", "", "2011-05-01", "", "en", "md", 1)
    return Hit("c1", PASSAGE, info, 0, len(PASSAGE), None, 1.0, 1, similarity=0.7)


def _answer(supported: list[bool], total_ms: float, status: str = "answered") -> Answer:
    sentences = tuple(AnswerSentence(f"Sentence {n}.", (1,) if ok else (), ok) for n, ok in enumerate(supported))
    return Answer(
        "q",
        "answered" if status == "answered" else "not_covered",
        " ".join(s.text for s in sentences),
        retrieved=(_hit(),),
        backend="local",
        timings_ms={"retrieve": 5.0, "generate": total_ms - 5.0, "total": total_ms},
        sentences=sentences,
        passages=(_hit(),),
    )


def _question(qid: str) -> Question:
    return Question(qid, "When did the pier close?", "factoid", ("notes/pier.md",), ("2011",))


def test_unsupported_sentences_and_latency_per_question_and_overall() -> None:
    results = [
        score_question(_question("a"), _answer([True, False, False, False], 900.0), lambda _: PASSAGE),
        score_question(_question("b"), _answer([True, True], 300.0), lambda _: PASSAGE),
        score_question(_question("c"), _answer([], 100.0, status="not_covered"), lambda _: PASSAGE),
    ]
    rows = [r.to_json() for r in results]
    assert [row["unsupported_share"] for row in rows] == [0.75, 0.0, None]
    assert [row["latency_ms"] for row in rows] == [900.0, 300.0, 100.0]
    summary = summarise(results).to_json()
    # Three of the six sentences of the two answers given; a refusal has no sentences to count.
    assert summary["unsupported_share"] == 0.5
    assert summary["latency_p50_ms"] == 300.0
    for key in ("key_fact_coverage", "median_answer_chars", "evidence@10", "false_refusals"):
        assert key in summary
