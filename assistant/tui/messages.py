"""Messages the TUI's workers, screens and widgets send to the app.

Worker threads never touch widgets: they post one of these to the app (Textual's
`post_message` is thread-safe) and the app updates the screen on its own
thread. Screens and widgets never call the app either: they post what the
analyst did, so nothing in the UI imports the app module. Each answer
carries the `ticket` of the turn it belongs to, so pieces of an answer that
was cancelled, or of an earlier conversation, are dropped.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from assistant.conversation.records import CitedSource, ConversationInfo, Turn
from assistant.domain import IndexReport, IndexStatus


class IndexLoaded(Message):
    """The index was opened (and its search models warmed up), or found missing."""

    def __init__(self, status: IndexStatus, announce: bool = False) -> None:
        super().__init__()
        self.status = status
        #: Show the status to the analyst (they asked for it).
        self.announce = announce


class WorkFailed(Message):
    """A worker stopped with an error the analyst should see."""

    def __init__(self, task: str, message: str, hint: str = "") -> None:
        super().__init__()
        self.task = task
        self.message = message
        self.hint = hint


class AnswerPiece(Message):
    """Text a generative model has written so far (before citations are attributed)."""

    def __init__(self, ticket: int, text: str) -> None:
        super().__init__()
        self.ticket = ticket
        self.text = text


class AnswerReady(Message):
    """The final, cited answer of a turn, as recorded in the store."""

    def __init__(self, ticket: int, turn: Turn) -> None:
        super().__init__()
        self.ticket = ticket
        self.turn = turn


class AnswerFailed(Message):
    """The answer of a turn failed; the turn (status "error") is already recorded."""

    def __init__(self, ticket: int, turn: Turn, hint: str = "") -> None:
        super().__init__()
        self.ticket = ticket
        self.turn = turn
        self.hint = hint


class IndexProgressed(Message):
    """Indexing has got this far."""

    def __init__(self, files_done: int, files_total: int, chunks: int, current: str) -> None:
        super().__init__()
        self.files_done = files_done
        self.files_total = files_total
        self.chunks = chunks
        self.current = current


class IndexFinished(Message):
    """Indexing finished; `status` is the index as it is now."""

    def __init__(self, report: IndexReport, status: IndexStatus) -> None:
        super().__init__()
        self.report = report
        self.status = status


class SourceChosen(Message):
    """The analyst picked a source (in the sources panel, or a [n] marker in an answer)."""

    def __init__(self, source: CitedSource) -> None:
        super().__init__()
        self.source = source


class ConversationChosen(Message):
    """The analyst picked a saved conversation in the sidebar."""

    def __init__(self, conversation: ConversationInfo) -> None:
        super().__init__()
        self.conversation = conversation


class TurnSelected(Message):
    """The analyst clicked a turn: show its sources."""

    def __init__(self, ticket: int) -> None:
        super().__init__()
        self.ticket = ticket


class ChatReady(Message):
    """The conversation screen is mounted: the app can fill it in and start opening the index."""


class QuestionSubmitted(Message):
    """The analyst entered a line in the question box: a question or a slash command."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class IndexRequested(Message):
    """The analyst asked to index a folder (from the "no index yet" screen)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
