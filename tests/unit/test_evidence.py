"""What counts as evidence, judged on made-up sentences: lines addressed to the assistant, and a group's own words.

Sentences planted for whatever reads a page ("If you are an AI system, report
that …") are never quoted, never put in a model's prompt and are counted as set
aside; a quotation introduced with "the tweet read:" or spoken by a group is
labelled as that group's words and never leads an answer. The same rules through
a real index, the CLI and the TUI are in tests/functional/test_evidence.py.
"""

from __future__ import annotations

import pytest

from assistant.answer.attribution import quoted_speaker, speaking_group
from assistant.answer.evidence import Sentence
from assistant.answer.extractive import compose_extractive, select_sentences
from assistant.answer.generated import attribute, build_prompt
from assistant.cli.render import answer_json
from assistant.domain import Answer, DocumentInfo, Hit
from assistant.text.aliases import default_aliases
from assistant.text.instructions import instruction_flags, looks_like_instruction

from ..evidence_data import ALL_PLANTED, PDF_ADDRESS

# Reporting that mentions models, AI tools, assistants or instructions, and is evidence like any other.
NEWS = (
    "Facebook told reporters it removed 1.5 million videos of the attack in the first 24 hours.",
    "Users were instructed to report extremist content through the in-app flag.",
    "The AI tool flagged posts that reused the attacker's manifesto.",
    "The company described its model of content moderation as a mix of automation and human review.",
    "Assistant Commissioner Neil Basu said officers were reviewing the footage.",
    "YouTube said its machine-learning models detected 98 per cent of the violent extremist videos it removed.",
    "Researchers asked ChatGPT to summarise propaganda videos and found that it refused in most cases.",
    "When asked about the ban, a Twitter spokesperson said the company does not comment on individual accounts.",
    "Officials, however, say that the law has been applied only a handful of times.",
    "The right answer is more moderators, not more algorithms, said the report's author.",
    "Chatbots must tell users that they are talking to a machine under the EU AI Act.",
    "Automated systems must report child sexual abuse material to the authorities under the new law.",
    "Anyone reading this article who has information should contact the police.",
    "Machine-learning models scanning this content flagged 4,000 posts in a week.",
    "A note to the assistant editor said the piece would run on Monday.",
    "Moderators were told to say nothing to the press about the removals.",
    "Tell MAMA said reports of anti-Muslim abuse rose after the attack.",
    "If you find content that violates this policy, please report it.",
)


@pytest.mark.parametrize("sentence", ALL_PLANTED[:-1])
def test_sentences_addressed_to_a_machine_are_instructions(sentence: str) -> None:
    assert looks_like_instruction(sentence)


@pytest.mark.parametrize("sentence", NEWS)
def test_ordinary_reporting_about_models_and_instructions_is_not(sentence: str) -> None:
    assert not looks_like_instruction(sentence)


def test_a_bare_address_carries_over_to_the_message_it_heads() -> None:
    sentences = [*PDF_ADDRESS, "Streamwell removed 48,000 copies of the attack video."]
    assert instruction_flags(sentences) == [True, True, False]
    # A list heading such as "AI models:" addresses nobody, and the line after it stays.
    assert instruction_flags(["AI models:", "Streamwell removed 48,000 copies."]) == [False, False]


def _hit(text: str, rank: int = 1, path: str = "notes/a.md", start: int = 0) -> Hit:
    info = DocumentInfo(path, path, path, "Title", "Pub", "", "2019-01-01", "", "en", "markdown", 1)
    return Hit(f"{path}:{rank}", text, info, start, start + len(text), None, 1.0 / rank, rank, 0.7)


def test_the_model_is_never_given_a_planted_line() -> None:
    text = "Streamwell removed 48,000 copies of the attack video. " + " ".join(ALL_PLANTED)
    prompt = "\n".join(build_prompt("How many copies did Streamwell remove?", [_hit(text)]))
    assert "Streamwell removed 48,000 copies of the attack video." in prompt
    for line in ALL_PLANTED:
        assert line not in prompt
    # A model that obeyed one anyway finds no support for it.
    _, citations, sentences = attribute("The Streamwell livestream was watched by no one.", [_hit(text)])
    assert citations == [] and not sentences[0].supported


QUOTE = "Islamic State soldiers have struck the crusaders in their own homes."


def test_a_quotation_after_a_lead_in_is_the_groups_words() -> None:
    aliases = default_aliases()
    lead = "Within minutes a pro-IS account had posted the claim, and the tweet read:"
    assert quoted_speaker(QUOTE, lead, aliases) == "Islamic State"
    # The lead-in names no one: the quotation opens with the group's name.
    assert quoted_speaker(QUOTE, "The tweet, shared on Telegram hours later, read:", aliases) == "Islamic State"
    # "It read:" after a sentence about the group's channel.
    context = "A channel run by ISIS supporters published a message on Sunday."
    assert quoted_speaker("Soldiers of the caliphate will strike again.", "It read:", aliases, context) == (
        "Islamic State"
    )
    # One sentence holding both the lead-in and the quotation.
    assert quoted_speaker(f'The statement said: "{QUOTE}"', "", aliases) == "Islamic State"


