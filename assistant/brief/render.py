"""Writing a `Brief` out: the stable JSON schema, Markdown, and one self-contained HTML file.

All three carry the same content. The Markdown and HTML versions are meant to
be read on their own, so each ends with the sources table and a short key to
the grades and the estimative terms. Both treat everything that comes from a
document (or the command line) as text: it is escaped, never markup, and only
http and https addresses become links (see `assistant.text.safe`).
"""

from __future__ import annotations

import html
from typing import Any

from assistant.answer.attribution import propaganda_label
from assistant.brief.builder import FACETS, LIKELIHOOD_TERMS, Brief, BriefQuote, BriefSource
from assistant.brief.grading import CREDIBILITY, RELIABILITY
from assistant.text.safe import markdown_text, visible, web_link

SCHEMA_VERSION = 1
_HEADINGS = {facet.key: facet.heading for facet in FACETS}


def _quote_json(quote: BriefQuote) -> dict[str, Any]:
    return {
        "n": quote.n,
        "text": quote.text,
        "chunk_id": quote.chunk_id,
        "page": quote.page,
        "propaganda": bool(quote.attributed_to),
        "attributed_to": quote.attributed_to or None,
        "posted": quote.posted or None,
    }


def _source_json(source: BriefSource) -> dict[str, Any]:
    doc = source.document
    return {
        "n": source.n,
        "title": doc.title,
        "publisher": doc.publisher,
        "date": doc.date,
        "path": doc.path,
        "url": doc.url,
        "reliability": source.reliability,
        "reliability_label": source.reliability_label,
        "reliability_note": source.reliability_note,
        "credibility": source.credibility,
        "credibility_label": source.credibility_label,
        "corroborated_by": list(source.corroborated_by),
    }


def brief_json(brief: Brief) -> dict[str, Any]:
    """The documented `brief --json` schema (see README); keys are only ever added."""
    return {
        "schema": SCHEMA_VERSION,
        "topic": brief.topic,
        "status": brief.status,
        "bluf": brief.bluf_text,
        "bluf_sentences": [
            {
                "text": s.text,
                "citations": list(s.citations),
                "quotes": [_quote_json(q) for q in s.quotes],
                "supported": s.supported,
            }
            for s in brief.bluf
        ],
        "judgments": [
            {
                "text": j.text,
                "likelihood": j.likelihood,
                "confidence": j.confidence,
                "basis": j.basis,
                "citations": list(j.citations),
                "quotes": [_quote_json(q) for q in j.quotes],
            }
            for j in brief.judgments
        ],
        "evidence": [
            {
                "text": e.text,
                "facet": e.facet,
                "citations": list(e.citations),
                "quotes": [q.text for q in e.quotes],
                "quote_details": [_quote_json(q) for q in e.quotes],
                "propaganda": bool(e.attributed_to),
                "attributed_to": e.attributed_to or None,
                "posted": _posted(e.quotes) or None,
            }
            for e in brief.evidence
        ],
        "timeline": [
            {
                "date": t.date,
                "event": t.event,
                "citations": list(t.citations),
                "dated_by": t.dated_by,
                "quotes": [q.text for q in t.quotes],
            }
            for t in brief.timeline
        ],
        "actors": [
            {
                "name": a.name,
                "aliases": list(a.aliases),
                "kind": a.kind,
                "mentions": a.mentions,
                "citations": list(a.citations),
            }
            for a in brief.actors
        ],
        "sources": [_source_json(s) for s in brief.sources],
        "gaps": [g.question for g in brief.gaps],
        "gap_details": [{"question": g.question, "reason": g.reason} for g in brief.gaps],
        "notes": list(brief.notes),
        "filters": brief.filters,
        "generated": brief.generated,
        "backend": brief.backend,
        "model": brief.model,
        "timings_ms": brief.timings_ms,
        "set_aside": brief.set_aside,
    }


# --- Markdown ----------------------------------------------------------------------------------


