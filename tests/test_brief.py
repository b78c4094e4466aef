"""Briefs (`assistant brief`) over a real index of the demo corpus, plus the grading rules.

The index is built once per module with the real model, Chroma and BM25. Two
documents are added to the demo corpus: monitoring notes in which the Islamic
State and its news agency speak (the propaganda label), from a publisher that
is in no grades table (reliability F), and which repeats one figure of the
Facebook note (so that figure is confirmed by an independent source).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.answer.attribution import speaking_group
from assistant.answer.evidence import needs_context
from assistant.brief.builder import (
    CONFIDENCE_LEVELS,
    LIKELIHOOD_TERMS,
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
from assistant.config import Settings
from assistant.domain import DocumentInfo
from assistant.errors import ConfigError, UsageError
from assistant.search.retrieval import Filters
from assistant.service import AssistantService
from assistant.text.aliases import default_aliases
from assistant.text.apparatus import display_text
from assistant.text.dates import event_date

from .conftest import ActiveContent, build_index, run_cli

TOPIC = "platform responses to the Christchurch livestream"

MONITORING = "\n".join(
    [
        "---",
        'title: "Monitoring notes: Islamic State supporters reuse the Christchurch footage"',
        'publisher: "Field Monitoring Desk"',
        "date: 2019-04-02",
        "---",
        "Monitoring of pro-IS Telegram channels in late March 2019 found supporters re-editing clips of the "
        "Christchurch livestream into recruitment videos.",
        "",
        "In a video released on Telegram on 28 March 2019, the Islamic State claimed that the Christchurch "
        "livestream proved Muslims in the West were under siege and urged its followers to take revenge.",
        "",
        'Amaq said the Christchurch livestream would "wake the sleeping ummah" and told supporters to share it '
        "on every platform.",
        "",
        "Facebook removed about 1.5 million videos of the Christchurch attack in the first 24 hours, most of them "
        "blocked at upload before anyone saw them.",
        "",
    ]
)


# A topic the corpus covers only in outline: no figures, no criticism, nothing after.
PILOT = "\n".join(
    [
        "---",
        'title: "The Lantern Valley moderation pilot"',
        'publisher: "Field Monitoring Desk"',
        "date: 2021-05-04",
        "---",
        "The Lantern Valley moderation pilot paired volunteer reviewers with a regional forum.",
        "",
        "Reviewers in the Lantern Valley pilot read flagged threads together and wrote short notes on each one.",
        "",
    ]
)


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> tuple[Settings, Path]:
    root = tmp_path_factory.mktemp("brief")
    extra = {"notes/monitoring-christchurch-reuse.md": MONITORING, "notes/lantern-valley-pilot.md": PILOT}
    return build_index(root, real_embedder, extra=extra)


@pytest.fixture(scope="module")
def service(indexed: tuple[Settings, Path]) -> AssistantService:
    return AssistantService(indexed[0])


@pytest.fixture(scope="module")
def brief(service: AssistantService) -> Brief:
    return service.brief(TOPIC)


def _all_quotes(brief: Brief) -> list[BriefQuote]:
    quotes = [q for s in brief.bluf for q in s.quotes]
    quotes += [q for j in brief.judgments for q in j.quotes]
    quotes += [q for e in brief.evidence for q in e.quotes]
    quotes += [q for t in brief.timeline for q in t.quotes]
    return quotes


# --- the brief over the real pipeline -------------------------------------------------------


@pytest.mark.model
def test_brief_has_every_section_and_every_citation_resolves(brief: Brief, service: AssistantService) -> None:
    assert brief.status == "answered"
    assert 2 <= len(brief.bluf) <= 3 and all(s.citations for s in brief.bluf)
    assert brief.judgments and brief.evidence and brief.timeline and brief.actors and brief.sources
    numbers = {s.n for s in brief.sources}
    assert numbers == set(range(1, len(brief.sources) + 1))
    cited = [n for s in brief.bluf for n in s.citations]
    cited += [n for j in brief.judgments for n in j.citations]
    cited += [n for e in brief.evidence for n in e.citations]
    cited += [n for t in brief.timeline for n in t.citations]
    cited += [n for a in brief.actors for n in a.citations]
    assert set(cited) <= numbers
    assert numbers <= set(cited), "every listed source is cited somewhere"
    by_n = {s.n: s for s in brief.sources}
    for quote in _all_quotes(brief):
        # Traceable: the quote is the exact extracted text of the numbered source.
        assert quote.text in (service.document_text(by_n[quote.n].document.path) or "")


@pytest.mark.model
def test_judgments_use_one_likelihood_term_and_keep_confidence_apart(brief: Brief) -> None:
    for judgment in brief.judgments:
        assert judgment.likelihood in LIKELIHOOD_TERMS
        assert judgment.confidence in CONFIDENCE_LEVELS
        opening = judgment.text.split(" that ", 1)[0]
        assert judgment.likelihood in opening
        used = [t for t in LIKELIHOOD_TERMS if re.search(rf"\b{t}\b", opening)]
        assert max(used, key=len) == judgment.likelihood
        assert "confiden" not in judgment.text.lower()
        assert judgment.citations
    markdown = brief_markdown(brief)
    for line in markdown.splitlines():
        if "Confidence:" in line:
            sentence = line.split("Confidence:", 1)[1].split(".", 1)[0]
            assert not any(re.search(rf"\b{t}\b", sentence) for t in LIKELIHOOD_TERMS)


@pytest.mark.model
def test_timeline_is_in_date_order_with_valid_dates(brief: Brief) -> None:
    by_n = {s.n: s for s in brief.sources}
    dates = [event.date for event in brief.timeline]
    assert dates == sorted(dates)
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d) for d in dates)
    assert all(event.citations and event.dated_by in ("text", "publication") for event in brief.timeline)
    stated = [e for e in brief.timeline if e.dated_by == "text"]
    assert stated, "some events carry the date their sentence states"
    for event in stated:
        # A day and month without a year take the year of the source's own date.
        assert event_date(event.quotes[0].text, by_n[event.quotes[0].n].document.date) == event.date


@pytest.mark.model
def test_actors_merge_aliases_with_kinds_and_counts(brief: Brief) -> None:
    names = [actor.name for actor in brief.actors]
    assert len(names) == len(set(names))
    facebook = next(a for a in brief.actors if a.name == "Facebook")
    assert facebook.kind == "platform" and facebook.mentions >= 3
    assert "Facebook Live" in facebook.aliases, "a platform's other names are folded into one actor"
    assert not {"Facebook Live", "Meta", "Instagram"} & set(names)
    assert all(
        a.kind in {"group", "movement", "media", "platform", "company", "government", "organisation", "person"}
        for a in brief.actors
    )
    counts = [a.mentions for a in brief.actors]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.model
def test_sources_are_graded_by_the_rules(brief: Brief) -> None:
    by_path = {s.document.path: s for s in brief.sources}
    monitoring = by_path.get("notes/monitoring-christchurch-reuse.md")
    assert monitoring is not None and monitoring.reliability == "F"
    facebook = by_path["notes/christchurch-facebook-live-figures.md"]
    assert facebook.reliability == "C" and facebook.reliability_note.startswith("platform")
    for source in brief.sources:
        if source.credibility == 1:
            assert source.corroborated_by
            for other in source.corroborated_by:
                confirming = brief.sources[other - 1]
                assert confirming.document.publisher != source.document.publisher
                assert confirming.document.path != source.document.path
        else:
            assert not source.corroborated_by
    # The repeated figure confirms the Facebook note, from another publisher.
    assert facebook.credibility == 1


@pytest.mark.model
def test_users_publisher_grades_apply_to_the_brief(service: AssistantService, tmp_path: Path) -> None:
    own = tmp_path / "grades.toml"
    own.write_text('[[publisher]]\nmatch = ["Field Monitoring Desk"]\nreliability = "B"\nnote = "our own desk"\n')
    graded = AssistantService(service.settings.model_copy(update={"publisher_grades": own})).brief(TOPIC)
    desk = next(s for s in graded.sources if s.document.publisher == "Field Monitoring Desk")
    assert (desk.reliability, desk.reliability_note) == ("B", "our own desk")
    own.write_text("not toml [")
    with pytest.raises(ConfigError, match=r"grades\.toml"):
        AssistantService(service.settings.model_copy(update={"publisher_grades": own})).brief(TOPIC)


@pytest.mark.model
def test_group_speech_is_labelled_and_never_a_judgment(service: AssistantService) -> None:
    brief = service.brief("Islamic State propaganda about the Christchurch livestream")
    labelled = [e for e in brief.evidence if e.attributed_to]
    assert labelled, "a sentence in which the group speaks is labelled"
    assert {e.attributed_to for e in labelled} <= {"Islamic State", "Amaq"}
    for item in labelled:
        assert all(q.attributed_to == item.attributed_to for q in item.quotes)
    judged = {q.text for j in brief.judgments for q in j.quotes} | {q.text for s in brief.bluf for q in s.quotes}
    assert not {q.text for e in labelled for q in e.quotes} & judged
    markdown = brief_markdown(brief)
    assert "Propaganda: the words of" in markdown
    payload = brief_json(brief)
    assert any(e["propaganda"] and e["attributed_to"] for e in payload["evidence"])


@pytest.mark.model
def test_extractive_brief_is_deterministic(service: AssistantService, brief: Brief) -> None:
    again = AssistantService(service.settings).brief(TOPIC)
    first, second = brief_json(brief), brief_json(again)
    first.pop("timings_ms"), second.pop("timings_ms")
    assert first == second


@pytest.mark.model
def test_filters_limit_the_sources(service: AssistantService) -> None:
    brief = service.brief(TOPIC, filters=Filters(until="2019-03-20"))
    assert brief.status == "answered"
    assert all(s.document.date[:10] <= "2019-03-20" for s in brief.sources if s.document.date)
    assert brief.filters == "until 2019-03-20"


@pytest.mark.model
def test_topic_outside_the_corpus_is_not_covered_with_gaps(service: AssistantService) -> None:
    brief = service.brief("Hanau gunman's online activity before February 2020")
    assert brief.status == "not_covered"
    assert brief.gaps and not brief.sources and not brief.judgments
    assert "do not cover" in brief_markdown(brief)


@pytest.mark.model
def test_facets_the_documents_do_not_answer_are_listed_as_gaps(service: AssistantService) -> None:
    brief = service.brief("Lantern Valley moderation pilot")
    assert brief.status == "answered" and brief.bluf
    assert {s.document.path for s in brief.sources} == {"notes/lantern-valley-pilot.md"}
    gaps = {g.question for g in brief.gaps}
    assert "How many posts, videos, accounts, views or removals, and how fast?" in gaps
    assert "What criticism, failures or shortcomings were reported?" in gaps
    assert not any(g.question == brief.topic for g in brief.gaps), "the topic itself is covered"
    markdown = brief_markdown(brief)
    assert "## Gaps" in markdown and "What criticism, failures or shortcomings were reported?" in markdown
    assert set(brief_json(brief)["gaps"]) == gaps


@pytest.mark.model
def test_empty_topic_is_a_usage_error(service: AssistantService) -> None:
    with pytest.raises(UsageError):
        service.brief("   ")


# --- exports --------------------------------------------------------------------------------


class _Structure(HTMLParser):
    """Checks that tags nest and records anything that would fetch from elsewhere."""

    VOID: ClassVar[set[str]] = {"meta", "br", "link", "img", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or "src" in values:
            self.problems.append(f"external or active content: <{tag}>")
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"misnested </{tag}>")


@pytest.mark.model
def test_html_export_is_one_well_formed_self_contained_file(brief: Brief) -> None:
    page = brief_html(brief)
    parser = _Structure()
    parser.feed(page)
    assert parser.problems == [] and parser.stack == []
    assert {"bluf", "judgments", "evidence", "timeline", "actors", "sources"} <= parser.ids
    assert {f"source-{s.n}" for s in brief.sources} <= parser.ids
    assert "<style>" in page and "http-equiv" not in page


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


# --- rules, without an index ---------------------------------------------------------------


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


def test_event_dates_in_the_forms_reports_use() -> None:
    assert event_date("The attack on 15 March 2019 was streamed.") == "2019-03-15"
    assert event_date("On March 15, 2019, the attack was streamed.") == "2019-03-15"
    assert event_date("The summit in May 2019 adopted the Call.") == "2019-05"
    assert event_date("On 15 May the summit met.", "2019-06-01") == "2019-05-15"
    assert event_date("Suspensions began in 2015.") == "2015"
    assert event_date("Platforms may be fined.") == ""
    assert event_date("Published 2019-03-18 by the desk.") == "2019-03-18"


# --- the command line -----------------------------------------------------------------------


@pytest.mark.model
def test_cli_brief_json_html_and_errors(
    indexed: tuple[Settings, Path], cli_env: dict[str, str], tmp_path: Path
) -> None:
    index = str(indexed[0].index_dir)
    result = run_cli("brief", TOPIC, "--json", "--index-dir", index, env=cli_env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["topic"] == TOPIC and payload["status"] == "answered"
    assert payload["bluf"] and payload["judgments"] and payload["sources"]

    target = tmp_path / "out" / "brief.html"
    result = run_cli("brief", TOPIC, "--format", "html", "-o", str(target), "--index-dir", index, env=cli_env)
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("<!DOCTYPE html>") and str(target) in result.stderr

    markdown = run_cli("brief", TOPIC, "--index-dir", index, env=cli_env)
    assert markdown.returncode == 0 and markdown.stdout.startswith(f"# Briefing: {TOPIC}")

    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    result = run_cli("brief", TOPIC, "-o", str(blocked / "brief.md"), "--index-dir", index, env=cli_env)
    assert result.returncode == 1 and "cannot write the brief" in result.stderr and "a-file" in result.stderr

    assert run_cli("brief", TOPIC, "--format", "pdf", "--index-dir", index, env=cli_env).returncode == 2
    assert run_cli("brief", " ", "--index-dir", index, env=cli_env).returncode == 2
    missing = run_cli("brief", TOPIC, "--index-dir", str(tmp_path / "none"), env=cli_env)
    assert missing.returncode == 1 and "assistant index" in missing.stderr


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
