"""The TUI (`assistant chat`) driven through Textual's Pilot, against a real index.

One module-scoped index of the demo corpus is built with the real embedding
model; every app in this module answers from it. Where a test needs to see a
state that is normally fleeting (the index still loading, an answer half
streamed, indexing in progress) the real service is wrapped so that it stops
at that point until the test releases it: the app sees the real index and
the real answers, only the timing is held still.

The `ask --session` and `history` commands are tested here too, as a
subprocess against the same index.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Button, Input, Markdown, OptionList, Static

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.conversation.records import IndexState, Turn
from assistant.conversation.store import ConversationStore
from assistant.domain import Answer, IndexReport
from assistant.search.retrieval import Filters
from assistant.service import AssistantService
from assistant.tui.app import BriefingApp
from assistant.tui.screens import ChatScreen, NoIndexScreen, PassageScreen
from assistant.tui.widgets import ConversationList, QuestionInput, SourcesPanel, TurnView

from ..conftest import CORPUS, TURN_KEYS, build_index, run_cli

pytestmark = pytest.mark.model

SIZE = (110, 36)
FACEBOOK_QUESTION = "How many copies of the Christchurch attack video did Facebook remove in the first 24 hours?"


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> tuple[Settings, Path]:
    return build_index(tmp_path_factory.mktemp("tui"), real_embedder)


@pytest.fixture(scope="module")
def shared_service(indexed: tuple[Settings, Path], real_embedder: SentenceTransformerEmbedder) -> AssistantService:
    """One service for the module, so the query encoder is loaded once."""
    return AssistantService(indexed[0], embedder=real_embedder)


class HeldService(AssistantService):
    """The real service, with points where it waits for the test to let it go on.

    - `hold_status`: `status()` waits (the index is "still loading");
    - `pieces`: `stream()` hands out the real answer's text in pieces, as a
      generative backend would, waiting for `piece_gate` after `hold_after` pieces;
    - `hold_index`: `index()` waits before it starts.
    """

    def __init__(self, base: AssistantService) -> None:
        super().__init__(base.settings, embedder=base.embedder)
        self._query_encoder = base.query_encoder
        self.hold_status = threading.Event()
        self.hold_status.set()
        self.hold_index = threading.Event()
        self.hold_index.set()
        self.piece_gate = threading.Event()
        self.piece_gate.set()
        self.pieces = 0
        self.hold_after = 1
        self.pieces_sent = 0
        self.long_answer_repeats = 1

    def status(self) -> Any:
        assert self.hold_status.wait(60)
        return super().status()

    def index(self, paths: list[Path], **options: Any) -> IndexReport:
        assert self.hold_index.wait(60)
        return super().index(paths, **options)

    def stream(self, question: str, **options: Any) -> Iterator[str | Answer]:
        final: Answer | None = None
        for item in super().stream(question, **options):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        if not self.pieces:
            yield final
            return
        text = "\n\n".join([final.text] * self.long_answer_repeats)
        size = max(1, len(text) // self.pieces)
        for number, start in enumerate(range(0, len(text), size), 1):
            yield text[start : start + size]
            self.pieces_sent += 1
            if number == self.hold_after:
                assert self.piece_gate.wait(60)
        yield final


#: The OS user the app's store records (fixed, so pictures of the sidebar do not depend on who runs the tests).
OWNER = "analyst"


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "conversations.sqlite3", owner=OWNER)


@pytest.fixture
def make_app(indexed: tuple[Settings, Path], shared_service: AssistantService, store: ConversationStore) -> Any:
    def make(service: AssistantService | None = None, **kwargs: Any) -> BriefingApp:
        return BriefingApp(indexed[0], service=service or shared_service, store=store, corpus=indexed[1], **kwargs)

    return make


# --- helpers ---------------------------------------------------------------------------


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker has finished and the messages they posted are handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def ask(pilot: Pilot[Any], text: str) -> None:
    field = pilot.app.query_one(QuestionInput)
    field.focus()
    field.value = text
    await pilot.press("enter")
    await settle(pilot)


async def wait_until(pilot: Pilot[Any], condition: Any, what: str) -> None:
    """Let the app run until `condition()` holds (bounded), for states reached by a worker."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def status_line(app: BriefingApp) -> str:
    return " ".join(
        str(app.chat.query_one(f"#{part}", Static).render()) for part in ("status-index", "status-activity")
    )