def _byline(brief: Brief) -> str:
    made = f"Prepared {brief.generated} by the briefing assistant ({brief.backend}"
    made += f", {brief.model})" if brief.model else ")"
    if brief.filters:
        made += f"; documents limited to {brief.filters}"
    return f"{made}. Every statement cites the numbered sources at the end."


def _differs(quote: str, shown: str) -> bool:
    """Whether the exact quote must be shown beside the text (the text was tidied)."""
    return " ".join(quote.split()) != shown


def _marks(citations: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in citations)


def _md(text: str) -> str:
    """Document text in Markdown: shown as written, never a tag, link or image."""
    return markdown_text(text)


def _md_cell(text: str) -> str:
    return " ".join(_md(text).replace("|", "\\|").split())


def _md_source(title: str, url: str) -> str:
    """The title, linked only to a web address; any other URL is shown as text beside it."""
    if not url:
        return _md_cell(title)
    if web_link(url):
        return f"[{_md_cell(title)}](<{url}>)"
    return f"{_md_cell(title)} ({_md_cell(url)})"


def _propaganda_label(group: str) -> str:
    return f"{propaganda_label(group)}, not the source's assessment"


def _posted(quotes: tuple[BriefQuote, ...]) -> str:
    """Who posted the evidence, when it quotes a post of a table of posts ("Post by @desk, 12 June 2014")."""
    return next((quote.posted for quote in quotes if quote.posted), "")


def _evidence_labels(attributed_to: str, quotes: tuple[BriefQuote, ...]) -> str:
    """The labels an evidence item carries, as answers give them: whose propaganda, and whose post."""
    labels = (_propaganda_label(attributed_to) if attributed_to else "", _posted(quotes))
    return "; ".join(label for label in labels if label)


def brief_markdown(brief: Brief) -> str:
    lines = [f"# Briefing: {_md(brief.topic)}", ""]
    lines += [f"_{_md(_byline(brief))}_", ""]
    if brief.status == "not_covered":
        lines += ["**The indexed documents do not cover this topic.**", ""]
        lines += _md_gaps(brief)
        return "\n".join(lines).rstrip() + "\n"

    lines += ["## Bottom line up front", ""]
    for sentence in brief.bluf:
        marks = "**[unsupported]**" if not sentence.supported else _marks(sentence.citations)
        lines.append(f"{_md(sentence.text)} {marks}")
    lines.append("")

    if brief.judgments:
        lines += ["## Key judgments", ""]
        for number, j in enumerate(brief.judgments, 1):
            lines.append(f"{number}. {_md(j.text)} {_marks(j.citations)}  ")
            lines.append(f"   _Confidence: {_md(j.confidence)}. Basis: {_md(j.basis)}._")
        lines.append("")

    if brief.evidence:
        lines += ["## Evidence", ""]
        for facet in FACETS:
            items = [e for e in brief.evidence if e.facet == facet.key]
            if not items:
                continue
            lines += [f"### {facet.heading}", ""]
            for e in items:
                labels = _evidence_labels(e.attributed_to, e.quotes)
                label = f"**{_md(labels)}.** " if labels else ""
                lines.append(f"- {label}{_md(e.text)} {_marks(e.citations)}")
                for q in e.quotes:
                    if _differs(q.text, e.text):
                        lines.append(f"  > [{q.n}] “{_md(' '.join(q.text.split()))}”")
            lines.append("")

    if brief.timeline:
        lines += ["## Timeline", "", "| Date | Event | Sources |", "|---|---|---|"]
        for t in brief.timeline:
            when = t.date if t.dated_by == "text" else f"{t.date} (reported)"
            lines.append(f"| {_md_cell(when)} | {_md_cell(t.event)} | {_marks(t.citations)} |")
        lines.append("")

    if brief.actors:
        lines += [
            "## Actors and platforms",
            "",
            "| Name | Kind | Also called | Mentions | Sources |",
            "|---|---|---|---|---|",
        ]
        for a in brief.actors:
            aliases = ", ".join(a.aliases) or "-"
            lines.append(
                f"| {_md_cell(a.name)} | {_md_cell(a.kind)} | {_md_cell(aliases)} | {a.mentions} | "
                f"{_marks(a.citations)} |"
            )
        lines.append("")

    lines += _md_gaps(brief)
    lines += ["## Sources", "", "| # | Source | Date | Reliability | Credibility |", "|---|---|---|---|---|"]
    for s in brief.sources:
        doc = s.document
        title = _md_source(doc.title or doc.path, doc.url)
        where = f"{title}<br>{_md_cell(doc.publisher or 'unknown publisher')} · {_md_cell(doc.path)}"
        confirmed = f" (by {_marks(s.corroborated_by)})" if s.corroborated_by else ""
        lines.append(
            f"| {s.n} | {where} | {_md_cell(doc.date or 'undated')} | {s.reliability} ({s.reliability_label}) | "
            f"{s.credibility} ({s.credibility_label}){confirmed} |"
        )
    lines += ["", *_md_key(), ""]
    return "\n".join(lines).rstrip() + "\n"


