"""The one Settings object: defaults, environment variables and a config file.

Settings are read once at the edge (CLI or TUI start-up) and passed down to
the core; nothing in the core reads the environment on its own. Precedence,
highest first: explicit values (command-line flags), `ASSISTANT_*` environment
variables, a TOML config file, then the defaults below.

The config file is `assistant.toml` in the working directory, or the file
named by `ASSISTANT_CONFIG`. Nested values (the `tuning` groups, see
`assistant.tuning`) are TOML tables (`[tuning.answer]`) or variables with a
double underscore between the levels (`ASSISTANT_TUNING__ANSWER__MAX_SENTENCES`);
the layers merge key by key, so one tuned value never resets its neighbours.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import ConfigError
from assistant.tuning import Tuning

CONFIG_ENV = "ASSISTANT_CONFIG"
DEFAULT_CONFIG_FILE = "assistant.toml"
BACKENDS = ("extractive", "local", "openai", "ollama")
#: The packaged models `--backend local` can run (the packages are named in `assistant.adapters.llm`).
LOCAL_MODELS = ("smollm2", "gemma3-270m")


def server_endpoint(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a Chroma server URL, with Chroma's default ports filled in."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    return scheme, parsed.hostname or "127.0.0.1", parsed.port or (443 if scheme == "https" else 8000)


def server_address(url: str) -> str:
    """One spelling per server, to key its local state by.

    `http://localhost:8000/`, `http://127.0.0.1:8000` and `HTTP://[::1]:8000`
    all name this machine's server on port 8000 and give `http://127.0.0.1:8000`;
    a host name is resolved, so two names of one machine agree too. A path
    is dropped: the client talks to host and port only.
    """
    scheme, host, port = server_endpoint(url)
    return f"{scheme}://{_canonical_host(host, port)}:{port}"


@functools.lru_cache(maxsize=32)
def _canonical_host(host: str, port: int) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:  # unresolvable now: the name itself is the best key
            return host.lower().rstrip(".")
        # IPv4 first, then the lowest address: stable whatever order the resolver answers in.
        found = sorted({str(info[4][0]).split("%")[0] for info in infos}, key=lambda a: (":" in a, a))
        if not found:
            return host.lower().rstrip(".")
        address = ipaddress.ip_address(found[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        # Every loopback spelling (localhost, 127.0.0.1, ::1) reaches the same local server.
        return "127.0.0.1"
    return f"[{address}]" if address.version == 6 else str(address)


def config_file_path() -> Path:
    """Where the config file is looked for (it need not exist)."""
    return Path(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_FILE))


class Settings(BaseSettings):
    """Everything the assistant can be told, in one place."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    # Where the index lives: a local Chroma directory, or a Chroma server.
    index_dir: Path = Field(default=Path("index"), description="Local index directory.")
    chroma_url: str | None = Field(default=None, description="Chroma server URL, e.g. http://127.0.0.1:8000.")
    chroma_token: SecretStr | None = Field(
        default=None, description="Bearer token for a Chroma server; never taken from the command line."
    )
    collection: str = Field(default="briefing", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,60}[a-zA-Z0-9]$")

    # Embedding model and the chunker that must fit inside it.
    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    embedding_batch_size: int = Field(
        default=64, ge=1, le=1024, description="Texts per model batch (the model sorts them by length first)."
    )
    crosslingual: bool = Field(
        default=True,
        description="Match questions against documents not written in English with the multilingual e5 encoder.",
    )
    chunk_tokens: int = Field(default=200, ge=32, le=254, description="Target word-pieces per chunk.")
    chunk_overlap_tokens: int = Field(default=32, ge=0, le=128)

    # Input handling.
    max_file_mb: float = Field(default=32.0, gt=0, description="Files larger than this are refused.")
    csv_text_column: str | None = None
    csv_date_column: str | None = None
    csv_author_column: str | None = None
    csv_title_column: str | None = None

    # Answering: the default backend and what the generative ones talk to.
    backend: str = Field(default="extractive", pattern=r"^(extractive|local|openai|ollama)$")
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = None
    ollama_base_url: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.2"
    local_model: str = Field(
        default="smollm2",
        pattern=r"^(smollm2|gemma3-270m)$",
        description="The packaged model of `--backend local`: smollm2 or gemma3-270m.",
    )
    local_model_path: str | None = Field(default=None, description="A GGUF file to run instead of `local_model`.")
    llm_max_tokens: int = Field(default=200, ge=16, le=4096)
    llm_timeout: float = Field(default=120.0, gt=0)

    # Briefs: the user's own publisher-to-reliability table, read before the shipped one.
    publisher_grades: Path | None = Field(default=None, description="TOML file of publisher reliability grades.")

    # The audit trail: every answered or refused question is kept with the index state (see conversation.py).
    audit: bool = Field(default=True, description="Record every question and answer in the conversation store.")

    # Concurrency: how long a second writer waits for the index lock.
    lock_timeout: float = Field(default=10.0, ge=0)

    # The tuned weights and thresholds of retrieval, answers and briefs (see assistant/tuning.py).
    tuning: Tuning = Field(default_factory=Tuning, description="Weights and thresholds; defaults are the tuned ones.")

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml)

    @property
    def state_dir(self) -> Path:
        """Where this index keeps local state (lock, BM25, conversations).

        A local index keeps it inside its own folder; a server index in the
        user's cache, in a folder named after the server's normalised address
        (see `server_address`) and the collection, so every spelling of one
        server shares one lock. A folder named by an earlier version after the
        URL as typed is taken over when the new one does not exist yet.
        """
        if not self.chroma_url:
            return Path(self.index_dir)
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "assistant" / "servers"
        folder = cache / _digest(server_address(self.chroma_url), self.collection)
        legacy = cache / _digest(self.chroma_url, self.collection)
        if legacy != folder and legacy.is_dir() and not folder.exists():
            # It may fail when another process moved it first, or the cache is read-only.
            with contextlib.suppress(OSError):
                legacy.rename(folder)
        return folder

    @property
    def store_label(self) -> str:
        """A human description of where the index lives."""
        return self.chroma_url if self.chroma_url else str(self.index_dir)


def _digest(address: str, collection: str) -> str:
    return hashlib.sha1(f"{address}\0{collection}".encode()).hexdigest()[:16]


def load_settings(**overrides: Any) -> Settings:
    """Build the Settings once, turning validation problems into a ConfigError.

    `overrides` are values given explicitly (command-line flags); `None` means
    "not given" and leaves the lower layers in charge.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    path = config_file_path()
    if CONFIG_ENV in os.environ and not path.is_file():
        raise ConfigError(f"config file {path} (from {CONFIG_ENV}) does not exist")
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"invalid settings ({problems})", hint=f"Check flags, ASSISTANT_* variables and {path}."
        ) from exc
    except Exception as exc:  # a malformed TOML file surfaces here
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
