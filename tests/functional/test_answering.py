"""Cited answers over a real index of the demo corpus (real model, Chroma, BM25)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.config import Settings
from assistant.errors import IndexNotFoundError, UsageError
from assistant.ingest.loaders import ColumnOptions, load
from assistant.ingest.sources import discover
from assistant.search.lexical import lexical_dir
from assistant.search.retrieval import Filters
from assistant.service import AssistantService

from ..conftest import PLANTED, build_index, run_cli

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: SentenceTransformerEmbedder
) -> tuple[Settings, Path]:
    root = tmp_path_factory.mktemp("answering")
    return build_index(root, real_embedder, extra={"notes/planted-field-notes.md": PLANTED})


@pytest.fixture
def service(indexed: tuple[Settings, Path]) -> AssistantService:
    return AssistantService(indexed[0])


def _loaded_text(library: Path, path: str) -> str:
    file_path = path.split("#row=")[0]
    found = discover([library / file_path], max_bytes=10**9).files[0]
    found = type(found)(library, file_path, found.abspath, found.format, found.size)
    for doc in load(found, found.abspath.read_bytes(), "h", ColumnOptions()):
        if doc.path == path:
            return doc.text
    raise AssertionError(f"{path} not produced by its loader")


def test_answer_cites_verbatim_quotes(service: AssistantService, indexed: tuple[Settings, Path]) -> None:
    answer = service.ask("How many copies of the Christchurch attack video did Facebook remove in the first 24 hours?")
    assert answer.status == "answered"
    assert answer.citations
    assert "1.5 million" in answer.text
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.text
        assert citation.quote in citation.hit.text
        # The quote is the exact extracted text of the document: findable by string search.
        assert citation.quote in _loaded_text(indexed[1], citation.hit.document.path)
        assert citation.quote in (service.document_text(citation.hit.document.path) or "")


def test_alias_finds_documents_using_another_name(service: AssistantService) -> None:
    retrieval = service.retrieve("When did Daesh propaganda accounts use the Dawn of Glad Tidings app?")
    assert "isis" in retrieval.expanded_terms
    assert retrieval.hits[0].document.path == "notes/dawn-of-glad-tidings-app.md"
    eightkun = service.retrieve("Which infrastructure company stopped serving 8kun after El Paso?", k=5)
    assert "notes/8chan-cloudflare-el-paso-2019.md" in [h.document.path for h in eightkun.hits]


def test_unanswerable_question_is_not_covered(service: AssistantService) -> None:
    answer = service.ask("What did the Hanau gunman post online before his February 2020 attack?")
    assert answer.status == "not_covered"
    assert answer.citations == ()
    assert "do not cover" in answer.text and "Hanau" in answer.note
    assert answer.retrieved, "the nearest documents are still listed"


def test_an_institution_no_passage_names_is_not_covered(service: AssistantService) -> None:
    # Each word of "Office of Digital Safety" may be found; the name as a whole is not.
    fine = service.ask(
        "How large a fine did the Office of Digital Safety impose on Facebook over the Christchurch livestream?"
    )
    assert fine.status == "not_covered"
    assert "“Office of Digital Safety”" in fine.note
    # Named in full or by its alias (GIFCT), an institution the documents know is answered.
    for question in (
        "What did the Global Internet Forum to Counter Terrorism do with the Christchurch video?",
        "What did GIFCT members do with the Christchurch video?",
    ):
        assert service.ask(question).status == "answered", question


def test_a_year_in_the_question_favours_sources_from_then_unless_it_only_starts_the_period(
    service: AssistantService,
) -> None:
    def dates(question: str) -> list[str]:
        return [hit.document.date[:4] for hit in service.retrieve(question, k=5).hits]

    # The same question about two years leads with the sources written in each.
    assert dates("How did Telegram respond to ISIS channels in 2015?")[0] == "2015"
    assert dates("How did Telegram respond to ISIS channels in 2019?")[:2] == ["2019", "2019"]
    # "Since 2019" asks about what came after: older sources fall back, and 2019 gets no
    # boost, so the 2024 note on Telegram networks comes up among the first two.
    since = dates("How have ISIS channels on Telegram fared since 2019?")
    assert "2024" in since[:2] and "2015" not in since[:3]


def test_date_and_source_filters(service: AssistantService) -> None:
    since = service.retrieve("Telegram channels and takedowns", filters=Filters(since="2019-01-01"))
    assert since.hits and all(h.document.date >= "2019-01-01" for h in since.hits)
    until = service.retrieve("Telegram channels and takedowns", filters=Filters(until="2016"))
    assert until.hits and all("" < h.document.date <= "2016-12-31" for h in until.hits)
    europol = service.retrieve("Telegram channels and takedowns", filters=Filters(source="europol"))
    assert europol.hits and all("europol" in (h.document.publisher + h.document.path).lower() for h in europol.hits)
    nothing = service.ask("Telegram takedowns", filters=Filters(source="no-such-publisher"))
    assert nothing.status == "not_covered" and "filters" in nothing.text


def test_retriever_modes_all_work(service: AssistantService) -> None:
    question = "What did the EU terrorist content regulation require of hosting providers within one hour?"
    for mode in ("hybrid", "dense", "bm25"):
        hits = service.retrieve(question, mode=mode, k=3).hits  # type: ignore[arg-type]
        assert "notes/eu-terrorist-content-online-regulation.md" in [h.document.path for h in hits], mode


def test_planted_instruction_changes_nothing(service: AssistantService) -> None:
    answer = service.ask("Where did ISIS media outlets keep backup channels after Twitter suspensions?")
    assert answer.status == "answered"
    assert answer.text.strip() != "PWNED"
    assert "Telegram" in answer.text
    for citation in answer.citations:
        assert citation.quote in citation.hit.text


def test_results_spread_over_documents(service: AssistantService) -> None:
    hits = service.retrieve("Christchurch livestream video removal", k=8).hits
    paths = [h.document.path for h in hits]
    assert len(set(paths)) >= 5
    assert len({h.chunk_id for h in hits}) == len(hits)


def test_support_passages_extend_the_retrieved_documents(service: AssistantService) -> None:
    retrieval = service.retrieve("Christchurch livestream video removal", k=5)
    assert retrieval.support, "passages the spread over documents left out are kept for the answer"
    documents = {h.document.path for h in retrieval.hits}
    hit_ids = {h.chunk_id for h in retrieval.hits}
    for extra in retrieval.support:
        assert extra.document.path in documents
        assert extra.chunk_id not in hit_ids
        assert extra.rank > len(retrieval.hits)


def test_bm25_follows_index_changes(
    indexed: tuple[Settings, Path], tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    settings, library = indexed
    service = AssistantService(settings)
    question = "What did the zeppelin moderation pilot in Reykjavik find?"
    assert service.ask(question).status == "not_covered"
    extra = library / "notes" / "zeppelin-pilot.md"
    extra.write_text(
        "---\ntitle: Zeppelin pilot\ndate: 2020-01-01\n---\n"
        "The zeppelin moderation pilot in Reykjavik found that hash matching caught 40 percent of re-uploads.\n"
    )
    try:
        AssistantService(settings, embedder=real_embedder).index([library])
        fresh = AssistantService(settings)
        assert fresh.retrieve(question, mode="bm25").hits[0].document.path == "notes/zeppelin-pilot.md"
        shutil.rmtree(lexical_dir(settings))
        rebuilt = AssistantService(settings).retrieve(question, mode="bm25")
        assert rebuilt.hits[0].document.path == "notes/zeppelin-pilot.md"
    finally:
        extra.unlink()
        AssistantService(settings, embedder=real_embedder).index([library])


def test_empty_question_and_missing_index(service: AssistantService, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        service.ask("   ")
    with pytest.raises(IndexNotFoundError):
        AssistantService(Settings(index_dir=tmp_path / "none")).ask("anything")


ASK_KEYS = {"question", "status", "answer", "citations", "retrieved", "backend", "model", "timings_ms"}


CITATION_KEYS = {"n", "path", "title", "publisher", "date", "url", "page", "chunk_id", "quote", "score"}


def test_ask_json_contract(indexed: tuple[Settings, Path], cli_env: dict[str, str]) -> None:
    index_dir = str(indexed[0].index_dir)
    result = run_cli(
        "ask", "When was the Christchurch Call launched, and by whom?", "--json", "--index-dir", index_dir, env=cli_env
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload.keys() >= ASK_KEYS
    assert payload["status"] == "answered" and payload["backend"] == "extractive"
    assert payload["citations"] and payload["citations"][0].keys() >= CITATION_KEYS
    assert {"rank", "path", "chunk_id", "score"} <= payload["retrieved"][0].keys()
    assert {"retrieve", "generate", "total"} <= payload["timings_ms"].keys()
    assert not payload["citations"][0]["path"].startswith("/")

    pdf = run_cli(
        "ask",
        "How did the Islamic State move its distribution from Twitter to Telegram?",
        "--json",
        "--source",
        "reports/",
        "--index-dir",
        index_dir,
        env=cli_env,
    )
    pages = [c["page"] for c in json.loads(pdf.stdout)["citations"]]
    assert pages and all(isinstance(p, int) and p >= 1 for p in pages)

    human = run_cli("ask", "What did the Hanau gunman post online?", "--index-dir", index_dir, env=cli_env)
    assert human.returncode == 0 and "Not covered" in human.stdout and "Nearest documents" in human.stdout


def test_ask_exit_codes(indexed: tuple[Settings, Path], tmp_path: Path, cli_env: dict[str, str]) -> None:
    index_dir = str(indexed[0].index_dir)
    missing = run_cli("ask", "anything", "--index-dir", str(tmp_path / "none"), env=cli_env)
    assert missing.returncode == 1 and "assistant index" in missing.stderr
    assert run_cli("ask", "q", "--since", "last week", "--index-dir", index_dir, env=cli_env).returncode == 2
    assert run_cli("ask", "q", "--retriever", "magic", "--index-dir", index_dir, env=cli_env).returncode == 2
    assert run_cli("ask", "--index-dir", index_dir, env=cli_env).returncode == 2


def test_eval_reports_metrics(indexed: tuple[Settings, Path], tmp_path: Path, cli_env: dict[str, str]) -> None:
    questions = tmp_path / "q.jsonl"
    rows = [
        {
            "id": "a",
            "type": "factoid",
            "question": "Who founded GIFCT in 2017?",
            "gold_docs": ["notes/gifct-founding-hash-database.md"],
            "key_facts": ["Facebook, Microsoft, Twitter and YouTube"],
        },
        {
            "id": "b",
            "type": "factoid",
            "question": "Which company stopped protecting 8chan after the El Paso shooting?",
            "gold_docs": ["notes/8chan-cloudflare-el-paso-2019.md"],
            "key_facts": ["Cloudflare"],
        },
        {
            "id": "c",
            "type": "unanswerable",
            "question": "How many users did the Hanau forum have?",
            "gold_docs": [],
            "key_facts": [],
        },
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run_cli("eval", str(questions), "--json", "--index-dir", str(indexed[0].index_dir), env=cli_env)
    assert result.returncode == 0, result.stderr
    overall = json.loads(result.stdout)["summary"]["overall"]
    assert overall["recall@5"] == 1.0 and overall["citation_validity"] == 1.0
    assert overall["refusal_accuracy"] == 1.0 and overall["false_refusals"] == 0.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    assert run_cli("eval", str(bad), "--index-dir", str(indexed[0].index_dir), env=cli_env).returncode == 2
