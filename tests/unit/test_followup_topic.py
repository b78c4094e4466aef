"""Follow-ups keep the earlier turn's topic: pronouns and pointing phrases become its noun phrases.

Short made-up conversations: each earlier turn is (question, answer), and the
follow-up must come out naming what it leans on, while a question that names
its own subject is left as it is.
"""

from __future__ import annotations

import pytest

from assistant.conversation.rewriting import FollowUpRewriter


@pytest.fixture(scope="module")
def rewriter() -> FollowUpRewriter:
    return FollowUpRewriter()


@pytest.mark.parametrize(
    ("earlier", "answer", "question", "expected"),
    [
        # "they" stands for the earlier plural noun phrase, the question's verb left out of it.
        (
            "Why did neo-Nazi forums move to encrypted apps after 2017?",
            "",
            "Where did they go next?",
            "Where did neo-Nazi forums go next (after 2017)?",
        ),
        # ... and a plural phrase built on a name beats the name alone; "it" is the thing asked for.
        (
            "What legal power did Dutch city councils have against Generation Identity rallies "
            "but lack against online groups?",
            "",
            "Why couldn't they use it against the online groups?",
            "Why couldn't Dutch city councils use the legal power against the online groups "
            "(about Generation Identity)?",
        ),
        (
            "What reporting tool did the forum's moderators add in 2020?",
            "",
            "Who used it?",
            "Who used the reporting tool (in 2020)?",
        ),
        # "it" is the kind of thing asked for, rather than the name beside it.
        (
            "Which counter-messaging campaign did the Interior Ministry launch in 2013?",
            "",
            "Who ran it?",
            "Who ran the counter-messaging campaign (about Interior Ministry, in 2013)?",
        ),
        # "he" / "she" is the person the earlier answer named, when the question named none.
        (
            "Which campaigner exposed the chat logs of the militia?",
            "The logs were published by a collective. Later, activist Jane Corder confirmed the logs were genuine "
            "and said she had warned the police.",
            "What did she tell the police?",
            "What did Jane Corder tell the police?",
        ),
    ],
)
def test_a_pronoun_gets_the_earlier_topic(
    rewriter: FollowUpRewriter, earlier: str, answer: str, question: str, expected: str
) -> None:
    assert rewriter.rewrite(question, [(earlier, answer)]) == expected


@pytest.mark.parametrize(
    ("earlier", "answer", "question", "expected"),
    [
        # "that approach" is the earlier technique: a noun of the same kind.
        (
            "What moderation technique did the forum adopt in 2019?",
            "",
            "Did that approach work?",
            "Did the moderation technique work (in 2019)?",
        ),
        # "that study" is the study the earlier answer's lead sentence names.
        (
            "What did researchers find about video recommendations?",
            "An audit study by the Data Lab found that recommendations favoured fringe channels.",
            "Who funded that study?",
            "Who funded the audit study?",
        ),
        # "that operation" is an event, not a date: the earlier takedown, and the time frame beside it.
        (
            "Which messaging app did police target in a coordinated takedown in November 2019?",
            "",
            "How many accounts were closed in that operation?",
            "How many accounts were closed in the coordinated takedown (in November 2019)?",
        ),
        # "the militia groups" is the earlier phrase that shares its word.
        (
            "Why did regional militia chapters recruit on Facebook in 2020?",
            "",
            "Why couldn't they ban the militia groups?",
            "Why couldn't Facebook ban the regional militia chapters (in 2020)?",
        ),
    ],
)
def test_a_phrase_that_points_back_gets_the_earlier_noun_phrase(
    rewriter: FollowUpRewriter, earlier: str, answer: str, question: str, expected: str
) -> None:
    assert rewriter.rewrite(question, [(earlier, answer)]) == expected


@pytest.mark.parametrize(
    ("earlier", "question", "expected"),
    [
        # The thing asked for is known only by what the question said of it: that clause comes along, its
        # auxiliary after the named subjects, and its date with it (so it is not added again).
        (
            "In 2019, what filter were Harbourline and Quaynet said to be running, quietly, to hold back spam?",
            "What was the weakness of that method?",
            "What was the weakness of the filter Harbourline and Quaynet were said to be running, quietly, "
            "to hold back spam (in 2019)?",
        ),
        # A verb straight after the phrase gets "that"; the same noun ("that tool") points back as well.
        (
            "Which tool let moderators on Quaynet trace spam relays in 2021?",
            "Who built that tool?",
            "Who built the tool that let moderators on Quaynet trace spam relays in 2021?",
        ),
        # The clause ends with the question's first part.
        (
            "What power can Harbourline use against relay operators, and how often is it used?",
            "Why was that power criticised?",
            "Why was the power Harbourline can use against relay operators criticised?",
        ),
        # A subject that only starts with a name, or that is no name at all, cannot be moved safely.
        (
            "What power can Copper County prosecutors use against relay operators?",
            "Why was that power criticised?",
            "Why was the power criticised (about Copper County)?",
        ),
        ("What tool were moderators using to trace relays?", "Who made that tool?", "Who made the tool?"),
    ],
)
def test_what_an_earlier_question_asked_for_comes_with_its_clause(
    rewriter: FollowUpRewriter, earlier: str, question: str, expected: str
) -> None:
    assert rewriter.rewrite(question, [(earlier, "")]) == expected


@pytest.mark.parametrize(
    "question",
    [
        "How did Telegram respond to the Europol action day in 2019?",
        # "that" joining two clauses points back at nothing.
        "Did the annual transparency report find that platforms removed more extremist content?",
        # A demonstrative whose noun matches nothing earlier is the question's own subject.
        "Which countries signed that declaration on livestreamed attacks in Paris?",
    ],
)
def test_a_standalone_question_is_left_as_it_is(rewriter: FollowUpRewriter, question: str) -> None:
    earlier = [("Why did regional militia chapters recruit on Facebook in 2020?", "They wanted a wide audience.")]
    assert rewriter.rewrite(question, earlier) == question


def test_the_same_period_takes_the_earlier_time_frame_once(rewriter: FollowUpRewriter) -> None:
    earlier = [("How many accounts did Twitter suspend in 2016?", "")]
    rewritten = rewriter.rewrite("And what about Facebook in the same period?", earlier)
    assert rewritten == "What about Facebook in 2016 (about Twitter)?"
