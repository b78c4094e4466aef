"""How `assistant eval` decides that an answer states a key fact."""

from __future__ import annotations

import pytest

from assistant.evaluation import fact_found


@pytest.mark.parametrize(
    ("fact", "answer"),
    [
        ("Epik agreed to register the domain", "Gab returned online after Epik agreed to register the domain."),
        ("September-December 2014", "Supporters ran the accounts between September and December 2014."),
        ("at least 46,000 accounts", "Brookings counted at least 46000 accounts."),
        ("No", "No, streamers may not show such footage even to condemn it."),
    ],
)
def test_a_fact_is_found_when_most_of_its_words_are_there(fact: str, answer: str) -> None:
    assert fact_found(fact, answer)


@pytest.mark.parametrize(
    ("fact", "answer"),
    [
        ("Epik agreed to register the domain", "Gab returned online in November 2018."),
        # The parts of a compound count together, not as extra words: "far" and "right" are not two facts.
        ("Italian-speaking incels and far-right", "The thesis studied far-right channels on Telegram."),
        ("No", "Streamers may not show such footage."),
        ("September-December 2014", "The accounts were active in September 2015."),
    ],
)
def test_a_fact_is_missed_when_its_words_are_not_there(fact: str, answer: str) -> None:
    assert not fact_found(fact, answer)