def _md_gaps(brief: Brief) -> list[str]:
    if not brief.gaps and not brief.notes:
        return []
    lines = ["## Gaps", ""]
    lines += [f"- {_md(g.question)} The documents do not answer this ({_md(g.reason)})." for g in brief.gaps]
    lines += [f"- {_md(note)}" for note in brief.notes]
    return [*lines, ""]


def _key_text() -> str:
    return (
        "Likelihood terms (ICD 203, least to most likely): "
        + ", ".join(LIKELIHOOD_TERMS)
        + ". Confidence (low, moderate, high) rates the sources behind a judgment, not its likelihood. "
        + "Reliability (Admiralty scale): "
        + "; ".join(f"{k} {v}" for k, v in RELIABILITY.items())
        + ". Credibility: "
        + "; ".join(f"{k} {v}" for k, v in CREDIBILITY.items())
        + "."
    )


def _md_key() -> list[str]:
    return ["---", "", f"_How to read this brief._ {_key_text()}"]


# --- HTML --------------------------------------------------------------------------------------

_CSS = """
body{font:16px/1.5 Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}
.meta{color:#555;font-style:italic}.cite{color:#0b5394;font-weight:bold;white-space:nowrap}
.basis{color:#555;font-size:.9rem}.propaganda{background:#fde8e8;border-left:4px solid #b00020;padding:0 .3rem}
.label{color:#b00020;font-weight:bold}blockquote{margin:.2rem 0 .6rem 1rem;color:#444;font-size:.9rem}
.unsupported{color:#b00020;font-weight:bold}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .4rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
.grade{font-family:monospace;font-weight:bold}.key{color:#555;font-size:.85rem}
"""


def _e(text: str) -> str:
    # Control characters are not allowed in HTML text either: they are shown, not passed on.
    return html.escape(visible(text), quote=True)


def _h_marks(citations: tuple[int, ...]) -> str:
    return "".join(f'<a class="cite" href="#source-{n}">[{n}]</a>' for n in citations)


