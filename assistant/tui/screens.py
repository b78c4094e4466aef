"""The TUI's screens: the conversation, a cited passage, and "no index yet".

Screens lay out widgets and post what the analyst does as messages
(`assistant.tui.messages`) to the app, which owns the state (service, store,
conversation) and the workers, and calls back the screen's own methods
(`NoIndexScreen.indexing_started`, `progress`, `failed`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Markdown, OptionList, ProgressBar, Static

from assistant.conversation.records import CitedSource
from assistant.text.safe import visible
from assistant.tui.messages import ChatReady, IndexRequested, QuestionSubmitted
from assistant.tui.widgets import (
    QUOTE_STYLE,
    ConversationList,
    QuestionInput,
    SourcesPanel,
    StatusBar,
    TurnView,
    quoted_passage,
)

WELCOME = """\
**Ask a question** about the indexed documents, for example:
*How did Facebook and YouTube try to contain the Christchurch videos?*

Follow-ups such as *and Telegram?* or *what happened after that?* build on \
the earlier questions. Answers cite their sources as `[1]`, `[2]` …: click \
one, or pick it in the Sources panel, to read the passage.

Type `/help` for commands; **ctrl+p** opens the command palette.
"""

HELP = """\
**Commands**

- `/since 2016-01-01`, `/until 2019-12-31`: only documents dated from / up to then (no date: clear)
- `/source guardian`: only documents whose publisher or path contains this (no name: clear)
- `/backend extractive|local|openai|ollama`: where answers come from
- `/clear`: start a new conversation (the current one stays in the sidebar)
- `/brief TOPIC`: write a briefing (bottom line, judgments, evidence, timeline, actors, graded sources)
- `/export [FILE]`: write this conversation as Markdown with every source and quote
- `/status`: what the index holds · `/reindex`: bring the index up to date

