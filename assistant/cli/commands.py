"""The Typer command line: a thin shell over `AssistantService`.

This is the edge where settings are built from flags, where core errors
become messages and exit codes, and where progress and tables are drawn.

Exit codes: 0 success; 1 error (nothing or not everything could be done);
2 usage error; 3 indexing finished but some files failed.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant import __version__
from assistant.cli.console import (
    EXIT_ERROR,
    EXIT_PARTIAL,
    EXIT_USAGE,
    emit_json,
    err,
    guard,
    guard_store,
    out,
    plain,
    print_error,
    report_unsaved,
)
from assistant.cli.progress import LogProgress, RichProgress
from assistant.cli.render import answer_json, print_answer, print_report, report_json
from assistant.config import BACKENDS, Settings, load_settings
from assistant.conversation.records import shows_rewrite
from assistant.conversation.session import Reply, Session
from assistant.conversation.store import AuditTrail
from assistant.domain import Answer, DocumentInfo, RecordGroup
from assistant.errors import UsageError
from assistant.evaluation import EVIDENCE_AT, Summary, by_split, by_type, ranked_documents, read_questions
from assistant.ingest import exclusions
from assistant.search.retrieval import Filters, RetrieverMode
from assistant.service import AssistantService, check_question, group_records
from assistant.text.dates import is_filter_date
from assistant.tuning import DEFAULTS

app = typer.Typer(
    name="assistant",
    help="The briefing assistant: index articles and reports, then ask questions with cited answers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


IndexDir = Annotated[
    Path | None, typer.Option("--index-dir", help="Local index folder (default: index/).", show_default=False)
]
ChromaUrl = Annotated[
    str | None,
    typer.Option("--chroma-url", help="Use a Chroma server instead, e.g. http://127.0.0.1:8000.", show_default=False),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]

NoAudit = Annotated[
    bool, typer.Option("--no-audit", help="Do not record this question in the audit trail (`assistant history`).")
]


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"assistant {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    pass


def _settings(**overrides: Any) -> Settings:
    return load_settings(**overrides)


# --- index ---------------------------------------------------------------------


@app.command()
def index(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Folders or files to index. Default: the folders indexed before.", show_default=False),
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start a clean index instead of updating.")] = False,
    as_json: JsonFlag = False,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    text_column: Annotated[str | None, typer.Option(help="CSV/JSONL column holding the text.")] = None,
    date_column: Annotated[str | None, typer.Option(help="CSV/JSONL column holding the date.")] = None,
    author_column: Annotated[str | None, typer.Option(help="CSV/JSONL column holding the author.")] = None,
    wait: Annotated[
        float | None, typer.Option(help="Seconds to wait if another run is writing the index.", show_default=False)
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="Leave out files or folders matching this glob, relative to each folder indexed (repeatable): "
            "'README.md' at any depth, '/README.md' at the top only, 'drafts/' a folder. Any folder's "
            ".assistantignore holds lasting patterns.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Index articles and reports (Markdown, text, HTML, PDF, CSV, JSONL); only changes are re-embedded."""
    settings = guard(
        lambda: _settings(
            index_dir=index_dir,
            chroma_url=chroma_url,
            csv_text_column=text_column,
            csv_date_column=date_column,
            csv_author_column=author_column,
            lock_timeout=wait,
        )
    )
    service = AssistantService(settings)
    targets = list(paths or [])
    if not targets:
        targets = guard(service.indexed_roots)
        if not targets:
            print_error(UsageError("no paths given and nothing indexed yet"))
            err.print("  Try `assistant index corpus/`.", style="dim")
            raise typer.Exit(EXIT_USAGE)
    progress: RichProgress | LogProgress
    progress = RichProgress(err) if err.is_terminal else LogProgress(err)
    if as_json and not err.is_terminal:
        progress = LogProgress(Console(stderr=True, quiet=True))
    try:
        patterns = guard(lambda: exclusions.parse(exclude or [], "--exclude"))
        report = guard(lambda: service.index(targets, rebuild=rebuild, progress=progress, exclude=patterns))
    finally:
        progress.stop()
    status = guard(service.status)
    totals = (status.documents, status.chunks)
    if as_json:
        emit_json(report_json(report, totals, status.location))
    else:
        for failure in report.failed:
            err.print(f"[red]failed[/] {escape(failure.path)}: {escape(failure.error)}", soft_wrap=True)
        print_report(report, totals, status.location)
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


