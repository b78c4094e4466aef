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
from assistant.brief.builder import (
    CONFIDENCE_LEVELS,
    LIKELIHOOD_TERMS,
    Brief,
    BriefQuote,
)
from assistant.brief.render import brief_html, brief_json, brief_markdown
from assistant.config import Settings
from assistant.errors import ConfigError, UsageError
from assistant.search.retrieval import Filters
from assistant.service import AssistantService
from assistant.text.dates import event_date

from ..conftest import build_index, run_cli

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
def test_evidence_quoting_a_post_names_its_account_and_date(service: AssistantService) -> None:
    brief = service.brief("automated ISIS posts after the fall of Mosul")
    posted = [q for e in brief.evidence for q in e.quotes if q.posted]
    assert posted, "the monitoring posts' table answers this topic"
    # The demo table's first post: its account and date, as answers show them.
    assert any(q.posted == "Post by @osint_desk, 12 June 2014" for q in posted)
    assert "**Post by @osint_desk, 12 June 2014.**" in brief_markdown(brief)
    assert any(e["posted"] == "Post by @osint_desk, 12 June 2014" for e in brief_json(brief)["evidence"])


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