def brief_html(brief: Brief) -> str:
    """One HTML file with its styles inline: no scripts, fonts or images to fetch."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Briefing: {_e(brief.topic)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Briefing: {_e(brief.topic)}</h1>",
    ]
    parts.append(f'<p class="meta">{_e(_byline(brief))}</p>')
    if brief.status == "not_covered":
        parts.append("<p><strong>The indexed documents do not cover this topic.</strong></p>")
    else:
        parts.append('<h2 id="bluf">Bottom line up front</h2><p>')
        for sentence in brief.bluf:
            marks = (
                '<span class="unsupported">[unsupported]</span>'
                if not sentence.supported
                else _h_marks(sentence.citations)
            )
            parts.append(f"{_e(sentence.text)} {marks}")
        parts.append("</p>")
        if brief.judgments:
            parts.append('<h2 id="judgments">Key judgments</h2><ol>')
            for j in brief.judgments:
                parts.append(
                    f"<li>{_e(j.text)} {_h_marks(j.citations)}<br>"
                    f'<span class="basis">Confidence: {_e(j.confidence)}. Basis: {_e(j.basis)}.</span></li>'
                )
            parts.append("</ol>")
        if brief.evidence:
            parts.append('<h2 id="evidence">Evidence</h2>')
            for facet in FACETS:
                items = [e for e in brief.evidence if e.facet == facet.key]
                if not items:
                    continue
                parts.append(f"<h3>{_e(facet.heading)}</h3><ul>")
                for item in items:
                    labels = _evidence_labels(item.attributed_to, item.quotes)
                    label = f'<span class="label">{_e(labels)}.</span> ' if labels else ""
                    kind = ' class="propaganda"' if item.attributed_to else ""
                    parts.append(f"<li{kind}>{label}{_e(item.text)} {_h_marks(item.citations)}")
                    for q in item.quotes:
                        if _differs(q.text, item.text):
                            parts.append(f"<blockquote>[{q.n}] “{_e(' '.join(q.text.split()))}”</blockquote>")
                    parts.append("</li>")
                parts.append("</ul>")
        if brief.timeline:
            parts.append('<h2 id="timeline">Timeline</h2><table><tr><th>Date</th><th>Event</th><th>Sources</th></tr>')
            for t in brief.timeline:
                when = t.date if t.dated_by == "text" else f"{t.date} (reported)"
                parts.append(f"<tr><td>{_e(when)}</td><td>{_e(t.event)}</td><td>{_h_marks(t.citations)}</td></tr>")
            parts.append("</table>")
        if brief.actors:
            parts.append(
                '<h2 id="actors">Actors and platforms</h2><table><tr><th>Name</th><th>Kind</th>'
                "<th>Also called</th><th>Mentions</th><th>Sources</th></tr>"
            )
            for a in brief.actors:
                parts.append(
                    f"<tr><td>{_e(a.name)}</td><td>{_e(a.kind)}</td><td>{_e(', '.join(a.aliases) or '-')}</td>"
                    f"<td>{a.mentions}</td><td>{_h_marks(a.citations)}</td></tr>"
                )
            parts.append("</table>")
    if brief.gaps or brief.notes:
        parts.append('<h2 id="gaps">Gaps</h2><ul>')
        parts += [f"<li>{_e(g.question)} The documents do not answer this ({_e(g.reason)}).</li>" for g in brief.gaps]
        parts += [f"<li>{_e(note)}</li>" for note in brief.notes]
        parts.append("</ul>")
    if brief.sources:
        parts.append(
            '<h2 id="sources">Sources</h2><table><tr><th>#</th><th>Source</th><th>Date</th>'
            "<th>Reliability</th><th>Credibility</th></tr>"
        )
        for s in brief.sources:
            doc = s.document
            title = _e(doc.title or doc.path)
            if doc.url and web_link(doc.url):
                title = f'<a href="{_e(doc.url)}" rel="noopener noreferrer">{title}</a>'
            elif doc.url:
                title += f" ({_e(doc.url)})"
            confirmed = f" (by {_h_marks(s.corroborated_by)})" if s.corroborated_by else ""
            parts.append(
                f'<tr id="source-{s.n}"><td>{s.n}</td><td>{title}<br>{_e(doc.publisher or "unknown publisher")} · '
                f"<code>{_e(doc.path)}</code></td><td>{_e(doc.date or 'undated')}</td>"
                f'<td><span class="grade">{s.reliability}</span> {_e(s.reliability_label)}<br>'
                f'<span class="basis">{_e(s.reliability_note)}</span></td>'
                f'<td><span class="grade">{s.credibility}</span> {_e(s.credibility_label)}{confirmed}</td></tr>'
            )
        parts.append("</table>")
    parts.append(f'<p class="key">How to read this brief. {_e(_key_text())}</p></body></html>')
    return "\n".join(parts) + "\n"
