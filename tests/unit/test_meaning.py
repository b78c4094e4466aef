"""Sentences chosen by meaning: word forms, paraphrase families and the kind of answer asked for (no model)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.answer.evidence import candidate_sentences, offers, overlap_share, pool_weights, term_weights, word_bag
from assistant.domain import DocumentInfo, Hit
from assistant.search.retrieval import Retrieval
from assistant.text.forms import hashtag_words, stem, word_stems
from assistant.text.questions import answer_kinds
from assistant.text.words import content_words, words
from assistant.tuning import AnswerTuning


def _hit(text: str, path: str = "news/report.md", rank: int = 1) -> Hit:
    info = DocumentInfo("d-" + path, path, path, "Title", "", "", "2016-06-15", "", "en", "md", 1)
    return Hit("c-" + path, text, info, 0, len(text), None, 1.0, rank, similarity=0.7)


def _retrieval(question: str, hits: list[Hit] | None = None) -> Retrieval:
    return Retrieval(hits or [], content_words(question), [], idf={})


def _share(question: str, sentence: str, tuning: AnswerTuning | None = None) -> float:
    weights = term_weights(question, _retrieval(question))
    tuning = tuning or AnswerTuning()
    return overlap_share(words(sentence), weights, tuning)


def _best(question: str, texts: list[str], tuning: AnswerTuning | None = None) -> str:
    """The best scored of `texts`, sentences of one passage (on a tie, the first)."""
    retrieval = _retrieval(question, [_hit(" ".join(texts))])
    found = candidate_sentences(question, retrieval, tuning=tuning or AnswerTuning())
    return max(found, key=lambda s: s.score).text


@pytest.mark.parametrize(
    "family",
    [
        ["ban", "bans", "banned", "banning"],
        ["suspend", "suspends", "suspended", "suspending", "suspension", "suspensions"],
        ["remove", "removes", "removed", "removing", "removal", "removals"],
        ["designate", "designated", "designating", "designation"],
        ["radicalise", "radicalize", "radicalised", "radicalized", "radicalising", "radicalisation", "radicalization"],
        ["moderate", "moderated", "moderation", "moderator", "moderators"],
        ["extremist", "extremists", "extremism"],
        ["policy", "policies"],
        # The plural of an -ing noun is the same word as its singular and its verb.
        ["shoot", "shooting", "shootings"],
        ["earn", "earned", "earning", "earnings"],
        # An agent noun is the same word as its verb.
        ["prosecute", "prosecuted", "prosecution", "prosecutor", "prosecutors"],
        ["monitor", "monitored", "monitoring", "monitors"],
        ["edit", "edited", "editor", "editors"],
        # British and American spellings are one word.
        ["programme", "programmes", "program", "programs"],
        ["behaviour", "behaviours", "behavior", "behaviors"],
        ["centre", "centres", "center", "centers"],
        ["defence", "defense"],
        ["labelled", "labelling", "labeled", "labeling", "label"],
        ["analyse", "analysed", "analyze", "analyzed"],
        ["catalogue", "catalog"],
    ],
)
def test_inflections_and_derivations_share_one_form(family: list[str]) -> None:
    assert len({stem(word) for word in family}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("news", "new"),
        ("billion", "bill"),
        ("millions", "mill"),
        ("threat", "three"),
        ("is", "isis"),
        ("kings", "k"),
        ("things", "th"),
        ("sectors", "sect"),
        # Words that only look British keep apart.
        ("hour", "hor"),
        ("four", "for"),
        ("called", "cal"),
        ("genre", "gener"),
    ],
)
def test_unrelated_words_keep_apart(one: str, other: str) -> None:
    assert stem(one) != stem(other)


def test_a_sentence_in_another_inflection_matches_every_question_word() -> None:
    question = "Which forum banned the recruiters?"
    whole = AnswerTuning(inflection_weight=1.0)
    assert _share(question, "The forum bans recruiters outright.", whole) == pytest.approx(1.0)
    # Another form of a word is weaker evidence than the word itself, but far more than none.
    assert _share(question, "The forum banned recruiters outright.") == pytest.approx(1.0)
    assert 0.9 < _share(question, "The forum bans recruiters outright.") < 1.0
    assert _share(question, "The forum hosts recruiters outright.") < 0.7


def test_a_paraphrase_counts_its_family_share() -> None:
    question = "What did the platform say about the removal of the videos?"
    # "deleted" is another word for removing, "footage" for videos: both count, at the tuning's share.
    sentence = "The platform says it deleted the footage."
    full = _share(question, sentence, AnswerTuning(paraphrase_weight=1.0, inflection_weight=1.0))
    half = _share(question, sentence, AnswerTuning(paraphrase_weight=0.5, inflection_weight=1.0))
    none = _share(question, sentence, AnswerTuning(paraphrase_weight=0.0, inflection_weight=1.0))
    assert full == pytest.approx(1.0)
    assert none < half < full


def test_a_shrinking_membership_is_a_decline() -> None:
    question = "Why has the harbour guild's membership been shrinking?"
    sentence = "The decline in the harbour guild's membership has been blamed on the new ferry."
    assert _share(question, sentence, AnswerTuning(paraphrase_weight=1.0, inflection_weight=1.0)) == pytest.approx(1.0)


def test_a_two_word_verb_matches_its_one_word_paraphrase() -> None:
    assert stem("takedown") in word_stems(words("The host took down the page within hours."))
    question = "How fast were the pages taken down?"
    assert _share(question, "The takedown of the pages was fast.", AnswerTuning(inflection_weight=1.0)) == 1.0
    # Only in order: a bag of words with "down" in it is not a takedown.
    assert stem("takedown") not in word_stems(set(words("The host took the page down.")))


def test_the_sentence_in_other_words_beats_an_unrelated_one_sharing_one_word() -> None:
    question = "Why was the channel prohibited?"
    chosen = _best(
        question,
        [
            "The channel ran for three years on a small budget.",
            "Regulators banned the channel because it spread violent calls.",
        ],
    )
    assert chosen.startswith("Regulators banned the channel")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who ran the harbour channel?", "name"),
        ("Which company hosted the harbour channel?", "name"),
        ("How many members did the harbour channel have?", "figure"),
        ("What share of the posts were deleted?", "share"),
        ("How much money did the harbour channel raise?", "amount"),
        ("What fine did the regulator impose on the host?", "amount"),
        ("When did the harbour channel close?", "year"),
        ("In what year did the harbour channel close?", "year"),
        ("On what date did the harbour channel close?", "year"),
        ("Why did the host close the harbour channel?", "reason"),
        ("Where did the harbour channel's members go next?", "place"),
        ("What slogan did the harbour marchers chant?", "term"),
        ("What did the harbour press call the channel's founder?", "term"),
        ("What did the harbour press call for after the fire?", None),
        ("What was the main weakness of the harbour filter?", "limit"),
        ("What can't the harbour filter do?", "limit"),
        ("What did the harbour channel post about the ferry?", None),
    ],
)
def test_the_kind_of_answer_asked_for(question: str, kind: str | None) -> None:
    kinds = answer_kinds(question)
    assert (kinds[0] if kinds else None) == kind


def test_a_question_may_ask_for_two_kinds() -> None:
    assert answer_kinds("Who bought the harbour channel, and when?") == ("year", "name")


@pytest.mark.parametrize(
    ("question", "answer", "words_only"),
    [
        (
            "How many subscribers did the harbour channel lose?",
            "The harbour channel lost 4,200 subscribers over the following weeks.",
            "The harbour channel lost many subscribers over the following weeks.",
        ),
        (
            "Why did the host close the harbour channel?",
            "The host closed the harbour channel because it broke the rules on incitement.",
            "The host closed the harbour channel and then it opened the harbour forum.",
        ),
        (
            "Why did the harbour guild lose members?",
            "The loss of members has been attributed to the guild's feud with the ferry crews.",
            "The loss of members has been discussed by the guild's board with the ferry crews.",
        ),
        (
            "Where did the harbour channel's members regroup?",
            "Members of the harbour channel regrouped on a forum hosted in Moldova.",
            "Members of the harbour channel regrouped quickly and kept posting every night.",
        ),
        (
            "When did the host close the harbour channel?",
            "The host closed the harbour channel in March 2019 after repeated warnings.",
            "The host closed the harbour channel after repeated warnings from the moderators.",
        ),
        (
            "Who bought the harbour channel?",
            "The harbour channel was bought by Quayside Media for an undisclosed sum.",
            "The harbour channel was bought by a rival for an undisclosed sum.",
        ),
        (
            "What was the main limitation of the harbour filter?",
            "The harbour filter catches known spam posts, but it cannot stop new spam posts.",
            "The harbour filter catches known spam posts, and it now runs on new posts.",
        ),
        (
            "What slogan did the harbour marchers chant?",
            "The harbour marchers chanted slogans such as “Close the quay” through the night.",
            "The harbour marchers chanted slogans loudly and angrily through the whole night.",
        ),
    ],
)
def test_a_sentence_holding_the_kind_asked_for_beats_one_with_only_the_words(
    question: str, answer: str, words_only: str
) -> None:
    # The two are of one length and share the same question words: only the kind asked for tells them apart.
    assert _best(question, [words_only, answer]) == answer
    flat = AnswerTuning(
        number_bonus=0, name_bonus=0, date_bonus=0, reason_bonus=0, place_bonus=0, term_bonus=0, limit_bonus=0
    )
    assert _best(question, [words_only, answer], flat) == words_only


def test_a_word_drawn_with_a_ligature_matches_the_same_word_in_letters() -> None:
    assert words("The oﬃce conﬁrmed the ﬂagged proﬁle") == ["the", "office", "confirmed", "the", "flagged", "profile"]
    question = "Which office confirmed the flagged profile?"
    assert _share(question, "The harbour oﬃce conﬁrmed it had ﬂagged the proﬁle.") == pytest.approx(
        _share(question, "The harbour office confirmed it had flagged the profile.")
    )


def _offers(kind: str, question: str) -> Callable[[str], bool]:
    """Whether a sentence gives an answer of `kind` to `question` (see `offers`)."""
    asked = set(words(question))
    return lambda sentence: offers(kind, sentence, words(sentence), asked)


def test_a_term_is_a_word_quoted_as_a_word_and_not_someones_quoted_words() -> None:
    term = _offers("term", "What slogan did the harbour marchers chant?")
    assert term("The marchers chanted slogans such as “Close the quay” all night.")
    assert term("The harbour press dubbed the founder “the Ferryman”.")
    assert term("The marchers spread #closethequay on every forum.")
    # Someone's quoted words, a long quotation and a term the question already holds give no term.
    assert not term('The founder said "we will close the quay" to reporters.')
    assert not term("The marchers used phrases like “we will never let the quay reopen again” all night.")
    assert not term("The marchers chanted the word “harbour” all night.")


def test_the_words_of_a_camel_case_hashtag_match_the_question() -> None:
    assert hashtag_words("Then #HarbourWatch and #ISIS trended, and #quay too.") == ["harbour", "watch"]
    question = "How far did the harbour watch campaign reach?"
    chosen = _best(
        question,
        [
            "Within a week the campaign reached a wide audience of readers.",
            "Within a week #HarbourWatch reached 240,000 readers across the country.",
        ],
    )
    assert chosen.startswith("Within a week #HarbourWatch")


def test_sources_declining_to_say_something_state_no_limitation() -> None:
    limit = _offers("limit", "What was the main limitation of the harbour filter?")
    assert limit("The filter would catch reposts, but would not block posts it had never seen.")
    assert limit("Moderators were unable to review the flagged posts in time.")
    assert not limit("The two sources would not say how the filter was trained.")
    assert not limit("The harbour office did not comment on the filter.")


def test_a_word_every_candidate_holds_counts_for_less_than_the_words_of_what_is_asked() -> None:
    question = "What proof does the Lantern Forum demand before acting on conduct elsewhere?"
    texts = [
        "The Lantern Forum acts against conduct that breaks the Lantern Forum code.",
        "The Lantern Forum was founded by harbour pilots in 2009.",
        "The Lantern Forum has about four thousand members.",
        "Members of the Lantern Forum vote on its rules each spring.",
        "For behaviour elsewhere, moderators demand proof that can be checked.",
    ]
    assert _best(question, texts).startswith("For behaviour elsewhere")
    # Without the discount the sentence repeating the forum's name wins.
    assert _best(question, texts, AnswerTuning(pool_share_discount=0.0)).startswith("The Lantern Forum acts")


def test_the_discount_follows_the_share_of_candidates_holding_a_word() -> None:
    question = "What proof does the Lantern Forum demand?"
    weights = term_weights(question, _retrieval(question))
    texts = ["The Lantern Forum met.", "The Lantern Forum demands proof.", "Lanterns glow."]
    sentences = [word_bag(words(text)) for text in texts]
    discounted = pool_weights(weights, sentences, AnswerTuning(pool_share_discount=0.75))
    # "forum" is in two of three sentences, "proof" in one; "lantern" counts in its plural too.
    assert discounted.own["forum"] == pytest.approx(weights.own["forum"] * (1 - 0.75 * 2 / 3))
    assert discounted.own["proof"] == pytest.approx(weights.own["proof"] * (1 - 0.75 / 3))
    assert discounted.own["lantern"] == pytest.approx(weights.own["lantern"] * (1 - 0.75))
    # A share is still out of the question's full weight.
    assert discounted.total == pytest.approx(weights.total)
    assert pool_weights(weights, sentences, AnswerTuning(pool_share_discount=0.0)) is weights
    assert pool_weights(weights, [], AnswerTuning()) is weights
