"""The tuned weights and thresholds of retrieval, answers and briefs, in one frozen object.

Every number that decides what is retrieved, which sentences answer and what a
brief says lives here, with the reason for its value. The defaults are the
values tuned with `assistant eval` on the development questions; `Tuning` is
the `tuning` field of `Settings`, so a user or an experiment overrides a value
from `assistant.toml` (`[tuning.answer]` then `max_sentences = 5`) or the
environment (`ASSISTANT_TUNING__ANSWER__MAX_SENTENCES=5`) without touching the
code. The objects are frozen: the Settings built at start-up hand them down to
the retriever, the answerer and the brief builder, and nothing changes them on
the way. Limits of a format (question length, prompt wording, regexes) are not
tuning and stay with the code that owns them.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    # Frozen so the one object built from Settings is the one every component reads;
    # extra keys are refused, so a misspelt key in assistant.toml is an error, not a no-op.
    model_config = ConfigDict(frozen=True, extra="forbid")


class RetrievalTuning(_Frozen):
    """How dense and BM25 rankings are fused, boosted and spread over documents."""

    rrf_k: int = Field(
        default=60, ge=1, description="Reciprocal-rank constant; 60 is the usual value, flattening rank gaps."
    )
    dense_weight: float = Field(default=1.0, ge=0, description="Weight of the dense ranking in fusion: meaning leads.")
    lexical_weight: float = Field(
        default=0.5,
        ge=0,
        description="Weight of the BM25 ranking in fusion: exact words help, but half as much as meaning.",
    )
    candidates: int = Field(
        default=100, ge=1, description="Passages each side ranks before fusion: enough to fuse past k=50."
    )
    source_filter_overfetch: int = Field(
        default=4, ge=1, description="Extra dense candidates under a source filter, applied after the store answers."
    )
    fetch_per_result: int = Field(
        default=4, ge=1, description="Fused candidates read per result wanted, for de-duplication."
    )
    min_fetched: int = Field(
        default=40, ge=1, description="Fused candidates read at least, so a small k still spreads."
    )
    same_document_discount: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Score factor per earlier chunk of the same document: results cover more sources.",
    )
    year_boost: float = Field(
        default=1.3, ge=0, description="Score factor for a source dated in a year the question names."
    )
    thread_boost: float = Field(
        default=1.3,
        ge=0,
        description="Score factor, for a follow-up, for a source the previous answer cited: the thread goes on "
        "in the documents it was read in (on tune 1.3, 1.6 and 2.0 lifted the same two follow-ups' evidence; "
        "1.3, as for a year asked about).",
    )
    earlier_discount: float = Field(
        default=0.7, ge=0, description="Score factor for a source written before the earliest year asked about."
    )
    crosslingual_weight: float = Field(
        default=0.5,
        ge=0,
        description="Weight in fusion of the multilingual ranking of chunks not written in English (0 turns it off): "
        "those chunks have no other way in, since MiniLM and BM25 read English.",
    )
    crosslingual_candidates: int = Field(
        default=10, ge=1, description="Foreign-language chunks the multilingual side ranks into the fusion."
    )
    dense_similarity_weight: float = Field(
        default=0.04, ge=0, description="Raw similarity added in hybrid mode: a clear lead in meaning survives BM25."
    )
    support_chunks: int = Field(
        default=20,
        ge=0,
        description="Further chunks of the chosen documents kept for answers to read (with exact dense search, "
        "16 to 24 gave the same answers on tune, +3 key facts over 12; 30 lost them again).",
    )
    leading_documents: int = Field(
        default=4,
        ge=0,
        description="Documents whose chunks are ranked again for the answerer: the right one is almost always "
        "among the first four (a fifth added nothing), and each more adds chunks to fetch.",
    )
    passage_candidates: int = Field(
        default=120,
        ge=1,
        description="Nearest chunks asked for among all the leading documents' chunks (one query); 60 missed answers.",
    )
    passage_lexical_chunks: int = Field(
        default=12, ge=0, description="Best BM25 chunks of each leading document added to the candidates; 6 missed."
    )
    passage_lexical_share: float = Field(
        default=0.2,
        ge=0,
        description="Weight of in-document BM25 (scaled to the document's best chunk) beside cosine similarity; "
        "0.3 and more ranked worse.",
    )
    passage_word_discount: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="In-document BM25: a question word's score shrinks by this times the share of the document's "
        "chunks holding it, since the document's own subject tells its chunks apart least. On tune, 1.0 ranked the "
        "evidence best (MRR 0.628 at 0, 0.634 at 0.5, 0.626 at 0.8, 0.637 at 1.0).",
    )
    passage_neighbour_share: float = Field(
        default=0.3,
        ge=0,
        description="Share of the stronger neighbour's score a chunk gains: an answer often carries on from a "
        "matching passage.",
    )
    passages_per_document: int = Field(
        default=6, ge=0, description="Passages of one leading document the answerer reads first."
    )
    passage_discount: float = Field(
        default=0.95,
        gt=0,
        le=1,
        description="How much less each further passage of a document counts against the next document's first: "
        "near 1, because the first document is usually the right one and its answer often lies a few passages down.",
    )


class AnswerTuning(_Frozen):
    """How extractive answers pick sentences, when a question counts as covered, and generation."""

    max_sentences: int = Field(
        default=7, ge=1, description="Points an answer makes at most: a paragraph an analyst reads."
    )
    sentence_pool: int = Field(default=8, ge=1, description="Retrieved passages whose sentences an answer considers.")
    passages_read: int = Field(
        default=9,
        ge=0,
        description="Ranked passages of the leading documents read before the first hits: on `tune` no answer lay "
        "only in a later one, and each further one adds sentences that compete with the answer (at 10, a passage "
        "giving a figure on a neighbouring topic made an unanswerable question look covered).",
    )
    answer_chars: int = Field(
        default=1400,
        ge=1,
        description="Characters of quoted text an answer holds, as the reader sees them (link addresses and markup "
        "do not count): seven short sentences or four long ones. The answer ends at the first point that does not "
        "fit (on tune and check that kept every key fact and took the median from 1,290 to 1,249 and 1,233 to "
        "1,218); 1,000 and 1,200 lost facts in proportion, and more would exceed the limit analysts were promised.",
    )
    score_floor: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the best sentence's score under which a sentence adds more noise.",
    )
    similarity_weight: float = Field(
        default=0.5, ge=0, description="Weight of the passage's similarity in a sentence score."
    )
    rank_weight: float = Field(
        default=0.25, ge=0, description="Weight of 1/source rank: earlier sources usually answer."
    )
    length_weight: float = Field(
        default=0.1, ge=0, description="Damper on log(words/reference): long sentences match words by chance."
    )
    length_reference_words: int = Field(
        default=10, ge=1, description="Sentence length in words that the damper leaves alone."
    )
    number_bonus: float = Field(
        default=0.1,
        ge=0,
        description="Bonus for a number the question does not hold when it asks how many, how much, what share "
        "or how long; with every kind bonus at 0.2 tune lost key facts.",
    )
    name_bonus: float = Field(
        default=0.1,
        ge=0,
        description="Bonus for a capitalised name the question does not hold when it asks who or which company.",
    )
    date_bonus: float = Field(
        default=0.1,
        ge=0,
        description="Bonus for a year or month the question does not hold when it asks when or in what year "
        "(the 0.1 the number bonus gave these questions before).",
    )
    reason_bonus: float = Field(
        default=0.1,
        ge=0,
        description="Bonus for a clause of cause or purpose ('because', 'in order to') when the question asks why: "
        "on tune 0 put fewer key facts first and 0.2 (with place_bonus) scored the same as 0.1.",
    )
    place_bonus: float = Field(
        default=0.1,
        ge=0,
        description="Bonus for a place named after 'in', 'at' or 'from' when the question asks where (chosen with "
        "reason_bonus).",
    )
    term_bonus: float = Field(
        default=0.1,
        ge=0,
        description="Bonus for a quoted word or a hashtag when the question asks which word, slogan or label was "
        "used: set like reason_bonus and place_bonus, not swept (one tune question asks for a term).",
    )
    limit_bonus: float = Field(
        default=0.1,
        ge=0,
        description="Bonus for a sentence saying what something cannot do or does only in part ('would catch "
        "reposts, but would not block new videos') when the question asks for a limitation or weakness: set like "
        "reason_bonus, not swept (one tune question asks for one).",
    )
    inflection_weight: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Share of a question word's weight that another form of it earns a sentence ('banned' for "
        "'ban'): on tune 0.8 found more key facts than 1.0 (which favours long sentences matching many forms) "
        "and 0.6.",
    )
    paraphrase_weight: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Share of a question word's weight that a word of its paraphrase family earns a sentence "
        "('deleted' for 'removal'): on tune 1.0 found one key fact more than 0.5 or 0.8 (and 0 as many as 0.5).",
    )
    year_bonus: float = Field(
        default=0.1, ge=0, description="Bonus for sentences of a source dated in a year asked about."
    )
    premise_weight: float = Field(
        default=0.7,
        ge=0,
        description="Weight of scene-setting words against 1 for the asked part: every source repeats them.",
    )
    part_weight: float = Field(
        default=0.2,
        ge=0,
        description="Weight of the share of one asked part a sentence covers, in a question asking several things.",
    )
    pool_share_discount: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description=(
            "A question word's weight in the score shrinks by this times the share of candidate sentences holding it:"
            " the name every passage repeats tells none apart. 0.5-1.0 gave the same facts on tune; 0.75 led best."
        ),
    )
    alias_weight: float = Field(
        default=0.5,
        ge=0,
        description="Weight of an alias of a named actor against its IDF: the name itself already counts.",
    )
    idf_floor: float = Field(
        default=0.1, gt=0, description="Least weight of a question word, so common words still count."
    )
    unnamed_penalty: float = Field(
        default=1.0,
        ge=0,
        description="Score taken from a sentence whose document names none of the question's names, when "
        "another candidate document names one (1.0 all but sets it aside): on tune 0.3 and 1.0 found the same "
        "key facts as 0 and kept a report on X out of an answer about Meta's Instagram.",
    )
    other_service_penalty: float = Field(
        default=0.2,
        ge=0,
        description="Score taken from a sentence about another platform or tech company than those the question "
        "names (see `about_other_service`; whatever this is, such a sentence gives no figure or name asked for). On "
        "tune 0.1, 0.2 and 0.4 found the same key facts, one more than 0 (an answer about the platform now called "
        "X no longer quoted a YouTube video's release); 0.2 is the middle.",
    )
    scope_penalty: float = Field(
        default=0.3,
        ge=0,
        description="Score taken from a sentence that says what its document sets out to do ('This study "
        "examines ...') or how its study gathered its data ('We collected ...', see `assistant.text.discourse`) "
        "unless the question asks for that: on tune 0.1 to 0.5 kept the same key facts and took scope statements "
        "in answers from 10 to 2; with method sentences, 0.3 and 0.5 gave the same answers, 0.1 one fact fewer.",
    )
    min_sentence_words: int = Field(
        default=5, ge=1, description="Words a sentence needs to be quoted: shorter is a fragment."
    )
    repeat_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Share of words shared with a chosen sentence above which a sentence repeats it.",
    )
    new_figure_repeat_share: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="The same share for a sentence bringing a new figure: the figure is worth a place.",
    )
    figure_repeat_share: float = Field(
        default=0.25, ge=0, le=1, description="Share above which a sentence giving only figures already given repeats."
    )
    min_similarity: float = Field(
        default=0.55,
        ge=0,
        le=1,
        description="Best passage similarity under which a question is not covered (calibrated).",
    )
    min_overlap: float = Field(
        default=0.08,
        ge=0,
        le=1,
        description="Best question-word overlap under which a question is not covered (calibrated).",
    )
    strong_similarity: float = Field(
        default=0.45,
        ge=0,
        le=1,
        description="Below min_similarity, a first passage at least this close still answers when its document "
        "names everything the question names (the lowest unanswerable question sat at 0.41).",
    )
    strong_passages: int = Field(
        default=3,
        ge=1,
        description="First passages any of which may be the strong passage that lets a question below "
        "min_similarity answer: a document naming all of the question's names often ranks second or third "
        "behind a summary of the same case (on tune 3 ended one false refusal that 2 kept; 5 added nothing, "
        "and no unanswerable question was answered at any of them).",
    )
    partial_name_idf: float = Field(
        default=5.0,
        ge=0,
        description="A strong passage's document may name a question's name of several words by its first word "
        "alone ('the Manchester attack' for 'the Manchester Arena bombing') when that word's IDF over chunks is at "
        "least this: in the evaluation library 'manchester' is 7.6, while 'new' (3.0), 'islamic' (3.3), 'united' "
        "(4.6) and 'christchurch' (4.8) open many names. On tune every value from 0 to 7.5 gave the same answers, "
        "so this is set to keep the rule to distinctive words, not fitted.",
    )
    element_overlap: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="The year, figure or name asked for counts only in a sentence holding this share of the "
        "question's weighted words (up to 0.10 refused the same on tune; higher refused more answerable ones).",
    )
    context_chars: int = Field(
        default=300, ge=0, description="Text before a lead-in ('It read:') searched for the group that is quoted."
    )
    generation_sources: int = Field(
        default=4, ge=1, description="Passages handed to a generative model: small models read few."
    )
    source_chars: int = Field(
        default=900, ge=1, description="Characters of each passage in a prompt: fits a small context."
    )
    min_support: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of a generated sentence's words one source sentence must hold to cite it.",
    )


class BriefTuning(_Frozen):
    """How a brief scores, groups and limits what it states."""

    facet_passages: int = Field(
        default=12, ge=1, description="Passages retrieved per facet search: a brief reads widely."
    )
    bluf_sentences: int = Field(
        default=3, ge=1, description="Sentences of the bottom line: the length of a BLUF paragraph."
    )
    bluf_max_words: int = Field(
        default=60, ge=1, description="Words a bottom-line sentence may have: longer ones read poorly."
    )
    bluf_support: int = Field(default=2, ge=0, description="Agreeing sources cited beside a bottom-line sentence.")
    support_bonus: float = Field(
        default=0.2, ge=0, description="Bottom-line score added per agreeing independent source: confirmed facts lead."
    )
    max_judgments: int = Field(default=5, ge=0, description="Key judgments at most: the few an analyst can weigh.")
    judgments_per_facet: int = Field(
        default=2, ge=1, description="Key judgments from one facet at most, so they cover angles."
    )
    judgment_citations: int = Field(default=4, ge=1, description="Sources cited under one key judgment.")
    evidence_per_facet: int = Field(
        default=3, ge=0, description="Evidence items per facet: enough to show, not to bury."
    )
    max_timeline: int = Field(default=12, ge=0, description="Timeline events at most: a page of dates.")
    max_actors: int = Field(default=12, ge=0, description="Actors listed at most: the most mentioned ones.")
    actor_citations: int = Field(default=5, ge=1, description="Sources cited for one actor.")
    min_relevance: float = Field(
        default=0.3, ge=0, le=1, description="Topic-word overlap a passage needs to be used at all: less is off-topic."
    )
    context_relevance_share: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Share of its passage's relevance a sentence inherits: the passage is the context.",
    )
    own_relevance_weight: float = Field(default=0.5, ge=0, description="Score for the sentence's own topic overlap.")
    context_relevance_weight: float = Field(
        default=0.25, ge=0, description="Score for its passage's and title's topic overlap."
    )
    actor_weight: float = Field(
        default=0.08, ge=0, description="Score per actor a sentence names: who did what beats general remarks."
    )
    max_actors_scored: int = Field(
        default=3, ge=0, description="Actors counted in that score, so lists of names do not win."
    )
    page_talk_penalty: float = Field(
        default=0.5, ge=0, description="Score taken from a sentence about the page itself ('this article'): no finding."
    )
    context_bound_penalty: float = Field(
        default=0.3,
        ge=0,
        description="Score taken from a sentence leaning on a pronoun or first person it cannot resolve.",
    )
    agree_min_words: int = Field(
        default=3, ge=1, description="Distinctive words each sentence needs before two can agree."
    )
    agree_share: float = Field(
        default=0.5, ge=0, le=1, description="Share of distinctive words two sources must share to agree."
    )
    agree_figure_share: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="The same share when both give the same figure: the figure carries agreement.",
    )
    same_point_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Shared-word share above which two sentences make the same point (one is kept).",
    )
    same_point_figure_share: float = Field(
        default=0.25, ge=0, le=1, description="The same share for two sentences giving the same figure."
    )


class Tuning(_Frozen):
    """Every tuned number, by the component that uses it."""

    retrieval: RetrievalTuning = RetrievalTuning()
    answer: AnswerTuning = AnswerTuning()
    brief: BriefTuning = BriefTuning()

    def as_json(self) -> dict[str, dict[str, float | int]]:
        """The whole tuning, group by group, as plain JSON values."""
        return self.model_dump(mode="json")

    def fingerprint(self) -> str:
        """A short hash of every value: two results with the same fingerprint used the same tuning."""
        canonical = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]


#: The tuned defaults, for components used on their own (tests, scripts).
DEFAULTS = Tuning()
