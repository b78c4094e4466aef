"""The tuning object: tuned defaults, frozen, overridable from the config file and the environment.

No model and no Chroma: sentences, passages and rankings are made up here, and
the overridden values are shown to reach the component that uses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
import pytest
from pydantic import ValidationError

from assistant.answer.evidence import Sentence, judge_coverage, overlap_share, term_weights
from assistant.answer.extractive import select_sentences
from assistant.config import load_settings
from assistant.domain import ChunkFilter, ChunkMeta, DocumentInfo, Hit, StoredChunk
from assistant.errors import ConfigError
from assistant.search.lexical import ChunkRow, LexicalIndex
from assistant.search.retrieval import ChunkSource, Retrieval, Retriever
from assistant.text.aliases import default_aliases
from assistant.tuning import DEFAULTS, AnswerTuning, BriefTuning, RetrievalTuning, Tuning

from .fakes import GivenVector

# The values the code was tuned to before they were gathered here: behaviour must not move.
TUNED = {
    "retrieval": {
        "rrf_k": 60,
        "dense_weight": 1.0,
        "lexical_weight": 0.5,
        "candidates": 100,
        "source_filter_overfetch": 4,
        "fetch_per_result": 4,
        "min_fetched": 40,
        "same_document_discount": 0.6,
        "year_boost": 1.3,
        "thread_boost": 1.3,
        "earlier_discount": 0.7,
        "crosslingual_weight": 0.5,
        "crosslingual_candidates": 10,
        "dense_similarity_weight": 0.04,
        "support_chunks": 20,
        "leading_documents": 4,
        "passage_candidates": 120,
        "passage_lexical_chunks": 12,
        "passage_lexical_share": 0.2,
        "passage_word_discount": 1.0,
        "passage_neighbour_share": 0.3,
        "passages_per_document": 6,
        "passage_discount": 0.95,
    },
    "answer": {
        "max_sentences": 7,
        "sentence_pool": 8,
        "passages_read": 9,
        "answer_chars": 1400,
        "score_floor": 0.5,
        "similarity_weight": 0.5,
        "rank_weight": 0.25,
        "length_weight": 0.1,
        "length_reference_words": 10,
        "number_bonus": 0.1,
        "name_bonus": 0.1,
        "date_bonus": 0.1,
        "reason_bonus": 0.1,
        "place_bonus": 0.1,
        "term_bonus": 0.1,
        "limit_bonus": 0.1,
        "inflection_weight": 0.8,
        "paraphrase_weight": 1.0,
        "year_bonus": 0.1,
        "premise_weight": 0.7,
        "part_weight": 0.2,
        "pool_share_discount": 0.75,
        "alias_weight": 0.5,
        "idf_floor": 0.1,
        "unnamed_penalty": 1.0,
        "other_service_penalty": 0.2,
        "scope_penalty": 0.3,
        "min_sentence_words": 5,
        "repeat_share": 0.6,
        "new_figure_repeat_share": 0.8,
        "figure_repeat_share": 0.25,
        "min_similarity": 0.55,
        "min_overlap": 0.08,
        "strong_similarity": 0.45,
        "strong_passages": 3,
        "partial_name_idf": 5.0,
        "element_overlap": 0.05,
        "context_chars": 300,
        "generation_sources": 4,
        "source_chars": 900,
        "min_support": 0.5,
    },
    "brief": {
        "facet_passages": 12,
        "bluf_sentences": 3,
        "bluf_max_words": 60,
        "bluf_support": 2,
        "support_bonus": 0.2,
        "max_judgments": 5,
        "judgments_per_facet": 2,
        "judgment_citations": 4,
        "evidence_per_facet": 3,
        "max_timeline": 12,
        "max_actors": 12,
        "actor_citations": 5,
        "min_relevance": 0.3,
        "context_relevance_share": 0.8,
        "own_relevance_weight": 0.5,
        "context_relevance_weight": 0.25,
        "actor_weight": 0.08,
        "max_actors_scored": 3,
        "page_talk_penalty": 0.5,
        "context_bound_penalty": 0.3,
        "agree_min_words": 3,
        "agree_share": 0.5,
        "agree_figure_share": 0.3,
        "same_point_share": 0.5,
        "same_point_figure_share": 0.25,
    },
}

# Seven distinct made-up findings, short enough that the reading budget never binds.
FINDINGS = [
    "Streamwell removed the clip from its front page within an hour.",
    "Moderators at Chatterbox banned forty accounts that reposted it.",
    "A regulator in Norland opened an inquiry into the delay.",
    "Volunteers mirrored the archive on three other hosting services.",
    "The hosting company cut off the forum for two days.",
    "Researchers counted the reposts across six smaller platforms.",
    "An advertiser paused its campaigns on the video site.",
]


def _hit(text: str, chunk_id: str = "c", rank: int = 1, similarity: float = 0.7) -> Hit:
    path = f"notes/{chunk_id}.md"
    info = DocumentInfo(chunk_id, path, path, "Title", "", "", "2020-05-01", "", "en", "md", 1)
    return Hit(chunk_id, text, info, 0, len(text), None, 1.0, rank, similarity=similarity)


def _sentences() -> list[Sentence]:
    return [
        Sentence(_hit(text, f"c{n}", rank=n), 0, len(text), 1.0 - n / 100, 0.5) for n, text in enumerate(FINDINGS, 1)
    ]


def test_defaults_are_the_tuned_values_and_each_says_why() -> None:
    assert Tuning().as_json() == TUNED
    assert load_settings().tuning == DEFAULTS
    for group in (RetrievalTuning, AnswerTuning, BriefTuning):
        for name, info in group.model_fields.items():
            assert info.description and len(info.description) > 20, f"{group.__name__}.{name} has no reason"


def test_tuning_is_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.tuning.answer.max_sentences = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.tuning.retrieval = RetrievalTuning(rrf_k=1)  # type: ignore[misc]
    assert settings.tuning.answer.max_sentences == 7


def test_fewer_sentences_from_the_config_file(env_dir: Path) -> None:
    assert len(select_sentences(_sentences(), tuning=load_settings().tuning.answer)) == len(FINDINGS)
    (env_dir / "config.toml").write_text("[tuning.answer]\nmax_sentences = 3\n")
    tuning = load_settings().tuning
    assert tuning.answer.max_sentences == 3
    assert tuning.retrieval == DEFAULTS.retrieval and tuning.brief == DEFAULTS.brief
    chosen = select_sentences(_sentences(), tuning=tuning.answer)
    assert [s.text for s in chosen] == FINDINGS[:3]


def test_environment_overrides_the_file_value_by_value(monkeypatch: pytest.MonkeyPatch, env_dir: Path) -> None:
    (env_dir / "config.toml").write_text("[tuning.answer]\nmax_sentences = 3\nmin_similarity = 0.65\n")
    monkeypatch.setenv("ASSISTANT_TUNING__ANSWER__MAX_SENTENCES", "2")
    tuning = load_settings().tuning.answer
    # The variable wins for its key; the file's other key stays.
    assert (tuning.max_sentences, tuning.min_similarity) == (2, 0.65)
    assert len(select_sentences(_sentences(), tuning=tuning)) == 2
    # A passage as close as 0.6 covers the question by default, not under the stricter threshold.
    question = "Which platform removed the clip from its front page?"
    hit = _hit(FINDINGS[0], similarity=0.6)
    retrieval = Retrieval([hit], ["platform", "removed", "clip", "front", "page"], [], idf={})
    candidates = [Sentence(hit, 0, len(FINDINGS[0]), 1.0, 0.6)]
    assert judge_coverage(question, retrieval, candidates).covered
    assert not judge_coverage(question, retrieval, candidates, tuning).covered


class _Reader:
    """The store's side of one search, made up: a dense ranking and the chunks it names."""

    def __init__(self, chunks: dict[str, str], dense_order: list[str]) -> None:
        self.chunks = chunks
        self.dense_order = dense_order

    def nearest(
        self, vector: npt.NDArray[np.float32], n: int, scope: ChunkFilter | None = None
    ) -> list[tuple[str, float]]:
        return [(cid, 0.5) for cid in self.dense_order[:n]]

    def fetch(self, ids: list[str], query_vector: npt.NDArray[np.float32] | None = None) -> dict[str, StoredChunk]:
        return {
            cid: StoredChunk(cid, self.chunks[cid], _meta(cid, self.chunks[cid]), similarity=0.5)
            for cid in ids
            if cid in self.chunks
        }


