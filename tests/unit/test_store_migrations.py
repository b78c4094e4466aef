"""The conversation store's layout versions: old stores migrate keeping their turns, newer ones stay untouched."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from assistant.conversation import store as store_module
from assistant.conversation.records import Turn
from assistant.conversation.store import SCHEMA_VERSION, ConversationStore, Migration
from assistant.errors import ConversationStoreVersionError

# The layout of the first releases, written here by hand as they wrote it (no `user_version`, no owners).
_FIRST_LAYOUT = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    asked_at TEXT NOT NULL, question TEXT NOT NULL, rewritten_question TEXT NOT NULL, status TEXT NOT NULL,
    answer TEXT NOT NULL, citations TEXT NOT NULL, index_state TEXT, backend TEXT NOT NULL DEFAULT '',
    filters TEXT NOT NULL DEFAULT '{}', note TEXT NOT NULL DEFAULT '', nearest TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX turns_by_conversation ON turns(conversation_id, id);
INSERT INTO conversations (name, title, created_at, updated_at)
    VALUES ('field-desk', 'Which channels moved?', '2023-05-01T00:00:00+00:00', '2023-05-01T00:00:00+00:00');
INSERT INTO turns (conversation_id, asked_at, question, rewritten_question, status, answer, citations)
    VALUES (1, '2023-05-01T00:00:00+00:00', 'Which channels moved?', 'Which channels moved?', 'answered',
            'Three channels moved [1].', '[]');
INSERT INTO turns (conversation_id, asked_at, question, rewritten_question, status, answer, citations)
    VALUES (1, '2023-05-01T00:05:00+00:00', 'and in 2018?', 'Which channels moved in 2018?', 'not_covered',
            'Not covered.', '[]');
"""
# A later release added the owner column in place, still without recording a version.
_OWNER_COLUMN = "ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'ana'"


def _old_store(path: Path, *, with_owner: bool) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.executescript(_FIRST_LAYOUT)
        if with_owner:
            db.execute(_OWNER_COLUMN)
            db.commit()
    return path


def _version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def _layout(path: Path) -> dict[str, list[tuple[str, str, int]]]:
    """Each table's columns (name, type, not null): what the code's queries depend on."""
    with closing(sqlite3.connect(path)) as db:
        return {
            table: [(row[1], row[2], row[3]) for row in db.execute(f"PRAGMA table_info({table})")]
            for table in ("conversations", "turns")
        }


def _write_a_turn(store: ConversationStore) -> None:
    conversation = store.create()
    store.add_turn(conversation.id, Turn("A new question?", "A new question?", "answered", "New."))


def test_a_fresh_store_records_the_current_version(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3", owner="ana")
    _write_a_turn(store)
    assert SCHEMA_VERSION >= 1 and _version(store.path) == SCHEMA_VERSION
    assert [c.owner for c in store.conversations()] == ["ana"]


@pytest.mark.parametrize("with_owner", [False, True], ids=["first-layout", "owner-column-without-version"])
def test_an_old_store_migrates_on_first_write_and_keeps_its_turns(tmp_path: Path, with_owner: bool) -> None:
    path = _old_store(tmp_path / "conversations.sqlite3", with_owner=with_owner)
    store = ConversationStore(path, owner="ben")
    # Reading alone writes nothing: the store may be shared and read by someone who cannot write it.
    assert [t.question for t in store.history(everyone=True)] == ["Which channels moved?", "and in 2018?"]
    assert _version(path) == 0

    _write_a_turn(store)
    assert _version(path) == SCHEMA_VERSION >= 1
    # The migrated layout is exactly the one a fresh store gets.
    fresh = ConversationStore(tmp_path / "fresh.sqlite3")
    _write_a_turn(fresh)
    assert _layout(path) == _layout(fresh.path)
    old = store.turns(1)
    assert [(t.question, t.rewritten_question, t.status, t.answer) for t in old] == [
        ("Which channels moved?", "Which channels moved?", "answered", "Three channels moved [1]."),
        ("and in 2018?", "Which channels moved in 2018?", "not_covered", "Not covered."),
    ]
    owners = {c.name: c.owner for c in store.conversations(everyone=True)}
    assert owners["field-desk"] == ("ana" if with_owner else "")
    # A second writer finds the store migrated and changes nothing more.
    _write_a_turn(ConversationStore(path, owner="cy"))
    assert _version(path) == SCHEMA_VERSION and _layout(path) == _layout(fresh.path)


def test_old_conversations_keep_an_unknown_owner_that_every_user_sees(tmp_path: Path) -> None:
    path = _old_store(tmp_path / "conversations.sqlite3", with_owner=False)
    ana = ConversationStore(path, owner="ana")
    # Reading lists the old conversation, whose owner nobody recorded.
    assert [(c.name, c.owner, c.turns) for c in ana.conversations()] == [("field-desk", "", 2)]
    _write_a_turn(ana)
    mine = next(c.name for c in ana.conversations() if c.owner == "ana")
    assert [(c.name, c.owner) for c in ana.conversations()] == [(mine, "ana"), ("field-desk", "")]
    # Someone else sees the old conversation (it may be theirs) but not Ana's, and writing again
    # from a second store does not try to add the owner column twice.
    ben = ConversationStore(path, owner="ben")
    assert [c.name for c in ben.conversations()] == ["field-desk"]
    _write_a_turn(ben)
    assert [name for name, _, _ in _layout(path)["conversations"]].count("owner") == 1


def test_a_failing_step_leaves_the_old_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _old_store(tmp_path / "conversations.sqlite3", with_owner=False)
    before = _layout(path)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE turns ADD COLUMN half_done TEXT")
        raise sqlite3.OperationalError("disk I/O error")

    steps = (*store_module.MIGRATIONS, Migration(SCHEMA_VERSION + 1, "a step that fails half-way", broken))
    monkeypatch.setattr(store_module, "MIGRATIONS", steps)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _write_a_turn(ConversationStore(path))
    # The earlier step (the owner column) was rolled back with the failing one.
    assert _layout(path) == before and _version(path) == 0
    assert len(ConversationStore(path).history(everyone=True)) == 2


def test_a_store_from_a_newer_version_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = _old_store(tmp_path / "conversations.sqlite3", with_owner=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.commit()
    content, modified = path.read_bytes(), path.stat().st_mtime_ns
    store = ConversationStore(path, owner="ana")
    for use in (store.conversations, store.history, store.create, lambda: store.add_turn(1, Turn("q", "q", "x", "a"))):
        with pytest.raises(ConversationStoreVersionError) as raised:
            use()
        message = str(raised.value)
        assert str(path) in message and "newer version" in message and raised.value.hint
    assert path.read_bytes() == content and path.stat().st_mtime_ns == modified
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conversations.sqlite3"], "no journal left beside it"
