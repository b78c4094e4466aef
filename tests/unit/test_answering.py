"""How quotes are cut from passages: markup, list numbers and sentence budgets (no model, no index)."""

from __future__ import annotations

from assistant.answer.evidence import Sentence, candidate_sentences
from assistant.answer.extractive import compose_extractive, select_sentences
from assistant.domain import DocumentInfo, Hit
from assistant.search.retrieval import Retrieval
from assistant.tuning import DEFAULTS


def _hit(text: str, path: str = "web/page.html", rank: int = 1) -> Hit:
    info = DocumentInfo("d", path, path, "Title", "", "", "2019-03-19", "", "en", "html", 1)
    return Hit(f"{path}:c", text, info, 0, len(text), None, 1.0, rank, similarity=0.7)


def test_quotes_leave_out_web_page_paragraph_tags() -> None:
    text = (
        '<span id="midArticle_1"/><p>Facebook said it removed 1.5m copies of the attack video in 24 hours.</p>'
        '<span id="midArticle_2"/><p>YouTube said it removed tens of thousands of copies of the video.</p>'
    )
    retrieval = Retrieval([_hit(text)], ["facebook", "youtube", "removed", "video"], [], idf={})
    sentences = candidate_sentences("How many copies of the video did Facebook and YouTube remove?", retrieval)
    quotes = [s.text for s in sentences]
    assert quotes == [
        "Facebook said it removed 1.5m copies of the attack video in 24 hours.",
        "YouTube said it removed tens of thousands of copies of the video.",
    ]
    assert all(quote in text for quote in quotes)


def test_an_inline_tag_inside_a_sentence_does_not_cut_it() -> None:
    # News pages wrap a ticker in a <span> mid-sentence; cutting there left ") is being fined …" as
    # a fragment and lost the sentence that opens the story.
    text = (
        '<p>Harbour Ferries Inc (<span id="symbol_HFY.N_0">HFY.N</span>) was fined $2 million by the port '
        "authority for overloading its boats.</p><p>The company said it would appeal.</p>"
    )
    retrieval = Retrieval([_hit(text)], ["harbour", "ferries", "fined", "authority"], [], idf={})
    sentences = candidate_sentences("How much was Harbour Ferries fined by the port authority?", retrieval)
    quote = sentences[0].text
    assert quote.startswith("Harbour Ferries Inc (") and quote.endswith("overloading its boats.")
    assert quote in text
    answer, _ = compose_extractive(select_sentences(sentences))
    assert "Harbour Ferries Inc (HFY.N) was fined $2 million" in answer and "<span" not in answer


def test_quotes_leave_out_list_numbers_but_keep_leading_figures() -> None:
    text = (
        "Lessons.\n\n2. Third-party app permissions were a weak point for Twitter.\n\n"
        "1.5 million copies were removed by Facebook."
    )
    retrieval = Retrieval([_hit(text, "notes/a.md")], ["twitter", "facebook", "removed"], [], idf={})
    quotes = [s.text for s in candidate_sentences("What did Twitter and Facebook remove?", retrieval)]
    assert "Third-party app permissions were a weak point for Twitter." in quotes
    assert "1.5 million copies were removed by Facebook." in quotes
    assert all(quote in text for quote in quotes)


DISTINCT_FACTS = [
    "Facebook removed 1.5m copies of the video within a day.",
    "YouTube suspended human review to speed up deletions.",
    "Reddit banned a forum that glorified the gunman.",
    "Twitter suspended accounts sharing the manifesto.",
    "The chief censor classed the document as objectionable.",
    "Internet providers blocked several message boards for days.",
    "Police asked the public not to share the footage.",
    "Microsoft joined a shared database of terrorist hashes.",
    "Valve pulled hundreds of tribute pages from Steam.",
]


def test_short_sentences_leave_room_for_more_of_them() -> None:
    short = [Sentence(_hit(fact, rank=n), 0, len(fact), 1.0 - n / 100, 0.5) for n, fact in enumerate(DISTINCT_FACTS, 1)]
    assert len(select_sentences(short)) == DEFAULTS.answer.max_sentences
    # The same facts at five times the length: fewer of them fit the reading budget.
    long = [
        Sentence(_hit(" ".join([fact] * 5), rank=n), 0, len(fact) * 5 + 4, 1.0 - n / 100, 0.5)
        for n, fact in enumerate(DISTINCT_FACTS, 1)
    ]
    chosen = select_sentences(long)
    assert 1 < len(chosen) < DEFAULTS.answer.max_sentences
    assert sum(len(s.text) for s in chosen) <= DEFAULTS.answer.answer_chars


def test_the_answer_stops_at_the_first_point_that_does_not_fit_rather_than_filling_up_with_lesser_ones() -> None:
    best, lesser = DISTINCT_FACTS[0], DISTINCT_FACTS[2]
    # The second best point runs past the budget on its own; the third is short but weaker than both.
    long = " ".join([DISTINCT_FACTS[1]] * (DEFAULTS.answer.answer_chars // len(DISTINCT_FACTS[1]) + 1))
    sentences = [
        Sentence(_hit(best, rank=1), 0, len(best), 0.9, 0.5),
        Sentence(_hit(long, rank=2), 0, len(long), 0.8, 0.5),
        Sentence(_hit(lesser, rank=3), 0, len(lesser), 0.7, 0.5),
    ]
    assert [s.text for s in select_sentences(sentences)] == [best]


def test_a_link_address_takes_no_room_in_the_reading_budget() -> None:
    # Each fact cites a long address the answer never shows: counted, it would crowd facts out.
    address = "https://example.net/archive/" + "x" * 400
    linked = [f"{fact[:-1]} ([source]({address}))." for fact in DISTINCT_FACTS]
    sentences = [Sentence(_hit(text, rank=n), 0, len(text), 1.0 - n / 100, 0.5) for n, text in enumerate(linked, 1)]
    chosen = select_sentences(sentences)
    assert len(chosen) == DEFAULTS.answer.max_sentences
    answer, _ = compose_extractive(chosen)
    assert "example.net" not in answer and len(answer) <= DEFAULTS.answer.answer_chars + 10 * len(chosen)


def test_a_document_naming_none_of_the_questions_names_does_not_answer_it() -> None:
    # Two transparency reports read alike; only one is about the service the question names.
    other = "The platform said it found 91% of removed terrorist posts before anyone reported them in 2023."
    named = "Harbourgram said it removed 40,000 terrorist posts in 2023, most of them found by its own tools."
    retrieval = Retrieval(
        [_hit(other, "reports/other.md", rank=1), _hit(named, "reports/harbourgram.md", rank=2)],
        ["share", "terrorist", "posts", "removed", "harbourgram", "reported"],
        [],
        idf={},
    )
    question = "What share of terrorist posts removed from Harbourgram in 2023 were found before users reported them?"
    chosen = select_sentences(candidate_sentences(question, retrieval))
    assert [s.text for s in chosen] == [named]
    # Without the question's name in any document, neither is set aside.
    unnamed = "What share of terrorist posts removed in 2023 were found before users reported them?"
    assert {s.text for s in candidate_sentences(unnamed, retrieval)} == {other, named}
