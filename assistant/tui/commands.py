"""The chat's slash commands: a typed line, parsed into the command it names or the mistake in it.

This module decides what `/since 2019`, `/brief TOPIC` or `/frobnicate` mean;
the app only carries out a parsed command or shows the error. It imports
nothing from Textual (nor the model), so every command and every mistake is
tested without starting the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.config import BACKENDS
from assistant.text.dates import is_filter_date

CommandName = Literal["since", "until", "source", "backend", "new", "brief", "export", "help", "status", "reindex"]

#: Every name a command answers to, and the command it is.
NAMES: dict[str, CommandName] = {
    "since": "since",
    "until": "until",
    "source": "source",
    "backend": "backend",
    "new": "new",
    "clear": "new",
    "brief": "brief",
    "export": "export",
    "help": "help",
    "status": "status",
    "reindex": "reindex",
    "index": "reindex",
}

# A filter date, as `assistant ask --since` takes it.
#: How the chat shows a brief's topic is missing (the example is a topic the demo corpus covers).
BRIEF_EXAMPLE = "/brief platform responses to the Christchurch livestream"


@dataclass(frozen=True)
class Command:
    """A slash command the app can carry out: its name and its argument ("" when none was given)."""

    name: CommandName
    argument: str = ""


@dataclass(frozen=True)
class CommandError:
    """A line that is not a command the app can carry out, and what to tell the analyst."""

    message: str
    title: str = ""
    severity: Literal["warning", "error"] = "warning"


def is_command(line: str) -> bool:
    """Whether a line typed in the chat is a slash command rather than a question."""
    return line.startswith("/")


def parse_command(line: str) -> Command | CommandError:
    """The command a line (starting with "/") names, with its argument checked, or what is wrong with it."""
    word, _, rest = line.removeprefix("/").partition(" ")
    given, argument = word.lower(), rest.strip()
    name = NAMES.get(given)
    if name is None:
        return CommandError(f"Unknown command /{given}. Type /help for the list.")
    if name in ("since", "until") and argument and not is_filter_date(argument):
        return CommandError(f"{argument!r} is not a date like 2019, 2019-03 or 2019-03-15.", severity="error")
    if name == "backend" and (problem := backend_error(argument)) is not None:
        return problem
    if name == "brief" and not argument:
        return CommandError(f"Name the topic: {BRIEF_EXAMPLE}")
    return Command(name, argument)


def backend_error(backend: str) -> CommandError | None:
    """What is wrong with a backend name (None: it is one the assistant has)."""
    if backend in BACKENDS:
        return None
    return CommandError(f"Choose a backend from: {', '.join(BACKENDS)}.", title="Unknown backend", severity="error")
