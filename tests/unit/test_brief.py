"""Brief rules without an index: estimative language, grading, rendering and escaping."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.answer.attribution import speaking_group
from assistant.answer.evidence import needs_context
from assistant.brief.builder import (
    Actor,
    Brief,
    BriefQuote,
    BriefSource,
    EvidenceItem,
    Gap,
    Judgment,
    Statement,
    TimelineEvent,
    confidence_of,
    judgment_text,
    likelihood_of,
)
from assistant.brief.grading import GradeTable, credibility
from assistant.brief.render import brief_html, brief_json, brief_markdown
from assistant.domain import DocumentInfo
from assistant.errors import ConfigError
from assistant.text.aliases import default_aliases
from assistant.text.apparatus import display_text
from assistant.text.dates import event_date

from ..conftest import ActiveContent


def _tiny_brief(text: str, url: str = "https://example.org/?a=1&b=2") -> Brief:
    quote = BriefQuote(1, text, "doc-00000")
    document = DocumentInfo("doc", "a.md", "a.md", text, "Pub", "", "2019", url, "en", "markdown", 1)
    return Brief(
        topic=text,
        status="answered",
        bluf=(Statement(text, (1,), (quote,)),),
        judgments=(Judgment(f"We assess it is likely that {text}.", "likely", "low", "1 source", (1,), (quote,)),),
        evidence=(EvidenceItem(text, "overview", (1,), (quote,), "Islamic State"),),
        timeline=(TimelineEvent("2019-03-15", text, (1,), (quote,)),),
        actors=(Actor("Islamic State", ("IS",), "group", 1, (1,)),),
        sources=(BriefSource(1, document, "F", "", 6),),
        gaps=(Gap("What followed?", "no passage on the topic addresses it"),),
        generated="2026-01-01",
    )


def test_html_and_markdown_escape_document_text() -> None:
    hostile = 'IS said <script>alert("x")</script> | it would | break tables'
    page = brief_html(_tiny_brief(hostile))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="https://example.org/?a=1&amp;b=2"' in page
    markdown = brief_markdown(_tiny_brief(hostile))
    table_rows = [line for line in markdown.splitlines() if line.startswith("| 2019-03-15")]
    assert table_rows and table_rows[0].count(" | ") == 2, "a | in the text does not add table columns"


HOSTILE = (
    'Seen <script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3)) '
    '![t](https://tracker.example/p.gif) \x1b[2J\x1b]0;pwned\x07 <a href="javascript:alert(4)">x</a>'
)


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", " JavaScript:alert(1)", "data:text/html,x"])
def test_html_brief_has_no_script_event_attribute_or_non_web_link(url: str) -> None:
    page = brief_html(_tiny_brief(HOSTILE, url))
    parser = ActiveContent()
    parser.feed(page)
    assert parser.found == []
    assert "\x1b" not in page and "\x07" not in page
    assert "alert(document.domain)" in page or "alert(1)" in page or "data:text/html" in page, "the URL is still shown"


def test_web_urls_stay_links_in_html_and_markdown() -> None:
    page = brief_html(_tiny_brief("plain text", "https://example.org/report"))
    assert '<a href="https://example.org/report"' in page
    assert "](<https://example.org/report>)" in brief_markdown(_tiny_brief("plain text", "https://example.org/report"))


def test_markdown_brief_passes_no_html_links_or_images_from_documents() -> None:
    markdown = brief_markdown(_tiny_brief(HOSTILE, "javascript:alert(5)"))
    assert "<script" not in markdown.lower() and "<img" not in markdown.lower() and "<a " not in markdown
    assert "](javascript:" not in markdown and "](<javascript:" not in markdown
    assert "![" not in markdown
    assert "\x1b" not in markdown and "\x07" not in markdown
    # What the document said is still there to read.
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in markdown


def test_json_schema_keys_are_stable() -> None:
    payload = brief_json(_tiny_brief("Facebook removed the video."))
    assert {"topic", "bluf", "judgments", "evidence", "timeline", "actors", "sources", "gaps"} <= set(payload)
    assert set(payload["judgments"][0]) >= {"text", "likelihood", "confidence", "citations"}
    assert set(payload["evidence"][0]) >= {"text", "citations", "quotes"}
    assert payload["evidence"][0]["quotes"] == ["Facebook removed the video."]
    assert set(payload["timeline"][0]) >= {"date", "event", "citations"}
    assert set(payload["actors"][0]) >= {"name", "aliases", "kind", "mentions", "citations"}
    assert set(payload["sources"][0]) >= {
        "n",
        "title",
        "publisher",
        "date",
        "path",
        "url",
        "reliability",
        "credibility",
    }
    assert payload["gaps"] == ["What followed?"]
    assert isinstance(payload["bluf"], str) and payload["bluf"].endswith("[1]")


def test_likelihood_and_confidence_follow_agreement_and_grade() -> None:
    assert likelihood_of(3, ["B", "B", "C"]) == "almost certain"
    assert likelihood_of(3, ["C", "C", "D"]) == "very likely"
    assert likelihood_of(2, ["A", "C"]) == "very likely"
    assert likelihood_of(2, ["C", "D"]) == "likely"
    assert likelihood_of(1, ["B"]) == "likely"
    assert likelihood_of(1, ["C"]) == "roughly even chance"
    assert likelihood_of(1, ["D"]) == "unlikely"
    assert likelihood_of(1, ["F"]) == "roughly even chance"
    assert confidence_of(3, ["A", "B", "C"]) == "high"
    assert confidence_of(3, ["C", "C", "C"]) == "moderate"
    assert confidence_of(1, ["B"]) == "moderate"
    assert confidence_of(1, ["C"]) == "low"


def test_credibility_rules() -> None:
    assert credibility("F", confirmed=True, only_group_words=False) == 1
    assert credibility("A", confirmed=False, only_group_words=False) == 2
    assert credibility("C", confirmed=False, only_group_words=False) == 3
    assert credibility("D", confirmed=False, only_group_words=False) == 4
    assert credibility("B", confirmed=False, only_group_words=True) == 4
    assert credibility("F", confirmed=False, only_group_words=False) == 6


def test_grade_table_matches_whole_names_and_reads_the_users_file_first(tmp_path: Path) -> None:
    table = GradeTable.load()
    assert table.grade("Reuters (via RSS-fed WordPress site)").reliability == "B"
    assert table.grade("Meta Platforms Ireland Limited").reliability == "C"
    assert table.grade("Metadata Weekly").reliability == "F", "whole names only"
    assert table.grade("").reliability == "F"
    # The publisher's own name decides before the outlets its description mentions.
    assert table.grade("Daily Mail (MailOnline), via the CNN/DailyMail summarization dataset").reliability == "C"
    assert table.grade("Samantha North (personal research blog)").reliability == "D"
    own = tmp_path / "grades.toml"
    own.write_text('[[publisher]]\nmatch = ["Reuters"]\nreliability = "a"\nnote = "our wire"\n')
    assert GradeTable.load(own).grade("Reuters").reliability == "A"
    own.write_text('[[publisher]]\nmatch = ["Reuters"]\nreliability = "Z"\n')
    with pytest.raises(ConfigError, match=r"grades\.toml.*A-F"):
        GradeTable.load(own)
    own.write_text("[[publisher]\n")
    with pytest.raises(ConfigError, match=r"grades\.toml"):
        GradeTable.load(own)
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        GradeTable.load(tmp_path / "missing.toml")


def test_judgment_clause_keeps_names_capitalised_and_lowers_ordinary_words() -> None:
    assert judgment_text("likely", "Since then, ISIS has moved.", set()) == (
        "We assess it is likely that since then, ISIS has moved."
    )
    assert judgment_text("likely", "The package is new.", set()).endswith("that the package is new.")
    assert judgment_text("likely", "Fifty people died in the attack.", set()).endswith(
        "that fifty people died in the attack."
    )
    assert judgment_text("likely", "Platforms acted.", {"platforms"}).endswith("that platforms acted.")
    # A word not known to be ordinary may be a name: it keeps its capital.
    assert judgment_text("unlikely", "Chris Sonderby said so.", set()) == (
        "We assess it is unlikely that Chris Sonderby said so."
    )


def test_sentences_that_lean_on_their_article_are_recognised() -> None:
    assert needs_context("They removed the video within the hour.")
    assert needs_context("We will keep working with the police.")
    assert needs_context("Last week Ardern said the Call was working.")
    assert needs_context("The government announced on Wednesday that it would act.")
    assert not needs_context("Facebook removed 1.5 million copies of the video in 24 hours.")
    assert not needs_context('Ardern said "we will not let this happen again" at the summit.')


def test_display_text_decodes_entities_and_drops_markup() -> None:
    quote = "**Facebook** won&#8217;t [explain](https://example.org) its  rules."
    assert display_text(quote) == "Facebook won’t explain its rules."


def test_speaking_group_needs_the_group_to_speak() -> None:
    aliases = default_aliases()
    assert speaking_group("ISIS claimed responsibility for the attack.", aliases) == "Islamic State"
    assert speaking_group("In a video, the Islamic State urged followers to attack.", aliases) == "Islamic State"
    assert speaking_group('Amaq said the attack was "a blessed raid".', aliases) == "Amaq"
    assert speaking_group("Twitter said it had suspended 125,000 ISIS accounts.", aliases) == ""
    assert speaking_group("A report on ISIS said recruitment had fallen.", aliases) == ""
    assert speaking_group("Facebook removed the video within an hour.", aliases) == ""


def test_an_outlet_named_in_someone_elses_statement_does_not_speak() -> None:
    aliases = default_aliases()
    # Naming a group's outlet where another speaks, or using "claims" as a noun, is the writer's topic.
    assert speaking_group("The harbour board said it blocked accounts that shared Amaq clips.", aliases) == ""
    assert speaking_group("The relay channels were organised around Amaq claims and reposts.", aliases) == ""
    # The outlet speaks as a subject, under its description, or as the label of its quoted words.
    assert speaking_group("The group's magazine Dabiq claimed the ferry raid was revenge.", aliases) == "Dabiq"
    assert speaking_group('Amaq News Agency: "The raid was carried out by a soldier."', aliases) == "Amaq"


def test_event_dates_in_the_forms_reports_use() -> None:
    assert event_date("The attack on 15 March 2019 was streamed.") == "2019-03-15"
    assert event_date("On March 15, 2019, the attack was streamed.") == "2019-03-15"
    assert event_date("The summit in May 2019 adopted the Call.") == "2019-05"
    assert event_date("On 15 May the summit met.", "2019-06-01") == "2019-05-15"
    assert event_date("Suspensions began in 2015.") == "2015"
    assert event_date("Platforms may be fined.") == ""
    assert event_date("Published 2019-03-18 by the desk.") == "2019-03-18"


def _document(path: str, source_path: str, publisher: str) -> DocumentInfo:
    return DocumentInfo(
        id=path,
        path=path,
        source_path=source_path,
        title="t",
        publisher=publisher,
        author="someone",
        date="2019-03-15",
        url="",
        language="en",
        format="csv",
        chunks=1,
    )


def test_a_users_post_on_a_platform_is_not_graded_as_the_platforms_own_word() -> None:
    table = GradeTable.load()
    post = _document("exports/posts.csv#row=7", "exports/posts.csv", "Twitter")
    statement = _document("notes/twitter-rules.md", "notes/twitter-rules.md", "Twitter")
    assert table.grade_document(statement).reliability == "C", "a platform on its own actions"
    grade = table.grade_document(post)
    assert grade.reliability == "F" and "post on Twitter" in grade.note
    # A table of news records keeps its outlet's grade.
    wire = _document("exports/wire.csv#row=2", "exports/wire.csv", "Reuters")
    assert table.grade_document(wire).reliability == "B"


def test_evidence_quoting_a_post_says_whose_post_it_is_in_every_format() -> None:
    posted = BriefQuote(1, "Supporters shared the clip again.", "doc-00000", posted="Post by @desk, 12 June 2014")
    brief = _tiny_brief("Supporters shared the clip again.")
    group_post = EvidenceItem(brief.evidence[0].text, "overview", (1,), (posted,), "Islamic State")
    plain_post = EvidenceItem("A second post.", "overview", (1,), (posted,))
    brief = dataclasses.replace(brief, evidence=(group_post, plain_post))
    markdown = brief_markdown(brief)
    assert "**Propaganda: the words of Islamic State, not the source's assessment; Post by @desk, 12 June 2014.**" in (
        markdown
    )
    assert "- **Post by @desk, 12 June 2014.** A second post." in markdown
    assert "Post by @desk, 12 June 2014.</span> A second post." in brief_html(brief)
    payload = brief_json(brief)
    assert [item["posted"] for item in payload["evidence"]] == ["Post by @desk, 12 June 2014"] * 2
    assert payload["evidence"][0]["quote_details"][0]["posted"] == "Post by @desk, 12 June 2014"
    # A quote that is no post carries no label.
    assert brief_json(_tiny_brief("Facebook removed the video."))["evidence"][0]["posted"] is None
