"""The Textual app: state, workers and commands of `assistant chat`.

The app owns the `AssistantService`, the `ConversationStore`, the current
conversation (a `Session`, which rewrites, answers and records its turns) and
filters. Everything slow (opening the index, warming the query encoder,
answering, indexing) runs in thread workers that hold one lock around the
service, so the UI thread never waits on a model and the service is never
used by two threads at once. Workers and screens report back with messages
(`assistant.tui.messages`); errors become notifications, never a crash.
Slash commands are parsed in `assistant.tui.commands`; the app carries them out.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from assistant.config import BACKENDS, Settings
from assistant.conversation.export import export_markdown
from assistant.conversation.records import ConversationInfo, Turn, filters_json
from assistant.conversation.session import Reply, Request, Session
from assistant.conversation.store import STORE_FAILURES, AuditTrail, ConversationStore, default_store_path
from assistant.domain import IndexStatus
from assistant.errors import AssistantError, UsageError
from assistant.search.retrieval import Filters
from assistant.service import AssistantService
from assistant.text.safe import file_slug, visible
from assistant.tui.commands import CommandError, backend_error, is_command, parse_command
from assistant.tui.messages import (
    AnswerFailed,
    AnswerPiece,
    AnswerReady,
    ChatReady,
    ConversationChosen,
    IndexFinished,
    IndexLoaded,
    IndexProgressed,
    IndexRequested,
    QuestionSubmitted,
    SourceChosen,
    TurnSelected,
    WorkFailed,
)
from assistant.tui.screens import ChatScreen, NoIndexScreen, PassageScreen
from assistant.tui.widgets import BRIEFING, SEARCHING, ConversationList, StatusBar, TurnView

# How many turns of a resumed conversation are drawn at once.
HISTORY_BATCH = 30
# Earlier questions offered by up/down in the input.
INPUT_HISTORY = 200


@dataclass
class _Pending:
    """A question (or brief) being answered, and the session that records it."""

    ticket: int
    request: Request
    session: Session
    worker: Worker[None] | None = None


class _PostingProgress:
    """Indexing progress, posted to the app at most ten times a second."""

    def __init__(self, app: BriefingApp) -> None:
        self.app = app
        self.files = 0
        self.total = 0
        self.chunks = 0
        self._last = 0.0

    def start(self, files: int, total_bytes: int) -> None:
        self.total = files
        self._post("", force=True)

    def file_done(self, path: str, status: str, chunks: int, size: int) -> None:
        if status != "removed":
            self.files += 1
        self._post(path, force=self.files >= self.total)

    def chunks_embedded(self, count: int) -> None:
        self.chunks += count
        self._post("")

    def _post(self, current: str, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= 0.1:
            self._last = now
            self.app.post_message(IndexProgressed(self.files, self.total, self.chunks, current))


class BriefingCommands(Provider):
    """The assistant's commands in the command palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        assert isinstance(app, BriefingApp)
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            (
                "New conversation",
                "Start a fresh conversation; this one stays in the sidebar",
                app.action_new_conversation,
            ),
            ("Export conversation", "Write this conversation as Markdown with every source and quote", app.export),
            ("Re-index the corpus", "Bring the index up to date with the folders indexed before", app.action_reindex),
            ("Index status", "Documents, chunks, model and when the index was last built", app.action_index_status),
            (
                "Conversations: mine / everyone's",
                "List only your conversations, or everyone's sharing this index",
                app.action_toggle_owners,
            ),
        ]
        for backend in BACKENDS:
            commands.append(
                (f"Switch backend: {backend}", f"Answer with the {backend} backend", partial(app.set_backend, backend))
            )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def describe_filters(filters: Filters) -> str:
    """Active filters, short enough for the status bar."""
    parts = [f"{name} {value}" for name, value in filters_json(filters).items()]
    return "filters: " + (" · ".join(parts) if parts else "none")


