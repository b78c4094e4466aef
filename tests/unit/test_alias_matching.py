"""Finding the alias table's groups in text: the same groups whatever shortcut the matcher takes."""

from __future__ import annotations

from assistant.answer.attribution import quoted_speaker, speaking_group
from assistant.text.aliases import ACTOR_KINDS, EXTREMIST_KINDS, AliasGroup, AliasTable, default_aliases
from assistant.text.words import words


def _canonical(table: AliasTable, text: str, kinds: frozenset[str] | None = None) -> list[str]:
    return [group.canonical for group in table.groups_in(text, kinds)]


def test_a_name_matches_in_any_capitals_including_dotless_i() -> None:
    table = default_aliases()
    # A case-blind pattern takes the dotless "ı" for an "i"; the matcher must find what the pattern finds.
    for text in ("Posts praising DAESH spread fast.", "posts praising daesh spread fast.", "Posts by ısıs fans."):
        assert "Islamic State" in _canonical(table, text), text


def test_a_short_acronym_matches_only_in_capitals_and_as_a_word() -> None:
    table = default_aliases()
    assert "Islamic State" in _canonical(table, "IS claimed the attack.")
    assert "Islamic State" not in _canonical(table, "This is what the report said.")
    assert "Islamic State" not in _canonical(table, "The THIS campaign ended.")


def test_a_name_inside_a_longer_word_is_not_that_name() -> None:
    table = AliasTable([AliasGroup("Ember Front", "group", ("Ember Front", "EF"))])
    assert _canonical(table, "The Ember Frontier festival opened.") == []
    assert _canonical(table, "Members of the ember front met.") == ["Ember Front"]


def test_kinds_keep_only_those_groups_in_table_order() -> None:
    table = AliasTable(
        [
            AliasGroup("Pine Net", "platform", ("Pine Net",)),
            AliasGroup("Ash Brigade", "group", ("Ash Brigade",)),
            AliasGroup("Treaty of Elm", "law", ("Treaty of Elm",)),
        ]
    )
    text = "Under the Treaty of Elm, Pine Net removed Ash Brigade posts."
    assert _canonical(table, text) == ["Pine Net", "Ash Brigade", "Treaty of Elm"]
    assert _canonical(table, text, EXTREMIST_KINDS) == ["Ash Brigade"]
    assert _canonical(table, text, ACTOR_KINDS) == ["Pine Net", "Ash Brigade"]


def test_a_changed_alias_table_is_honoured() -> None:
    sentence = "Ash Brigade claimed the arson in a statement."
    assert speaking_group(sentence, default_aliases()) == ""
    table = AliasTable([AliasGroup("Ash Brigade", "group", ("Ash Brigade", "Brigade"))])
    assert speaking_group(sentence, table) == "Ash Brigade"
    assert (
        quoted_speaker("“We will return,” it read.", "The Brigade posted a message. It read:", table) == "Ash Brigade"
    )
    renamed = AliasTable([AliasGroup("Ash Brigade", "platform", ("Ash Brigade",))])
    assert speaking_group(sentence, renamed) == ""


def test_word_tokens_fold_apostrophes_possessives_and_separators() -> None:
    assert words("The group’s 125,000 posts and Ember’S 3,5 rate; it's 1.5 million.") == [
        "the",
        "group",
        "125000",
        "posts",
        "and",
        "ember",
        "3,5",
        "rate",
        "it",
        "1.5",
        "million",
    ]


def test_countries_are_named_by_their_short_forms_and_the_pronoun_us_is_not_one() -> None:
    table = default_aliases()
    assert "United States" in _canonical(table, "The US argued the claim should fail.")
    assert "United States" in _canonical(table, "Counsel for the United States spoke first.")
    assert "United States" not in _canonical(table, "The court told us the claim should fail.")
    assert "United Kingdom" in _canonical(table, "Britain proscribed the group in 2016.")
