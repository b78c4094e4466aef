"""The follow-up flow through `Session`, with the real index and model: the core, `ask --session` and the chat.

A follow-up is rewritten from the conversation's earlier turns, answered from
the rewrite and recorded with the index state, the same way whichever front
end asks it; the store's failures are reported the way each front end
promises (a warning for a plain `ask`, exit 1 for a named session).
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.conversation.records import IndexState, Turn
from assistant.conversation.session import Session
from assistant.conversation.store import SCHEMA_VERSION, STORE_FILE, AuditTrail, ConversationStore
from assistant.service import AssistantService
from assistant.tui.app import BriefingApp
from assistant.tui.widgets import QuestionInput, TurnView

from ..conftest import build_index, run_cli

pytestmark = pytest.mark.model

FIRST = "How many copies of the Christchurch attack video did Facebook remove in the first 24 hours?"
FOLLOW_UP = "and YouTube?"
YOUTUBE_NOTE = "notes/christchurch-youtube-response.md"


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> tuple[Settings, Path]:
    return build_index(tmp_path_factory.mktemp("session"), real_embedder)


@pytest.fixture(scope="module")
def service(indexed: tuple[Settings, Path], real_embedder: SentenceTransformerEmbedder) -> AssistantService:
    return AssistantService(indexed[0], embedder=real_embedder)


@pytest.fixture
def own_index(indexed: tuple[Settings, Path], tmp_path: Path) -> Path:
    """A private copy of the index, so what one test records (or breaks) no other test sees."""
    target = tmp_path / "index"
    shutil.copytree(indexed[0].index_dir, target)
    return target


def _fields(turn: Turn) -> dict[str, Any]:
    """What a turn records about the question and its answer (not where or when it was saved)."""
    record = turn.to_json()
    for key in ("conversation", "owner", "asked_at"):
        record.pop(key)
    return {**record, "note": turn.note, "nearest": list(turn.nearest)}


# --- the core ---------------------------------------------------------------------------------


def test_a_follow_up_through_a_session_is_rewritten_answered_and_recorded(
    service: AssistantService, tmp_path: Path
) -> None:
    store = ConversationStore(tmp_path / STORE_FILE, owner="ana")
    session = Session(service, AuditTrail(store), conversation="desk")
    first = session.ask(FIRST)
    request = session.prepare(FOLLOW_UP)
    assert request.is_rewritten and request.rewritten.startswith(
        "How many copies of the Christchurch attack video did YouTube remove"
    )
    second = session.run(request)

    assert second.answer is not None and second.answer.question == request.rewritten
    paths = [c.path for c in second.turn.citations]
    # The rewrite (not "and YouTube?") reached retrieval: YouTube's own report leads the citations.
    assert max(set(paths), key=paths.count) == YOUTUBE_NOTE
    # And the answer is about YouTube: it does not open with the Facebook figure the first turn gave.
    assert "YouTube" in second.answer.citations[0].quote
    recorded = store.history("desk")
    assert recorded == [first.turn, second.turn] == session.turns
    assert [(t.question, t.rewritten_question) for t in recorded] == [(FIRST, FIRST), (FOLLOW_UP, request.rewritten)]
    assert recorded[1].index_state == IndexState.from_status(service.status())
    assert recorded[1].index_state.documents > 0 and not second.unsaved

    # A later run of the assistant resumes the same memory from the store.
    again = Session.resume(service, AuditTrail(store), "desk")
    assert again.prepare(FOLLOW_UP).rewritten == request.rewritten


def test_a_session_without_a_store_remembers_its_turns_and_writes_nothing(
    service: AssistantService, tmp_path: Path
) -> None:
    store = ConversationStore(tmp_path / STORE_FILE)
    for session in (Session(service), Session(service, AuditTrail(store, enabled=False), conversation="desk")):
        session.ask(FIRST)
        follow = session.ask(FOLLOW_UP)
        assert "YouTube" in follow.turn.rewritten_question and "24 hours" in follow.turn.rewritten_question
        assert [t.question for t in session.turns] == [FIRST, FOLLOW_UP]
        assert follow.turn.id == 0 and follow.turn.index_state is not None and not follow.unsaved
    assert not store.path.exists() and list(tmp_path.iterdir()) == []


# --- the same turn from `ask --session` and the chat -------------------------------------------


async def _chat(app: BriefingApp, questions: list[str]) -> list[Turn]:
    async with app.run_test(size=(110, 36)) as pilot:
        await _settle(pilot)
        for question in questions:
            field = app.query_one(QuestionInput)
            field.focus()
            field.value = question
            await pilot.press("enter")
            await _settle(pilot)
        shown = [view.turn for view in app.chat.query(TurnView)]
    assert all(turn is not None for turn in shown)
    return [turn for turn in shown if turn is not None]


async def _settle(pilot: Pilot[Any]) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_ask_session_and_the_chat_record_the_same_turns(
    own_index: Path, service: AssistantService, cli_env: dict[str, str], tmp_path: Path
) -> None:
    for question in (FIRST, FOLLOW_UP):
        done = run_cli("ask", question, "--session", "desk", "--json", "--index-dir", str(own_index), env=cli_env)
        assert done.returncode == 0, done.stderr
    from_cli = ConversationStore(own_index / STORE_FILE).history("desk")

    chat_store = ConversationStore(tmp_path / "chat.sqlite3", owner="ana")
    shown = await _chat(BriefingApp(service.settings, service=service, store=chat_store), [FIRST, FOLLOW_UP])
    from_chat = chat_store.history()

    assert [t.question for t in from_cli] == [t.question for t in from_chat] == [FIRST, FOLLOW_UP]
    assert from_chat[1].rewritten_question.startswith("How many copies of the Christchurch attack video did YouTube")
    assert [_fields(t) for t in from_cli] == [_fields(t) for t in from_chat] == [_fields(t) for t in shown]
    assert len({t.conversation for t in from_chat}) == 1


# --- the store failing, as each front end promises ----------------------------------------------


def test_a_store_that_cannot_be_written_warns_a_plain_ask_and_fails_a_session(
    own_index: Path, cli_env: dict[str, str]
) -> None:
    # A folder where the database file should be: SQLite cannot open it.
    (own_index / STORE_FILE).mkdir()
    plain = run_cli("ask", FIRST, "--index-dir", str(own_index), env=cli_env)
    assert plain.returncode == 0, plain.stderr
    assert "warning: this was not recorded in the audit trail" in plain.stderr and "1.5 million" in plain.stdout

    named = run_cli("ask", FIRST, "--session", "desk", "--json", "--index-dir", str(own_index), env=cli_env)
    assert named.returncode == 1 and "cannot use the conversation store" in named.stderr
    assert named.stdout == "", "a session whose memory cannot be kept prints no answer"


def _newer_store(path: Path) -> tuple[bytes, int]:
    ConversationStore(path, owner="ana").add_turn(
        ConversationStore(path, owner="ana").create("desk").id, Turn(FIRST, FIRST, "answered", "Kept.")
    )
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.commit()
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_store_from_a_newer_version_is_refused_by_the_command_line_and_left_unchanged(
    own_index: Path, cli_env: dict[str, str]
) -> None:
    path = own_index / STORE_FILE
    before = _newer_store(path)
    index = ("--index-dir", str(own_index))

    history = run_cli("history", *index, env=cli_env)
    assert history.returncode == 1 and "cannot use the conversation store" in history.stderr
    assert "newer version of the assistant" in history.stderr and "upgrade" in history.stderr
    named = run_cli("ask", FOLLOW_UP, "--session", "desk", *index, env=cli_env)
    assert named.returncode == 1 and "newer version" in named.stderr and named.stdout == ""
    plain = run_cli("ask", FIRST, *index, env=cli_env)
    assert (
        plain.returncode == 0 and "not recorded in the audit trail" in plain.stderr and "newer version" in plain.stderr
    )
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_chat_answers_beside_a_newer_store_and_leaves_it_unchanged(
    service: AssistantService, tmp_path: Path
) -> None:
    path = tmp_path / STORE_FILE
    before = _newer_store(path)
    app = BriefingApp(service.settings, service=service, store=ConversationStore(path, owner="ana"))
    async with app.run_test(size=(110, 36), notifications=True) as pilot:
        await _settle(pilot)
        field = app.query_one(QuestionInput)
        field.value = FIRST
        await pilot.press("enter")
        await _settle(pilot)
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        [view] = list(app.chat.query(TurnView))
        assert view.turn is not None and view.turn.status == "answered" and app.is_running
    assert any("Cannot read saved conversations" in t and "newer version" in t for t in toasts)
    assert any("will not be saved" in t for t in toasts)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
