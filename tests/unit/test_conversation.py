"""The UI-free conversation core: follow-up rewriting, the SQLite store, Markdown export."""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.conversation.export import export_markdown
from assistant.conversation.records import CitedSource, IndexState, Turn, memory, shows_rewrite
from assistant.conversation.rewriting import Exchange, FollowUpRewriter
from assistant.conversation.store import (
    AuditTrail,
    ConversationStore,
    current_user,
    daily_conversation,
    default_store_path,
)
from assistant.domain import Answer, Citation, DocumentInfo, Hit
from assistant.search.retrieval import Filters
from assistant.text.dates import time_frames

from ..conftest import TURN_KEYS

FACEBOOK = "How many copies of the Christchurch video did Facebook remove in 2019?"


@pytest.fixture(scope="module")
def rewriter() -> FollowUpRewriter:
    return FollowUpRewriter()


@pytest.mark.parametrize(
    ("earlier", "answer", "question", "expected"),
    [
        # Ellipsis: the new name takes the place of the one of the same kind.
        (FACEBOOK, "", "and YouTube?", "How many copies of the Christchurch video did YouTube remove in 2019?"),
        (FACEBOOK, "", "What about Gab?", "How many copies of the Christchurch video did Gab remove in 2019?"),
        # ... a name the alias table does not know replaces the earlier actor.
        (FACEBOOK, "", "and Reddit?", "How many copies of the Christchurch video did Reddit remove in 2019?"),
        # ... names joined by "and" are replaced together.
        (
            "How did Facebook and YouTube try to contain the Christchurch videos?",
            "",
            "what about Telegram?",
            "How did Telegram try to contain the Christchurch videos?",
        ),
        # ... and a new time frame replaces the old one.
        (FACEBOOK, "", "What about 2020?", "How many copies of the Christchurch video did Facebook remove in 2020?"),
        (
            FACEBOOK,
            "",
            "and before 2015?",
            "How many copies of the Christchurch video did Facebook remove before 2015?",
        ),
        # "after that": the earlier time frame, here from the answer to a "when" question.
        (
            "When did Facebook ban white nationalism?",
            "On 27 March 2019 Facebook announced the ban.",
            "What happened after that?",
            "What happened after 27 March 2019 (about Facebook)?",
        ),
        (
            "What did the Terrorist Content Online Regulation require between 2021 and 2022?",
            "",
            "what happened after that?",
            "What happened after 2022 (about Terrorist Content Online Regulation)?",
        ),
        # Pronouns stand for the earlier actors; the time frame is carried along.
        (
            "How did Telegram and Europol act against ISIS propaganda in November 2019?",
            "",
            "What did they do next?",
            "What did Telegram, Europol and ISIS do next (in November 2019)?",
        ),
        (
            "Who was Jihadi John?",
            "Mohammed Emwazi, a British militant.",
            "When was he identified?",
            "When was Jihadi John identified?",
        ),
        ("What is the Redirect Method?", "", "Who built it?", "Who built the Redirect Method?"),
        # Too short to stand alone.
        (FACEBOOK, "", "Why?", "Why (about Christchurch and Facebook, in 2019)?"),
        # A question that names its own subject keeps it, and gains what it leaves out.
        (
            "How did Facebook respond to the Christchurch video?",
            "",
            "Did YouTube remove it?",
            "Did YouTube remove it (about Facebook and Christchurch)?",
        ),
        # A fragment led by "and" becomes a "what about" question.
        (
            "What did Life After Hate do after Facebook's ban in 2019?",
            "",
            "and their funding?",
            "What about Life After Hate and Facebook's funding (in 2019)?",
        ),
        # Standalone questions are left alone.
        (
            FACEBOOK,
            "",
            "How did Gab get deplatformed after the Pittsburgh shooting?",
            "How did Gab get deplatformed after the Pittsburgh shooting?",
        ),
        (FACEBOOK, "", "Is it true that Telegram grew in 2016?", "Is it true that Telegram grew in 2016?"),
        # Another name for the same actor adds nothing to substitute.
        (
            "How did Twitter suspend ISIS accounts in 2016?",
            "",
            "and Daesh?",
            "How did Twitter suspend ISIS accounts in 2016?",
        ),
    ],
)
def test_follow_ups_become_standalone_questions(
    rewriter: FollowUpRewriter, earlier: str, answer: str, question: str, expected: str
) -> None:
    assert rewriter.rewrite(question, [(earlier, answer)]) == expected