def activity(app: BriefingApp) -> str:
    """What the status bar says is running (empty when idle)."""
    return str(app.chat.query_one("#status-activity", Static).render())


def toasts(app: BriefingApp) -> list[str]:
    # Toasts are matched by CSS type name: Textual does not export the class.
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def turn_views(app: BriefingApp) -> list[TurnView]:
    return list(app.chat.query(TurnView))


def markdown_text(view: TurnView) -> str:
    return view.answer_widget.source


def static_text(widget: Static) -> str:
    return str(widget.render())


# --- start-up and answering -----------------------------------------------------------


@pytest.mark.anyio
async def test_window_appears_at_once_and_loading_shows_in_status_bar(make_app: Any, shared_service: Any) -> None:
    service = HeldService(shared_service)
    service.hold_status.clear()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The screen is up and usable while the index is still being opened.
        assert isinstance(app.screen, ChatScreen)
        assert "Loading the index" in status_line(app)
        assert "Opening the index" in status_line(app)
        assert app.focused is app.query_one(QuestionInput)
        service.hold_status.set()
        await settle(pilot)
        line = status_line(app)
        status = shared_service.status()
        assert f"{status.documents} documents · {status.chunks} chunks" in line
        assert "extractive · all-MiniLM-L6-v2" in line and "filters: none" in line
        assert activity(app) == ""


