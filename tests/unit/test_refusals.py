"""When the documents do not answer: names absent from the index, loosely related passages, missing asked-for elements.

Each rule refuses only what it should: the passages are made up and built by hand, so
every case differs from its neighbour in the one thing the rule looks at.
"""

from __future__ import annotations

import pytest

from assistant.answer.evidence import candidate_sentences, holds, judge_coverage
from assistant.domain import DocumentInfo, Hit
from assistant.search.retrieval import Retrieval
from assistant.text.questions import asked_kind, question_names
from assistant.text.words import QUESTION_WORDS, content_words


def _hit(
    text: str,
    *,
    similarity: float = 0.7,
    title: str = "Harbour notes",
    path: str = "notes/harbour.md",
    language: str = "en",
) -> Hit:
    info = DocumentInfo("d-" + path, path, path, title, "", "", "", "", language, "md", 1)
    return Hit("c-" + path, text, info, 0, len(text), None, 1.0, 1, similarity=similarity)


def _retrieval(question: str, *hits: Hit, unknown: tuple[str, ...] = ()) -> Retrieval:
    terms = [word for word in content_words(question) if word not in QUESTION_WORDS]
    return Retrieval(list(hits), terms, [], list(unknown), {term: 1.0 for term in terms})


def _judge(question: str, *hits: Hit, unknown: tuple[str, ...] = ()) -> tuple[bool, str]:
    retrieval = _retrieval(question, *hits, unknown=unknown)
    coverage = judge_coverage(question, retrieval, candidate_sentences(question, retrieval))
    return coverage.covered, coverage.reason


# --- names ----------------------------------------------------------------------------------


def test_hyphenated_and_lower_case_words_are_not_names() -> None:
    names = question_names("Why did Harbourline flag IS-linked posts and UAE-based relays as spam-like content?")
    assert names == ["Harbourline"]
    assert question_names("What did the moderators of the quay forum remove?") == []


def test_a_hyphenated_word_no_chunk_holds_does_not_refuse() -> None:
    question = "What did Harbourline say had happened to IS-related traffic on its relay forum?"
    passage = _hit("Harbourline said IS traffic on its relay forum fell sharply after the new filters arrived.")
    covered, reason = _judge(question, passage, unknown=("is-related",))
    assert covered, reason


def test_a_proper_name_no_chunk_holds_still_refuses() -> None:
    question = "What did Quillmarsh post on the relay forum before the harbour ban?"
    passage = _hit("The relay forum removed posts about the harbour ban within a day of the order.")
    covered, reason = _judge(question, passage, unknown=("quillmarsh",))
    assert not covered
    assert "Quillmarsh" in reason


def test_a_name_missing_in_english_letters_points_to_a_document_in_another_language_found() -> None:
    question = "What did the Harakat Marfa movement demand before the harbour talks?"
    english = _hit("The relay forum removed posts about the harbour talks within a day.")
    arabic = _hit(
        "حركة المرفأ تطالب بفتح الميناء قبل المحادثات.", path="notes/ar/marfa.md", language="ar", similarity=0.2
    )
    covered, reason = _judge(question, english, arabic, unknown=("harakat", "marfa"))
    assert not covered
    assert "Harakat, Marfa" in reason
    assert "a document in Arabic" in reason
    assert "notes/ar/marfa.md" in reason
    # With only English documents found, the refusal says nothing of other languages.
    covered, reason = _judge(question, english, unknown=("harakat", "marfa"))
    assert not covered
    assert "Arabic" not in reason
    assert "notes/ar" not in reason


# --- loosely related ----------------------------------------------------------------------------


def test_a_strong_passage_from_a_document_naming_the_question_is_covered() -> None:
    question = "How did Harbourline moderators treat relay posts that mixed ads and threats?"
    text = "Harbourline moderators removed relay posts that mixed ads and threats, and banned their authors."
    assert _judge(question, _hit(text, similarity=0.5, title="Harbourline moderation rules"))[0]


def test_a_close_passage_from_a_document_that_does_not_name_the_question_is_loosely_related() -> None:
    question = "How did Harbourline moderators treat relay posts that mixed ads and threats?"
    text = "Moderators removed relay posts that mixed ads and threats, and banned their authors."
    covered, reason = _judge(question, _hit(text, similarity=0.5, title="Moderation rules"))
    assert not covered
    assert "loosely related" in reason