# --- filters shared by sources, ask, brief and history -----------------------------


def _check_date(value: str | None) -> str | None:
    if value is not None and not is_filter_date(value):
        raise typer.BadParameter(f"{value!r} is not a date like 2019, 2019-03 or 2019-03-15")
    return value


Since = Annotated[str | None, typer.Option(help="Only documents dated on or after (YYYY[-MM[-DD]]).")]
Until = Annotated[str | None, typer.Option(help="Only documents dated on or before (YYYY[-MM[-DD]]).")]
SourceFilter = Annotated[str | None, typer.Option(help="Only documents whose publisher or path contains this.")]


def _filters(since: str | None, until: str | None, source: str | None) -> Filters:
    return Filters(since=_check_date(since), until=_check_date(until), source=source or None)


# --- status and sources -------------------------------------------------------------


@app.command()
def status(as_json: JsonFlag = False, index_dir: IndexDir = None, chroma_url: ChromaUrl = None) -> None:
    """Show what the index holds: documents, chunks, model, last indexed."""
    settings = guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    info = guard(AssistantService(settings).status)
    if as_json:
        payload = asdict(info)
        payload["index"] = payload.pop("location")
        payload["index_path"] = None if info.mode == "server" else str(settings.index_dir)
        payload["server"] = settings.chroma_url
        emit_json(payload)
        return
    if not info.exists:
        out.print(f"No index at {escape(info.location)}. Run [bold]assistant index PATH[/] to build one.")
        return
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("index", plain(f"{info.location} ({info.mode})"))
    table.add_row("documents", f"{info.documents:,}")
    table.add_row("chunks", f"{info.chunks:,}")
    table.add_row("source files", f"{info.sources:,}")
    table.add_row("embedding model", f"{info.embedding_model} ({info.dimension} dimensions)")
    table.add_row("chunker", info.chunker)
    table.add_row("last indexed", info.last_indexed or "never completed")
    if info.other_languages:
        listed = ", ".join(f"{code or 'unknown'} {count:,}" for code, count in info.other_languages.items())
        table.add_row(
            "other languages", plain(f"{listed} documents ({info.crosslingual_chunks:,} chunks, multilingual e5)")
        )
    out.print(table)


