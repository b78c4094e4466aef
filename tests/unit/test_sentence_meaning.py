"""Sentence choice by meaning: a sentence in other words than the question's can still win.

The word vectors here are made by hand (a few named directions), so each case shows
what the similarity term does without the model; the packaged encoder's own vectors
are checked in tests/functional/test_word_vectors.py.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from assistant.answer.evidence import candidate_sentences
from assistant.domain import DocumentInfo, Hit, WordVectors
from assistant.search.retrieval import Retrieval
from assistant.text.words import QUESTION_WORDS, content_words
from assistant.tuning import DEFAULTS

# Words that mean "kept out of sight" share a direction, as do places and recordings; every other
# content word points the same fourth way. "hidden" and "concealed" are in no paraphrase family of
# the word matcher, so only the vectors can tell that they mean the same.
_TOPICS = {"hidden": 0, "concealed": 0, "pier": 1, "harbour": 1, "videos": 2, "clips": 2}


class HandVectors:
    """Word vectors from the table above: a text is the normalised mean of its words' directions."""

    def word_vectors(self, texts: list[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in content_words(text):
                out[row, _TOPICS.get(word, 3)] += 1.0
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-12)
        return out


QUESTION = "Which harbour clips were hidden?"
# Both hold the same two question words; only one says what happened to the clips, in its own words.
RESTATES = "The harbour clips drew big crowds."
ANSWERS = "The harbour clips were concealed."


def _retrieval(*texts: str) -> Retrieval:
    """One source per text, ranked in the order given (the first source's rank gives it the edge)."""
    hits = []
    for rank, text in enumerate(texts, 1):
        path = f"notes/harbour-{rank}.md"
        info = DocumentInfo(f"d-{rank}", path, path, "Harbour notes", "", "", "", "", "en", "md", 1)
        hits.append(Hit(f"c-{rank}", text, info, 0, len(text), None, 1.0, rank, similarity=0.6))
    terms = [word for word in content_words(QUESTION) if word not in QUESTION_WORDS]
    return Retrieval(hits, terms, [], [], {term: 1.0 for term in terms})


def _best(meaning: WordVectors | None, weight: float = DEFAULTS.answer.meaning_weight) -> str:
    tuning = DEFAULTS.answer.model_copy(update={"meaning_weight": weight})
    found = candidate_sentences(QUESTION, _retrieval(RESTATES, ANSWERS), tuning=tuning, meaning=meaning)
    return max(found, key=lambda s: s.score).text


def test_the_hand_vectors_satisfy_the_protocol() -> None:
    assert isinstance(HandVectors(), WordVectors)


def test_words_alone_prefer_the_sentence_that_restates_the_question() -> None:
    assert _best(None) == RESTATES


def test_meaning_lets_the_sentence_in_other_words_win() -> None:
    assert _best(HandVectors()) == ANSWERS


def test_a_zero_meaning_weight_leaves_the_word_scores_alone() -> None:
    assert _best(HandVectors(), weight=0.0) == RESTATES


def test_meaning_adds_the_weighted_similarity_to_each_score() -> None:
    retrieval = _retrieval(RESTATES, ANSWERS)
    plain = candidate_sentences(QUESTION, retrieval)
    meant = candidate_sentences(QUESTION, retrieval, meaning=HandVectors())
    vectors = HandVectors().word_vectors([QUESTION, *(s.text for s in plain)])
    for before, after, vector in zip(plain, meant, vectors[1:], strict=True):
        expected = before.score + DEFAULTS.answer.meaning_weight * float(vector @ vectors[0])
        assert abs(after.score - expected) < 1e-6 and after.text == before.text
