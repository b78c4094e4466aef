"""The conversation store and the audit trail.

- `ConversationStore` keeps conversations in SQLite. Turns are append-only:
  every question, its rewritten form, the answer, its citations (with the
  exact passage quoted) and the state of the index it was answered against
  stay on record as an audit trail. Nothing here deletes a turn. Each
  conversation records the OS user who started it (its owner), so people
  sharing an index list their own conversations unless they ask for all.
- `AuditTrail` is how every front end records a question, answer or brief
  (or does not, when the `audit` setting is off).

The file's layout is versioned (SQLite's `user_version`): writing to an older
store first migrates it through `MIGRATIONS` in one transaction, and a store
from a newer version is refused (`ConversationStoreVersionError`) untouched.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.domain import Answer
from assistant.errors import ConversationStoreVersionError
from assistant.search.retrieval import Filters

if TYPE_CHECKING:
    from assistant.brief.builder import Brief
from assistant.conversation.records import (
    CitedSource,
    ConversationInfo,
    IndexState,
    Turn,
    brief_question,
    conversation_title,
)

# --- the store -----------------------------------------------------------------------

STORE_FILE = "conversations.sqlite3"
#: Questions asked on the command line without `--session` are kept in the day's conversation, e.g. `cli-2024-03-15`.
DAILY_PREFIX = "cli-"

# The layout the first releases wrote, before the store recorded a version (`user_version` 0).
# `MIGRATIONS` brings it, step by step, to the layout this code reads and writes.
_BASE = (
    """CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    rewritten_question TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    index_state TEXT,
    backend TEXT NOT NULL DEFAULT '',
    filters TEXT NOT NULL DEFAULT '{}',
    note TEXT NOT NULL DEFAULT '',
    nearest TEXT NOT NULL DEFAULT '[]'
)""",
    "CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, id)",
)


@dataclass(frozen=True)
class Migration:
    """One step of the store's layout: `apply` brings a store at `version - 1` to `version`."""

    version: int
    summary: str
    apply: Callable[[sqlite3.Connection], None]


def _has_owner(db: sqlite3.Connection) -> bool:
    return any(row[1] == "owner" for row in db.execute("PRAGMA table_info(conversations)"))


def _add_owner(db: sqlite3.Connection) -> None:
    # Releases before versions were recorded added this column without saying so: a store at
    # version 0 may already have it.
    if not _has_owner(db):
        db.execute("ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT ''")


