"""Chunks always fit the embedding model and quote the document exactly."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from assistant.adapters.embedding import model_dir
from assistant.domain import Document, PageSpan
from assistant.ingest.chunking import MODEL_MAX_TOKENS, Chunker, embed_text, sentence_spans
from assistant.text.apparatus import display_text
from assistant.text.ligatures import repair_lost_ligatures

from ..conftest import CORPUS


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(model_dir("sentence-transformers/all-MiniLM-L6-v2") / "tokenizer.json")


def _doc(text: str, title: str = "A report", pages: tuple[PageSpan, ...] = ()) -> Document:
    return Document(
        id="d",
        path="r.md",
        source_path="r.md",
        text=text,
        format="markdown",
        content_hash="h",
        title=title,
        pages=pages,
    )


def _assert_sound(chunker: Chunker, doc: Document) -> None:
    chunks = chunker.split(doc)
    assert chunks
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunker.count(embed_text(chunk.context, chunk.text)) <= MODEL_MAX_TOKENS
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    words = [i for i, ch in enumerate(doc.text) if not ch.isspace()]
    assert all(i in covered for i in words), "some text is in no chunk"


def test_real_corpus_chunks_fit_the_model(chunker: Chunker) -> None:
    files = sorted(CORPUS.rglob("*.md"))
    assert files
    for path in files:
        _assert_sound(chunker, _doc(path.read_text(), title=path.stem))


def test_hard_text_never_overflows(chunker: Chunker) -> None:
    rng = random.Random(7)
    vocabulary = ["Daesh", "#ISIS", "t.co/x9Qz", "الدولة", "8kun", "Christchurch", "—", "ЗАПРЕТ", "🙂", "1,500,000"]
    no_punctuation = " ".join(rng.choice(vocabulary) for _ in range(3000))
    one_long_word = "x" * 5000
    url_soup = " ".join(f"https://example.org/{rng.randrange(10**9)}?q={rng.randrange(10**6)}" for _ in range(400))
    for text in (no_punctuation, one_long_word, url_soup, "Short.", "Line one\nLine two\n\n\nLine three"):
        _assert_sound(chunker, _doc(text, title="Très long titre " * 20))


def test_chunks_prefer_sentence_boundaries(chunker: Chunker) -> None:
    sentences = [f"Sentence number {i} describes a takedown wave in some detail for the briefing." for i in range(80)]
    doc = _doc(" ".join(sentences))
    chunks = chunker.split(doc)
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith("Sentence number") and chunk.text.endswith("briefing.")


def test_neighbouring_chunks_overlap_a_little(chunker: Chunker) -> None:
    sentences = [f"Fact {i}: a platform removed {i * 1000} items in quarter {i % 4 + 1}." for i in range(120)]
    chunks = chunker.split(_doc(" ".join(sentences)))
    for first, second in itertools.pairwise(chunks):
        assert second.start < first.end, "no overlap"
        assert first.end - second.start < (first.end - first.start) // 2, "overlap too large"


def test_pdf_chunks_know_their_page(chunker: Chunker) -> None:
    page_one = "First page text. " * 60
    page_two = "Second page text. " * 60
    text = page_one.strip() + "\n\n" + page_two.strip()
    doc = _doc(text, pages=(PageSpan(1, 0), PageSpan(2, len(page_one.strip()) + 2)))
    chunks = chunker.split(doc)
    assert chunks[0].page == 1 and chunks[-1].page == 2
    for chunk in chunks:
        assert chunk.page == doc.page_at(chunk.start)


def test_ids_are_deterministic(chunker: Chunker) -> None:
    text = (CORPUS / "notes" / "gifct-founding-hash-database.md").read_text()
    first = [(c.id, c.start, c.end) for c in chunker.split(_doc(text))]
    second = [(c.id, c.start, c.end) for c in chunker.split(_doc(text))]
    assert first == second and len({i for i, _, _ in first}) == len(first)


def test_sentence_spans_trim_whitespace() -> None:
    text = "  One sentence here.  Another one!\n\nA heading\n- a bullet "
    spans = [text[s.start : s.end] for s in sentence_spans(text)]
    assert spans == ["One sentence here.", "Another one!", "A heading", "- a bullet"]


def _sentences(text: str) -> list[str]:
    return [text[span.start : span.end] for span in sentence_spans(text)]


def test_footnote_marks_end_a_sentence_like_closing_quotes() -> None:
    text = (
        'Gab said it would be offline for a "period of time".[166] Gab returned online on November 4, 2018[167] '
        "after Epik agreed to register the domain.[168][169] Monster defended the site."
    )
    assert _sentences(text) == [
        'Gab said it would be offline for a "period of time".',
        "Gab returned online on November 4, 2018[167] after Epik agreed to register the domain.",
        "Monster defended the site.",
    ]


def test_wrapped_lines_stay_in_their_sentence_but_lists_and_paragraphs_split() -> None:
    text = (
        "TikTok said it detected\n\nand removed 1,305,534 pieces of video\ncontent globally under its extremism\n"
        "policies. Of this content:\n○ 94.9% was proactively detected;\n\nnext, a paragraph in lower case.\n"
        "- one item\n- another item"
    )
    assert _sentences(text) == [
        "TikTok said it detected\n\nand removed 1,305,534 pieces of video\ncontent globally under its extremism\n"
        "policies.",
        "Of this content:",
        "○ 94.9% was proactively detected;",
        "next, a paragraph in lower case.",
        "- one item",
        "- another item",
    ]


def test_a_wrapped_line_that_opens_with_a_quoted_lower_case_word_stays_in_its_sentence() -> None:
    text = (
        "The ferry company tightened its rules and banned\n\n“unsafe” cargo on deck. It also named\n\n"
        "“Harbour Watch” as its adviser."
    )
    assert _sentences(text) == [
        "The ferry company tightened its rules and banned\n\n“unsafe” cargo on deck.",
        "It also named",
        "“Harbour Watch” as its adviser.",
    ]


def test_a_page_number_left_where_a_page_broke_a_sentence_stays_inside_it_and_is_not_shown() -> None:
    text = "The ferry ran late. On the first day there was\n\n6 a sharp rise in delays, up 41%.\n\n7 Ferry routes"
    sentences = _sentences(text)
    assert sentences == [
        "The ferry ran late.",
        "On the first day there was\n\n6 a sharp rise in delays, up 41%.",
        "7 Ferry routes",
    ]
    assert display_text(sentences[1]) == "On the first day there was a sharp rise in delays, up 41%."


def test_initials_and_abbreviations_end_no_sentence() -> None:
    text = (
        "Parler points to the U.S. State Department list. Dr. Ahmed and J. Smith disagreed. "
        "Dabiq No. 13 named him. Gab AI, Inc. filed a report. The ruling in Harbour v. Ferry Co. stands. "
        "Smith et al. Found the same. Gov. Abbott signed it."
    )
    assert _sentences(text) == [
        "Parler points to the U.S. State Department list.",
        "Dr. Ahmed and J. Smith disagreed.",
        "Dabiq No. 13 named him.",
        "Gab AI, Inc. filed a report.",
        "The ruling in Harbour v. Ferry Co. stands.",
        "Smith et al. Found the same.",
        "Gov. Abbott signed it.",
    ]


def test_a_months_abbreviation_before_a_day_ends_no_sentence() -> None:
    text = "The ferry sank in the Nov. 9 storm. Sept. 11 came later. Repairs began in Dec. The yard was busy."
    assert _sentences(text) == [
        "The ferry sank in the Nov. 9 storm.",
        "Sept. 11 came later.",
        "Repairs began in Dec.",
        "The yard was busy.",
    ]


def test_a_web_page_whose_paragraphs_share_one_line_is_chunked_at_paragraph_ends(chunker: Chunker) -> None:
    # Scraped pages often put every paragraph on one line, "…Co.</p><p>The…", with no space after the
    # stop, so the whole line reads as one long sentence. Cutting it by length would split "U.S." or a
    # case name at a chunk's edge, and the answerer would quote "Harbour Co, U" as a sentence.
    paragraphs = [
        f"<p>Ferry operator number {i} was fined by the U.S. District Court, Eastern District, No. 16-{i:05d}, "
        f'for overloading (<span class="ticker">FRY.N</span>) its harbour boats again.</p>'
        for i in range(40)
    ]
    doc = _doc('<div id="story">' + '<span id="mid"/>'.join(paragraphs) + "</div>")
    _assert_sound(chunker, doc)
    chunks = chunker.split(doc)
    assert len(chunks) > 3
    for chunk in chunks[:-1]:
        assert re.sub(r"(?:<[^<>]*>)+$", "", chunk.text).endswith("harbour boats again."), chunk.text[-40:]


def test_an_over_long_sentence_is_cut_between_words(chunker: Chunker) -> None:
    # No stop and no tag anywhere: the text must be cut by length, but never inside "U.S." or a figure.
    text = " ".join(f"the U.S. ferry fleet carried 1,250.5 tonnes on route {i}" for i in range(120))
    doc = _doc(text)
    _assert_sound(chunker, doc)
    chunks = chunker.split(doc)
    assert len(chunks) > 3
    for chunk in chunks[:-1]:
        assert text[chunk.end] == " ", text[chunk.end - 20 : chunk.end + 5]


def test_a_sentence_ends_inside_markdown_emphasis() -> None:
    text = "The harbour bans **weapons and explosives on every ferry.** This covers: knives."
    assert _sentences(text) == ["The harbour bans **weapons and explosives on every ferry.", "This covers: knives."]


def test_a_short_record_is_one_chunk_counted_as_the_model_counts(chunker: Chunker) -> None:
    rng = random.Random(3)
    vocabulary = ["propaganda", "channel", "Telegram", "supporters", "rally", "#hashtag", "@user", "🙂", "déjà", "vu"]
    for _ in range(50):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 60)))
        record = Document(
            id="r", path="posts.csv#row=1", source_path="posts.csv", text=text, format="csv", content_hash="h"
        )
        (chunk,) = chunker.split(record)
        assert chunk.text == text and chunk.context == ""
        assert chunk.tokens + 2 == chunker.count(embed_text(chunk.context, chunk.text)) <= MODEL_MAX_TOKENS


def test_the_models_vocabulary_repairs_the_ligatures_a_pdf_lost(chunker: Chunker) -> None:
    broken = "E\x00orts to \x00nd o\x00ensive se\x00ings on the pla\x00orm were signi\x00cant, a\x00er all."
    assert repair_lost_ligatures(broken, chunker) == (
        "Efforts to find offensive settings on the platform were significant, after all."
    )
