"""A conversation as Markdown, with its full source list and quotes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.text.safe import markdown_text, web_link

if TYPE_CHECKING:
    pass
from assistant.conversation.records import CitedSource, Turn, conversation_title, shows_rewrite


def export_markdown(title: str, turns: Sequence[Turn]) -> str:
    """A conversation as Markdown: every question and answer, each with its sources and quotes.

    The heading is the first question in full: the stored title is shortened for lists.
    """
    first = " ".join(turns[0].question.split()) if turns else ""
    if first and (not title or title == conversation_title(first)):
        title = first
    lines = [f"# {title or 'Briefing conversation'}", ""]
    cited: dict[str, CitedSource] = {}
    for number, turn in enumerate(turns, 1):
        lines += [f"## {number}. {turn.question}", ""]
        if shows_rewrite(turn.question, turn.rewritten_question):
            lines += [f"*Searched as: {turn.rewritten_question}*", ""]
        details = [f"asked {turn.asked_at}"] if turn.asked_at else []
        if turn.index_state:
            details.append(f"index: {turn.index_state.documents} documents, {turn.index_state.chunks} chunks")
        if turn.backend:
            details.append(f"backend: {turn.backend}")
        if turn.filters:
            details.append("filters: " + ", ".join(f"{k} {v}" for k, v in turn.filters.items()))
        if details:
            lines += [f"<small>{' · '.join(details)}</small>", ""]
        if turn.status == "not_covered":
            lines += ["**Not covered by the indexed documents.**", ""]
        elif turn.status not in ("answered",):
            lines += [f"**{turn.status.replace('_', ' ').capitalize()}.**", ""]
        lines += [turn.answer or "(no answer)", ""]
        if turn.nearest:
            lines += ["Nearest documents:", "", *[f"- {line}" for line in turn.nearest], ""]
        if turn.citations:
            lines += ["**Sources**", ""]
            for c in turn.citations:
                lines.append(
                    f"[{c.n}] **{c.title or c.path}** — {c.publisher or 'unknown publisher'}, "
                    f"{c.date or 'undated'} · {c.where}"
                )
                lines.append("")
                lines.append("> " + " ".join(c.quote.split()))
                lines.append("")
                if c.label:
                    lines += [f"*{c.label}.*", ""]
                cited.setdefault(c.path, c)
    if cited:
        lines += ["## All sources cited", ""]
        for c in sorted(cited.values(), key=lambda c: (c.date, c.title)):
            # Only a web address becomes a link; a javascript: or data: URL stays text.
            link = (f" <{c.url}>" if web_link(c.url) else f" ({markdown_text(c.url)})") if c.url else ""
            lines.append(
                f"- **{c.title or c.path}** — {c.publisher or 'unknown publisher'}, "
                f"{c.date or 'undated'} · `{c.path}`{link}"
            )
        lines.append("")
    return "\n".join(lines)