def test_without_earlier_turns_nothing_is_rewritten(rewriter: FollowUpRewriter) -> None:
    assert rewriter.rewrite("and YouTube?", []) == "and YouTube?"
    assert rewriter.rewrite("  What   did  they do? ", []) == "What did they do?"


def test_names_are_taken_from_the_latest_turn_that_has_any(rewriter: FollowUpRewriter) -> None:
    earlier = [(FACEBOOK, "1.5 million."), ("Why?", "Because.")]
    assert rewriter.rewrite("and YouTube?", earlier[:1]) != "and YouTube?"
    assert "Facebook" in rewriter.rewrite("How did they explain it?", earlier)


def test_after_that_falls_back_to_the_date_of_the_cited_source(rewriter: FollowUpRewriter) -> None:
    turn = Turn.from_answer("When did Facebook ban white nationalism?", "When did Facebook ban it?", _answer(), None)
    turn = replace(turn, answer="A ban on praise of white nationalism. [1]")
    [exchange] = memory([turn])
    assert exchange == Exchange("When did Facebook ban it?", turn.answer, ("2019-03-18",))
    rewritten = rewriter.rewrite("What happened after that?", [exchange])
    assert rewritten == "What happened after 2019-03-18 (about Facebook)?"


def test_answer_dates_are_not_added_as_context_on_their_own(rewriter: FollowUpRewriter) -> None:
    earlier = [("How did Facebook respond?", "On 15 March 2019 it removed the video.")]
    assert rewriter.rewrite("Why?", earlier) == "Why (about Facebook)?"


def test_mentions_find_alias_and_capitalised_names(rewriter: FollowUpRewriter) -> None:
    found = rewriter.mentions(
        "Did the EU Terrorist Content Online Regulation bind Daesh channels on 8kun in March 2019?"
    )
    assert [(m.text, m.canonical, m.kind) for m in found] == [
        ("EU", "European Union", "government"),
        ("Terrorist Content Online Regulation", "Terrorist Content Online Regulation", "law"),
        ("Daesh", "Islamic State", "group"),
        ("8kun", "8kun", "platform"),
    ]
    # A capitalised first word, months and lower-case topic words from the table are not names.
    assert rewriter.mentions("What tweets did they send in May 2016?") == []


def test_time_frames_keep_prepositions_and_ranges() -> None:
    frames = time_frames("between 2014 and 2019, in March 2019, on 2019-03-15, 15 March 2019")
    assert [(f.text, f.preposition, f.dates) for f in frames] == [
        ("between 2014 and 2019", "between", ("2014", "2019")),
        ("in March 2019", "in", ("March 2019",)),
        ("on 2019-03-15", "on", ("2019-03-15",)),
        ("15 March 2019", "", ("15 March 2019",)),
    ]
    assert [f.phrase() for f in frames[2:]] == ["on 2019-03-15", "on 15 March 2019"]


def _answer(status: str = "answered") -> Answer:
    doc = DocumentInfo(
        id="d1",
        path="notes/christchurch.md",
        source_path="notes/christchurch.md",
        title="The Christchurch livestream",
        publisher="Facebook Newsroom",
        author="Newsroom",
        date="2019-03-18",
        url="https://example.org/christchurch",
        language="en",
        format="markdown",
        chunks=3,
    )
    passage = "Facebook said it removed 1.5 million videos. It blocked 1.2 million at upload."
    hit = Hit("c1", passage, doc, 0, len(passage), 2, 0.5, 1)
    citations = (Citation(1, hit, "Facebook said it removed 1.5 million videos."),)
    if status == "not_covered":
        return Answer("Q", "not_covered", "The indexed documents do not cover this.", (), (hit,), note="weak")
    return Answer("Q", "answered", "Facebook said it removed 1.5 million videos. [1]", citations, (hit,))


@pytest.fixture
def clock() -> itertools.count[int]:
    return itertools.count(1)


