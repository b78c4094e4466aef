"""Splitting documents into chunks that fit the embedding model exactly.

Lengths are measured in the model's own word-pieces (its `tokenizer.json`
through the `tokenizers` library, no torch), so no chunk is ever silently
truncated. Chunks prefer sentence boundaries (`assistant.text.sentences`), overlap by a
few whole sentences, and keep character offsets into the document text so
a citation can quote the exact extracted span.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from pathlib import Path

from tokenizers import Tokenizer

from assistant.domain import RECORD_MARK, Chunk, Document
from assistant.text.sentences import Span, cut_after_tags, sentence_spans

#: The model reads at most this many word-pieces, [CLS] and [SEP] included.
MODEL_MAX_TOKENS = 256
SPECIAL_TOKENS = 2
#: Word-pieces of the title put in front of every chunk's embedded text.
CONTEXT_TOKENS = 24


class Chunker:
    """Token-exact, sentence-aware chunking for one embedding model."""

    def __init__(self, tokenizer_file: Path, *, target_tokens: int = 200, overlap_tokens: int = 32) -> None:
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.target = target_tokens
        self.overlap = overlap_tokens

    @property
    def description(self) -> str:
        """Recorded in the index; a different chunker needs a rebuild."""
        return f"sentences-v5;target={self.target};overlap={self.overlap};context={CONTEXT_TOKENS}"

    def word_cost(self, word: str) -> tuple[int, int]:
        """How unfamiliar a word is to the model: how many word-pieces spell it, then their ids summed.

        The vocabulary lists words roughly from the most frequent, so lower ids are commoner pieces;
        this is the `Lexicon` that repairs a PDF's lost ligatures (`assistant.text.ligatures`).
        """
        ids = self.tokenizer.encode(word, add_special_tokens=False).ids
        return len(ids), sum(ids)

    def count(self, text: str) -> int:
        """Word-pieces the model sees for `text`, special tokens included."""
        return len(self.tokenizer.encode(text).ids)

    def context_for(self, document: Document) -> str:
        """The title line embedded with every chunk of a document.

        Records of a table are short posts whose title repeats their text, so
        they get no context line.
        """
        if RECORD_MARK in document.path or not document.title:
            return ""
        encoding = self.tokenizer.encode(document.title, add_special_tokens=False)
        if len(encoding.ids) <= CONTEXT_TOKENS:
            return document.title
        return document.title[: encoding.offsets[CONTEXT_TOKENS - 1][1]]

    def split(self, document: Document) -> list[Chunk]:
        text = document.text
        context = self.context_for(document)
        context_cost = self.count(context) - SPECIAL_TOKENS + 1 if context else 0
        budget = min(self.target, MODEL_MAX_TOKENS - SPECIAL_TOKENS - context_cost)
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        starts = [start for start, _ in offsets]

        def tokens_in(start: int, end: int) -> int:
            return bisect_left(starts, end) - bisect_left(starts, start)

        pieces: list[Span] = []
        for sentence in sentence_spans(text):
            if tokens_in(sentence.start, sentence.end) <= budget:
                pieces.append(sentence)
                continue
            # A web page's paragraphs often run together on one line with no space after the stop
            # ("...Inc, U.S. District Court.</p><p>The..."), which the splitter reads as one long
            # sentence. Its paragraph tags are the boundaries to cut at, before cutting blindly.
            for piece in cut_after_tags(text, sentence):
                if tokens_in(piece.start, piece.end) <= budget:
                    pieces.append(piece)
                else:
                    pieces.extend(self._split_long(piece, offsets, starts, budget))

        spans = list(self._pack(pieces, tokens_in, budget))
        spans = self._enforce_limit(text, context, spans, offsets, starts, budget)
        chunks: list[Chunk] = []
        for index, span in enumerate(spans):
            body = text[span.start : span.end]
            chunks.append(
                Chunk(
                    id=f"{document.id}-{index:05d}",
                    document=document,
                    index=index,
                    text=body,
                    start=span.start,
                    end=span.end,
                    tokens=tokens_in(span.start, span.end),
                    page=document.page_at(span.start),
                    context=context,
                )
            )
        return chunks

    def _pack(self, pieces: list[Span], count: Callable[[int, int], int], budget: int) -> Iterator[Span]:
        """Greedily fill chunks with whole pieces, carrying trailing sentences as overlap."""
        current: list[Span] = []
        for piece in pieces:
            if current and count(current[0].start, piece.end) > budget:
                yield Span(current[0].start, current[-1].end)
                carried: list[Span] = []
                for previous in reversed(current):
                    if count(previous.start, piece.end) > budget or (
                        count(previous.start, current[-1].end) > self.overlap
                    ):
                        break
                    carried.insert(0, previous)
                current = carried
            current.append(piece)
        if current:
            yield Span(current[0].start, current[-1].end)

    @staticmethod
    def _split_long(sentence: Span, offsets: list[tuple[int, int]], starts: list[int], budget: int) -> Iterator[Span]:
        """Cut an over-long sentence into runs of whole word-pieces, ending each run between words.

        A run cut inside a word ("U.S." is four word-pieces) leaves "Inc, U" at the end of a
        chunk, which reads as a finished sentence that says the wrong thing. A run ends at the
        last gap between words in its second half, or at its full length if it has none.
        """
        first = bisect_left(starts, sentence.start)
        last = bisect_left(starts, sentence.end)
        begin = first
        while begin < last:
            stop = min(begin + budget, last)  # exclusive
            if stop < last:
                stop = next(
                    (cut for cut in range(stop, begin + budget // 2, -1) if offsets[cut - 1][1] < offsets[cut][0]),
                    stop,
                )
            yield Span(offsets[begin][0], offsets[stop - 1][1])
            begin = stop

    def _enforce_limit(
        self,
        text: str,
        context: str,
        spans: list[Span],
        offsets: list[tuple[int, int]],
        starts: list[int],
        budget: int,
    ) -> list[Span]:
        """Re-tokenize each chunk as the model will see it; halve any that overflow.

        Counting inside the whole document and counting a chunk alone can differ
        at the edges, so this check is what guarantees the limit. A chunk that
        is the whole text with no context line is exactly what was counted
        already (a short record of a table, usually), so it is not tokenized
        a second time.
        """
        whole = not context and len(spans) == 1 and spans[0] == Span(0, len(text))
        if whole and len(offsets) + SPECIAL_TOKENS <= MODEL_MAX_TOKENS:
            return spans
        result: list[Span] = []
        queue = list(reversed(spans))
        while queue:
            span = queue.pop()
            embedded = embed_text(context, text[span.start : span.end])
            if self.count(embedded) <= MODEL_MAX_TOKENS or span.end - span.start < 2:
                result.append(span)
                continue
            first = bisect_left(starts, span.start)
            last = bisect_left(starts, span.end)
            middle = max(first + 1, (first + last) // 2)
            queue.append(Span(offsets[middle][0], span.end))
            queue.append(Span(span.start, offsets[middle - 1][1]))
        return result


def embed_text(context: str, body: str) -> str:
    """The exact text handed to the embedding model for a chunk."""
    return f"{context}\n{body}" if context else body