def backend_label(settings: Settings, backend: str) -> str:
    """The answer backend (and its language model) and the embedding model, as the status bar shows them."""
    embeddings = settings.embedding_model.rsplit("/", 1)[-1]
    if backend == "extractive":
        # Extractive answers quote the documents: no language model is involved.
        return f"extractive · {embeddings}"
    if backend == "openai":
        model = settings.openai_model
    elif backend == "ollama":
        model = settings.ollama_model
    else:
        model = Path(settings.local_model_path).name if settings.local_model_path else settings.local_model
    return f"{backend} ({model}) · {embeddings}"


def describe_failure(exc: Exception) -> tuple[str, str]:
    """(message, hint) for a notification: core errors speak for themselves."""
    if isinstance(exc, AssistantError):
        return str(exc), exc.hint
    return f"{type(exc).__name__}: {exc}", ""


class BriefingApp(App[None]):
    """Ask briefing questions, read the cited passages, keep the conversation."""

    CSS_PATH = "app.tcss"
    TITLE = "Briefing assistant"
    ESCAPE_TO_MINIMIZE = False
    COMMANDS = App.COMMANDS | {BriefingCommands}

    def __init__(
        self,
        settings: Settings,
        *,
        service: AssistantService | None = None,
        store: ConversationStore | None = None,
        corpus: Path | None = None,
        show_all: bool = False,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.service = service or AssistantService(settings)
        self.store = store or ConversationStore(default_store_path(settings))
        # With the `audit` setting off, conversations live only on screen.
        self.audit = AuditTrail(self.store, enabled=settings.audit)
        self.corpus = corpus if corpus is not None else Path("corpus")
        self.backend = settings.backend
        self.filters = Filters()
        self.index_status: IndexStatus | None = None
        self.loading = True
        self.indexing: IndexProgressed | None = None
        self.conversation: ConversationInfo | None = None
        #: The current conversation's follow-up flow and its finished turns.
        self.session = self._session(None)
        #: List every user's saved conversations, not only this user's (ctrl+a in the list).
        self.show_all = show_all
        self.pending: _Pending | None = None
        self.chat = ChatScreen()
        self._tickets = itertools.count(1)
        # One thread at a time inside the service (its store and caches are not shared-safe).
        self._service_lock = threading.Lock()

    def _session(self, conversation: ConversationInfo | None, turns: list[Turn] | None = None) -> Session:
        """The session of a saved conversation, or of a new one (recorded nowhere until it is created)."""
        if conversation is None:
            return Session(self.service)
        return Session(self.service, self.audit, conversation=conversation.id, turns=turns or [])

    @property
    def turns(self) -> list[Turn]:
        """Finished turns of the current conversation, oldest first."""
        return self.session.turns

    @property
    def service_busy(self) -> bool:
        """Whether a worker thread is using the service right now."""
        return self._service_lock.locked()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast. Messages carry file names, errors and questions: shown as text, never markup."""
        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout, markup=markup)

    def action_help_quit(self) -> None:
        """Ctrl+c names the quit key (Textual's hint, which is markup: toasts default to text here)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press [b]{key}[/b] to quit the app", title="Do you want to quit?", markup=True)
                return

    def get_default_screen(self) -> Screen[Any]:
        return self.chat

    def on_chat_ready(self, message: ChatReady) -> None:
        """The conversation screen is mounted: fill it in and start opening the index."""
        self.refresh_status()
        self.refresh_conversations()
        try:
            earlier = [t.question for t in self.store.history()][-INPUT_HISTORY:]
        except STORE_FAILURES:
            earlier = []
        for question in earlier:
            self.chat.question_input.remember(question)
        self.load_index()

    # --- status ----------------------------------------------------------------------

    def status_summary(self) -> str:
        status = self.index_status
        if self.loading:
            index = "Loading the index…"
        elif status is None:
            index = "Index unavailable"
        elif not status.exists:
            index = "No index"
        else:
            index = f"{status.documents:,} documents · {status.chunks:,} chunks"
        return f"{index} │ {backend_label(self.settings, self.backend)} │ {describe_filters(self.filters)}"

    def activity(self) -> str:
        if self.indexing is not None:
            p = self.indexing
            return f"Indexing {p.files_done}/{p.files_total} files · {p.chunks} chunks"
        if self.pending is not None:
            return "Answering… (Esc stops)"
        if self.loading:
            return "Opening the index and search models…"
        return ""

    def refresh_status(self) -> None:
        self.chat.query_one(StatusBar).show(self.status_summary(), self.activity())
        self.refresh_bindings()

    def refresh_conversations(self) -> None:
        try:
            conversations = self.store.conversations(everyone=self.show_all)
        except STORE_FAILURES as exc:
            self.notify(f"Cannot read saved conversations: {exc}", severity="error")
            return
        if self.conversation is not None:
            # The store names a conversation after its first question: pick that up.
            self.conversation = next((c for c in conversations if c.id == self.conversation.id), self.conversation)
        self.chat.query_one(ConversationList).show(conversations, self.conversation.id if self.conversation else None)
        # Short enough for the narrowest sidebar; each entry names its owner.
        self.chat.query_one("#sidebar-title", Static).update(
            Content("All conversations" if self.show_all else "Your conversations")
        )
        self.sub_title = visible(self.conversation.title) if self.conversation else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_answer":
            return self.pending is not None
        return True

    # --- loading the index -----------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load_index(self, announce: bool = False) -> None:
        """Open the index and warm up what answering needs, off the UI thread."""
        try:
            with self._service_lock:
                status = self.service.status()
                if status.exists:
                    self.service.lexical()
                    self.service.query_encoder.embed(["warm up"])
        except Exception as exc:  # a library failure must reach the analyst, not end the app
            self.post_message(WorkFailed("load", *describe_failure(exc)))
            return
        self.post_message(IndexLoaded(status, announce))

    def on_index_loaded(self, message: IndexLoaded) -> None:
        self.loading = False
        self.index_status = message.status
        self.refresh_status()
        status = message.status
        if not status.exists:
            if not isinstance(self.screen, NoIndexScreen) and self.indexing is None:
                self.push_screen(NoIndexScreen(status.location, str(self.corpus) if self.corpus.is_dir() else ""))
            return
        if message.announce:
            self.notify(
                f"{status.documents:,} documents · {status.chunks:,} chunks · {status.sources:,} source files\n"
                f"Embeddings: {status.embedding_model}\nLast indexed: {status.last_indexed or 'never completed'}\n"
                f"Index: {status.location}",
                title="Index status",
                timeout=10,
            )

    def on_work_failed(self, message: WorkFailed) -> None:
        if message.task == "load":
            self.loading = False
            self.index_status = None
        elif message.task == "index":
            self.indexing = None
            if isinstance(self.screen, NoIndexScreen):
                self.screen.failed(message.message)
        text = f"{message.message}\n{message.hint}" if message.hint else message.message
        self.notify(text, title=_TASK_TITLES.get(message.task, "Error"), severity="error", timeout=12)
        self.refresh_status()

    # --- indexing --------------------------------------------------------------------

    def start_indexing(self, paths: list[Path] | None) -> bool:
        """Index `paths` (None: the folders indexed before, else corpus/) in a worker."""
        if self.indexing is not None:
            self.notify("Indexing is already running.", severity="warning")
            return False
        if self.pending is not None:
            self.notify("Wait for the answer (or press Esc) before indexing.", severity="warning")
            return False
        self.indexing = IndexProgressed(0, 0, 0, "")
        self.refresh_status()
        self._index(paths)
        return True

    def action_reindex(self) -> None:
        self.start_indexing(None)

    def on_index_requested(self, message: IndexRequested) -> None:
        if self.start_indexing([message.path]) and isinstance(self.screen, NoIndexScreen):
            self.screen.indexing_started(message.path)

    @work(thread=True, group="index", exit_on_error=False)
    def _index(self, paths: list[Path] | None) -> None:
        try:
            with self._service_lock:
                targets = paths or self.service.indexed_roots()
                if not targets and self.corpus.is_dir():
                    targets = [self.corpus]
                if not targets:
                    raise UsageError("nothing has been indexed yet", hint="Type a folder to index.")
                report = self.service.index(targets, progress=_PostingProgress(self))
                status = self.service.status()
        except Exception as exc:  # a library failure must reach the analyst, not end the app
            self.post_message(WorkFailed("index", *describe_failure(exc)))
            return
        self.post_message(IndexFinished(report, status))

    def on_index_progressed(self, message: IndexProgressed) -> None:
        if self.indexing is None:
            return
        self.indexing = message
        self.refresh_status()
        if isinstance(self.screen, NoIndexScreen):
            self.screen.progress(message.files_done, message.files_total, message.chunks, message.current)

    def on_index_finished(self, message: IndexFinished) -> None:
        self.indexing = None
        self.index_status = message.status
        report = message.report
        failed = f"\n{len(report.failed)} file(s) failed, e.g. {report.failed[0].path}" if report.failed else ""
        # What an ignore file left out is said, so a document missing from the library is not a mystery.
        left_out = f" · {len(report.excluded)} left out by .assistantignore" if report.excluded else ""
        self.notify(
            f"{report.added} added · {report.updated} updated · {report.removed} removed · "
            f"{report.unchanged} unchanged{left_out}\n{message.status.documents:,} documents · "
            f"{message.status.chunks:,} chunks{failed}",
            title="Index updated",
            severity="warning" if report.failed else "information",
            timeout=10,
        )
        if isinstance(self.screen, NoIndexScreen):
            self.pop_screen()
        self.refresh_status()
        # Warm the query encoder now rather than on the first question.
        self.load_index()

    # --- asking ----------------------------------------------------------------------

    def on_question_submitted(self, message: QuestionSubmitted) -> None:
        self.submit(message.text)

    def submit(self, text: str) -> None:
        """A line from the input: a slash command or a question."""
        if is_command(text):
            self.run_command(text)
        else:
            self.ask(text)

    def _can_start(self) -> bool:
        """Whether a question or brief may start now; says why not when it may not."""
        if self.pending is not None:
            self.notify("Still answering the last question. Press Esc to stop it.", severity="warning")
            return False
        if self.indexing is not None:
            self.notify("Indexing is running; ask again when it has finished.", severity="warning")
            return False
        if self.index_status is not None and not self.index_status.exists:
            self.push_screen(NoIndexScreen(self.index_status.location, str(self.corpus)))
            return False
        return True

    def ask(self, question: str) -> None:
        if self._can_start():
            request = self.session.prepare(question, filters=self.filters, backend=self.backend)
            self._start(request, _waiting_text(self.backend))

    def write_brief(self, topic: str) -> None:
        """Start a brief on `topic`; it arrives as a turn of the conversation, exported with it."""
        if self._can_start():
            self._start(self.session.prepare_brief(topic, filters=self.filters, backend=self.backend), BRIEFING)

    def _start(self, request: Request, waiting: str) -> None:
        """Show the new turn and answer it in a worker (the conversation is created on first use)."""
        if self.conversation is None and self.audit.enabled:
            try:
                self.conversation = self.store.create()
            except STORE_FAILURES as exc:
                self.notify(f"This conversation will not be saved: {exc}", severity="error")
            else:
                self.session = self._session(self.conversation, self.session.turns)
        ticket = next(self._tickets)
        self.chat.add_view(TurnView(ticket, request.question, request.rewritten, waiting=waiting))
        self.pending = _Pending(ticket, request, self.session)
        self.pending.worker = self._answer(self.pending)
        self.refresh_status()

    @work(thread=True, group="answer", exit_on_error=False)
    def _answer(self, pending: _Pending) -> None:
        worker = get_current_worker()
        reply: Reply | None = None
        try:
            with self._service_lock:
                for item in pending.session.stream(pending.request):
                    if worker.is_cancelled:
                        # Stopped: the session records nothing more (the stop recorded what was shown).
                        return
                    if isinstance(item, Reply):
                        reply = item
                    elif isinstance(item, str):
                        self.post_message(AnswerPiece(pending.ticket, item))
        except Exception as exc:  # a library failure must reach the analyst, not end the app
            self._failed(pending, *describe_failure(exc))
            return
        if reply is not None:
            self._report_unsaved(reply)
            self.post_message(AnswerReady(pending.ticket, reply.turn))

    def _failed(self, pending: _Pending, text: str, hint: str) -> None:
        if get_current_worker().is_cancelled:
            return
        reply = pending.session.failed(pending.request, text, hint)
        self._report_unsaved(reply)
        self.post_message(AnswerFailed(pending.ticket, reply.turn, hint))

    def _save(self, session: Session, turn: Turn) -> None:
        """Record a turn the analyst ended (from a worker thread)."""
        self._report_unsaved(session.record(turn))

    def _report_unsaved(self, reply: Reply) -> None:
        if reply.unsaved:
            self.post_message(WorkFailed("save", f"The answer was not saved: {reply.unsaved}"))

    async def on_answer_piece(self, message: AnswerPiece) -> None:
        view = self.chat.views.get(message.ticket)
        if view is not None and self.pending is not None and self.pending.ticket == message.ticket:
            await view.append_piece(message.text)

    async def on_answer_ready(self, message: AnswerReady) -> None:
        await self._settle(message.ticket, message.turn)

    async def on_answer_failed(self, message: AnswerFailed) -> None:
        if await self._settle(message.ticket, message.turn):
            text = f"{message.turn.answer}\n{message.hint}" if message.hint else message.turn.answer
            self.notify(text, title="Could not answer", severity="error", timeout=12)

    async def _settle(self, ticket: int, turn: Turn) -> bool:
        """Show a finished turn, if it is still the one being waited for."""
        if self.pending is None or self.pending.ticket != ticket:
            return False
        self.pending = None
        view = self.chat.views.get(ticket)
        if view is not None:
            await view.finish(turn)
        self.chat.sources.show(turn)
        self.refresh_status()
        self.refresh_conversations()
        return True

    async def action_stop_answer(self) -> None:
        """Stop the answer in progress (Esc); what was shown so far is kept, marked as stopped."""
        pending = self.pending
        if pending is None:
            return
        if pending.worker is not None:
            pending.worker.cancel()
        view = self.chat.views.get(pending.ticket)
        turn = pending.session.stopped(pending.request, view.streamed if view else "")
        self.run_worker(partial(self._save, pending.session, turn), thread=True, group="save")
        await self._settle(pending.ticket, turn)
        self.notify("Stopped the answer.", timeout=3)

    # --- conversations ---------------------------------------------------------------

    def action_toggle_owners(self) -> None:
        """Between this user's conversations and everyone's sharing the index."""
        self.show_all = not self.show_all
        self.refresh_conversations()
        whose = "everyone's conversations" if self.show_all else f"only {self.store.owner}'s conversations"
        self.notify(f"Listing {whose}.", timeout=3)

    async def action_new_conversation(self) -> None:
        if self.pending is not None:
            self.notify("Wait for the answer (or press Esc) first.", severity="warning")
            return
        self.conversation = None
        self.session = self._session(None)
        await self.chat.reset()
        self.chat.sources.show(None)
        self.refresh_conversations()
        self.chat.question_input.focus()

    async def on_conversation_chosen(self, message: ConversationChosen) -> None:
        if self.pending is not None:
            self.notify("Wait for the answer (or press Esc) before switching.", severity="warning")
            return
        try:
            turns = self.store.turns(message.conversation.id)
        except STORE_FAILURES as exc:
            self.notify(f"Cannot read that conversation: {exc}", severity="error")
            return
        self.conversation = message.conversation
        self.session = self._session(message.conversation, turns)
        views = [TurnView(next(self._tickets), t.question, t.rewritten_question, t) for t in turns]
        await self.chat.reset(views, HISTORY_BATCH)
        self.chat.fold_sidebar()
        self.chat.sources.show(turns[-1] if turns else None)
        self.refresh_conversations()
        self.chat.question_input.focus()

    def on_turn_selected(self, message: TurnSelected) -> None:
        view = self.chat.views.get(message.ticket)
        if view is not None and view.turn is not None:
            self.chat.sources.show(view.turn)

    def on_source_chosen(self, message: SourceChosen) -> None:
        self.push_screen(PassageScreen(message.source))

    # --- commands --------------------------------------------------------------------

    def run_command(self, line: str) -> None:
        """Carry out a slash command (parsed and checked in `assistant.tui.commands`)."""
        command = parse_command(line)
        if isinstance(command, CommandError):
            self.notify(command.message, title=command.title, severity=command.severity)
            return
        name, argument = command.name, command.argument
        if name in ("since", "until"):
            self.filters = replace(self.filters, **{name: argument or None})
            self._filters_changed()
        elif name == "source":
            self.filters = replace(self.filters, source=argument or None)
            self._filters_changed()
        elif name == "backend":
            self.set_backend(argument)
        elif name == "new":
            self.run_worker(self.action_new_conversation(), group="ui")
        elif name == "brief":
            self.write_brief(argument)
        elif name == "export":
            self.export(argument or None)
        elif name == "help":
            self.chat.show_help()
        elif name == "status":
            self.action_index_status()
        elif name == "reindex":
            self.start_indexing([Path(argument).expanduser()] if argument else None)

    def _filters_changed(self) -> None:
        described = self.filters.describe()
        self.notify(f"Filters: {described}." if described else "Filters cleared.", timeout=4)
        self.refresh_status()

    def set_backend(self, backend: str) -> None:
        problem = backend_error(backend)
        if problem is not None:
            self.notify(problem.message, title=problem.title, severity=problem.severity)
            return
        self.backend = backend
        self.notify(f"Answers now come from the {backend} backend.", timeout=4)
        self.refresh_status()

    def action_index_status(self) -> None:
        self.load_index(announce=True)

    def export(self, target: str | None = None) -> Path | None:
        """Write the conversation as Markdown (default: briefing-<name>.md here).

        The conversation's name is a label typed by anyone (`ask --session`): the default
        file name is built from a slug of it, so it always lands in the working folder.
        """
        if not self.turns:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return None
        name = self.conversation.name if self.conversation else "conversation"
        path = Path(target).expanduser() if target else Path.cwd() / f"briefing-{file_slug(name)}.md"
        title = self.conversation.title if self.conversation else ""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(export_markdown(title, self.turns), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Cannot write {path}: {exc.strerror or exc}", title="Export failed", severity="error")
            return None
        self.notify(f"Exported {len(self.turns)} question(s) to {path}", title="Exported", timeout=6)
        return path


def _waiting_text(backend: str) -> str:
    if backend == "extractive":
        return SEARCHING
    return f"*Searching the indexed documents, then asking the {backend} model (the first answer loads it)…*"


_TASK_TITLES = {"load": "Cannot open the index", "index": "Indexing failed", "save": "Not saved"}


def run_chat(settings: Settings, *, show_all: bool = False) -> None:
    """Open the app (the `assistant chat` command; `--all` lists everyone's conversations)."""
    app = BriefingApp(settings, show_all=show_all)
    # Our own loop rather than asyncio.run(), which would wait for every worker thread.
    loop = asyncio.new_event_loop()
    try:
        app.run(loop=loop)
        if app.service_busy:
            # A worker thread is still inside the service (indexing, or a model loading or
            # writing) and threads cannot be interrupted: leave without waiting for it.
            # Indexing is safe to stop at any point; the next run completes it.
            if app.indexing is not None:
                print("Indexing was stopped before it finished; `assistant index` completes it.", file=sys.stderr)
            sys.stderr.flush()
            sys.stdout.flush()
            os._exit(0)
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()
