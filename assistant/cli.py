"""The Typer command line: a thin shell over `AssistantService`.

This is the edge where settings are built from flags, where core errors
become messages and exit codes, and where progress and tables are drawn.

Exit codes: 0 success; 1 error (nothing or not everything could be done);
2 usage error; 3 indexing finished but some files failed.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from assistant import __version__
from assistant.answer.attribution import propaganda_label
from assistant.config import BACKENDS, Settings, load_settings
from assistant.conversation.records import IndexState, Turn, memory, shows_rewrite
from assistant.conversation.rewriting import FollowUpRewriter
from assistant.conversation.store import AuditTrail
from assistant.domain import Answer, Citation, DocumentInfo, IndexReport, RecordGroup
from assistant.errors import AssistantError, UsageError
from assistant.evaluation import by_type, ranked_documents, read_questions
from assistant.search.retrieval import Filters, RetrieverMode
from assistant.service import AssistantService, check_question, group_records
from assistant.text.safe import visible

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
#: The width of stdout when it is not a terminal: wide enough that no table is ever truncated.
PIPE_WIDTH = 100_000

app = typer.Typer(
    name="assistant",
    help="The briefing assistant: index articles and reports, then ask questions with cited answers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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

T = TypeVar("T")


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


def _guard(action: Callable[[], T]) -> T:
    """Run a core call, turning its errors into a message and an exit code."""
    try:
        return action()
    except UsageError as exc:
        _print_error(exc)
        raise typer.Exit(EXIT_USAGE) from None
    except AssistantError as exc:
        _print_error(exc)
        raise typer.Exit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        err.print("interrupted; the index keeps every file completed so far. Run the same command again to finish.")
        raise typer.Exit(130) from None


def _print_error(exc: AssistantError) -> None:
    # Messages name files and echo arguments: never read them as markup.
    err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
    if exc.hint:
        err.print(f"  {exc.hint}", style="dim", soft_wrap=True, markup=False)


def _emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


# --- index ---------------------------------------------------------------------


class _RichProgress:
    """A progress bar (files, chunks, ETA by bytes) for a terminal."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            TextColumn("[bold]Indexing"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[files]} files · {task.fields[chunks]} chunks"),
            TimeRemainingColumn(),
            TextColumn("[dim]{task.fields[current]}"),
            console=console,
            transient=True,
        )
        self.task: Any = None
        self.files_done = 0
        self.files_total = 0
        self.chunks = 0

    def start(self, files: int, total_bytes: int) -> None:
        self.files_total = files
        self.bar.start()
        self.task = self.bar.add_task("index", total=max(total_bytes, 1), files=f"0/{files}", chunks=0, current="")

    def file_done(self, path: str, status: str, chunks: int, size: int) -> None:
        if status != "removed":
            self.files_done += 1
        self.bar.update(
            self.task, advance=size, files=f"{self.files_done}/{self.files_total}", current=escape(visible(path[-40:]))
        )

    def chunks_embedded(self, count: int) -> None:
        self.chunks += count
        self.bar.update(self.task, chunks=self.chunks)

    def stop(self) -> None:
        self.bar.stop()