@pytest.mark.anyio
async def test_answer_shows_highlighted_markers_sources_and_is_recorded(
    make_app: Any, store: ConversationStore, shared_service: AssistantService
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        [view] = turn_views(app)
        assert view.turn is not None and view.turn.status == "answered"
        text = markdown_text(view)
        assert "1.5 million" in text
        # Every marker is drawn as highlighted inline code inside a link that opens its passage.
        for citation in view.turn.citations:
            assert f"[`[{citation.n}]`](cite:{citation.n})" in text
        assert "citations from" in static_text(view.query_one(".details", Static))

        panel = app.query_one(SourcesPanel)
        options = panel.query_one(OptionList)
        assert options.option_count == len(view.turn.citations) >= 3
        first = view.turn.citations[0]
        prompt = str(options.get_option_at_index(0).prompt)
        assert f"[{first.n}]" in prompt and first.title in prompt and first.date in prompt

    [recorded] = store.history()
    assert recorded.question == FACEBOOK_QUESTION and recorded.status == "answered"
    assert [c.quote for c in recorded.citations] == [c.quote for c in view.turn.citations]
    status = shared_service.status()
    assert recorded.index_state == IndexState(status.documents, status.chunks, status.last_indexed)


@pytest.mark.anyio
async def test_with_the_audit_off_the_chat_answers_but_keeps_nothing(
    indexed: tuple[Settings, Path], shared_service: AssistantService, store: ConversationStore
) -> None:
    settings = indexed[0].model_copy(update={"audit": False})
    app = BriefingApp(settings, service=shared_service, store=store, corpus=indexed[1])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        [view] = turn_views(app)
        assert view.turn is not None and view.turn.status == "answered" and view.turn.citations
    assert store.history() == [] and store.conversations() == []
    assert not store.path.exists()


@pytest.mark.anyio
async def test_source_opens_passage_with_quote_highlighted_and_copies(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        [view] = turn_views(app)
        assert view.turn is not None
        source = view.turn.citations[0]

        await pilot.press("ctrl+r", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PassageScreen) and screen.source == source
        body = screen.query_one("#passage-text", Static).render()
        assert source.quote in str(body)
        assert isinstance(body, Content)
        assert any(span.end - span.start == len(source.quote) for span in body.spans)
        assert "highlighted span is the quote" in static_text(screen.query_one("#passage-note", Static))
        meta = static_text(screen.query_one("#passage-meta", Static))
        assert source.path in meta and (source.publisher or "unknown") in meta

        await pilot.press("c")
        assert app.clipboard == source.reference()
        assert source.quote.split()[0] in app.clipboard and source.path in app.clipboard
        await pilot.press("q")
        assert app.clipboard == " ".join(source.quote.split())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)

        # A [n] marker in the answer opens the same screen for that citation.
        second = view.turn.citations[1]
        view.answer_widget.post_message(Markdown.LinkClicked(view.answer_widget, f"cite:{second.n}"))
        await pilot.pause()
        assert isinstance(app.screen, PassageScreen) and app.screen.source == second


@pytest.mark.anyio
async def test_follow_up_is_rewritten_shown_and_answered_from_the_rewrite(
    make_app: Any, store: ConversationStore
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        await ask(pilot, "and YouTube?")
        first, second = turn_views(app)
        assert first.query_one(".rewritten").has_class("-hidden")
        shown = static_text(second.query_one(".rewritten", Static))
        assert shown.startswith("↳ searched as: How many copies of the Christchurch attack video did YouTube remove")
        assert second.turn is not None
        paths = [c.path for c in second.turn.citations]
        # The rewritten question (not "and YouTube?") reached retrieval: YouTube's report leads.
        assert max(set(paths), key=paths.count) == "notes/christchurch-youtube-response.md"
    turns = store.history()
    assert [t.question for t in turns] == [FACEBOOK_QUESTION, "and YouTube?"]
    assert "YouTube" in turns[1].rewritten_question and "24 hours" in turns[1].rewritten_question
    assert turns[0].conversation == turns[1].conversation


@pytest.mark.anyio
async def test_input_history_walks_back_and_forth(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, "/help")
        await ask(pilot, "/since 2019")
        field = app.query_one(QuestionInput)
        field.value = "draft"
        await pilot.press("up")
        assert field.value == "/since 2019"
        await pilot.press("up")
        assert field.value == "/help"
        await pilot.press("up")
        assert field.value == "/help"
        await pilot.press("down")
        assert field.value == "/since 2019"
        await pilot.press("down")
        assert field.value == "draft"


# --- streaming, cancelling, long answers -------------------------------------------------


@pytest.mark.anyio
async def test_streamed_answer_appears_progressively_and_escape_stops_it(
    make_app: Any, shared_service: AssistantService, store: ConversationStore
) -> None:
    service = HeldService(shared_service)
    service.pieces = 6
    service.hold_after = 2
    service.piece_gate.clear()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = app.query_one(QuestionInput)
        field.value = FACEBOOK_QUESTION
        await pilot.press("enter")
        [view] = turn_views(app)
        await wait_until(pilot, lambda: service.pieces_sent == 2 and len(view.streamed) > 0, "two pieces")
        await pilot.pause()
        partial = view.streamed
        assert partial and partial in markdown_text(view)
        assert not view.finished and "Answering" in status_line(app)

        await pilot.press("escape")
        await pilot.pause()
        assert view.turn is not None and view.turn.status == "cancelled"
        assert "Stopped before the answer was complete" in markdown_text(view)
        assert activity(app) == ""
        service.piece_gate.set()
        await settle(pilot)
        # Nothing the stopped worker produced afterwards reaches the screen.
        assert view.streamed == partial and view.turn.status == "cancelled"

        # The app answers the next question normally.
        service.pieces = 0
        await ask(pilot, "Which companies founded the GIFCT?")
        last = turn_views(app)[-1].turn
        assert last is not None and last.status == "answered"
    assert [t.status for t in store.history()] == ["cancelled", "answered"]
    assert store.history()[0].answer == partial


@pytest.mark.anyio
async def test_long_answer_streams_while_the_input_stays_live(make_app: Any, shared_service: AssistantService) -> None:
    service = HeldService(shared_service)
    service.long_answer_repeats = 120  # about 100 KB of answer
    service.pieces = 400
    service.hold_after = 200
    service.piece_gate.clear()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        field = app.query_one(QuestionInput)
        field.value = FACEBOOK_QUESTION
        await pilot.press("enter")
        [view] = turn_views(app)
        await wait_until(pilot, lambda: service.pieces_sent >= 200, "half the answer")
        # Typing is handled at once while the answer is being written.
        await pilot.press(*"next")
        assert field.value == "next"
        service.piece_gate.set()
        await settle(pilot)
        assert view.turn is not None and view.turn.status == "answered"
        # Every one of the repeated copies arrived (about 100 KB for a typical answer).
        assert len(view.streamed) >= service.long_answer_repeats * len(view.turn.answer) > 50_000
        # The final answer replaces the streamed text with the cited one.
        assert "[`[1]`](cite:1)" in markdown_text(view)


# --- conversations -----------------------------------------------------------------------


def _recorded_turns(service: AssistantService, count: int) -> list[Turn]:
    answer = service.ask(FACEBOOK_QUESTION)
    state = IndexState.from_status(service.status())
    turn = Turn.from_answer(FACEBOOK_QUESTION, FACEBOOK_QUESTION, answer, state, Filters())
    return [turn] * count


@pytest.mark.anyio
async def test_resumed_400_turn_conversation_mounts_a_window_and_one_widget_per_new_turn(
    make_app: Any, store: ConversationStore, shared_service: AssistantService
) -> None:
    other = store.create(title="")
    store.add_turn(other.id, _recorded_turns(shared_service, 1)[0])
    long = store.create()
    for turn in _recorded_turns(shared_service, 400):
        store.add_turn(long.id, turn)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sidebar = app.query_one(ConversationList)
        assert [c.turns for c in sidebar.conversations] == [400, 1]
        await pilot.press("ctrl+o", "enter")
        await settle(pilot)
        assert len(app.turns) == 400
        views = turn_views(app)
        assert len(views) == 30
        assert "370 not shown" in str(app.query_one("#earlier", Button).label)
        newest = views[-1].turn
        assert newest is not None and app.query_one(SourcesPanel).sources == list(newest.citations)

        # A follow-up leans on the resumed turns and adds exactly one widget.
        await ask(pilot, "and YouTube?")
        after = turn_views(app)
        assert len(after) == 31 and after[:30] == views
        assert "YouTube" in after[-1].rewritten

        app.chat.pane.scroll_home(animate=False)
        await pilot.pause()
        await pilot.click("#earlier")
        await settle(pilot)
        assert len(turn_views(app)) == 61
    info = store.get(long.id)
    assert info is not None and info.turns == 401


@pytest.mark.anyio
async def test_new_conversation_keeps_the_old_one_in_the_sidebar(make_app: Any, store: ConversationStore) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        await ask(pilot, "/clear")
        assert turn_views(app) == [] and app.query("#welcome")
        assert app.query_one(SourcesPanel).sources == []
        # Memory is gone too: a follow-up is no longer rewritten from the old turns.
        await ask(pilot, "and YouTube?")
        assert turn_views(app)[0].rewritten == "and YouTube?"
        titles = [c.title for c in app.query_one(ConversationList).conversations]
        assert titles == ["and YouTube?", FACEBOOK_QUESTION[:59] + "…"]


@pytest.mark.anyio
async def test_narrow_terminal_folds_the_conversation_list_away(make_app: Any, store: ConversationStore) -> None:
    conversation = store.create()
    store.add_turn(conversation.id, Turn("What is the GIFCT?", "What is the GIFCT?", "answered", "An industry body."))
    app = make_app()
    async with app.run_test(size=(84, 30)) as pilot:
        await settle(pilot)
        sidebar = app.query_one("#sidebar")
        assert not sidebar.display and app.query_one(SourcesPanel).display
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert sidebar.display and app.focused is app.query_one(ConversationList)
        await pilot.press("enter")
        await settle(pilot)
        assert not sidebar.display
        assert [view.question for view in turn_views(app)] == ["What is the GIFCT?"]


@pytest.mark.anyio
async def test_small_terminal_opens_side_panels_as_drawers_over_a_full_width_answer(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        sidebar, sources, main = (app.query_one(selector) for selector in ("#sidebar", "#sources", "#main"))
        assert not sidebar.display and not sources.display
        assert main.region.width == 60, "both side panels fold away: the answer has the whole width"
        for key, panel, other in (("ctrl+o", sidebar, sources), ("ctrl+r", sources, sidebar)):
            await pilot.press(key)
            await pilot.pause()
            assert panel.display and not other.display
            # The drawer lies over the conversation: the answer column keeps its width.
            assert main.region.width == 60 and panel.region.width >= 40
            await pilot.press("escape")
            await pilot.pause()
            assert not panel.display and app.focused is app.query_one(QuestionInput)
        # Typing while a drawer's list has focus goes to the question and puts the drawer away.
        await pilot.press("ctrl+r", "w")
        await pilot.pause()
        assert not sources.display and app.query_one(QuestionInput).value == "w"


@pytest.mark.anyio
@pytest.mark.parametrize("width", [100, 160])
async def test_wide_terminal_shares_the_width_between_the_panes(make_app: Any, width: int) -> None:
    app = make_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        sidebar, sources, main = (
            app.query_one(selector).region.width for selector in ("#sidebar", "#sources", "#main")
        )
        assert sidebar + sources + main == width
        # The side panels grow with the terminal (about a third for the sources), within their minimums,
        # and the conversation keeps the largest share.
        assert abs(sources - width * 0.32) <= 1 and sidebar >= max(22, int(width * 0.18))
        assert main > max(sources, sidebar)


@pytest.mark.anyio
async def test_conversation_list_shows_owners_and_toggles_between_mine_and_everyones(
    make_app: Any, store: ConversationStore
) -> None:
    other = ConversationStore(store.path, owner="colleague")
    theirs = other.create()
    other.add_turn(theirs.id, Turn("Who runs the GIFCT?", "Who runs the GIFCT?", "answered", "Its members."))
    mine = store.create()
    store.add_turn(mine.id, Turn("What is the GIFCT?", "What is the GIFCT?", "answered", "An industry body."))

    def listed(app: BriefingApp) -> list[tuple[str, str]]:
        options = app.query_one(ConversationList)
        return [(c.owner, str(options.get_option_at_index(i).prompt)) for i, c in enumerate(options.conversations)]

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert listed(app) == [(OWNER, f"What is the GIFCT?\n1 question · {OWNER}")]
        assert static_text(app.query_one("#sidebar-title", Static)) == "Your conversations"
        await pilot.press("ctrl+o", "ctrl+a")
        await pilot.pause()
        assert [owner for owner, _ in listed(app)] == [OWNER, "colleague"]
        assert listed(app)[1][1] == "Who runs the GIFCT?\n1 question · colleague"
        assert static_text(app.query_one("#sidebar-title", Static)) == "All conversations"
        # Someone else's conversation can be read (and continued) like one's own.
        await pilot.press("down", "enter")
        await settle(pilot)
        assert [view.question for view in turn_views(app)] == ["Who runs the GIFCT?"]
        await pilot.press("ctrl+o", "ctrl+a")
        await pilot.pause()
        assert [owner for owner, _ in listed(app)] == [OWNER]

    # `assistant chat --all` starts with everyone's listed.
    app = make_app(show_all=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert {owner for owner, _ in listed(app)} == {OWNER, "colleague"}


# --- commands ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_slash_commands_set_filters_backend_and_report_mistakes(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await ask(pilot, "/since 2016-01-01")
        await ask(pilot, "/source guardian")
        assert "filters: since 2016-01-01 · source guardian" in status_line(app)
        await ask(pilot, "/source")
        await ask(pilot, "/until 2019")
        assert "filters: since 2016-01-01 · until 2019" in status_line(app)
        await ask(pilot, "/since soon")
        assert any("'soon' is not a date" in t for t in toasts(app))
        assert "filters: since 2016-01-01 · until 2019" in status_line(app)

        await ask(pilot, "/backend ollama")
        assert "ollama (llama3.2)" in status_line(app)
        await ask(pilot, "/backend gpt")
        assert any("Unknown backend" in t for t in toasts(app))
        await ask(pilot, "/frobnicate")
        assert any("Unknown command /frobnicate" in t for t in toasts(app))

        # The filters reach retrieval: a Christchurch question limited to 2016-2019 cites only those years.
        await ask(pilot, "/backend extractive")
        await ask(pilot, "What did Europol do against Telegram channels?")
        turn = turn_views(app)[-1].turn
        assert turn is not None and turn.filters == {"since": "2016-01-01", "until": "2019"}
        assert turn.citations and all("2016" <= c.date[:4] <= "2019" for c in turn.citations)


@pytest.mark.anyio
async def test_export_writes_markdown_with_sources_and_quotes(
    make_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        await ask(pilot, "/export notes/brief.md")
        turn = turn_views(app)[0].turn
        assert turn is not None
        text = (tmp_path / "notes" / "brief.md").read_text()
        # The heading is the whole question (the sidebar shows it shortened).
        assert text.startswith(f"# {FACEBOOK_QUESTION}\n")
        for citation in turn.citations:
            assert " ".join(citation.quote.split()) in text and citation.path in text
        assert "## All sources cited" in text

        # From the command palette, without a file name: briefing-<conversation>.md here.
        await pilot.press("ctrl+p")
        await pilot.press(*"Export conversation")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.conversation is not None
        assert (tmp_path / f"briefing-{app.conversation.name}.md").read_text() == text


@pytest.mark.anyio
async def test_brief_command_renders_a_brief_turn_that_exports(
    make_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await ask(pilot, "/brief")
        assert any("Name the topic" in toast for toast in toasts(app)) and not turn_views(app)
        await ask(pilot, "/brief platform responses to the Christchurch livestream")
        view = turn_views(app)[-1]
        assert view.turn is not None and view.turn.status == "answered"
        text = markdown_text(view)
        for heading in ("Bottom line up front", "Key judgments", "Timeline", "Actors and platforms", "Sources"):
            assert f"## {heading}" in text
        # Markers are clickable like an answer's, and each source keeps a quote to open.
        assert "(cite:1)" in text
        assert view.turn.citations and all(c.quote for c in view.turn.citations[:3])
        await ask(pilot, "/export brief.md")
        exported = (tmp_path / "brief.md").read_text()
        assert "## 1. /brief platform responses to the Christchurch livestream" in exported
        # The topic is the question itself, not a rewrite of it.
        assert view.query_one(".rewritten").has_class("-hidden") and "Searched as" not in exported
        assert "## Key judgments" in exported


@pytest.mark.anyio
async def test_palette_switches_backend_and_errors_are_notifications(
    make_app: Any, store: ConversationStore, shared_service: AssistantService
) -> None:
    service = HeldService(shared_service)
    # Nothing listens on this port, so the ollama backend fails fast with a connection error.
    service.settings = service.settings.model_copy(update={"ollama_base_url": "http://127.0.0.1:9"})
    app = make_app(service)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Switch backend: ollama")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.backend == "ollama" and "ollama (llama3.2)" in status_line(app)

        await ask(pilot, FACEBOOK_QUESTION)
        view = turn_views(app)[-1]
        assert view.turn is not None and view.turn.status == "error"
        assert markdown_text(view).startswith("**Error:**")
        assert any(t.startswith("Could not answer") for t in toasts(app))
        assert app.is_running and activity(app) == ""
    assert store.history()[-1].status == "error"


@pytest.mark.anyio
async def test_palette_index_status_and_reindex_with_progress(make_app: Any, shared_service: AssistantService) -> None:
    service = HeldService(shared_service)
    service.hold_index.clear()
    progress: list[Any] = []
    app = make_app(service)
    async with app.run_test(size=SIZE, notifications=True, message_hook=progress.append) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Index status")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        status = shared_service.status()
        assert any(f"{status.documents} documents · {status.chunks} chunks" in t for t in toasts(app))

        await pilot.press("ctrl+p")
        await pilot.press(*"Re-index the corpus")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert "Indexing 0/0 files" in status_line(app)
        # A question while indexing is refused with a message, not queued behind the lock.
        field = app.query_one(QuestionInput)
        field.value = FACEBOOK_QUESTION
        await pilot.press("enter")
        await pilot.pause()
        assert turn_views(app) == [] and any("Indexing is running" in t for t in toasts(app))
        service.hold_index.set()
        await settle(pilot)
        seen = [m for m in progress if type(m).__name__ == "IndexProgressed"]
        assert seen and seen[-1].files_done == seen[-1].files_total == status.sources
        assert any(f"{status.sources} unchanged" in t for t in toasts(app))
        assert activity(app) == ""


# --- no index yet ------------------------------------------------------------------------


@pytest.mark.anyio
async def test_no_index_screen_explains_and_builds_one(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder, store: ConversationStore
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("gifct-founding-hash-database.md", "europol-telegram-action-2019.md"):
        shutil.copy(CORPUS / "notes" / name, folder / name)
    # The folder's own README is kept out by its ignore file, and the toast says so.
    (folder / "README.md").write_text("About these two reports: where they came from and who copied them.")
    (folder / ".assistantignore").write_text("/README.md\n")
    settings = Settings(index_dir=tmp_path / "fresh-index", lock_timeout=0)
    service = AssistantService(settings, embedder=real_embedder)
    app = BriefingApp(settings, service=service, store=store, corpus=folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NoIndexScreen)
        assert str(tmp_path / "fresh-index") in screen.query_one("#noindex-help", Markdown).source
        path_field = screen.query_one("#noindex-path", Input)
        assert path_field.value == str(folder)

        path_field.value = str(tmp_path / "missing")
        await pilot.press("enter")
        await pilot.pause()
        assert any("There is no" in t for t in toasts(app)) and isinstance(app.screen, NoIndexScreen)

        path_field.value = str(folder)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        assert "2 documents" in status_line(app)
        assert any("1 left out by .assistantignore" in t for t in toasts(app))
        await ask(pilot, "Which companies founded the GIFCT?")
        turn = turn_views(app)[-1].turn
        assert turn is not None and turn.status == "answered"
        assert {c.path for c in turn.citations} <= {
            "gifct-founding-hash-database.md",
            "europol-telegram-action-2019.md",
        }


# --- snapshots -------------------------------------------------------------------------------


async def steady(pilot: Pilot[Any]) -> None:
    """Stop the text cursor blinking, so a snapshot does not depend on when it is taken."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_snapshot_answer_with_sources(make_app: Any, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        await ask(pilot, "and YouTube?")
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_passage(make_app: Any, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await ask(pilot, FACEBOOK_QUESTION)
        await pilot.press("ctrl+r", "down", "enter")
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_welcome_with_filters(make_app: Any, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await ask(pilot, "/since 2016-01-01")
        await ask(pilot, "/source guardian")
        app = pilot.app
        app.clear_notifications()
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


class DatedService(AssistantService):
    """The real service, with briefs dated on a fixed day so their pictures do not change with the date."""

    def __init__(self, base: AssistantService) -> None:
        super().__init__(base.settings, embedder=base.embedder)
        self._query_encoder = base.query_encoder

    def brief(self, topic: str, **options: Any) -> Any:
        return replace(super().brief(topic, **options), generated="2024-06-01")


LAYOUT_SIZES = [(60, 20), (100, 30), (160, 48)]
BRIEF_TOPIC = "platform responses to the Christchurch livestream"


@pytest.mark.parametrize("size", LAYOUT_SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("view", ["answer", "brief", "passage"])
def test_snapshot_layout(
    make_app: Any, shared_service: AssistantService, snap_compare: Any, view: str, size: tuple[int, int]
) -> None:
    """An answer, a brief (from its top) and a passage at a small, a middling and a large terminal."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if view == "brief":
            await ask(pilot, f"/brief {BRIEF_TOPIC}")
            pilot.app.chat.pane.scroll_to_widget(turn_views(pilot.app)[-1], top=True, animate=False)
        else:
            await ask(pilot, FACEBOOK_QUESTION)
        if view == "passage":
            await pilot.press("ctrl+r", "down", "enter")
            await settle(pilot)
        await steady(pilot)

    assert snap_compare(make_app(DatedService(shared_service)), terminal_size=size, run_before=run_before)


def test_snapshot_no_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: ConversationStore, snap_compare: Any
) -> None:
    # Relative paths keep the temporary folder's name out of the picture.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    settings = Settings(index_dir=Path("index"), lock_timeout=0)
    app = BriefingApp(settings, store=store, corpus=Path("corpus"))

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# --- the command line: ask --session and history ------------------------------------------------


def test_ask_session_rewrites_follow_ups_and_history_lists_them(
    indexed: tuple[Settings, Path], cli_env: dict[str, str]
) -> None:
    index_dir = str(indexed[0].index_dir)
    first = run_cli("ask", FACEBOOK_QUESTION, "--session", "desk", "--json", "--index-dir", index_dir, env=cli_env)
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["rewritten_question"] == payload["question"] == FACEBOOK_QUESTION

    second = run_cli("ask", "and YouTube?", "--session", "desk", "--json", "--index-dir", index_dir, env=cli_env)
    assert second.returncode == 0, second.stderr
    follow = json.loads(second.stdout)
    assert follow["question"] == "and YouTube?"
    assert follow["rewritten_question"].startswith("How many copies of the Christchurch attack video did YouTube")
    assert {"answer", "citations", "retrieved", "timings_ms", "status"} <= follow.keys()

    plain = run_cli("ask", "and YouTube?", "--json", "--index-dir", index_dir, env=cli_env)
    assert "rewritten_question" not in json.loads(plain.stdout), "without --session the contract is unchanged"

    listed = run_cli("history", "--json", "--index-dir", index_dir, env=cli_env)
    assert listed.returncode == 0, listed.stderr
    history = json.loads(listed.stdout)
    desk = [h for h in history if h["conversation"] == "desk"]
    assert [h["question"] for h in desk] == [FACEBOOK_QUESTION, "and YouTube?"]
    assert all(h.keys() >= TURN_KEYS for h in desk)
    assert desk[1]["rewritten_question"] == follow["rewritten_question"]
    assert desk[1]["answer"] == follow["answer"]
    assert [c["quote"] for c in desk[1]["citations"]] == [c["quote"] for c in follow["citations"]]
    assert desk[0]["index_state"]["documents"] > 0 and desk[0]["index_state"]["last_indexed"]
    assert (indexed[0].index_dir / "conversations.sqlite3").is_file()

    human = run_cli("history", "--index-dir", index_dir, env=cli_env)
    assert human.returncode == 0 and "desk" in human.stdout and "and YouTube?" in human.stdout


def test_chat_command_exists_and_bare_command_without_terminal_shows_help(cli_env: dict[str, str]) -> None:
    helped = run_cli("chat", "--help", env=cli_env)
    assert helped.returncode == 0 and "--index-dir" in helped.stdout and "--chroma-url" in helped.stdout
    bare = run_cli(env=cli_env)
    # Not a terminal: the old behaviour (usage on stdout, exit 2) is kept for scripts.
    assert bare.returncode == 2 and "Usage" in bare.stdout and "chat" in bare.stdout