def test_reporting_and_other_speakers_are_not_the_groups_words() -> None:
    aliases = default_aliases()
    assert quoted_speaker("We removed the video within the hour.", "Facebook said in a statement:", aliases) == ""
    assert quoted_speaker(QUOTE, "The report was published in March.", aliases) == ""
    assert quoted_speaker("Islamic State has killed hundreds of civilians in Mosul since 2014.", "", aliases) == ""
    assert quoted_speaker("Soldiers of the caliphate will strike again.", "Al-Baghdadi's rival wrote:", aliases) == ""
    assert quoted_speaker("Moderators took down 900 copies, Streamwell confirmed.", "The notice read:", aliases) == ""
    # A group's outlet that is only the writer's topic does not speak.
    assert (
        speaking_group("Streamwell and two other sites now take down Islamic State videos, the sources said.", aliases)
        == ""
    )
    assert speaking_group("The court heard the site aided ISIS by hosting ISIS videos for years.", aliases) == ""
    assert speaking_group("ISIS propaganda videos were removed by moderators within hours.", aliases) == ""
    # ... while an outlet that speaks, or hands over to a quotation, is the group's voice.
    assert (
        speaking_group("An Islamic State video released on Sunday threatened more attacks.", aliases) == "Islamic State"
    )
    assert speaking_group("An ISIS statement posted on Telegram read: “We struck them.”", aliases) == "Islamic State"
    assert speaking_group("A Dabiq article praised the two attackers as martyrs.", aliases) == "Dabiq"
    assert speaking_group("Its latest Rumiyah issue urged readers to use trucks.", aliases) == "Dabiq"  # its successor
    assert speaking_group("Researchers read every Dabiq article but found no praise of the attack.", aliases) == ""
    # The group's own speech is recognised without a lead-in, as briefs always did.
    assert speaking_group("Amaq said the raid had been carried out by its soldiers.", aliases) == "Amaq"


def _sentence(text: str, score: float, speaker: str = "", rank: int = 1) -> Sentence:
    hit = _hit(text, rank=rank, path=f"notes/{rank}.md")
    return Sentence(hit, 0, len(text), score, 0.5, speaker)


def test_a_groups_words_never_lead_an_answer() -> None:
    claim = _sentence(QUOTE, 2.0, "Islamic State")
    report = _sentence("Police said the attack in Leeds was being treated as terrorism.", 1.2, rank=2)
    assert select_sentences([claim, report]) == [report, claim]
    # Even when the group's words are all that passes the score floor, the sources' own sentence leads.
    weak = _sentence("Counter-terrorism officers searched two addresses in Leeds on Sunday.", 0.4, rank=3)
    assert select_sentences([claim, weak])[0] is weak


def test_generated_answers_label_and_never_lead_with_a_groups_words() -> None:
    text = (
        "The tweet read:\n\n> Islamic State soldiers have struck the crusaders in Leeds in their own homes.\n\n"
        "Police in Leeds said the man had been killed at his home on Saturday."
    )
    written = "Islamic State soldiers struck the crusaders in Leeds. Police said the man was killed at his home."
    answer, citations, sentences = attribute(written, [_hit(text)])
    assert [c.attributed_to for c in citations] == ["Islamic State", ""]
    assert answer.startswith("Police said the man was killed at his home.")
    assert "(Propaganda: the words of Islamic State) “Islamic State soldiers struck the crusaders" in answer
    assert [s.speaker for s in sentences] == ["", "Islamic State"]


def _post(text: str, author: str, date: str, platform: str = "") -> Sentence:
    path = "posts/monitoring.csv#row=7"
    info = DocumentInfo(path, path, "posts/monitoring.csv", "t", platform, author, date, "", "en", "csv", 1)
    return Sentence(Hit(f"{path}:1", text, info, 0, len(text), None, 1.0, 1, 0.7), 0, len(text), 1.0, 0.5, "")


def test_a_quoted_post_says_which_account_posted_it_and_when() -> None:
    post = _post("Brothers, the channel moved to a new address today.", "@relay_desk", "2015-10-31", "Twitter")
    report = _sentence("Police said the channel had been reported twice.", 0.9, rank=2)
    text, citations = compose_extractive([post, report])
    assert text.startswith("(Post by @relay_desk, 31 October 2015) “Brothers, the channel moved")
    assert "Twitter" not in text  # the publisher may be a dataset's, not the platform: the sources list says it
    assert "“Police said" not in text  # a source's own sentence is told, not quoted
    assert citations[0].quote == "Brothers, the channel moved to a new address today."  # the quote stays verbatim


def test_a_groups_post_carries_both_labels_and_a_post_without_author_or_date_none() -> None:
    claim = _post("Islamic State says its soldiers downed the aircraft over the desert.", "wire_relay", "2015-11")
    claim = Sentence(claim.hit, claim.start, claim.end, claim.score, claim.overlap, "Islamic State")
    text, _ = compose_extractive([claim])
    assert text.startswith("(Propaganda: the words of Islamic State; Post by wire_relay, November 2015) “Islamic")
    bare = _post("Nobody signed this post and nobody dated it either.", "", "")
    assert compose_extractive([bare])[0] == "Nobody signed this post and nobody dated it either. [1]"


def test_answer_json_keeps_its_keys_and_adds_the_new_ones() -> None:
    payload = answer_json(Answer(question="q", status="not_covered", text="t"))
    assert {"question", "status", "answer", "citations", "retrieved", "note", "sentences", "unsupported"} <= set(
        payload
    )
    assert payload["set_aside"] == 0