#: Every change to the layout, oldest first. A new step goes at the end with the next version; a store is
#: only migrated when written to (reading never writes), so the read queries must still accept the layout
#: before each step (see `_has_owner`).
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "conversations record the OS user who started them (their owner)", _add_owner),
)
#: The layout this code reads and writes, as recorded in the store's `PRAGMA user_version`.
SCHEMA_VERSION = MIGRATIONS[-1].version


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(db: sqlite3.Connection, path: Path) -> int:
    """The store's version; a store written by a newer release is refused before anything is read or written."""
    version = _version(db)
    if version > SCHEMA_VERSION:
        raise ConversationStoreVersionError(
            f"{path} was written by a newer version of the assistant (store layout {version}; this version "
            f"knows layouts up to {SCHEMA_VERSION}), so it is neither read nor changed"
        )
    return version


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the store up to `SCHEMA_VERSION` in one transaction: every step is applied, or none is.

    A fresh (empty) file gets the whole layout the same way an old store does, so the two never differ.
    """
    if _refuse_newer(db, path) == SCHEMA_VERSION:
        return
    # IMMEDIATE takes the write lock now: a second process migrating at the same time waits here,
    # then finds the store migrated and does nothing.
    db.execute("BEGIN IMMEDIATE")
    try:
        version = _refuse_newer(db, path)
        if version == 0:
            for statement in _BASE:
                db.execute(statement)
        for step in MIGRATIONS:
            if step.version > version:
                step.apply(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.rollback()
        raise
    db.commit()


def default_store_path(settings: Settings) -> Path:
    """Beside the index's other local state (see Settings.state_dir)."""
    return settings.state_dir / STORE_FILE


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_user() -> str:
    """The OS user running the assistant, recorded as the owner of the conversations they start."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        # No login name in the environment and none in the password database (e.g. a bare container).
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


#: What using the store can raise: the database or its file failing, or a store this version must not touch.
STORE_FAILURES: tuple[type[Exception], ...] = (sqlite3.Error, OSError, ConversationStoreVersionError)


class ConversationStore:
    """Conversations and their turns in one SQLite file.

    Every call opens its own short connection, so the store can be used from
    worker threads as well as the UI thread. Reading a store that does not
    exist yet returns nothing and creates no file. `owner` (default: the OS
    user) is recorded with every conversation created, and is whose
    conversations and turns are listed unless `everyone` is asked for.
    """

    def __init__(self, path: Path, *, clock: Callable[[], str] = _now, owner: str | None = None) -> None:
        self.path = Path(path)
        self._clock = clock
        self.owner = owner if owner is not None else current_user()

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        if not write and not self.path.is_file():
            yield None
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as connection:
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            if write:
                migrate(connection, self.path)
            else:
                _refuse_newer(connection, self.path)
            with connection:
                yield connection

    def _mine(self, db: sqlite3.Connection, everyone: bool) -> tuple[str, tuple[str, ...]]:
        """A condition (on `c`, the conversations) selecting this owner's, and its arguments.

        Conversations saved before owners were recorded have none: they are listed for
        everyone, since any of them may be this user's.
        """
        if everyone or not _has_owner(db):
            return "1", ()
        return "c.owner IN (?, '')", (self.owner,)

    def create(self, name: str | None = None, title: str = "") -> ConversationInfo:
        """A new conversation; without a name it is called `conversation-<id>`."""
        now = self._clock()
        with self._connect(write=True) as db:
            assert db is not None
            cursor = db.execute(
                "INSERT INTO conversations (name, title, created_at, updated_at, owner) VALUES (?, ?, ?, ?, ?)",
                (name or f"pending-{now}-{os.getpid()}-{id(self)}", title, now, now, self.owner),
            )
            new_id = int(cursor.lastrowid or 0)
            if not name:
                name = f"conversation-{new_id}"
                db.execute("UPDATE conversations SET name = ? WHERE id = ?", (name, new_id))
        return ConversationInfo(new_id, name, title, now, now, 0, self.owner)

    def find(self, name: str) -> ConversationInfo | None:
        with self._connect(write=False) as db:
            if db is None:
                return None
            row = db.execute(_info_query(db) + " WHERE c.name = ? GROUP BY c.id", (name,)).fetchone()
        return _info(row) if row else None

    def get(self, conversation_id: int) -> ConversationInfo | None:
        with self._connect(write=False) as db:
            if db is None:
                return None
            row = db.execute(_info_query(db) + " WHERE c.id = ? GROUP BY c.id", (conversation_id,)).fetchone()
        return _info(row) if row else None

    def open(self, name: str) -> ConversationInfo:
        """The conversation called `name`, created if it does not exist yet."""
        return self.find(name) or self.create(name)

    def conversations(self, *, everyone: bool = False) -> list[ConversationInfo]:
        """This owner's conversations (everyone's with `everyone`), the most recently used first."""
        with self._connect(write=False) as db:
            if db is None:
                return []
            mine, args = self._mine(db, everyone)
            rows = db.execute(
                _info_query(db) + f" WHERE {mine} GROUP BY c.id ORDER BY c.updated_at DESC, c.id DESC", args
            ).fetchall()
        return [_info(row) for row in rows]

    def add_turn(self, conversation_id: int, turn: Turn) -> Turn:
        """Append a turn (never replaced or deleted) and return it as stored."""
        asked_at = turn.asked_at or self._clock()
        with self._connect(write=True) as db:
            assert db is not None
            cursor = db.execute(
                "INSERT INTO turns (conversation_id, asked_at, question, rewritten_question, status, answer,"
                " citations, index_state, backend, filters, note, nearest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    asked_at,
                    turn.question,
                    turn.rewritten_question,
                    turn.status,
                    turn.answer,
                    json.dumps([c.to_json() for c in turn.citations], ensure_ascii=False),
                    json.dumps(turn.index_state.to_json()) if turn.index_state else None,
                    turn.backend,
                    json.dumps(turn.filters),
                    turn.note,
                    json.dumps(list(turn.nearest), ensure_ascii=False),
                ),
            )
            db.execute(
                "UPDATE conversations SET updated_at = ?,"
                " title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                (asked_at, conversation_title(turn.question), conversation_id),
            )
            found = db.execute("SELECT name, owner FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return _replace_turn(
            turn, id=int(cursor.lastrowid or 0), asked_at=asked_at, conversation=found[0], owner=found[1]
        )

    def turns(self, conversation_id: int) -> list[Turn]:
        """A conversation's turns, oldest first."""
        return self._turns(" WHERE t.conversation_id = ?", (conversation_id,))

    def history(
        self,
        conversation: str | None = None,
        *,
        everyone: bool = False,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[Turn]:
        """Recorded turns, oldest first: of one conversation (by name, whoever owns it) if given,
        else of this owner's conversations (everyone's with `everyone`); asked on or after `since`;
        only the last `limit`.

        `since` is a date like 2024, 2024-03 or 2024-03-15 (UTC, as `asked_at`
        is stored); `limit` keeps the most recent turns.
        """
        clauses: list[str] = []
        args: list[Any] = []
        if conversation is not None:
            clauses.append("c.name = ?")
            args.append(conversation)
        if since:
            # asked_at is ISO 8601, so a date prefix compares as text: "2024-03-15T09:00" >= "2024-03".
            clauses.append("t.asked_at >= ?")
            args.append(since)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        anyone = everyone or conversation is not None
        if limit is None:
            return self._turns(where, tuple(args), everyone=anyone)
        return self._turns(where, tuple(args), everyone=anyone, newest=limit)[::-1]

    def _turns(
        self, where: str, args: tuple[Any, ...], *, everyone: bool = True, newest: int | None = None
    ) -> list[Turn]:
        """Matching turns oldest first, or (with `newest`) that many of the latest, newest first."""
        order = " ORDER BY t.id" if newest is None else " ORDER BY t.id DESC LIMIT ?"
        with self._connect(write=False) as db:
            if db is None:
                return []
            mine, owner_args = self._mine(db, everyone)
            if mine != "1":
                where, args = (where + " AND " if where else " WHERE ") + mine, args + owner_args
            owner = "c.owner" if _has_owner(db) else "''"
            rows = db.execute(
                f"SELECT t.*, c.name AS conversation, {owner} AS owner"
                " FROM turns t JOIN conversations c ON c.id = t.conversation_id" + where + order,
                args if newest is None else (*args, newest),
            ).fetchall()
        return [_turn(row) for row in rows]


def daily_conversation(asked_at: str, owner: str = "") -> str:
    """The conversation of one user's questions asked on one day without a named session.

    `cli-YYYY-MM-DD-OWNER` (`cli-YYYY-MM-DD` when the owner is unknown): each
    person sharing an index gets their own, so `history` lists it as theirs.
    """
    day = f"{DAILY_PREFIX}{asked_at[:10]}"
    return f"{day}-{owner}" if owner else day


class AuditTrail:
    """The one way a front end records what it answered: every question, answer and brief, as a turn.

    The CLI (`ask` with or without `--session`, `brief`) and the chat all
    record through here, so the rules live in one place: a turn goes into the
    conversation named (or given by id); without one (a plain `assistant ask`)
    into the day's conversation (`daily_conversation`), so `assistant history`
    lists it. When `enabled` is false (the `audit` setting, `--no-audit`)
    nothing is written and the turn comes back unsaved.
    """

    def __init__(self, store: ConversationStore, *, enabled: bool = True, clock: Callable[[], str] = _now) -> None:
        self.store = store
        self.enabled = enabled
        self._clock = clock

    @classmethod
    def for_settings(cls, settings: Settings, *, enabled: bool | None = None) -> AuditTrail:
        """The trail beside the index the settings point at; `enabled` overrides the `audit` setting."""
        return cls(
            ConversationStore(default_store_path(settings)), enabled=settings.audit if enabled is None else enabled
        )

    def record(self, turn: Turn, conversation: str | int | None = None) -> Turn:
        """Append `turn` (unless the trail is off) and return it as stored."""
        if not self.enabled:
            return turn
        conversation_id = conversation if isinstance(conversation, int) else self._open(conversation)
        return self.store.add_turn(conversation_id, turn)

    def answer(
        self,
        question: str,
        answer: Answer,
        state: IndexState | None,
        *,
        rewritten: str | None = None,
        filters: Filters | None = None,
        conversation: str | int | None = None,
    ) -> Turn:
        """Record an answered or not-covered question (`rewritten`: what was searched, if different)."""
        turn = Turn.from_answer(question, rewritten or question, answer, state, filters)
        return self.record(turn, conversation)

    def brief(
        self,
        topic: str,
        brief: Brief,
        state: IndexState | None,
        *,
        filters: Filters | None = None,
        conversation: str | int | None = None,
    ) -> Turn:
        """Record a brief on `topic` (as the question `/brief TOPIC`)."""
        return self.record(Turn.from_brief(brief_question(topic), topic, brief, state, filters), conversation)

    def _open(self, name: str | None) -> int:
        name = name or daily_conversation(self._clock(), self.store.owner)
        try:
            return self.store.open(name).id
        except sqlite3.IntegrityError:
            # Another process created the same conversation between our look-up and insert.
            found = self.store.find(name)
            if found is None:
                raise
            return found.id


def _info_query(db: sqlite3.Connection) -> str:
    # A store not written to since before owners were recorded has no owner column yet.
    owner = "c.owner" if _has_owner(db) else "''"
    return (
        f"SELECT c.id, c.name, c.title, c.created_at, c.updated_at, COUNT(t.id) AS turns, {owner} AS owner"
        " FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id"
    )


def _info(row: sqlite3.Row) -> ConversationInfo:
    return ConversationInfo(
        int(row["id"]),
        row["name"],
        row["title"],
        row["created_at"],
        row["updated_at"],
        int(row["turns"]),
        row["owner"] or "",
    )


def _turn(row: sqlite3.Row) -> Turn:
    state = json.loads(row["index_state"]) if row["index_state"] else None
    return Turn(
        question=row["question"],
        rewritten_question=row["rewritten_question"],
        status=row["status"],
        answer=row["answer"],
        citations=tuple(CitedSource.from_json(c) for c in json.loads(row["citations"])),
        index_state=IndexState(int(state["documents"]), int(state["chunks"]), state.get("last_indexed"))
        if state
        else None,
        backend=row["backend"],
        filters=json.loads(row["filters"]),
        note=row["note"],
        nearest=tuple(json.loads(row["nearest"])),
        asked_at=row["asked_at"],
        id=int(row["id"]),
        conversation=row["conversation"],
        owner=row["owner"] or "",
    )


def _replace_turn(turn: Turn, **changes: Any) -> Turn:
    return replace(turn, **changes)


# --- export --------------------------------------------------------------------------