@app.command()
def sources(
    as_json: JsonFlag = False,
    records: Annotated[
        bool, typer.Option("--records", help="List every record of a CSV/JSONL file, not one line per file.")
    ] = False,
    source: SourceFilter = None,
    since: Since = None,
    until: Until = None,
    language: Annotated[
        str | None, typer.Option(help="Only documents in this language (a code such as en).", show_default=False)
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Show at most N lines (N documents with --json).")
    ] = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """List the indexed documents (title, publisher, date, path), one line per table file unless --records."""
    filters = _filters(since, until, source)
    settings = guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    documents = guard(lambda: AssistantService(settings).sources(filters, language=language))
    if as_json:
        emit_json(
            [
                {
                    "id": d.id,
                    "title": d.title,
                    "publisher": d.publisher,
                    "date": d.date,
                    "path": d.path,
                    "url": d.url,
                    "author": d.author,
                    "language": d.language,
                    "format": d.format,
                    "chunks": d.chunks,
                }
                for d in documents[:limit]
            ]
        )
        return
    if not documents:
        out.print("No indexed documents match." if filters.active or language else "The index holds no documents.")
        return
    rows: list[DocumentInfo | RecordGroup] = list(documents) if records else group_records(documents)
    groups = [row for row in rows if isinstance(row, RecordGroup)]
    table = Table(show_header=True, header_style="bold", title=f"{len(documents):,} documents")
    for column in ("date", "title", "publisher", "path"):
        table.add_column(column, overflow="fold")
    for row in rows[:limit]:
        if isinstance(row, RecordGroup):
            first, last = row.dates
            name = PurePosixPath(row.source_path).name
            publishers = row.publishers()
            named = ", ".join(publishers[:3]) + (f" and {len(publishers) - 3} more" if len(publishers) > 3 else "")
            dates = first if first == last else f"{first} to {last}"
            cells = (dates, f"{name} — {len(row.records):,} records", named, row.source_path)
        else:
            cells = (row.date, row.title, row.publisher, row.path)
        table.add_row(*(plain(value) for value in cells))
    out.print(table)
    if groups:
        records_in = sum(len(g.records) for g in groups)
        out.print(f"[dim]{records_in:,} table records shown as one line per file; --records lists each.[/]")
    if limit is not None and len(rows) > limit:
        out.print(f"[dim]{len(rows) - limit:,} more lines not shown (--limit {limit}).[/]")


# --- ask and eval -------------------------------------------------------------------


def _check_backend(backend: str | None) -> None:
    if backend is not None and backend not in BACKENDS:
        raise typer.BadParameter(f"{backend!r} is not one of {', '.join(BACKENDS)}", param_hint="--backend")


Retriever = Annotated[str, typer.Option("--retriever", help="hybrid (default), dense or bm25.", case_sensitive=False)]


def _retriever_mode(value: str) -> RetrieverMode:
    if value not in ("hybrid", "dense", "bm25"):
        raise typer.BadParameter(f"{value!r} is not one of hybrid, dense, bm25", param_hint="--retriever")
    return value  # type: ignore[return-value]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The briefing question.")],
    as_json: JsonFlag = False,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many passages to retrieve.")] = 10,
    retriever: Retriever = "hybrid",
    since: Since = None,
    until: Until = None,
    source: SourceFilter = None,
    backend: Annotated[
        str | None,
        typer.Option(help="Answer backend: extractive (default), local, openai or ollama.", show_default=False),
    ] = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    session: Annotated[
        str | None,
        typer.Option(
            "--session",
            help="Continue the named conversation: follow-ups are rewritten from its earlier questions, "
            "and the turn is saved (see `assistant history`).",
            show_default=False,
        ),
    ] = None,
    no_audit: NoAudit = False,
) -> None:
    """Answer a question from the indexed documents, citing the exact passages; the answer is kept in `history`."""
    mode = _retriever_mode(retriever)
    filters = _filters(since, until, source)
    _check_backend(backend)
    guard(lambda: check_question(question))
    settings = guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url, backend=backend))
    service = AssistantService(settings)
    trail = AuditTrail.for_settings(settings, enabled=False if no_audit else None)
    if session is not None:
        name = session.strip()
        if not name:
            raise typer.BadParameter("the session name is empty", param_hint="--session")
        conversation = guard_store(lambda: Session.resume(service, trail, name))
    else:
        # A plain question is kept in the day's conversation, and is never taken as a follow-up.
        conversation = Session(service, trail)
    request = conversation.prepare(question, filters=filters, k=k, mode=mode)

    def answer() -> Reply:
        streamed = False
        for item in conversation.stream(request):
            if isinstance(item, Reply):
                return item
            if isinstance(item, str) and not as_json:
                # Show the model's words as they come; the cited version follows.
                out.print(item, end="", markup=False, highlight=False)
                streamed = True
            elif isinstance(item, Answer) and streamed:
                out.print("\n")
        raise AssertionError("a session's stream always ends with its Reply")

    if session is not None and not as_json and request.is_rewritten:
        out.print(f"[dim]searched as: {escape(request.rewritten)}[/]")
    reply = guard(answer)
    # A session is created only once it has an answer to keep; its memory must be saved (exit 1 if it cannot).
    report_unsaved(reply, required=session is not None)
    assert reply.answer is not None
    if as_json:
        payload = answer_json(reply.answer)
        if session is not None:
            payload["question"] = request.question
            payload["rewritten_question"] = request.rewritten
        emit_json(payload)
    else:
        print_answer(reply.answer)


# --- brief ---------------------------------------------------------------------------------

BRIEF_FORMATS = ("md", "json", "html")