@pytest.fixture
def store(tmp_path: Path, clock: itertools.count[int]) -> ConversationStore:
    return ConversationStore(
        tmp_path / "sub" / "conversations.sqlite3", clock=lambda: f"2024-01-01T00:00:{next(clock):02d}"
    )


def test_reading_a_missing_store_creates_nothing(store: ConversationStore) -> None:
    assert store.conversations() == [] and store.history() == [] and store.find("x") is None
    assert not store.path.exists()


def test_turns_round_trip_with_citations_and_index_state(store: ConversationStore) -> None:
    conversation = store.create()
    assert conversation.name == f"conversation-{conversation.id}"
    state = IndexState(96, 220, "2024-01-01T00:00:00+00:00")
    turn = Turn.from_answer("How many?", "How many videos?", _answer(), state, Filters(since="2019"))
    saved = store.add_turn(conversation.id, turn)
    assert saved.id and saved.asked_at and saved.conversation == conversation.name

    [loaded] = store.turns(conversation.id)
    assert loaded == saved
    assert loaded.citations[0].quote == "Facebook said it removed 1.5 million videos."
    assert loaded.citations[0].passage.startswith("Facebook said") and loaded.citations[0].page == 2
    assert loaded.index_state == state and loaded.filters == {"since": "2019"}
    record = loaded.to_json()
    assert set(record) >= TURN_KEYS
    assert record["index_state"] == {"documents": 96, "chunks": 220, "last_indexed": "2024-01-01T00:00:00+00:00"}
    assert json.loads(json.dumps(record)) == record


def test_conversations_are_listed_most_recent_first_and_named_after_their_first_question(
    store: ConversationStore,
) -> None:
    first = store.create()
    second = store.open("desk")
    assert store.open("desk") == second, "open() finds a named conversation again"
    store.add_turn(second.id, Turn("A question about Gab?", "A question about Gab?", "answered", "x"))
    store.add_turn(first.id, Turn("x" * 80, "x" * 80, "answered", "y"))
    store.add_turn(first.id, Turn("second", "second", "answered", "z"))
    listed = store.conversations()
    assert [(c.name, c.turns) for c in listed] == [(first.name, 2), ("desk", 1)]
    assert listed[0].title == "x" * 59 + "…" and listed[1].title == "A question about Gab?"
    assert [t.question for t in store.history("desk")] == ["A question about Gab?"]
    assert [t.conversation for t in store.history()] == ["desk", first.name, first.name]


def test_turns_are_append_only(store: ConversationStore) -> None:
    conversation = store.create()
    for status in ("answered", "cancelled", "error"):
        store.add_turn(conversation.id, Turn("q", "q", status, status))
    assert [t.status for t in store.turns(conversation.id)] == ["answered", "cancelled", "error"]
    assert [exchange.question for exchange in memory(store.turns(conversation.id))] == ["q"]
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone() == (3,)


def test_not_covered_turn_keeps_the_nearest_documents(store: ConversationStore) -> None:
    conversation = store.create()
    store.add_turn(conversation.id, Turn.from_answer("Q", "Q", _answer("not_covered"), None))
    [turn] = store.turns(conversation.id)
    assert turn.status == "not_covered" and turn.citations == ()
    assert turn.nearest == ("The Christchurch livestream (Facebook Newsroom, 2019-03-18) · notes/christchurch.md",)


def test_default_store_path_local_and_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_store_path(Settings(index_dir=tmp_path / "ix")) == tmp_path / "ix" / "conversations.sqlite3"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = default_store_path(Settings(chroma_url="http://127.0.0.1:8000"))
    other = default_store_path(Settings(chroma_url="http://127.0.0.1:8001"))
    assert server.is_relative_to(tmp_path / "cache" / "assistant") and server.parent != other.parent


