"""How the CLI prints results: index reports, answers with their sources, and the JSON forms of both."""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape
from rich.table import Table

from assistant.answer.attribution import propaganda_label
from assistant.cli.console import out, plain
from assistant.domain import Answer, Citation, IndexReport
from assistant.text.apparatus import display_text


def report_json(report: IndexReport, totals: tuple[int, int], location: str) -> dict[str, Any]:
    return {
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "failed": [{"path": f.path, "error": f.error} for f in report.failed],
        "skipped": [{"path": f.path, "reason": f.error} for f in report.skipped],
        "excluded": [{"path": f.path, "pattern": f.error} for f in report.excluded],
        "documents": totals[0],
        "chunks": totals[1],
        "indexed_documents": report.documents,
        "indexed_chunks": report.chunks,
        "seconds": round(report.seconds, 3),
        "index": location,
    }


def print_report(report: IndexReport, totals: tuple[int, int], location: str) -> None:
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
    if report.excluded:
        first = report.excluded[0]
        out.print(
            f"{len(report.excluded)} file(s) or folder(s) left out by exclusion patterns "
            f"(e.g. {first.path}: pattern '{first.error}')",
            style="dim",
            markup=False,
        )
    if report.skipped:
        out.print(
            f"{len(report.skipped)} file(s) skipped as not documents (e.g. {report.skipped[0].path}: "
            f"{report.skipped[0].error})",
            style="dim",
            markup=False,
        )


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


def print_answer(answer: Answer) -> None:
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
            # Shown as prose (link text, no tags or emphasis marks); `--json` keeps the verbatim quote.
            out.print(f'    [dim]{label}{page}"{escape(display_text(c.quote))}"[/]')
            if c.propaganda:
                out.print(f"    [bold red]{escape(propaganda_label(c.attributed_to))}[/]")