def _judge_weighted(question: str, hit: Hit, idf: dict[str, float]) -> tuple[bool, str]:
    retrieval = _retrieval(question, hit)
    retrieval.idf.update(idf)
    coverage = judge_coverage(question, retrieval, candidate_sentences(question, retrieval))
    return coverage.covered, coverage.reason


def test_a_document_naming_a_place_name_by_its_rare_first_word_gives_a_strong_passage() -> None:
    # The question says "Copperfield Quay bombing"; the report only ever says "the Copperfield attack".
    question = "After the Copperfield Quay bombing, how did Harbourline tell fake profiles from real ones?"
    text = "After the Copperfield attack, Harbourline told fake profiles from real ones by their lack of photos."
    hit = _hit(text, similarity=0.5, title="Harbourline on fake profiles")
    covered, reason = _judge_weighted(question, hit, {"copperfield": 8.0})
    assert covered, reason
    # A first word that opens many names ("New", "United") stands for none of them.
    covered, reason = _judge_weighted(question, hit, {"copperfield": 3.0})
    assert not covered
    assert "loosely related" in reason
    # A document that names neither word of the place is still only loosely related.
    text = "After the attack, Harbourline told fake profiles from real ones by their lack of photos."
    hit = _hit(text, similarity=0.5, title="Harbourline on fake profiles")
    covered, reason = _judge_weighted(question, hit, {"copperfield": 8.0})
    assert not covered
    assert "loosely related" in reason


def test_a_figure_from_a_document_naming_a_place_by_its_rare_first_word_covers_the_question() -> None:
    # One notion of "the document names it" serves every rule: here, the asked-for figure's.
    question = "How many posts did Harbourline remove after the Copperfield Quay bombing?"
    text = "After the Copperfield attack, Harbourline moderators removed 4,200 posts from the relay channels."
    hit = _hit(text, similarity=0.7, title="Relay channels after the attack")
    covered, reason = _judge_weighted(question, hit, {"copperfield": 8.0, "harbourline": 1.0})
    assert covered, reason
    covered, reason = _judge_weighted(question, hit, {"copperfield": 3.0, "harbourline": 1.0})
    assert not covered
    assert "gives a figure" in reason


def test_the_strong_passage_may_rank_behind_summaries_that_do_not_name_the_question() -> None:
    question = "How did Harbourline moderators treat relay posts that mixed ads and threats?"
    summaries = [
        _hit(f"Moderators on a relay removed posts mixing ads and threats, note {n}.", similarity=0.5, path=f"n/{n}.md")
        for n in range(3)
    ]
    named = _hit(
        "Harbourline moderators removed relay posts that mixed ads and threats.",
        similarity=0.5,
        title="Harbourline moderation rules",
        path="notes/harbourline.md",
    )
    covered, reason = _judge(question, *summaries[:2], named)
    assert covered, reason
    # Past the first few passages, a document naming the question is no longer taken for a strong match.
    covered, reason = _judge(question, *summaries, named)
    assert not covered
    assert "loosely related" in reason


# --- the element asked for -----------------------------------------------------------------------


def test_the_asked_for_element_is_told_from_the_question_form() -> None:
    assert asked_kind("In which year did the quay forum close?") == "year"
    assert asked_kind("When did the quay forum close?") == "year"
    assert asked_kind("When the quay forum closed, where did its members go?") == ""
    assert asked_kind("How many relays did the quay forum run?") == "figure"
    assert asked_kind("What share of relays did the quay forum close?") == "share"
    assert asked_kind("What fine did the regulator impose on the quay forum?") == "amount"
    assert asked_kind("Which platform hosted the quay forum?") == "name"


