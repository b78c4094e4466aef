"""Text from documents, file names and arguments is shown as text, everywhere it is shown.

A small library with hostile content (escape sequences in a title, a body and
a file name; Rich markup in file names; HTML, script and link syntax in a
document) is indexed once by the real `assistant index` command. The CLI
tests run the real command against it; the TUI tests drive the real app
through Pilot. The pure functions of `assistant.text.safe` get fast tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.conversation.store import ConversationStore, default_store_path
from assistant.service import AssistantService
from assistant.text.safe import has_controls
from assistant.tui.app import BriefingApp
from assistant.tui.screens import PassageScreen
from assistant.tui.widgets import TurnView

from ..conftest import CORPUS, ActiveContent, run_cli
from ..output_safety_data import TRAVERSAL
from .test_tui import ask, settle

ESCAPES = "\x1b[2J\x1b]0;pwned\x07"


SHOWN = "␛[2J␛]0;pwned␇"


EVIL_NAME = f"evil{ESCAPES}.md"


EVIL_TITLE = "Hash sharing review [bold]x[/]"


EVIL_DOC = f"""---
title: "Hash sharing \\x1b[2J\\x1b]0;pwned\\x07 review [bold]x[/]"
publisher: "Desk \\u202e weiver"
url: "javascript:alert(document.cookie)"
date: 2018-05-01
---
By May 2018 the shared hash database held 200,000 fingerprints of terrorist videos {ESCAPES} and images.
Members added <script>alert(1)</script> hashes daily <img src=x onerror=alert(2)> from each platform.
The consortium published [its report](javascript:alert(3)) with a pixel ![t](https://tracker.example/p.gif).
"""


DRAFT_NAME = "notes [draft].md"


DRAFT_DOC = """---
title: Draft notes on moderator meetings
date: 2019-02-01
---
Forum moderators met in Dublin in February 2019 to compare takedown notes on extremist channels.
"""


QUESTION = f"How many fingerprints did the shared hash database hold by May 2018? {ESCAPES}"


def _controls(text: str) -> list[str]:
    """Every control character (but newline and tab) or bidi override in `text`."""
    return sorted({repr(char) for char in text if has_controls(char)})


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("safety-env")
    (folder / "config.toml").write_text("")
    # Wide enough that no table folds a name in two.
    return {
        "ASSISTANT_CONFIG": str(folder / "config.toml"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "ASSISTANT_LOCK_TIMEOUT": "0",
        "COLUMNS": "220",
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, Any]:
    """(index folder, the `assistant index` run that built it)."""
    root = tmp_path_factory.mktemp("safety")
    library = root / "library"
    (library / "a[").mkdir(parents=True)
    (library / "a[" / "]b.md").write_text("")  # fails as empty: its path "a[/]b.md" is named in the failure line
    (library / EVIL_NAME).write_text(EVIL_DOC)
    (library / DRAFT_NAME).write_text(DRAFT_DOC)
    (library / "gifct.md").write_text((CORPUS / "notes" / "gifct-founding-hash-database.md").read_text())
    index_dir = root / "index"
    result = run_cli("index", str(library), "--index-dir", str(index_dir), env=env)
    return index_dir, result


def _cli(hostile: tuple[Path, Any], env: dict[str, str], *args: str, cwd: Path | None = None) -> Any:
    return run_cli(*args, "--index-dir", str(hostile[0]), env=env, cwd=cwd)


@pytest.mark.model
def test_index_log_and_summary_show_every_name_as_text(hostile: tuple[Path, Any]) -> None:
    result = hostile[1]
    assert result.returncode == 3, result.stderr
    shown = result.stdout + result.stderr
    assert _controls(shown) == []
    assert f"added evil{SHOWN}.md" in result.stderr
    assert f"added {DRAFT_NAME}" in result.stderr
    assert "failed a[/]b.md: file is empty" in result.stderr


@pytest.mark.model
def test_sources_and_status_list_names_verbatim(hostile: tuple[Path, Any], env: dict[str, str]) -> None:
    listed = _cli(hostile, env, "sources")
    assert listed.returncode == 0, listed.stderr
    assert _controls(listed.stdout + listed.stderr) == []
    assert DRAFT_NAME in listed.stdout and f"evil{SHOWN}.md" in listed.stdout
    assert f"Hash sharing {SHOWN} review [bold]x[/]" in listed.stdout
    assert "Desk <U+202E> weiver" in listed.stdout

    exact = json.loads(_cli(hostile, env, "sources", "--json").stdout)
    assert {d["path"] for d in exact} >= {EVIL_NAME, DRAFT_NAME}, "JSON keeps the exact names"
    status = _cli(hostile, env, "status")
    assert status.returncode == 0 and _controls(status.stdout) == []


@pytest.mark.model
def test_ask_shows_answers_citations_and_nearest_documents_without_escapes(
    hostile: tuple[Path, Any], env: dict[str, str]
) -> None:
    answered = _cli(hostile, env, "ask", QUESTION)
    assert answered.returncode == 0, answered.stderr
    assert _controls(answered.stdout + answered.stderr) == []
    assert "200,000 fingerprints" in answered.stdout and f"evil{SHOWN}.md" in answered.stdout

    exact = json.loads(_cli(hostile, env, "ask", QUESTION, "--json").stdout)
    evil = [c for c in exact["citations"] if c["path"] == EVIL_NAME]
    assert evil and ESCAPES in evil[0]["title"], "--json keeps the exact text"

    nearest = _cli(hostile, env, "ask", f"What did Bundesamt für Verfassungsschutz say about Gettr {ESCAPES}?")
    assert nearest.returncode == 0, nearest.stderr
    assert "Not covered" in nearest.stdout and _controls(nearest.stdout + nearest.stderr) == []


@pytest.mark.model
def test_markup_in_a_source_filter_is_text(hostile: tuple[Path, Any], env: dict[str, str]) -> None:
    result = _cli(hostile, env, "ask", QUESTION, "--source", "[/]")
    assert result.returncode == 0, result.stderr
    assert "Not covered" in result.stdout and "[/]" in result.stdout
    draft = _cli(hostile, env, "ask", "Where did forum moderators meet in February 2019?", "--source", "[draft]")
    assert draft.returncode == 0, draft.stderr
    assert "Dublin" in draft.stdout and DRAFT_NAME in draft.stdout


@pytest.mark.model
def test_history_and_briefs_on_a_terminal_path_show_no_escapes(
    hostile: tuple[Path, Any], env: dict[str, str], tmp_path: Path
) -> None:
    asked = _cli(hostile, env, "ask", QUESTION, "--session", f"desk {ESCAPES}")
    assert asked.returncode == 0, asked.stderr
    history = _cli(hostile, env, "history")
    assert history.returncode == 0 and _controls(history.stdout) == []
    assert f"desk {SHOWN}" in history.stdout

    brief = _cli(hostile, env, "brief", "shared hash database fingerprints")
    assert brief.returncode == 0, brief.stderr
    assert _controls(brief.stdout + brief.stderr) == []
    assert "<script" not in brief.stdout and "](javascript:" not in brief.stdout and "![" not in brief.stdout
    assert "Hash sharing" in brief.stdout, "the hostile document is among the brief's sources"

    page = tmp_path / "brief.html"
    written = _cli(hostile, env, "brief", "shared hash database fingerprints", "-f", "html", "-o", str(page))
    assert written.returncode == 0, written.stderr
    parser = ActiveContent()
    parser.feed(page.read_text())
    assert parser.found == [] and "Hash sharing" in page.read_text()


def _app(hostile: tuple[Path, Any], embedder: SentenceTransformerEmbedder, store: ConversationStore) -> BriefingApp:
    settings = Settings(index_dir=hostile[0], lock_timeout=0)
    return BriefingApp(settings, service=AssistantService(settings, embedder=embedder), store=store)


def _drawn(app: BriefingApp) -> str:
    """The screen as drawn, and the text of every widget on it."""
    parts = [app.export_screenshot()]
    parts += [str(widget.render()) for widget in app.screen.query(Static)]
    parts += [view.answer_widget.source for view in app.screen.query(TurnView)]
    return "\n".join(parts)


@pytest.mark.model
@pytest.mark.anyio
async def test_tui_draws_hostile_documents_and_arguments_as_text(
    hostile: tuple[Path, Any], real_embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    app = _app(hostile, real_embedder, ConversationStore(tmp_path / "conversations.sqlite3"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await ask(pilot, QUESTION)
        [view] = list(app.query(TurnView))
        assert view.turn is not None and view.turn.status == "answered"
        assert any(c.path == EVIL_NAME for c in view.turn.citations), "the hostile document is cited"
        drawn = _drawn(app)
        assert _controls(drawn) == []
        assert SHOWN in drawn and "[bold]x[/]" in drawn
        # Document text in the answer pane is text: no link but the citation markers.
        assert "](javascript:" not in view.answer_widget.source

        index = next(i for i, c in enumerate(app.chat.sources.sources) if c.path == EVIL_NAME)
        await pilot.press("ctrl+r", *(["down"] * index), "enter")
        await pilot.pause()
        assert isinstance(app.screen, PassageScreen) and app.screen.source.path == EVIL_NAME
        drawn = _drawn(app)
        assert _controls(drawn) == [] and f"evil{SHOWN}.md" in drawn
        await pilot.press("escape")
        await pilot.pause()

        # An argument with markup and escapes comes back as typed: in a notification and the status bar.
        await ask(pilot, f"/source [/]{ESCAPES}")
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any("Filters: source ~ '[/]" in toast for toast in toasts), toasts
        drawn = _drawn(app)
        assert _controls(drawn) == [] and f"source [/]{SHOWN}" in drawn


@pytest.mark.model
@pytest.mark.anyio
async def test_session_name_is_a_label_and_export_stays_in_the_working_folder(
    hostile: tuple[Path, Any],
    env: dict[str, str],
    real_embedder: SentenceTransformerEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = _cli(hostile, env, "ask", QUESTION, "--session", TRAVERSAL)
    assert asked.returncode == 0, asked.stderr
    history = json.loads(_cli(hostile, env, "history", "--json", "--session", TRAVERSAL).stdout)
    assert [h["conversation"] for h in history] == [TRAVERSAL], "the name is stored as given"

    work = tmp_path / "a" / "b" / "c" / "d" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    store = ConversationStore(default_store_path(Settings(index_dir=hostile[0])))
    conversation = store.find(TRAVERSAL)
    assert conversation is not None
    app = _app(hostile, real_embedder, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sidebar = [c.name for c in app.chat.query_one("#conversations").conversations]  # type: ignore[attr-defined]
        await pilot.press("ctrl+o", *(["down"] * sidebar.index(TRAVERSAL)), "enter")
        await settle(pilot)
        assert app.conversation is not None and app.conversation.name == TRAVERSAL
        await ask(pilot, "/export")
    written = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*.md"))
    assert written == [(work / "briefing-x-trav-escaped.md").relative_to(tmp_path)], "in the working folder"