def _meta(cid: str, text: str) -> ChunkMeta:
    path = f"notes/{cid}.md"
    document = DocumentInfo(cid, path, path, cid, "", "", "", "", "en", "md", 0)
    return ChunkMeta(path, document, 0, 0, 0, len(text), len(text.split()))


def _fused_order(tmp_path: Path, tuning: RetrievalTuning) -> list[str]:
    # "words" matches the question's three words; "meaning" one of them, but leads the dense side.
    chunks = {
        "words": "Channel owners moved the mirror archive overnight.",
        "meaning": "The channel went quiet after the ban.",
        "other": "Forum moderators published a weekly report.",
        "more": "Advertisers paused campaigns on the site.",
    }
    rows = [ChunkRow(cid, cid, f"notes/{cid}.md", "", 0) for cid in chunks]
    lexical = LexicalIndex.build(tmp_path / "lexical", rows, list(chunks.values()), "stamp")
    reader = _Reader(chunks, ["meaning", "words"])
    retriever = Retriever(cast(ChunkSource, reader), lexical, GivenVector(4), default_aliases(), tuning)
    found = retriever.search("channel mirror archive", k=2, vector=np.zeros(4, dtype=np.float32))
    return [hit.chunk_id for hit in found.hits]


def test_a_retrieval_weight_from_the_environment_changes_fusion_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert _fused_order(tmp_path, load_settings().tuning.retrieval) == ["meaning", "words"]
    monkeypatch.setenv("ASSISTANT_TUNING__RETRIEVAL__LEXICAL_WEIGHT", "3")
    assert _fused_order(tmp_path, load_settings().tuning.retrieval) == ["words", "meaning"]