def test_export_has_every_turn_source_and_quote() -> None:
    state = IndexState(96, 220, None)
    turns = [
        Turn.from_answer("How many?", "How many?", _answer(), state),
        Turn.from_answer("and YouTube?", "How many YouTube videos?", _answer("not_covered"), state),
    ]
    text = export_markdown("Christchurch", turns)
    assert text.startswith("# Christchurch\n")
    assert "## 1. How many?" in text and "## 2. and YouTube?" in text
    assert "*Searched as: How many YouTube videos?*" in text
    assert "> Facebook said it removed 1.5 million videos." in text
    assert "[1] **The Christchurch livestream** — Facebook Newsroom, 2019-03-18 · notes/christchurch.md, page 2" in text
    assert "**Not covered by the indexed documents.**" in text and "Nearest documents:" in text
    assert "## All sources cited" in text and "<https://example.org/christchurch>" in text


def test_export_heading_is_the_first_question_in_full_and_a_brief_is_not_a_rewrite(
    store: ConversationStore,
) -> None:
    question = "How many copies of the Christchurch attack video did Facebook remove in the first 24 hours?"
    conversation = store.create()
    store.add_turn(conversation.id, Turn(question, question, "answered", "About 1.5 million. [1]"))
    store.add_turn(conversation.id, Turn("/brief Christchurch", "Christchurch", "answered", "# Briefing"))
    info = store.get(conversation.id)
    assert info is not None and info.title.endswith("…"), "the stored title is shortened for lists"
    text = export_markdown(info.title, store.turns(conversation.id))
    assert text.startswith(f"# {question}\n")
    assert "## 2. /brief Christchurch" in text and "Searched as" not in text
    # A title of one's own is kept.
    assert export_markdown("Desk notes", store.turns(conversation.id)).startswith("# Desk notes\n")


def test_a_brief_topic_is_not_shown_as_a_rewritten_question() -> None:
    assert shows_rewrite("and YouTube?", "How many videos did YouTube remove?")
    assert not shows_rewrite("/brief platform responses", "platform responses")
    assert not shows_rewrite("How many?", "How many?") and not shows_rewrite("How many?", "")


def test_conversations_and_history_are_listed_per_owner(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite3"
    ana, ben = ConversationStore(path, owner="ana"), ConversationStore(path, owner="ben")
    mine = ana.create()
    ana.add_turn(mine.id, Turn("Ana's question?", "Ana's question?", "answered", "a"))
    theirs = ben.open("ben-desk")
    saved = ben.add_turn(theirs.id, Turn("Ben's question?", "Ben's question?", "answered", "b"))
    assert saved.owner == "ben" and mine.owner == "ana"

    assert [(c.name, c.owner) for c in ana.conversations()] == [(mine.name, "ana")]
    assert [(c.name, c.owner) for c in ben.conversations()] == [("ben-desk", "ben")]
    assert {(c.name, c.owner) for c in ana.conversations(everyone=True)} == {(mine.name, "ana"), ("ben-desk", "ben")}
    assert [t.question for t in ana.history()] == ["Ana's question?"]
    assert [(t.question, t.owner) for t in ana.history(everyone=True)] == [
        ("Ana's question?", "ana"),
        ("Ben's question?", "ben"),
    ]
    assert ana.history(everyone=True)[1].to_json()["owner"] == "ben"
    # A conversation named explicitly is found whoever started it.
    assert [t.question for t in ana.history("ben-desk")] == ["Ben's question?"]
    assert ana.find("ben-desk") is not None


def test_owner_defaults_to_the_os_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "field-analyst")
    assert current_user() == "field-analyst"
    assert ConversationStore(tmp_path / "c.sqlite3").create().owner == "field-analyst"


def test_reference_is_a_pasteable_citation() -> None:
    source = CitedSource.from_citation(_answer().citations[0])
    assert source.reference() == (
        "The Christchurch livestream — Facebook Newsroom, 2019-03-18 (notes/christchurch.md, page 2 · "
        'https://example.org/christchurch): "Facebook said it removed 1.5 million videos."'
    )
    assert CitedSource.from_json(source.to_json()) == source