@app.command()
def brief(
    topic: Annotated[str, typer.Argument(help="What the brief is about, e.g. 'platform responses to X'.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="md (default), json or html.", case_sensitive=False)
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the brief to this file.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    since: Since = None,
    until: Until = None,
    source: SourceFilter = None,
    retriever: Retriever = "hybrid",
    backend: Annotated[
        str | None,
        typer.Option(help="extractive (default) or an LLM backend to write the bottom line.", show_default=False),
    ] = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    no_audit: NoAudit = False,
) -> None:
    """Write a briefing: BLUF, key judgments, evidence, timeline, actors, graded sources and gaps."""
    from assistant.brief.render import brief_html, brief_json, brief_markdown

    fmt = "json" if as_json else fmt.lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in BRIEF_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(BRIEF_FORMATS)}", param_hint="--format")
    mode = _retriever_mode(retriever)
    filters = _filters(since, until, source)
    _check_backend(backend)
    guard(lambda: check_question(topic, "topic"))
    settings = guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url, backend=backend))
    service = AssistantService(settings)
    conversation = Session(service, AuditTrail.for_settings(settings, enabled=False if no_audit else None))
    reply = guard(lambda: conversation.run(conversation.prepare_brief(topic, filters=filters, mode=mode)))
    report_unsaved(reply, required=False)
    result = reply.brief
    assert result is not None
    if fmt == "json":
        text = json.dumps(brief_json(result), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = brief_html(result)
    else:
        text = brief_markdown(result)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            reason = escape(exc.strerror or str(exc))
            err.print(f"[bold red]error:[/] cannot write the brief to {escape(str(output))}: {reason}")
            raise typer.Exit(EXIT_ERROR) from None
        if result.status == "not_covered":
            err.print(f"The indexed documents do not cover this topic; wrote what is missing to {escape(str(output))}.")
        else:
            counts = f"{len(result.sources)} sources, {len(result.judgments)} judgments"
            err.print(f"Wrote the brief ({counts}) to {escape(str(output))}.")
        return
    if fmt == "md" and out.is_terminal:
        from rich.markdown import Markdown

        out.print(Markdown(text))
    else:
        sys.stdout.write(text)


# --- conversations ---------------------------------------------------------------------


@app.command()
def history(
    as_json: JsonFlag = False,
    session: Annotated[
        str | None,
        typer.Option("--session", help="Only this conversation (whoever started it).", show_default=False),
    ] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Every user's conversations, not only your own.")] = False,
    since: Annotated[
        str | None, typer.Option(help="Only questions asked on or after this day (YYYY[-MM[-DD]], UTC).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the N most recent questions.")] = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """List the audit trail: the questions you asked (ask, brief, chat) with answers, citations and index state."""
    since = _check_date(since)
    settings = guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    if not settings.audit:
        err.print("note: the audit trail is off (audit = false): questions asked now are not recorded.")
    store = AuditTrail.for_settings(settings).store
    turns = guard_store(lambda: store.history(session, everyone=everyone, since=since, limit=limit))
    if as_json:
        emit_json([turn.to_json() for turn in turns])
        return
    if not turns:
        filtered = session is not None or since is not None
        out.print("No recorded questions match." if filtered else "No questions recorded yet.")
        return
    table = Table(show_header=True, header_style="bold", title=f"{len(turns):,} questions")
    # Whose conversation it was matters once other people's are listed.
    owners = everyone or session is not None
    columns = ("asked at", "conversation", "owner", "question", "status", "citations")
    for column in columns if owners else [c for c in columns if c != "owner"]:
        table.add_column(column, overflow="fold")
    for turn in turns:
        asked = escape(turn.question)
        if shows_rewrite(turn.question, turn.rewritten_question):
            asked += f"\n[dim]→ {escape(turn.rewritten_question)}[/]"
        owner = [escape(turn.owner or "unknown")] if owners else []
        table.add_row(turn.asked_at, escape(turn.conversation), *owner, asked, turn.status, str(len(turn.citations)))
    out.print(table)


@app.command()
def chat(
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    everyone: Annotated[
        bool,
        typer.Option("--all", help="List every user's conversations (ctrl+a in the list toggles), not only yours."),
    ] = False,
) -> None:
    """Open the interactive briefing assistant (also: `assistant` with no arguments in a terminal)."""
    settings = guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    # Imported here: the other commands never pay for loading Textual.
    from assistant.tui.app import run_chat

    run_chat(settings, show_all=everyone)


@app.command(name="eval")
def evaluate(
    questions: Annotated[
        Path,
        typer.Argument(
            help="Question file (JSON Lines: question or list of turns, type, gold_docs, key_facts, evidence, split)."
        ),
    ],
    as_json: JsonFlag = False,
    retriever: Retriever = "hybrid",
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 10,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Answer backend to measure: extractive (default), local, openai or ollama.", show_default=False
        ),
    ] = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Measure retrieval and answer quality on a question set."""
    mode = _retriever_mode(retriever)
    _check_backend(backend)
    settings = guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url, backend=backend))
    service = AssistantService(settings)
    items = guard(lambda: read_questions(questions))
    results = guard(lambda: service.evaluate(items, mode=mode, k=k))
    table = by_type(results)
    splits = by_split(results)
    tuning = settings.tuning
    if as_json:
        emit_json(
            {
                "retriever": mode,
                "backend": settings.backend,
                # Which numbers produced this result: the whole tuning, and its short fingerprint.
                "tuning": tuning.as_json(),
                "tuning_fingerprint": tuning.fingerprint(),
                "summary": {name: summary.to_json() for name, summary in table.items()},
                "splits": {
                    split: {name: summary.to_json() for name, summary in summaries.items()}
                    for split, summaries in splits.items()
                },
                "questions": [r.to_json() for r in results],
            }
        )
        return
    label = mode if settings.backend == "extractive" else f"{mode}, {settings.backend}"
    out.print(_evaluation_grid(f"Evaluation ({label}, {len(results)} questions)", table))
    for split, summaries in splits.items():
        count = summaries["overall"].questions
        out.print(_evaluation_grid(f"Split {split} ({label}, {count} questions)", summaries))
    origin = "the defaults" if tuning == DEFAULTS else "changed from the defaults; see eval --json"
    out.print(f"tuning {tuning.fingerprint()} ({origin})", style="dim", markup=False)
    misses = [r for r in results if r.question.answerable and (r.rank is None or r.rank > 5)]
    for miss in misses:
        got = ranked_documents(miss.answer)[:3]
        out.print(f"miss {miss.question.id}: gold rank {miss.rank}; got {got}", style="dim", markup=False)


def _evaluation_grid(title: str, table: dict[str, Summary]) -> Table:
    """One `eval` table: a row per question type and overall."""
    grid = Table(title=plain(title), header_style="bold")
    columns = ["type", "n", "R@1", "R@5", "R@10", "MRR", "facts", "quotes", "refusal acc", "false ref"]
    columns += [f"ev@{k}" for k in EVIDENCE_AT] + ["lead", "median chars", "unsup", "p50 ms"]
    for column in columns:
        grid.add_column(column, justify="right" if column != "type" else "left")

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    for name, summary in table.items():
        data = summary.to_json()
        grid.add_row(
            plain(name),
            str(summary.questions),
            *(
                share(data[key])
                for key in ("recall@1", "recall@5", "recall@10", "mrr", "key_fact_coverage", "citation_validity")
            ),
            share(data["refusal_accuracy"]),
            share(data["false_refusals"]),
            *(share(data[f"evidence@{k}"]) for k in EVIDENCE_AT),
            share(data["lead_fact_share"]),
            "-" if summary.median_answer_chars is None else f"{summary.median_answer_chars:.0f}",
            share(data["unsupported_share"]),
            "-" if summary.latency_p50_ms is None else f"{summary.latency_p50_ms:.0f}",
        )
    return grid


def main() -> None:
    """Console-script entry point."""
    if len(sys.argv) == 1 and sys.stdin.isatty() and sys.stdout.isatty():
        # A bare `assistant` in a terminal opens the app; in a pipe it still shows help.
        sys.argv.append("chat")
    app()