YEAR_QUESTION = "In which year did Harbourline ban the Copper Circle relay channels?"
FIGURE_QUESTION = "How many accounts did Harbourline suspend for spreading the relay videos?"


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        (YEAR_QUESTION, "Harbourline banned the Copper Circle relay channels after repeated warnings.", "a year"),
        (FIGURE_QUESTION, "Harbourline suspended accounts for spreading the relay videos, its team said.", "a figure"),
        # A figure that counts something else does not say how many followers there were.
        (
            "How many followers did the Copper Circle accounts have when Harbourline restored them?",
            "Harbourline restored the Copper Circle accounts after a review that cost $40,000 in legal fees.",
            "a figure",
        ),
        (
            "Which platform took down the relay clip?",
            "The relay clip was taken down within an hour of the ban.",
            "a name",
        ),
    ],
)
def test_a_question_whose_asked_for_element_no_passage_gives_is_not_covered(
    question: str, passage: str, missing: str
) -> None:
    covered, reason = _judge(question, _hit(passage))
    assert not covered
    assert missing in reason


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        (YEAR_QUESTION, "Harbourline banned the Copper Circle relay channels in 2019 after repeated warnings."),
        (FIGURE_QUESTION, "Harbourline suspended 1,200 accounts for spreading the relay videos, its team said."),
        ("Which platform took down the relay clip?", "Streamwell took down the relay clip within an hour of the ban."),
    ],
)
def test_a_question_whose_asked_for_element_a_passage_gives_is_covered(question: str, passage: str) -> None:
    covered, reason = _judge(question, _hit(passage))
    assert covered, reason


@pytest.mark.parametrize(
    ("platform", "covered"),
    [
        ("Gab", True),
        # A roundup naming Gab gives only Telegram's count: no figure for Gab, whatever the words shared.
        ("Telegram", False),
    ],
)
def test_an_element_another_platform_gave_does_not_cover_the_one_asked_about(platform: str, covered: bool) -> None:
    roundup = _hit(
        "Gab moved its forums to a new host after the harbour riot. "
        f"{platform} said it closed 4,000 accounts that had posted clips of the harbour riot."
    )
    judged, reason = _judge("How many accounts did Gab close after the harbour riot?", roundup)
    assert judged is covered, reason
    assert covered or "a figure" in reason


# --- names spread over documents ------------------------------------------------------------------

TWO_PORTS_QUESTION = "Which court upheld the ferry rules of Dunmore and Caraway?"


def test_the_names_a_question_asks_about_may_be_answered_by_a_document_each() -> None:
    dunmore = _hit("The Northern Tribunal upheld the Dunmore ferry rules in full.", path="notes/dunmore.md")
    caraway = _hit("The Coastal Bench upheld the Caraway ferry rules after appeal.", path="notes/caraway.md")
    covered, reason = _judge(TWO_PORTS_QUESTION, dunmore, caraway)
    assert covered, reason


def test_a_name_no_document_giving_the_element_names_still_refuses() -> None:
    # The Caraway passage names the port but gives no court, so only Dunmore is answered.
    dunmore = _hit("The Northern Tribunal upheld the Dunmore ferry rules in full.", path="notes/dunmore.md")
    caraway = _hit("the ferry rules of caraway were upheld, its harbour office said.", path="notes/caraway.md")
    covered, reason = _judge(TWO_PORTS_QUESTION, dunmore, caraway)
    assert not covered
    assert "a name" in reason


# --- a question asking several things ---------------------------------------------------------------

SHARE_PART_QUESTION = (
    "How did the Quay Gazette describe the Dunmore ferry strike in 2015, "
    "and what share of relay complaints did Harbourline say concerned spam?"
)


@pytest.mark.parametrize(
    ("reporter", "covered"),
    [
        # The share comes from Harbourline's report, which never names the Gazette, Dunmore or 2015.
        ("Harbourline", True),
        # ... but the part asking for it still needs a document naming its own names.
        ("Streamwell", False),
    ],
)
def test_the_element_one_part_asks_for_is_judged_on_that_parts_names(reporter: str, covered: bool) -> None:
    strike = _hit("The Quay Gazette called the Dunmore ferry strike in 2015 a long dispute.", path="notes/strike.md")
    share = _hit(f"{reporter} said a third of relay complaints concerned spam posted by bots.", path="notes/relay.md")
    judged, reason = _judge(SHARE_PART_QUESTION, strike, share)
    assert judged is covered, reason
    assert covered or "a share" in reason


@pytest.mark.parametrize(
    "sentence",
    ["1 in 3 relay complaints concerned spam.", "One in five relays closed.", "Three out of four posts were spam."],
)
def test_a_share_written_as_so_many_in_so_many_is_a_share(sentence: str) -> None:
    assert holds("share", sentence)
    assert not holds("share", "He was one of three men on the quay at 1 in the morning.")
