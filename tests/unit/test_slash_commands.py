"""The chat's slash commands, parsed without Textual or the model: every command, its aliases and its mistakes."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import BACKENDS
from assistant.tui.commands import Command, CommandError, is_command, parse_command

TUI = Path(__file__).resolve().parents[2] / "assistant" / "tui"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/since 2016-01-01", Command("since", "2016-01-01")),
        ("/since 2019-03", Command("since", "2019-03")),
        ("/until 2019", Command("until", "2019")),
        ("/since", Command("since")),
        ("/until   ", Command("until")),
        ("/source guardian", Command("source", "guardian")),
        ("/source  Tech Against Terrorism ", Command("source", "Tech Against Terrorism")),
        ("/source", Command("source")),
        ("/new", Command("new")),
        ("/clear", Command("new")),
        ("/brief platform responses to livestreams", Command("brief", "platform responses to livestreams")),
        ("/export", Command("export")),
        ("/export notes/desk brief.md", Command("export", "notes/desk brief.md")),
        ("/help", Command("help")),
        ("/status", Command("status")),
        ("/reindex", Command("reindex")),
        ("/index ~/corpus", Command("reindex", "~/corpus")),
        ("/SINCE 2018", Command("since", "2018")),
        ("/Brief Telegram Channels", Command("brief", "Telegram Channels")),
    ],
)
def test_each_command_and_alias_parses_to_its_name_and_argument(line: str, expected: Command) -> None:
    assert parse_command(line) == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_can_be_chosen(backend: str) -> None:
    assert parse_command(f"/backend {backend}") == Command("backend", backend)


@pytest.mark.parametrize(
    ("line", "message", "severity"),
    [
        ("/since soon", "'soon' is not a date like 2019, 2019-03 or 2019-03-15.", "error"),
        ("/until 2019-3-1", "'2019-3-1' is not a date like 2019, 2019-03 or 2019-03-15.", "error"),
        ("/since 19", "'19' is not a date", "error"),
        ("/frobnicate", "Unknown command /frobnicate. Type /help for the list.", "warning"),
        ("/Frobnicate now", "Unknown command /frobnicate.", "warning"),
        ("/", "Unknown command /.", "warning"),
        ("/ since 2019", "Unknown command /.", "warning"),
        ("/brief", "Name the topic: /brief ", "warning"),
        ("/brief    ", "Name the topic: /brief ", "warning"),
    ],
)
def test_mistakes_say_what_is_wrong(line: str, message: str, severity: str) -> None:
    error = parse_command(line)
    assert isinstance(error, CommandError)
    assert error.message.startswith(message) and error.severity == severity


@pytest.mark.parametrize("line", ["/backend gpt", "/backend", "/backend Extractive"])
def test_an_unknown_backend_names_the_ones_there_are(line: str) -> None:
    error = parse_command(line)
    assert isinstance(error, CommandError)
    assert error.title == "Unknown backend" and error.severity == "error"
    assert error.message == f"Choose a backend from: {', '.join(BACKENDS)}."


def test_only_lines_starting_with_a_slash_are_commands() -> None:
    assert is_command("/help") and is_command("/")
    assert not is_command("What happened after /r/ was banned?") and not is_command("help")


def test_the_parser_loads_neither_textual_nor_the_model() -> None:
    heavy = ("textual", "rich", "torch", "chromadb", "sentence_transformers")
    code = f"import sys, assistant.tui.commands; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _imports_the_app(source: str) -> list[int]:
    """Lines of `source` that import assistant.tui.app (absolute or relative, at any depth, even for typing)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            if any(alias.name == "assistant.tui.app" for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            absolute = module == "assistant.tui.app" or (module == "assistant.tui" and _names(node, "app"))
            relative = node.level == 1 and (module == "app" or (not module and _names(node, "app")))
            if absolute or relative:
                lines.append(node.lineno)
    return lines


def _names(node: ast.ImportFrom, name: str) -> bool:
    return any(alias.name == name for alias in node.names)


def test_no_module_of_the_ui_imports_the_app() -> None:
    """Screens, widgets, messages and commands post messages to the app; none imports it (no cycle)."""
    offenders = {
        path.name: lines
        for path in sorted(TUI.glob("*.py"))
        if path.name != "app.py" and (lines := _imports_the_app(path.read_text()))
    }
    assert offenders == {}
    # The check itself sees every way of spelling the import.
    for spelled in (
        "from assistant.tui.app import BriefingApp",
        "import assistant.tui.app",
        "from assistant.tui import app",
        "from .app import BriefingApp",
        "from . import app",
        "if TYPE_CHECKING:\n    from assistant.tui.app import BriefingApp",
        "def f():\n    from assistant.tui.app import BriefingApp",
    ):
        assert _imports_the_app(spelled), spelled