def test_history_filters_by_day_count_and_conversation(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    desk, other = store.open("desk"), store.open("other")
    for conversation, question, asked_at in (
        (desk, "first", "2024-03-14T23:59:59+00:00"),
        (other, "second", "2024-03-15T08:00:00+00:00"),
        (desk, "third", "2024-03-16T09:30:00+00:00"),
    ):
        store.add_turn(conversation.id, Turn(question, question, "answered", "x", asked_at=asked_at))
    assert [t.question for t in store.history(since="2024-03-15")] == ["second", "third"]
    assert [t.question for t in store.history(since="2024-03")] == ["first", "second", "third"]
    assert [t.question for t in store.history(since="2025")] == []
    assert [t.question for t in store.history(limit=2)] == ["second", "third"], "the latest, oldest first"
    assert [t.question for t in store.history("desk", limit=1)] == ["third"]
    assert [t.question for t in store.history("desk", since="2024-03-15", limit=5)] == ["third"]


def test_the_audit_trail_keeps_unnamed_questions_in_the_days_conversation(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3", owner="alice")
    trail = AuditTrail(store, clock=lambda: "2024-03-15T08:00:00+00:00")
    state = IndexState(96, 220, "2024-03-01T00:00:00+00:00")
    saved = trail.answer("How many videos?", _answer(), state, filters=Filters(source="newsroom"))
    trail.answer("Q", _answer("not_covered"), state)
    trail.answer("and YouTube?", _answer(), state, rewritten="How many YouTube videos?", conversation="desk")
    # Each person sharing an index has their own day's conversation, so `history` lists it as theirs.
    assert saved.conversation == daily_conversation("2024-03-15T08:00:00+00:00", "alice") == "cli-2024-03-15-alice"
    assert daily_conversation("2024-03-15T08:00:00+00:00") == "cli-2024-03-15"
    recorded = store.history()
    assert [(t.conversation, t.status, t.owner) for t in recorded] == [
        ("cli-2024-03-15-alice", "answered", "alice"),
        ("cli-2024-03-15-alice", "not_covered", "alice"),
        ("desk", "answered", "alice"),
    ]
    bob = AuditTrail(ConversationStore(store.path, owner="bob"), clock=lambda: "2024-03-15T09:00:00+00:00")
    assert bob.answer("Why?", _answer(), state).conversation == "cli-2024-03-15-bob"
    assert len(store.history()) == 3 and len(store.history(everyone=True)) == 4
    first = recorded[0].to_json()
    assert first["backend"] == "extractive" and first["filters"] == {"source": "newsroom"}
    assert first["index_state"]["documents"] == 96 and first["citations"][0]["quote"].startswith("Facebook said")
    assert recorded[2].rewritten_question == "How many YouTube videos?"


def test_a_switched_off_audit_trail_writes_nothing(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    trail = AuditTrail(store, enabled=False)
    turn = trail.answer("How many videos?", _answer(), None, conversation="desk")
    assert turn.id == 0 and turn.answer.startswith("Facebook said")
    assert not store.path.exists()
    assert AuditTrail.for_settings(Settings(index_dir=tmp_path, audit=False)).enabled is False
    assert AuditTrail.for_settings(Settings(index_dir=tmp_path, audit=False), enabled=True).enabled is True


def _cited(path: str, n: int = 1) -> CitedSource:
    return CitedSource(n, path, "Title", "", "2016-06-25", "", None, f"{path}:0", "A quote.", 0.5)


def test_a_follow_up_is_searched_with_the_documents_the_last_answer_cited() -> None:
    from typing import cast

    from assistant.conversation.session import Session
    from assistant.service import AssistantService

    first = "Which shared database did the platforms set up to block known terrorist videos?"
    answered = Turn(
        first, first, "answered", "A hash database. [1] [2]", (_cited("notes/hashes.md"), _cited("web/gifct.html", 2))
    )
    # Preparing a request needs no index: only the rewriter and the turns so far.
    session = Session(cast(AssistantService, object()), turns=[answered])
    follow = session.prepare("Who runs that database now?")
    assert follow.is_rewritten and follow.thread == ("notes/hashes.md", "web/gifct.html")
    # A question that stands alone, or one after a refusal, is searched on its own.
    assert session.prepare("How did Facebook handle live video in 2016?").thread == ()
    refused = Turn("Who runs it?", "Who runs it?", "not_covered", "The indexed documents do not cover this question.")
    assert Session(cast(AssistantService, object()), turns=[refused]).prepare("And who funds it?").thread == ()