class _LogProgress:
    """One plain line per file, for logs and pipes."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.perf_counter()

    def start(self, files: int, total_bytes: int) -> None:
        self.console.print(f"indexing {files} files ({total_bytes / 1e6:.1f} MB)")

    def file_done(self, path: str, status: str, chunks: int, size: int) -> None:
        if status in ("added", "updated", "removed"):
            detail = f" ({chunks} chunks)" if chunks else ""
            self.console.print(f"{status} {path}{detail}", markup=False)

    def chunks_embedded(self, count: int) -> None:
        pass

    def stop(self) -> None:
        pass


def _report_json(report: IndexReport, totals: tuple[int, int], location: str) -> dict[str, Any]:
    return {
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "failed": [{"path": f.path, "error": f.error} for f in report.failed],
        "skipped": [{"path": f.path, "reason": f.error} for f in report.skipped],
        "documents": totals[0],
        "chunks": totals[1],
        "indexed_documents": report.documents,
        "indexed_chunks": report.chunks,
        "seconds": round(report.seconds, 3),
        "index": location,
    }


def _print_report(report: IndexReport, totals: tuple[int, int], location: str) -> None:
    table = Table(title=plain(f"Index {location}"), show_header=True, header_style="bold")
    table.add_column("files added", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("removed", justify="right")
    table.add_column("unchanged", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("documents", justify="right")
    table.add_column("chunks", justify="right")
    table.add_column("seconds", justify="right")
    table.add_row(
        str(report.added),
        str(report.updated),
        str(report.removed),
        str(report.unchanged),
        str(len(report.failed)),
        str(totals[0]),
        str(totals[1]),
        f"{report.seconds:.1f}",
    )
    out.print(table)
    if report.skipped:
        out.print(
            f"{len(report.skipped)} file(s) skipped as not documents (e.g. {report.skipped[0].path}: "
            f"{report.skipped[0].error})",
            style="dim",
            markup=False,
        )


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
) -> None:
    """Index articles and reports (Markdown, text, HTML, PDF, CSV, JSONL); only changes are re-embedded."""
    settings = _guard(
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
        targets = _guard(service.indexed_roots)
        if not targets:
            _print_error(UsageError("no paths given and nothing indexed yet"))
            err.print("  Try `assistant index corpus/`.", style="dim")
            raise typer.Exit(EXIT_USAGE)
    progress: _RichProgress | _LogProgress
    progress = _RichProgress(err) if err.is_terminal else _LogProgress(err)
    if as_json and not err.is_terminal:
        progress = _LogProgress(Console(stderr=True, quiet=True))
    try:
        report = _guard(lambda: service.index(targets, rebuild=rebuild, progress=progress))
    finally:
        progress.stop()
    status = _guard(service.status)
    totals = (status.documents, status.chunks)
    if as_json:
        _emit_json(_report_json(report, totals, status.location))
    else:
        for failure in report.failed:
            err.print(f"[red]failed[/] {escape(failure.path)}: {escape(failure.error)}", soft_wrap=True)
        _print_report(report, totals, status.location)
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


# --- filters shared by sources, ask, brief and history -----------------------------

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _check_date(value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
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
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    info = _guard(AssistantService(settings).status)
    if as_json:
        payload = asdict(info)
        payload["index"] = payload.pop("location")
        payload["index_path"] = None if info.mode == "server" else str(settings.index_dir)
        payload["server"] = settings.chroma_url
        _emit_json(payload)
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
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    documents = _guard(lambda: AssistantService(settings).sources(filters, language=language))
    if as_json:
        _emit_json(
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


def answer_json(answer: Answer) -> dict[str, Any]:
    """The stable `ask --json` contract."""
    return {
        "question": answer.question,
        "status": answer.status,
        "answer": answer.text,
        "citations": [
            {
                "n": c.n,
                "path": c.hit.document.path,
                "title": c.hit.document.title,
                "publisher": c.hit.document.publisher,
                "date": c.hit.document.date,
                "url": c.hit.document.url,
                "page": c.hit.page,
                "chunk_id": c.hit.chunk_id,
                "quote": c.quote,
                "score": round(c.hit.score, 6),
                "propaganda": c.propaganda,
                "attributed_to": c.attributed_to or None,
            }
            for c in answer.citations
        ],
        "retrieved": [
            {"rank": h.rank, "path": h.document.path, "chunk_id": h.chunk_id, "score": round(h.score, 6)}
            for h in answer.retrieved
        ],
        "backend": answer.backend,
        "model": answer.model,
        "timings_ms": answer.timings_ms,
        "note": answer.note,
        "sentences": [
            {"text": part.text, "citations": list(part.citations), "supported": part.supported}
            for part in answer.sentences
        ],
        "unsupported": sum(1 for part in answer.sentences if not part.supported),
        "set_aside": answer.set_aside,
    }


def _print_answer(answer: Answer) -> None:
    if answer.status == "not_covered":
        out.print(f"[bold yellow]Not covered.[/] {escape(answer.text)}", soft_wrap=False)
        if answer.retrieved:
            out.print("\n[bold]Nearest documents[/]")
            seen: set[str] = set()
            for hit in answer.retrieved:
                if hit.document.path in seen or len(seen) >= 5:
                    continue
                seen.add(hit.document.path)
                out.print(
                    f"  - {hit.document.title} ({hit.document.publisher or 'unknown'}, "
                    f"{hit.document.date or 'undated'}) · {hit.document.path}",
                    markup=False,
                )
        return
    text = re.sub(r"\[(\d+)\]", r"[bold cyan]\[\1][/]", escape(answer.text))
    text = text.replace("\\[unsupported]", "[bold red]\\[unsupported][/]")
    out.print(text)
    unsupported = sum(1 for part in answer.sentences if not part.supported)
    if unsupported:
        out.print(f"[red]{unsupported} sentence(s) have no support in the retrieved passages.[/]")
    if answer.set_aside:
        out.print(f"[dim]{answer.set_aside} sentence(s) addressed to an AI assistant set aside (never evidence).[/]")
    out.print("\n[bold]Sources[/]")
    # One entry per document with the numbers of the sentences citing it, then each cited quote.
    by_document: dict[str, list[Citation]] = {}
    for c in answer.citations:
        by_document.setdefault(c.hit.document.path, []).append(c)
    for cited in by_document.values():
        doc = cited[0].hit.document
        pages = sorted({c.hit.page for c in cited if c.hit.page})
        where = doc.path + (f", page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages))}" if pages else "")
        numbers = ", ".join(str(c.n) for c in cited)
        out.print(
            f"[bold cyan]\\[{numbers}][/] {escape(doc.title)} — {escape(doc.publisher or 'unknown publisher')}, "
            f"{escape(doc.date or 'undated')} · {escape(where)}"
        )
        for c in cited:
            label = f"\\[{c.n}] " if len(cited) > 1 else ""
            page = f"page {c.hit.page}: " if len(pages) > 1 and c.hit.page else ""
            out.print(f'    [dim]{label}{page}"{escape(" ".join(c.quote.split()))}"[/]')
            if c.propaganda:
                out.print(f"    [bold red]{escape(propaganda_label(c.attributed_to))}[/]")


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
    _guard(lambda: check_question(question))
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url, backend=backend))
    service = AssistantService(settings)
    asked = question
    trail = AuditTrail.for_settings(settings, enabled=False if no_audit else None)
    if session is not None:
        session = session.strip()
        if not session:
            raise typer.BadParameter("the session name is empty", param_hint="--session")
        found = _guard_store(lambda: trail.store.find(session))
        earlier = _guard_store(lambda: trail.store.turns(found.id)) if found else []
        question = FollowUpRewriter().rewrite(asked, memory(earlier))

    def run() -> Answer:
        final: Answer | None = None
        streamed = False
        for item in service.stream(question, k=k, mode=mode, filters=filters):
            if isinstance(item, Answer):
                final = item
            elif not as_json:
                # Show the model's words as they come; the cited version follows.
                out.print(item, end="", markup=False, highlight=False)
                streamed = True
        if streamed:
            out.print("\n")
        assert final is not None
        return final

    if session is not None and not as_json and question != asked:
        out.print(f"[dim]searched as: {escape(question)}[/]")
    answer = _guard(run)
    if trail.enabled:
        state = IndexState.from_status(_guard(service.status))
        # A session is created only once it has an answer to keep; its memory must be saved (exit 1 if it cannot).
        _record(
            lambda: trail.answer(asked, answer, state, rewritten=question, filters=filters, conversation=session),
            required=session is not None,
        )
    if as_json:
        payload = answer_json(answer)
        if session is not None:
            payload["question"] = asked
            payload["rewritten_question"] = question
        _emit_json(payload)
    else:
        _print_answer(answer)


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
    _guard(lambda: check_question(topic, "topic"))
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url, backend=backend))
    service = AssistantService(settings)
    result = _guard(lambda: service.brief(topic, filters=filters, mode=mode))
    trail = AuditTrail.for_settings(settings, enabled=False if no_audit else None)
    if trail.enabled:
        state = IndexState.from_status(_guard(service.status))
        _record(lambda: trail.brief(topic, result, state, filters=filters), required=False)
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


def _record(action: Callable[[], Turn], *, required: bool) -> None:
    """Write a turn to the audit trail; if that fails, stop with exit 1 when `required`, else warn."""
    if required:
        _guard_store(action)
        return
    try:
        action()
    except (sqlite3.Error, OSError) as exc:
        err.print(
            f"[bold yellow]warning:[/] this was not recorded in the audit trail: {escape(str(exc))}", soft_wrap=True
        )


def _guard_store(action: Callable[[], T]) -> T:
    """Run a conversation-store call, turning database errors into a message and exit 1."""
    try:
        return action()
    except (sqlite3.Error, OSError) as exc:
        err.print(f"[bold red]error:[/] cannot use the conversation store: {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_ERROR) from None


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
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    if not settings.audit:
        err.print("note: the audit trail is off (audit = false): questions asked now are not recorded.")
    store = AuditTrail.for_settings(settings).store
    turns = _guard_store(lambda: store.history(session, everyone=everyone, since=since, limit=limit))
    if as_json:
        _emit_json([turn.to_json() for turn in turns])
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
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    # Imported here: the other commands never pay for loading Textual.
    from assistant.tui.app import run_chat

    run_chat(settings, show_all=everyone)


@app.command(name="eval")
def evaluate(
    questions: Annotated[
        Path, typer.Argument(help="Question file (JSON Lines: question, type, gold_docs, key_facts).")
    ],
    as_json: JsonFlag = False,
    retriever: Retriever = "hybrid",
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 10,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Measure retrieval and answer quality on a question set."""
    mode = _retriever_mode(retriever)
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    service = AssistantService(settings)
    items = _guard(lambda: read_questions(questions))
    results = _guard(lambda: service.evaluate(items, mode=mode, k=k))
    table = by_type(results)
    if as_json:
        _emit_json(
            {
                "retriever": mode,
                "summary": {name: summary.to_json() for name, summary in table.items()},
                "questions": [r.to_json() for r in results],
            }
        )
        return
    grid = Table(title=f"Evaluation ({mode}, {len(results)} questions)", header_style="bold")
    columns = ["type", "n", "R@1", "R@5", "R@10", "MRR", "facts", "quotes", "refusal acc", "false ref"]
    for column in columns:
        grid.add_column(column, justify="right" if column != "type" else "left")
    for name, summary in table.items():
        data = summary.to_json()
        grid.add_row(
            plain(name),
            str(summary.questions),
            *(
                f"{data[key]:.2f}"
                for key in ("recall@1", "recall@5", "recall@10", "mrr", "key_fact_coverage", "citation_validity")
            ),
            "-" if data["refusal_accuracy"] is None else f"{data['refusal_accuracy']:.2f}",
            f"{data['false_refusals']:.2f}",
        )
    out.print(grid)
    misses = [r for r in results if r.question.answerable and (r.rank is None or r.rank > 5)]
    for miss in misses:
        got = ranked_documents(miss.answer)[:3]
        out.print(f"miss {miss.question.id}: gold rank {miss.rank}; got {got}", style="dim", markup=False)


def main() -> None:
    """Console-script entry point."""
    if len(sys.argv) == 1 and sys.stdin.isatty() and sys.stdout.isatty():
        # A bare `assistant` in a terminal opens the app; in a pipe it still shows help.
        sys.argv.append("chat")
    app()
