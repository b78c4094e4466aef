"""The Typer command line: a thin shell over `AssistantService`.

This is the edge where settings are built from flags, where core errors
become messages and exit codes, and where progress and tables are drawn.

Exit codes: 0 success; 1 error (nothing or not everything could be done);
2 usage error; 3 indexing finished but some files failed.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from assistant.config import Settings, load_settings
from assistant.domain import IndexReport
from assistant.errors import AssistantError, UsageError
from assistant.service import AssistantService

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3

app = typer.Typer(
    name="assistant",
    help="The briefing assistant: index articles and reports, then ask questions with cited answers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

IndexDir = Annotated[
    Path | None, typer.Option("--index-dir", help="Local index folder (default: index/).", show_default=False)
]
ChromaUrl = Annotated[
    str | None,
    typer.Option("--chroma-url", help="Use a Chroma server instead, e.g. http://127.0.0.1:8000.", show_default=False),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]

T = TypeVar("T")


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
    err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
    if exc.hint:
        err.print(f"  {exc.hint}", style="dim", soft_wrap=True)


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
        self.bar.update(self.task, advance=size, files=f"{self.files_done}/{self.files_total}", current=path[-40:])

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
    table = Table(title=f"Index {location}", show_header=True, header_style="bold")
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
            f"[dim]{len(report.skipped)} file(s) skipped as not documents (e.g. {report.skipped[0].path}: "
            f"{report.skipped[0].error})[/]"
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
            err.print(f"[red]failed[/] {failure.path}: {failure.error}", soft_wrap=True)
        _print_report(report, totals, status.location)
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


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
        out.print(f"No index at {info.location}. Run [bold]assistant index PATH[/] to build one.")
        return
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("index", f"{info.location} ({info.mode})")
    table.add_row("documents", f"{info.documents:,}")
    table.add_row("chunks", f"{info.chunks:,}")
    table.add_row("source files", f"{info.sources:,}")
    table.add_row("embedding model", f"{info.embedding_model} ({info.dimension} dimensions)")
    table.add_row("chunker", info.chunker)
    table.add_row("last indexed", info.last_indexed or "never completed")
    out.print(table)


@app.command()
def sources(as_json: JsonFlag = False, index_dir: IndexDir = None, chroma_url: ChromaUrl = None) -> None:
    """List every indexed document with its title, publisher, date, path and URL."""
    settings = _guard(lambda: _settings(index_dir=index_dir, chroma_url=chroma_url))
    documents = _guard(AssistantService(settings).sources)
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
                for d in documents
            ]
        )
        return
    table = Table(show_header=True, header_style="bold", title=f"{len(documents):,} documents")
    for column in ("date", "title", "publisher", "path"):
        table.add_column(column, overflow="fold")
    for d in documents:
        table.add_row(d.date, d.title, d.publisher, d.path)
    out.print(table)


def main() -> None:
    """Console-script entry point."""
    app()
