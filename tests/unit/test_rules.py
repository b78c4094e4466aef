"""Pure rules without the model: which questions are searched, how the library and an answer's sources are listed."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from assistant.cli import render as cli_render
from assistant.domain import Answer, AnswerSentence, Citation, DocumentInfo, Hit, RecordGroup
from assistant.errors import UsageError
from assistant.search.retrieval import Filters, document_allowed
from assistant.service import MAX_QUESTION_CHARS, check_question, group_records


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("", "is empty"),
        ("   \n\t ", "is empty"),
        ("?!?.,;:--!!", "only punctuation"),
        ("… — «»", "only punctuation"),
        ("x" * (MAX_QUESTION_CHARS + 1), "the limit is 2,000"),
    ],
)
def test_questions_that_cannot_be_searched_are_usage_errors(text: str, cause: str) -> None:
    with pytest.raises(UsageError, match=cause):
        check_question(text)


def test_real_questions_pass_unchanged() -> None:
    for text in ("Why?", "8kun?", "Was hat Telegram 2019 getan?", "y" * MAX_QUESTION_CHARS):
        assert check_question(text) == text
    with pytest.raises(UsageError, match="the topic is empty"):
        check_question(" ", "topic")


def _doc(
    path: str, *, source: str | None = None, date: str = "", publisher: str = "", language: str = "en"
) -> DocumentInfo:
    return DocumentInfo(path, path, source or path, path, publisher, "", date, "", language, "csv", 1)


def test_records_of_a_table_file_become_one_group_in_place() -> None:
    documents = [
        _doc("notes/a.md"),
        _doc("posts.csv#row=1", source="posts.csv", date="2016-02-05", publisher="Twitter"),
        _doc("posts.csv#row=2", source="posts.csv", date="2014-06-12", publisher="X"),
        _doc("posts.csv#row=3", source="posts.csv", publisher="Twitter"),
        _doc("web/b.html"),
        _doc("more.jsonl#row=1", source="more.jsonl"),
    ]
    grouped = group_records(documents)
    assert [g.source_path if isinstance(g, RecordGroup) else g.path for g in grouped] == [
        "notes/a.md",
        "posts.csv",
        "web/b.html",
        "more.jsonl",
    ]
    posts = grouped[1]
    assert isinstance(posts, RecordGroup)
    assert len(posts.records) == 3 and posts.dates == ("2014-06-12", "2016-02-05")
    assert posts.publishers() == ["Twitter", "X"]
    # A file whose name merely contains the marker is not a record.
    assert group_records([_doc("odd#row=1.md")]) == [_doc("odd#row=1.md")]


def test_documents_are_filtered_like_the_passages_they_hold() -> None:
    guardian = _doc("news/a.md", date="2019-03-15", publisher="The Guardian")
    undated = _doc("news/b.md", publisher="The Guardian")
    assert document_allowed(guardian, Filters(source="GUARDIAN", since="2019", until="2019-03"))
    assert not document_allowed(guardian, Filters(until="2019-02"))
    assert not document_allowed(undated, Filters(since="2000")), "an undated document is outside any date range"
    assert document_allowed(_doc("guardian/c.md"), Filters(source="guardian")), "the path counts too"


def _citation(n: int, path: str, quote: str, page: int | None = None) -> Citation:
    doc = DocumentInfo(path, path, path, f"Title of {path}", "Desk", "", "2019-03-18", "", "en", "markdown", 3)
    return Citation(n, Hit(f"c{n}", quote, doc, 0, len(quote), page, 0.5, n), quote)


def test_an_answer_lists_each_source_once_with_its_sentence_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    quotes = ["Facebook removed 1.5 million videos.", "It blocked 1.2 million at upload.", "YouTube acted too."]
    citations = (
        _citation(1, "notes/fb.md", quotes[0], page=2),
        _citation(2, "notes/yt.md", quotes[2]),
        _citation(3, "notes/fb.md", quotes[1], page=4),
    )
    text = f"{quotes[0]} [1] {quotes[2]} [2] {quotes[1]} [3]"
    answer = Answer(
        "Q", "answered", text, citations, sentences=tuple(AnswerSentence(q, (n,)) for n, q in enumerate(quotes, 1))
    )
    buffer = io.StringIO()
    monkeypatch.setattr(cli_render, "out", Console(file=buffer, width=200, highlight=False))
    cli_render.print_answer(answer)
    lines = buffer.getvalue().splitlines()
    headers = [line for line in lines if "Title of" in line]
    assert headers == [
        "[1, 3] Title of notes/fb.md — Desk, 2019-03-18 · notes/fb.md, pages 2, 4",
        "[2] Title of notes/yt.md — Desk, 2019-03-18 · notes/yt.md",
    ]
    assert '    [1] page 2: "Facebook removed 1.5 million videos."' in lines
    assert '    [3] page 4: "It blocked 1.2 million at upload."' in lines
    assert '    "YouTube acted too."' in lines