def test_aliases_are_weighed_apart_and_count_once() -> None:
    retrieval = Retrieval([], ["telegram", "channels"], ["durov", "pavel"], idf={"telegram": 2.0, "channels": 1.0})
    weights = term_weights("How many telegram channels?", retrieval)
    assert set(weights.own) == {"telegram", "channels"}
    assert set(weights.alias) == {"durov", "pavel"} and all(w > 0 for w in weights.alias.values())
    # One alias adds half its weight; a second adds nothing more.
    one = overlap_share({"channels", "durov"}, weights)
    assert one == overlap_share({"channels", "durov", "pavel"}, weights) == pytest.approx((1.0 + 0.5) / 3.0)


@pytest.mark.parametrize(
    ("content", "variable", "key"),
    [
        ("[tuning.answer]\nmax_sentences = -1\n", None, "tuning.answer.max_sentences"),
        ('[tuning.retrieval]\nrrf_k = "sixty"\n', None, "tuning.retrieval.rrf_k"),
        ("[tuning.brief]\nmax_judgement = 4\n", None, "tuning.brief.max_judgement"),
        ("", ("ASSISTANT_TUNING__BRIEF__MIN_RELEVANCE", "1.5"), "tuning.brief.min_relevance"),
        ("", ("ASSISTANT_TUNING__ANSWER__SCORE_FLOOR", "half"), "tuning.answer.score_floor"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, env_dir: Path, content: str, variable: tuple[str, str] | None, key: str
) -> None:
    (env_dir / "config.toml").write_text(content)
    if variable:
        monkeypatch.setenv(*variable)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings()


def test_fingerprint_follows_every_value() -> None:
    changed = Tuning(brief=BriefTuning(max_actors=11))
    assert Tuning().fingerprint() == DEFAULTS.fingerprint()
    assert changed.fingerprint() != DEFAULTS.fingerprint()
    assert Tuning.model_validate(changed.as_json()) == changed
