"""The numpy query encoder: same vectors as the indexing model, and no torch at query time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.embedding import SentenceTransformerEmbedder
from assistant.adapters.query_embedding import NumpyEncoder

REPO = Path(__file__).resolve().parents[2]


LONG_ENGLISH = " ".join(
    f"Paragraph {i}: accounts sharing propaganda were suspended, then returned under new handles "
    "and linked to mirror sites, archive links and encrypted channels."
    for i in range(30)
)


LONG_ARABIC = "نشر أنصار التنظيم بيانات ومقاطع فيديو عبر قنوات مشفرة ثم أعادوا نشرها بعد الحذف. " * 40


TEXTS = [
    "q",
    "?",
    "",
    "   ",
    "How many copies of the attack video did Facebook remove in the first day?",
    "GIFCT hash sharing",
    "ISLAMIC STATE supporters on TELEGRAM",
    "مؤيدو تنظيم الدولة الإسلامية على تلغرام",
    "Les partisans de l'État islamique ont-ils déjà quitté Télégram ? Café, naïve, façade.",
    "伊斯兰国支持者在电报上的宣传活动",
    "#Jihad @user_01 https://t.me/s/channel?id=123&lang=en — RT!!! 🔥🔥 (via archive.org/details/x)",
    "line one\nline two\ttabbed\r\nline three",
    "Twitter suspended 125,000 accounts in 2015-16; 235,000 more by Aug. 2016.",
    "Ünïcödé àccents and ß and Ωmega",
    LONG_ENGLISH,
    LONG_ARABIC,
    "word " * 300,
    # Around the truncation boundary: 254 words plus [CLS] and [SEP] fit exactly.
    "word " * 254,
    "word " * 255,
    "中文文本很长。" * 60,
]


@pytest.fixture(scope="module")
def encoder() -> NumpyEncoder:
    return NumpyEncoder()


@pytest.mark.model
def test_matches_sentence_transformers(encoder: NumpyEncoder, real_embedder: SentenceTransformerEmbedder) -> None:
    ours = encoder.embed(TEXTS)
    reference = real_embedder.embed(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384)
    assert ours.dtype == np.float32
    cosines = np.sum(ours * reference, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1))
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= 0.9999, f"cosine {cosines[worst]:.6f} for {TEXTS[worst][:60]!r}"


@pytest.mark.model
def test_long_texts_are_truncated_like_sentence_transformers(
    encoder: NumpyEncoder, real_embedder: SentenceTransformerEmbedder
) -> None:
    # Different tails beyond the 256th word-piece must not matter to either model.
    base = LONG_ENGLISH
    variants = [base, base + " completely different ending about football and cooking"]
    ours = encoder.embed(variants)
    reference = real_embedder.embed(variants)
    assert np.allclose(ours[0], ours[1], atol=1e-6)
    assert float(ours[0] @ reference[1]) >= 0.9999


def test_truncates_to_max_seq_length(encoder: NumpyEncoder) -> None:
    encoder.embed(["warm up"])
    tokenizer = encoder._load().tokenizer
    ids = tokenizer.encode(LONG_ENGLISH).ids
    assert len(ids) == 256
    assert ids[0] == tokenizer.token_to_id("[CLS]")
    assert ids[-1] == tokenizer.token_to_id("[SEP]")
    # tokenizer.json itself pads every text to 128; short texts must stay short.
    assert len(tokenizer.encode("q").ids) == 3


def test_batch_equals_one_at_a_time(encoder: NumpyEncoder) -> None:
    batch = encoder.embed(TEXTS)
    single = np.vstack([encoder.embed([text]) for text in TEXTS])
    assert np.abs(batch - single).max() < 1e-5


def test_small_batches_equal_one_batch() -> None:
    small = NumpyEncoder(batch_size=3)
    assert np.abs(small.embed(TEXTS) - NumpyEncoder().embed(TEXTS)).max() < 1e-5


def test_vectors_are_normalised(encoder: NumpyEncoder) -> None:
    vectors = encoder.embed(TEXTS[:6])
    assert vectors.shape == (6, encoder.dimension) == (6, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_query_does_not_import_torch() -> None:
    code = (
        "import json, sys\n"
        "from assistant.adapters.query_embedding import NumpyEncoder\n"
        "vector = NumpyEncoder().embed(['Who ran the Telegram channel?'])\n"
        "assert vector.shape == (1, 384)\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'scipy')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
