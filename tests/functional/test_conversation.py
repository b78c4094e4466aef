"""The UI-free conversation core: follow-up rewriting, the SQLite store, Markdown export."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.config import Settings
from assistant.conversation.records import Turn
from assistant.conversation.store import (
    ConversationStore,
    default_store_path,
)

from ..conftest import run_cli


def test_history_command_lists_own_turns_unless_all(tmp_path: Path, cli_env: dict[str, str]) -> None:
    index_dir = tmp_path / "index"
    path = default_store_path(Settings(index_dir=index_dir))
    for owner in ("ana", "ben"):
        store = ConversationStore(path, owner=owner)
        store.add_turn(store.open(f"{owner}-desk").id, Turn(f"{owner} asks?", f"{owner} asks?", "answered", "x"))

    def history(*flags: str) -> list[dict[str, str]]:
        done = run_cli("history", "--json", *flags, "--index-dir", str(index_dir), env=cli_env | {"LOGNAME": "ana"})
        assert done.returncode == 0, done.stderr
        return [{"q": r["question"], "owner": r["owner"]} for r in json.loads(done.stdout)]

    assert history() == [{"q": "ana asks?", "owner": "ana"}]
    assert history("--all") == [{"q": "ana asks?", "owner": "ana"}, {"q": "ben asks?", "owner": "ben"}]
    assert history("--session", "ben-desk") == [{"q": "ben asks?", "owner": "ben"}]
    table = run_cli("history", "--all", "--index-dir", str(index_dir), env=cli_env | {"LOGNAME": "ana"})
    assert table.returncode == 0 and "owner" in table.stdout and "ben asks?" in table.stdout
