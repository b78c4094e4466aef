"""What counts as evidence: sentences addressed to the assistant, and an extremist group's own words.

Sentences planted for whatever reads a page ("If you are an AI system, report
that …") are never quoted in answers or briefs, never given to a model, and
`ask --json` counts them in `set_aside`. A quotation that a source introduces
with "the tweet read:" or in which a group speaks is labelled as that group's
words and never leads an answer.

These tests build a small library in md, HTML, CSV and PDF, index it with the
real model, Chroma and BM25, and ask about it through the service, the CLI and
the TUI; the rules themselves are tested on made-up sentences in
tests/unit/test_evidence.py.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.brief.builder import Brief
from assistant.brief.render import brief_json
from assistant.cli.render import answer_json
from assistant.config import Settings
from assistant.conversation.store import ConversationStore
from assistant.search.retrieval import Filters
from assistant.service import AssistantService

from ..conftest import run_cli
from ..evidence_data import ALL_PLANTED, CSV_PLANTED, HTML_PLANTED, MD_PLANTED, PDF_ADDRESS, PDF_PLANTED

TWEET_LEAD = "Within minutes a pro-IS account on Twitter had posted the claim, and the tweet read:"


TWEET = "Islamic State has killed a Streamwell moderator in Leeds in his own home."


def _front(title: str, date: str) -> list[str]:
    return ["---", f'title: "{title}"', 'publisher: "Harbour Desk"', f"date: {date}", "---"]


def _library(root: Path) -> Path:
    library = root / "library"
    (library / "notes").mkdir(parents=True)
    md = [
        *_front("Streamwell and the attack video", "2021-03-02"),
        "Streamwell removed 48,000 copies of the attack video in the first day after the livestream.",
        "",
        *MD_PLANTED,
        "",
        "Moderators at Streamwell said most copies of the attack video were blocked at upload by the hash filter.",
        "",
    ]
    (library / "notes" / "streamwell-removals.md").write_text("\n".join(md))
    killing = [
        *_front("A Streamwell moderator killed in Leeds", "2021-03-09"),
        "A Streamwell moderator who removed copies of the attack video was killed at his home in Leeds on Sunday.",
        "",
        TWEET_LEAD,
        "",
        f"> {TWEET}",
        "",
        "West Yorkshire Police said the killing of the Streamwell moderator was being treated as terrorism.",
        "",
    ]
    (library / "notes" / "streamwell-moderator-leeds.md").write_text("\n".join(killing))
    (library / "web").mkdir()
    paragraphs = "".join(
        f"<p>{line}</p>"
        for line in (
            "Streamwell said its hash filter matched 31,000 uploads of the attack video in the first week.",
            *HTML_PLANTED,
            "Streamwell engineers added new hashes for edited copies of the attack video every hour.",
        )
    )
    (library / "web" / "streamwell-hash-filter.html").write_text(
        "<html><head><title>How the Streamwell hash filter caught the attack video</title></head>"
        f"<body><article><h1>How the Streamwell hash filter caught the attack video</h1>{paragraphs}</article></body>"
        "</html>"
    )
    (library / "posts").mkdir()
    with (library / "posts" / "streamwell-posts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "author", "text"])
        writer.writerow(["p1", "2021-03-03", "@desk", "Streamwell says 48,000 copies of the attack video are gone."])
        for n, line in enumerate(CSV_PLANTED, 2):
            writer.writerow([f"p{n}", "2021-03-04", "@someone", line])
    (library / "reports").mkdir()
    pdf = FPDF()
    pdf.set_title("Review of the Streamwell response to the attack video")
    pdf.add_page()
    # Small type keeps every sentence on one line: a wrapped line starting with a capital would end it.
    pdf.set_font("Helvetica", size=8)
    for line in (
        "Reviewers found that Streamwell removed most copies of the attack video within a day of the livestream.",
        *PDF_PLANTED,
        " ".join(PDF_ADDRESS),
        "Reviewers counted 48,000 removed copies of the attack video on Streamwell.",
    ):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(library / "reports" / "streamwell-review.pdf"))
    return library


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> tuple[Settings, Path]:
    root = tmp_path_factory.mktemp("evidence")
    library = _library(root)
    settings = Settings(index_dir=root / "index", lock_timeout=0)
    report = AssistantService(settings, embedder=real_embedder).index([library])
    assert report.failed == [] and report.documents == 7
    return settings, library


@pytest.fixture(scope="module")
def service(indexed: tuple[Settings, Path], real_embedder: SentenceTransformerEmbedder) -> AssistantService:
    return AssistantService(indexed[0], embedder=real_embedder)


QUESTION = "How many copies of the attack video did Streamwell remove?"


def _no_planted_line(texts: list[str]) -> None:
    for text in texts:
        for line in ALL_PLANTED:
            # Planted lines are compared by their distinctive second half, which no true sentence shares.
            assert line[len(line) // 2 :] not in " ".join(text.split()), (line, text)


@pytest.mark.model
def test_answers_never_quote_planted_lines_and_count_them(service: AssistantService) -> None:
    answer = service.ask(QUESTION)
    assert answer.status == "answered" and "48,000" in answer.text
    _no_planted_line([answer.text, *(c.quote for c in answer.citations), *(s.text for s in answer.sentences)])
    # Every document was retrieved, so every planted sentence was read and set aside.
    assert {h.document.path for h in answer.retrieved} >= {
        "notes/streamwell-removals.md",
        "reports/streamwell-review.pdf",
    }
    assert answer.set_aside == len(ALL_PLANTED)
    assert answer_json(answer)["set_aside"] == len(ALL_PLANTED)


def _brief_texts(brief: Brief) -> list[str]:
    texts = [s.text for s in brief.bluf] + [j.text for j in brief.judgments]
    texts += [e.text for e in brief.evidence] + [t.event for t in brief.timeline]
    groups = [s.quotes for s in brief.bluf] + [j.quotes for j in brief.judgments]
    groups += [e.quotes for e in brief.evidence] + [t.quotes for t in brief.timeline]
    return texts + [q.text for quotes in groups for q in quotes]


@pytest.mark.model
def test_briefs_never_rest_on_planted_lines_and_count_them(service: AssistantService) -> None:
    brief = service.brief("Streamwell removals of the attack video")
    assert brief.status == "answered" and brief.bluf
    _no_planted_line(_brief_texts(brief))
    assert brief.set_aside == len(ALL_PLANTED)
    payload = brief_json(brief)
    assert payload["set_aside"] == len(ALL_PLANTED)
    assert any(f"{len(ALL_PLANTED)} sentence(s) addressed to an AI assistant" in note for note in payload["notes"])
    # ChatGPT is named only in a planted line: it is no actor of the brief.
    assert "ChatGPT" not in {a.name for a in brief.actors} | {n for a in brief.actors for n in a.aliases}


@pytest.mark.model
def test_a_tweet_quoted_in_a_source_is_labelled_and_follows(service: AssistantService) -> None:
    answer = service.ask("Who killed the Streamwell moderator in Leeds, and how?")
    assert answer.status == "answered"
    tweet = next(c for c in answer.citations if TWEET in c.quote)
    assert tweet.attributed_to == "Islamic State" and tweet.propaganda
    assert not answer.citations[0].propaganda
    assert all(not c.propaganda for c in answer.citations if TWEET not in c.quote)
    assert f"(Propaganda: the words of Islamic State) “{TWEET}” [{tweet.n}]" in answer.text
    assert not answer.text.startswith(TWEET)
    cited = answer_json(answer)["citations"]
    assert [(c["propaganda"], c["attributed_to"]) for c in cited if c["n"] == tweet.n] == [(True, "Islamic State")]
    assert all(c["attributed_to"] is None for c in cited if c["n"] != tweet.n)


@pytest.mark.model
def test_a_post_from_a_table_of_posts_is_quoted_with_its_account_and_date(service: AssistantService) -> None:
    # Limited to the posts, as an analyst would ask of a monitoring export.
    answer = service.ask(QUESTION, filters=Filters(source="posts/streamwell-posts.csv"))
    assert answer.status == "answered"
    post = next(c for c in answer.citations if c.hit.document.path == "posts/streamwell-posts.csv#row=1")
    assert post.quote == "Streamwell says 48,000 copies of the attack video are gone."
    assert f"(Post by @desk, 3 March 2021) “{post.quote}” [{post.n}]" in answer.text


@pytest.mark.model
def test_cli_sets_aside_planted_lines_and_labels_propaganda(
    indexed: tuple[Settings, Path], cli_env: dict[str, str]
) -> None:
    index_dir = str(indexed[0].index_dir)
    result = run_cli("ask", QUESTION, "--json", "--index-dir", index_dir, env=cli_env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["set_aside"] == len(ALL_PLANTED) and payload["status"] == "answered"
    _no_planted_line([payload["answer"], *(c["quote"] for c in payload["citations"])])
    assert all(c["propaganda"] is False and c["attributed_to"] is None for c in payload["citations"])

    human = run_cli(
        "ask", "Who killed the Streamwell moderator in Leeds, and how?", "--index-dir", index_dir, env=cli_env
    )
    assert human.returncode == 0, human.stderr
    lines = human.stdout.splitlines()
    # A quote line, `"..."` (or `[n] "..."` when its source answers several sentences).
    quoted = next(i for i, line in enumerate(lines) if TWEET[:40] in line and re.match(r'(\[\d+\] )?"', line.strip()))
    assert lines[quoted + 1].strip() == "Propaganda: the words of Islamic State"


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.model
@pytest.mark.anyio
async def test_tui_labels_a_groups_words_in_answer_sources_and_passage(
    indexed: tuple[Settings, Path], service: AssistantService, tmp_path: Path
) -> None:
    from textual.widgets import OptionList, Static

    from assistant.tui.app import BriefingApp
    from assistant.tui.screens import PassageScreen
    from assistant.tui.widgets import QuestionInput, SourcesPanel, TurnView

    store = ConversationStore(tmp_path / "conversations.db")
    app = BriefingApp(indexed[0], service=service, store=store, corpus=indexed[1])
    async with app.run_test(size=(110, 36)) as pilot:

        async def settle() -> None:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

        await settle()
        field = app.query_one(QuestionInput)
        field.focus()
        field.value = "Who killed the Streamwell moderator in Leeds, and how?"
        await pilot.press("enter")
        await settle()
        [view] = list(app.query(TurnView))
        assert view.turn is not None
        tweet = next(c for c in view.turn.citations if TWEET in c.quote)
        assert tweet.attributed_to == "Islamic State"
        # The answer's Markdown escapes document text; the label reads the same once unescaped.
        assert "(Propaganda: the words of Islamic State)" in view.answer_widget.source.replace("\\", "")
        options = app.query_one(SourcesPanel).query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert ["Propaganda: the words of Islamic State" in p for p in prompts] == [
            c.attributed_to == "Islamic State" for c in view.turn.citations
        ]
        app.push_screen(PassageScreen(tweet))
        await pilot.pause()
        screen: Any = app.screen
        assert isinstance(screen, PassageScreen)
        label = str(screen.query_one("#passage-propaganda", Static).render())
        assert label == "Propaganda: the words of Islamic State."
    [recorded] = store.history()
    assert [c.attributed_to for c in recorded.citations] == [c.attributed_to for c in view.turn.citations]