**Keys**: up/down recall earlier questions · Esc stops an answer · ctrl+n new conversation · \
ctrl+r sources · ctrl+o conversations (ctrl+a there: yours or everyone's) · ctrl+p command palette · \
ctrl+q quit
"""


class ChatScreen(Screen[None]):
    """The conversation, with saved conversations on the left and sources on the right.

    On a narrow terminal the side panels fold away and open as drawers over the
    conversation (class `-open`), each only while its list has focus.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Esc closes an open drawer first; otherwise it stops the answer in progress.
        Binding("escape", "fold_drawers", "Close", show=False),
        Binding("escape", "app.stop_answer", "Stop answer"),
        Binding("ctrl+n", "app.new_conversation", "New"),
        Binding("ctrl+r", "focus_sources", "Sources"),
        Binding("ctrl+o", "focus_conversations", "Conversations"),
    ]
    AUTO_FOCUS = "#question"
    # Below 100 columns the conversation list is folded away (ctrl+o opens it as a drawer);
    # below 80 the sources are too (ctrl+r), so the answer keeps the width it needs.
    HORIZONTAL_BREAKPOINTS = [(0, "-compact"), (80, "-narrow"), (100, "-roomy")]  # noqa: RUF012 - typed by Textual

    def __init__(self) -> None:
        super().__init__()
        self.views: dict[int, TurnView] = {}
        #: Turns of a resumed conversation not mounted yet (oldest first): mounted on request.
        self.earlier: list[TurnView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield Static("Your conversations", classes="panel-title", id="sidebar-title")
                yield ConversationList(id="conversations")
            with Vertical(id="main"):
                with VerticalScroll(id="conversation"):
                    yield Markdown(WELCOME, id="welcome")
                yield QuestionInput(id="question")
            yield SourcesPanel(id="sources")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conversation", VerticalScroll).anchor()
        self.post_message(ChatReady())

    @property
    def pane(self) -> VerticalScroll:
        return self.query_one("#conversation", VerticalScroll)

    @property
    def sources(self) -> SourcesPanel:
        return self.query_one(SourcesPanel)

    @property
    def question_input(self) -> QuestionInput:
        return self.query_one(QuestionInput)

    def add_view(self, view: TurnView) -> None:
        """Mount a new turn at the end: the only widget added for a new question."""
        self.views[view.ticket] = view
        for extra in self.pane.query("#welcome, .help"):
            extra.remove()
        self.pane.mount(view)
        self.pane.anchor()

    def show_help(self) -> None:
        self.pane.mount(Markdown(HELP, classes="help"))
        self.pane.anchor()

    async def reset(self, views: list[TurnView] | None = None, batch: int = 30) -> None:
        """Show another conversation: its last `batch` turns now, older ones on request."""
        views = views or []
        await self.pane.remove_children()
        self.views = {view.ticket: view for view in views}
        self.earlier = views[:-batch] if len(views) > batch else []
        shown = views[-batch:]
        if self.earlier:
            await self.pane.mount(Button(self._earlier_label(), id="earlier"))
        if shown:
            await self.pane.mount_all(shown)
        else:
            await self.pane.mount(Markdown(WELCOME, id="welcome"))
        self.pane.anchor()

    def _earlier_label(self) -> str:
        return f"▲ Show {min(len(self.earlier), 30)} earlier questions ({len(self.earlier)} not shown)"

    @on(Button.Pressed, "#earlier")
    async def show_earlier(self, event: Button.Pressed | None = None, batch: int = 30) -> None:
        """Mount the next batch of older turns above the ones shown."""
        button = self.query_one("#earlier", Button)
        chunk, self.earlier = self.earlier[-batch:], self.earlier[:-batch]
        self.pane.release_anchor()
        await self.pane.mount_all(chunk, after=button)
        if self.earlier:
            button.label = self._earlier_label()
        else:
            await button.remove()

    @on(Input.Submitted, "#question")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        field = self.question_input
        field.value = ""
        if text:
            field.remember(text)
            self.post_message(QuestionSubmitted(text))

    def on_key(self, event: events.Key) -> None:
        # Typing while the sources or conversation list has focus goes to the question,
        # so a new question never disappears into a list.
        field = self.question_input
        if event.is_printable and event.character and not isinstance(self.focused, (Input, Button)):
            event.stop()
            event.prevent_default()
            field.focus()
            field.insert_text_at_cursor(event.character)

    def action_focus_sources(self) -> None:
        self.sources.add_class("-open")
        self._focus_list("#sources-list")

    def action_focus_conversations(self) -> None:
        self.query_one("#sidebar").add_class("-open")
        self._focus_list("#conversations")

    def fold_sidebar(self) -> None:
        """On a narrow screen, put the conversation list away again."""
        self.query_one("#sidebar").remove_class("-open")

    @property
    def drawers(self) -> list[Widget]:
        """The side panels open as drawers over the conversation (a wide screen shows them in place)."""
        folded = ["#sidebar"] if not self.has_class("-roomy") else []
        if self.has_class("-compact"):
            folded.append("#sources")
        return [panel for selector in folded for panel in self.query(selector) if panel.has_class("-open")]

    def action_fold_drawers(self) -> None:
        for panel in self.drawers:
            panel.remove_class("-open")
        self.question_input.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fold_drawers":
            # Without an open drawer, Esc goes on to stop the answer.
            return bool(self.drawers)
        return True

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # A drawer is only open while its list has focus: leaving it (Tab, a click, typing a
        # question) puts it away, so it never covers the conversation by accident.
        for panel in self.query("#sidebar, #sources"):
            if event.widget in list(panel.query(OptionList)):
                panel.remove_class("-open")

    def _focus_list(self, selector: str) -> None:
        options = self.query_one(selector, OptionList)
        options.focus()
        if options.highlighted is None and options.option_count:
            options.highlighted = 0


class PassageScreen(ModalScreen[None]):
    """One cited passage with its quote highlighted (scrolled into view), and where it comes from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_citation", "Copy citation"),
        Binding("q", "copy_quote", "Copy quote"),
        Binding("escape", "dismiss", "Close"),
    ]

    # On a small terminal the dialog fills the screen, so the passage keeps some lines.
    HORIZONTAL_BREAKPOINTS = [(0, "-small"), (80, "-large")]  # noqa: RUF012 - typed by Textual
    VERTICAL_BREAKPOINTS = [(0, "-small"), (30, "-large")]  # noqa: RUF012 - typed by Textual

    def __init__(self, source: CitedSource) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        s = self.source
        body, found = quoted_passage(s.passage or s.quote, s.quote)
        facts = [
            ("Publisher", s.publisher or "unknown"),
            ("Date", s.date or "undated"),
            ("Author", s.author),
            ("Page", str(s.page) if s.page else ""),
            ("Path", s.path),
            ("URL", s.url),
        ]
        with Vertical(id="passage-dialog"):
            title = visible(s.title or s.path)
            yield Static(Content.assemble((f"[{s.n}] ", "bold"), (title, "bold")), id="passage-title")
            yield Static(
                Content("\n").join(
                    Content.assemble((f"{label:<10}", "dim"), visible(value)) for label, value in facts if value
                ),
                id="passage-meta",
            )
            if s.label:
                # The quote is a group's own words: say so before the passage, as the answer does.
                yield Static(Content.assemble((f"{s.label}.", "bold $error")), id="passage-propaganda")
            with VerticalScroll(id="passage-body"):
                yield Static(body, id="passage-text")
            note = "The highlighted span is the quote the answer cites." if found else "Quote not found in passage."
            yield Static(note, id="passage-note")
            yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_quote)

    def _show_quote(self) -> None:
        """Scroll the passage so the quote is in view: it may sit far below the top of a long passage."""
        text = self.query_one("#passage-text", Static)
        body = text.render()
        if not isinstance(body, Content):
            return
        starts = [span.start for span in body.spans if span.style == QUOTE_STYLE]
        if not starts:
            return
        # Lines above the one the quote starts on; one line of context stays above it.
        above = body[: starts[0]].get_height({}, text.content_region.width) - 1
        self.query_one("#passage-body", VerticalScroll).scroll_to(y=max(0, above - 1), animate=False)

    def action_copy_citation(self) -> None:
        self.app.copy_to_clipboard(self.source.reference())
        self.notify("Citation copied to the clipboard.")

    def action_copy_quote(self) -> None:
        self.app.copy_to_clipboard(" ".join(self.source.quote.split()))
        self.notify("Quote copied to the clipboard.")


class NoIndexScreen(Screen[None]):
    """Shown when there is no index: explains what to do and can build one here."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "build", "Build index")]
    AUTO_FOCUS = "#noindex-path"

    def __init__(self, location: str, default_path: str) -> None:
        super().__init__()
        self.location = location
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="noindex"):
            yield Static("No index yet", id="noindex-title")
            yield Markdown(
                f"There is no index at `{visible(self.location)}` yet. The assistant answers from an index "
                "of your documents.\n\n"
                "Type the folder of articles and reports to index (Markdown, text, HTML, PDF, CSV, JSONL) "
                "and press **Enter** (or **ctrl+s**). Indexing runs in the background; the first run "
                "loads the embedding model and takes a little while.\n\n"
                "From a shell, `assistant index FOLDER` does the same.",
                id="noindex-help",
            )
            with Horizontal(id="noindex-form"):
                yield Input(value=self.default_path, placeholder="folder to index, e.g. corpus/", id="noindex-path")
                yield Button("Build index", id="noindex-build", variant="primary")
            yield ProgressBar(id="noindex-progress", show_eta=False, classes="-hidden")
            yield Static("", id="noindex-activity", classes="-hidden")
        yield Footer()

    @on(Input.Submitted, "#noindex-path")
    @on(Button.Pressed, "#noindex-build")
    def action_build(self) -> None:
        value = self.query_one("#noindex-path", Input).value.strip()
        if not value:
            self.notify("Type the folder to index first.", severity="warning")
            return
        path = Path(value).expanduser()
        if not path.exists():
            self.notify(visible(f"There is no {path} here."), title="Cannot index", severity="error", markup=False)
            return
        self.post_message(IndexRequested(path))

    def indexing_started(self, path: Path) -> None:
        """The app started indexing `path`: show its progress here."""
        self.query_one("#noindex-progress").remove_class("-hidden")
        self.query_one("#noindex-activity").remove_class("-hidden")
        self.query_one("#noindex-build", Button).disabled = True
        self.query_one("#noindex-activity", Static).update(Content(visible(f"Indexing {path} …")))

    def progress(self, done: int, total: int, chunks: int, current: str) -> None:
        bar = self.query_one("#noindex-progress", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        where = f" · {current}" if current else ""
        text = f"{done}/{total} files · {chunks} chunks{where}"
        if not done and not chunks:
            text = f"Reading {total} files and loading the embedding model…"
        self.query_one("#noindex-activity", Static).update(Content(visible(text)))

    def failed(self, message: str) -> None:
        self.query_one("#noindex-progress").add_class("-hidden")
        self.query_one("#noindex-build", Button).disabled = False
        self.query_one("#noindex-activity", Static).update(Content(visible(f"Indexing failed: {message}")))
