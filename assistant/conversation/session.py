"""The follow-up flow of one conversation, the same for every front end.

A `Session` is one conversation being asked. For each question it rewrites a
follow-up from the conversation's earlier turns, has the service retrieve and
answer it (streaming a generative model's words), and records the turn with
the state of the index through the `AuditTrail`. A brief on a topic becomes a
turn the same way. `assistant ask` (with or without `--session`), the chat and
the evaluation of follow-up questions all go through here, so none of them
decides how a turn is rewritten, answered or recorded.

A session without a trail records nowhere and only remembers its turns (for
the follow-ups after them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant.conversation.records import IndexState, Turn, brief_question, filters_json, memory
from assistant.conversation.rewriting import FollowUpRewriter
from assistant.conversation.store import STORE_FAILURES, AuditTrail
from assistant.domain import Answer
from assistant.search.retrieval import Filters, RetrieverMode

if TYPE_CHECKING:
    from assistant.brief.builder import Brief
    from assistant.service import AssistantService


@dataclass(frozen=True)
class Request:
    """A question (or a brief's topic) on its way through a session: as asked, and as it is searched."""

    question: str
    #: What is searched: the question made standalone from the earlier turns (a brief: its topic).
    rewritten: str
    kind: Literal["answer", "brief"] = "answer"
    filters: Filters = field(default_factory=Filters)
    #: The answer backend; None is the configured one.
    backend: str | None = None
    k: int = 10
    mode: RetrieverMode = "hybrid"
    #: For a follow-up: the documents the previous answer cited, which its search prefers.
    thread: tuple[str, ...] = ()

    @property
    def is_rewritten(self) -> bool:
        """Whether what is searched differs from what was asked (a follow-up made standalone)."""
        return self.kind == "answer" and self.rewritten != self.question


@dataclass(frozen=True)
class Reply:
    """What a session gives back for a request: the turn, the Answer or Brief, and whether it was recorded."""

    turn: Turn
    answer: Answer | None = None
    brief: Brief | None = None
    #: Why the turn could not be recorded (the store's error); "" when it was, or when nothing records it.
    unsaved: str = ""


class Session:
    """One conversation: its earlier turns, and where its new turns are recorded.

    `trail` records the turns (None: nowhere); `conversation` is the name or
    id of the conversation they go into (None: the day's conversation, see
    `AuditTrail.record`). `turns` are the conversation's turns so far, oldest
    first; every turn the session answers is added to them.
    """

    def __init__(
        self,
        service: AssistantService,
        trail: AuditTrail | None = None,
        *,
        conversation: str | int | None = None,
        turns: Sequence[Turn] = (),
        rewriter: FollowUpRewriter | None = None,
    ) -> None:
        self.service = service
        self.trail = trail
        self.conversation = conversation
        self.turns: list[Turn] = list(turns)
        self.rewriter = rewriter or FollowUpRewriter()

    @classmethod
    def resume(cls, service: AssistantService, trail: AuditTrail, name: str) -> Session:
        """The conversation called `name`, with its recorded turns (none if it has no turns yet).

        The earlier turns are read even when the trail records nothing, so follow-ups still lean on
        them; the conversation itself is created by its first recorded turn. Store errors propagate.
        """
        found = trail.store.find(name)
        return cls(service, trail, conversation=name, turns=trail.store.turns(found.id) if found else [])

    # --- requests ----------------------------------------------------------------------

    def prepare(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        backend: str | None = None,
        k: int = 10,
        mode: RetrieverMode = "hybrid",
    ) -> Request:
        """The question, rewritten from this conversation's earlier turns if it is a follow-up."""
        rewritten = self.rewriter.rewrite(question, memory(self.turns))
        # A question the rewriter made standalone leans on the last answer: so may its search.
        answered = [turn for turn in self.turns if turn.status == "answered"]
        thread = (
            tuple(dict.fromkeys(c.path for c in answered[-1].citations)) if answered and rewritten != question else ()
        )
        return Request(question, rewritten, "answer", filters or Filters(), backend, k, mode, thread)

    def prepare_brief(
        self, topic: str, *, filters: Filters | None = None, backend: str | None = None, mode: RetrieverMode = "hybrid"
    ) -> Request:
        """A brief on `topic`, recorded as the question `/brief TOPIC` (a topic is never rewritten)."""
        return Request(brief_question(topic), topic, "brief", filters or Filters(), backend, mode=mode)

    # --- answering ---------------------------------------------------------------------

    def stream(self, request: Request) -> Iterator[str | Answer | Brief | Reply]:
        """Carry out `request`, then record it: what comes out as it comes, and the `Reply` last.

        A question yields a generative model's text as it is written, then the
        cited `Answer`; a brief yields its `Brief`. The turn is recorded (with
        the index state) only after that result has been handed out, so a
        consumer that stops there (the analyst cancelled) records nothing.
        Errors of the service propagate; the store's do not (see `Reply.unsaved`).
        """
        if request.kind == "brief":
            brief = self.service.brief(
                request.rewritten, filters=request.filters, backend=request.backend, mode=request.mode
            )
            yield brief
            state = IndexState.from_status(self.service.status())
            yield self._keep(
                Turn.from_brief(request.question, request.rewritten, brief, state, request.filters), brief=brief
            )
            return
        final: Answer | None = None
        for item in self.service.stream(
            request.rewritten,
            k=request.k,
            mode=request.mode,
            filters=request.filters,
            backend=request.backend,
            thread=request.thread,
        ):
            if isinstance(item, Answer):
                final = item
            yield item
        assert final is not None, "the service always ends a stream with its Answer"
        state = IndexState.from_status(self.service.status())
        yield self._keep(
            Turn.from_answer(request.question, request.rewritten, final, state, request.filters), answer=final
        )

    def run(self, request: Request) -> Reply:
        """Carry out and record `request` in one call (nothing is streamed)."""
        for item in self.stream(request):
            if isinstance(item, Reply):
                return item
        raise AssertionError("a session's stream always ends with its Reply")

    def ask(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        backend: str | None = None,
        k: int = 10,
        mode: RetrieverMode = "hybrid",
    ) -> Reply:
        """Prepare, answer and record `question`: a follow-up leans on the turns asked before it."""
        return self.run(self.prepare(question, filters=filters, backend=backend, k=k, mode=mode))

    # --- turns that were not answered --------------------------------------------------

    def failed(self, request: Request, message: str, hint: str = "") -> Reply:
        """Record that answering `request` failed (status "error"), with the message the analyst saw."""
        return self._keep(self._unanswered(request, "error", message, note=hint))

    def stopped(self, request: Request, shown: str) -> Turn:
        """The turn of an answer the analyst stopped (status "cancelled"), keeping the text shown so far.

        It is added to the turns at once; record it with `record` (it may be slow: a front end can do
        that off its UI thread).
        """
        turn = self._unanswered(request, "cancelled", shown)
        self.turns.append(turn)
        return turn

    def _unanswered(self, request: Request, status: str, text: str, *, note: str = "") -> Turn:
        return Turn(
            request.question,
            request.rewritten,
            status,
            text,
            backend=request.backend or self.service.settings.backend,
            filters=filters_json(request.filters),
            note=note,
        )

    # --- recording ---------------------------------------------------------------------

    def record(self, turn: Turn) -> Reply:
        """Record `turn` in this session's conversation; a store that fails is reported, not raised."""
        if self.trail is None:
            return Reply(turn)
        try:
            return Reply(self.trail.record(turn, self.conversation))
        except STORE_FAILURES as exc:
            return Reply(turn, unsaved=str(exc))

    def _keep(self, turn: Turn, *, answer: Answer | None = None, brief: Brief | None = None) -> Reply:
        recorded = self.record(turn)
        self.turns.append(recorded.turn)
        return Reply(recorded.turn, answer, brief, recorded.unsaved)
