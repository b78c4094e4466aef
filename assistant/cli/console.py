"""The CLI's consoles and its edge: exit codes, error messages, and core calls guarded into them.

Text from documents, file names and arguments is never parsed as markup and never drives the terminal
(`SafeConsole`); core errors become a message and an exit code here and nowhere else.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from assistant.conversation.session import Reply
from assistant.conversation.store import STORE_FAILURES
from assistant.errors import AssistantError, UsageError
from assistant.text.safe import visible

T = TypeVar("T")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
#: The width of stdout when it is not a terminal: wide enough that no table is ever truncated.
PIPE_WIDTH = 100_000


class SafeConsole(Console):
    """A console on which no text it is given can drive the terminal.

    Strings are made visible before layout (so widths are right), and every
    segment again just before it is written, which also covers `Text` built
    elsewhere (tables, progress columns). Rich's own escape codes travel in
    control segments or styles and are left alone.
    """

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: Any = None,
        overflow: Any = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: Any = None,
    ) -> Text:
        return super().render_str(
            visible(text),
            style=style,
            justify=justify,
            overflow=overflow,
            emoji=emoji,
            markup=markup,
            highlight=highlight,
            highlighter=highlighter,
        )

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(visible(segment.text), segment.style) for segment in buffer
        )


def plain(value: str) -> Text:
    """A table cell or title from outside text: never markup, controls visible (so widths are right)."""
    return Text(visible(value))


err = SafeConsole(stderr=True, highlight=False)
out = SafeConsole(highlight=False)
if not out.is_terminal:
    # In a pipe or a file nothing is cut to fit 80 columns ("unchan…"): tables and text keep their full width.
    out = SafeConsole(highlight=False, width=PIPE_WIDTH)


def guard(action: Callable[[], T]) -> T:
    """Run a core call, turning its errors into a message and an exit code."""
    try:
        return action()
    except UsageError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_USAGE) from None
    except AssistantError as exc:
        print_error(exc)
        raise typer.Exit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        err.print("interrupted; the index keeps every file completed so far. Run the same command again to finish.")
        raise typer.Exit(130) from None


def print_error(exc: AssistantError) -> None:
    # Messages name files and echo arguments: never read them as markup.
    err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
    if exc.hint:
        err.print(f"  {exc.hint}", style="dim", soft_wrap=True, markup=False)


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def report_unsaved(reply: Reply, *, required: bool) -> None:
    """Say so when a turn could not be recorded: exit 1 when `required` (a named session's memory), else warn."""
    if not reply.unsaved:
        return
    if required:
        _store_failed(reply.unsaved)
    err.print(
        f"[bold yellow]warning:[/] this was not recorded in the audit trail: {escape(reply.unsaved)}", soft_wrap=True
    )


def guard_store(action: Callable[[], T]) -> T:
    """Run a conversation-store call, turning its failures into a message and exit 1."""
    try:
        return action()
    except STORE_FAILURES as exc:
        _store_failed(str(exc), exc.hint if isinstance(exc, AssistantError) else "")


def _store_failed(reason: str, hint: str = "") -> NoReturn:
    err.print(f"[bold red]error:[/] cannot use the conversation store: {escape(reason)}", soft_wrap=True)
    if hint:
        err.print(f"  {hint}", style="dim", soft_wrap=True, markup=False)
    raise typer.Exit(EXIT_ERROR) from None
