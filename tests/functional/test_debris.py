"""Answers over a real index never carry link addresses, Markdown syntax or page furniture."""

from __future__ import annotations

import json

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings

from ..conftest import build_index, run_cli

pytestmark = pytest.mark.model

SNIPPET = """---
title: Quayside forum closes its smuggling boards
date: 2021-05-04
---

![Quayside forum closes its smuggling boards](https://cdn.example.net/img/670x503/2021/05/04/quayside-ban.jpg)

The Quayside forum closed 140 smuggling boards after a \
[study by harbour researchers](https://example.net/study?id=9&ref=feed) found that they sold forged permits.

The forum's moderators said the boards had been warned **twice** before they were closed.

Full story on Harbour Wire: [Quayside forum closes its smuggling boards](http://example.net/n/QsB4)
"""


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder) -> Settings:
    settings, _ = build_index(
        tmp_path_factory.mktemp("debris"), real_embedder, extra={"notes/quayside-snippet.md": SNIPPET}
    )
    return settings


def test_answers_show_link_text_without_addresses_or_markdown(indexed: Settings, cli_env: dict[str, str]) -> None:
    question = "Why did the Quayside forum close its smuggling boards?"
    index_dir = str(indexed.index_dir)
    result = run_cli("ask", question, "--json", "--index-dir", index_dir, env=cli_env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["status"] == "answered"
    assert "study by harbour researchers" in payload["answer"]
    human = run_cli("ask", question, "--index-dir", index_dir, env=cli_env)
    assert human.returncode == 0, human.stderr
    answer_part, sources_part = human.stdout.split("Sources", 1)
    for shown in (payload["answer"], answer_part, sources_part):
        for syntax in ("](", "![", "example.net", "**", "Full story"):
            assert syntax not in shown
    # The Sources list quotes the cited sentence as prose too: the link's words stay.
    assert "study by harbour researchers" in " ".join(sources_part.split())
    # The citation still quotes the source exactly, link and all, so it can be found in the file.
    quotes = [c["quote"] for c in payload["citations"]]
    assert any("[study by harbour researchers](https://example.net/study?id=9&ref=feed)" in q for q in quotes)
    assert all(q in SNIPPET or "quayside" not in c["path"] for q, c in zip(quotes, payload["citations"], strict=True))
