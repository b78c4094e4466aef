"""The TUI's own widgets: a turn of the conversation, the sources panel, the
conversation list, the status bar and the question input with history.

Each turn is its own widget (question, rewritten question, answer as
Markdown), so a new answer or a streamed piece touches one widget and a long
conversation never re-renders earlier turns. Widgets only draw what they are
given; they post messages for the app to act on. Text from documents, file
names and questions is drawn as text: control characters made visible
(`assistant.text.safe`), never read as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Markdown, OptionList, Static
from textual.widgets.markdown import MarkdownStream
from textual.widgets.option_list import Option

from assistant.conversation.records import CitedSource, ConversationInfo, Turn, shows_rewrite
from assistant.text.safe import markdown_text, visible
from assistant.tui.messages import ConversationChosen, SourceChosen, TurnSelected

# A citation marker as `markdown_text` leaves it: `[1]` becomes `\[1\]`.
_MARKER = re.compile(r"\\\[(\d+)\\\]")
_UNSUPPORTED = markdown_text("[unsupported]")
SEARCHING = "*Searching the indexed documents…*"
#: How the quoted span of a passage is drawn.
QUOTE_STYLE = "bold $text on $warning 40%"
BRIEFING = "*Writing a brief: one search per facet of the topic, then grading the sources…*"


def is_brief(turn: Turn) -> bool:
    """Whether the turn is a brief, whose answer is Markdown already escaped by the brief writer."""
    return turn.question.startswith("/brief ")


def answer_markdown(turn: Turn) -> str:
    """A recorded turn as Markdown, with every `[n]` marker a highlighted, clickable link.

    An answer quotes documents: it is escaped, so only the markers are links.
    """
    text = visible(turn.answer.strip()) if is_brief(turn) else markdown_text(turn.answer.strip())
    if turn.status == "answered":
        if is_brief(turn):
            return re.sub(r"\[(\d+)\]", _cite_link, text).replace("[unsupported]", "**⚠\u00a0unsupported**")
        # Inline code inside a link: drawn highlighted, and a click opens the passage.
        return _MARKER.sub(_cite_link, text).replace(_UNSUPPORTED, "**⚠\u00a0unsupported**")
    if turn.status == "not_covered":
        lines = [f"**Not covered.** {text}"]
        if turn.nearest:
            lines += ["", "Nearest documents:", "", *[f"- {markdown_text(line)}" for line in turn.nearest]]
        return "\n".join(lines)
    if turn.status == "cancelled":
        return f"{text}\n\n*Stopped before the answer was complete.*" if text else "*Stopped.*"
    return f"**Error:** {text}"


def _cite_link(marker: re.Match[str]) -> str:
    return f"[`[{marker.group(1)}]`](cite:{marker.group(1)})"


def turn_details(turn: Turn) -> str:
    """The line under an answer: how many sources, which backend, which filters."""
    parts = []
    if turn.status == "answered":
        count = len({c.path for c in turn.citations})
        if turn.citations:
            cited = f"{len(turn.citations)} citation{'s' if len(turn.citations) != 1 else ''}"
            parts.append(f"{cited} from {count} document{'s' if count != 1 else ''}")
        else:
            parts.append("no citations")
    else:
        parts.append({"not_covered": "not covered", "cancelled": "stopped", "error": "failed"}.get(turn.status, ""))
    if turn.backend:
        parts.append(turn.backend)
    if turn.filters:
        parts.append("filters: " + ", ".join(f"{k} {v}" for k, v in turn.filters.items()))
    return visible(" · ".join(parts))


class AnswerMarkdown(Markdown):
    """An answer: links are citation markers, handled by the turn rather than opened."""

    def __init__(self, markdown: str, classes: str = "answer") -> None:
        super().__init__(markdown, classes=classes, open_links=False)


class TurnView(Vertical):
    """One question and its answer, from "searching" through streaming to the cited result."""

    def __init__(
        self, ticket: int, question: str, rewritten: str, turn: Turn | None = None, *, waiting: str = SEARCHING
    ) -> None:
        super().__init__(classes="turn")
        self.waiting = waiting
        self.ticket = ticket
        self.question = question
        self.rewritten = rewritten
        self.turn = turn
        self.streamed = ""
        self._stream: MarkdownStream | None = None
        if turn is not None:
            self.add_class(f"-{turn.status.replace('_', '-')}")

    @property
    def finished(self) -> bool:
        return self.turn is not None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="question-row"):
            yield Static("❯", classes="prompt")
            yield Static(Content(visible(self.question)), classes="question")
        shown = shows_rewrite(self.question, self.rewritten)
        yield Static(
            Content(visible(f"↳ searched as: {self.rewritten}") if shown else ""),
            classes="rewritten" + ("" if shown else " -hidden"),
        )
        yield AnswerMarkdown(answer_markdown(self.turn) if self.turn else self.waiting)
        yield Static(Content(turn_details(self.turn) if self.turn else ""), classes="details")

    @property
    def answer_widget(self) -> AnswerMarkdown:
        return self.query_one(AnswerMarkdown)

    async def append_piece(self, text: str) -> None:
        """Show more of the text a model is writing."""
        if self.finished:
            return
        if self._stream is None:
            await self.answer_widget.update("")
            self._stream = Markdown.get_stream(self.answer_widget)
        self.streamed += text
        await self._stream.write(visible(text))

    async def finish(self, turn: Turn) -> None:
        """Replace whatever is shown with the recorded turn."""
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None
        self.turn = turn
        self.add_class(f"-{turn.status.replace('_', '-')}")
        await self.answer_widget.update(answer_markdown(turn))
        self.query_one(".details", Static).update(Content(turn_details(turn)))

    def source(self, n: int) -> CitedSource | None:
        if self.turn is None:
            return None
        return next((c for c in self.turn.citations if c.n == n), None)

    @on(Markdown.LinkClicked)
    def _open_citation(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        if event.href.startswith("cite:") and event.href[5:].isdigit():
            found = self.source(int(event.href[5:]))
            if found is not None:
                self.post_message(SourceChosen(found))

    def on_click(self) -> None:
        self.post_message(TurnSelected(self.ticket))


class SourcesPanel(Vertical):
    """The numbered sources of the answer in view; choosing one opens its passage."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sources: list[CitedSource] = []

    def compose(self) -> ComposeResult:
        yield Static("Sources", classes="panel-title")
        yield Static(Content("No answer yet."), id="sources-caption")
        yield OptionList(id="sources-list")

    def show(self, turn: Turn | None) -> None:
        options = self.query_one("#sources-list", OptionList)
        caption = self.query_one("#sources-caption", Static)
        options.clear_options()
        self.sources = list(turn.citations) if turn else []
        if turn is None:
            caption.update(Content("No answer yet."))
            return
        if turn.status == "not_covered":
            caption.update(Content("Not covered. Nearest documents:"))
            options.add_options([Option(Content(visible(line)), disabled=True) for line in turn.nearest])
            return
        if not self.sources:
            caption.update(Content("This answer cites no sources."))
            return
        caption.update(Content("Enter or click: open the passage"))
        first: dict[str, int] = {}
        prompts = []
        for c in self.sources:
            prompts.append(Option(_source_prompt(c, first.get(c.path)), id=f"source-{c.n}"))
            first.setdefault(c.path, c.n)
        options.add_options(prompts)
        options.highlighted = 0

    @on(OptionList.OptionSelected, "#sources-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.sources):
            self.post_message(SourceChosen(self.sources[event.option_index]))


def _source_prompt(source: CitedSource, same_as: int | None = None) -> Content:
    # A group's own words are marked under the source, as in the answer.
    label = ("\n", (source.label, "bold $error")) if source.label else ()
    if same_as is not None:
        # Extractive answers cite several sentences of one document: say so instead of repeating it.
        return Content.assemble((f"[{source.n}] ", "bold"), (f"↳ same document as [{same_as}]", "dim"), *label)
    return Content.assemble(
        (f"[{source.n}] ", "bold"),
        visible(source.title or source.path),
        "\n",
        (visible(f"{source.publisher or 'unknown publisher'} · {source.date or 'undated'}"), "dim"),
        *label,
    )


class ConversationList(OptionList):
    """Saved conversations, most recent first, each with who started it; choosing one resumes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+a", "app.toggle_owners", "Mine / everyone's")]

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversations: list[ConversationInfo] = []

    def show(self, conversations: Sequence[ConversationInfo], current: int | None) -> None:
        self.conversations = list(conversations)
        self.clear_options()
        self.add_options(
            [
                Option(
                    Content.assemble(visible(c.title or c.name), "\n", (visible(_conversation_facts(c)), "dim")),
                    id=f"conversation-{c.id}",
                )
                for c in self.conversations
            ]
        )
        ids = [c.id for c in self.conversations]
        # Keep a highlight when the list is redrawn (e.g. toggled to everyone's) so the keys go on working.
        self.highlighted = ids.index(current) if current in ids else (0 if ids else None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.conversations):
            self.post_message(ConversationChosen(self.conversations[event.option_index]))


def _conversation_facts(conversation: ConversationInfo) -> str:
    """The line under a conversation's title: how many questions, and whose it is."""
    facts = [f"{conversation.turns} question{'s' if conversation.turns != 1 else ''}"]
    if conversation.owner:
        facts.append(conversation.owner)
    return " · ".join(facts)


class StatusBar(Horizontal):
    """One line: what the index holds, backend and model, filters, and what is running."""

    def compose(self) -> ComposeResult:
        yield Static(Content("Loading the index…"), id="status-index")
        yield Static(Content(""), id="status-activity")

    def show(self, summary: str, activity: str) -> None:
        self.query_one("#status-index", Static).update(Content(visible(summary)))
        self.query_one("#status-activity", Static).update(Content(visible(activity)))


class QuestionInput(Input):
    """The question line; up and down walk through earlier questions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Earlier question", show=False),
        Binding("down", "history(1)", "Later question", show=False),
    ]

    def __init__(self, id: str | None = None) -> None:
        super().__init__(placeholder="Ask a question about the documents, or type /help", id=id)
        self.history: list[str] = []
        self._position: int | None = None
        self._draft = ""

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._position = None

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.value
            self._position = len(self.history)
        position = max(0, self._position + step)
        if position >= len(self.history):
            self._position = None
            self.value = self._draft
        else:
            self._position = position
            self.value = self.history[position]
        self.cursor_position = len(self.value)


def quoted_passage(passage: str, quote: str) -> tuple[Content, bool]:
    """The passage with the quoted span highlighted, and whether the quote was found in it."""
    # Both made visible alike, so the quote is still found where it was.
    passage, quote = visible(passage), visible(quote)
    start = passage.find(quote)
    end = start + len(quote)
    if start < 0 and quote.strip():
        # Whitespace may differ between stored passage and quote: match word by word.
        pattern = r"\s+".join(re.escape(word) for word in quote.split())
        match = re.search(pattern, passage)
        if match:
            start, end = match.span()
    if start < 0:
        return Content(passage), False
    return Content(passage).stylize(QUOTE_STYLE, start, end), True
