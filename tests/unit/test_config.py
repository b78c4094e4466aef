"""One Settings object from flags, environment and a config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.errors import ConfigError


def test_defaults() -> None:
    settings = load_settings()
    assert settings.index_dir == Path("index")
    assert settings.chroma_url is None
    assert settings.embedding_model == "sentence-transformers/all-MiniLM-L6-v2"


def test_precedence_flag_over_env_over_file(monkeypatch: pytest.MonkeyPatch, env_dir: Path) -> None:
    (env_dir / "config.toml").write_text('index_dir = "from-file"\nchunk_tokens = 150\nmax_file_mb = 5\n')
    monkeypatch.setenv("ASSISTANT_CHUNK_TOKENS", "180")
    settings = load_settings(index_dir=Path("from-flag"))
    assert settings.index_dir == Path("from-flag")
    assert settings.chunk_tokens == 180
    assert settings.max_file_mb == 5
    assert load_settings().index_dir == Path("from-file")


def test_token_comes_from_env_and_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_TOKEN", "s3cret")
    settings = load_settings()
    assert settings.chroma_token is not None and settings.chroma_token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("chunk_tokens = 999\n", "chunk_tokens"),
        ("no_such_setting = 1\n", "no_such_setting"),
        ('chroma_url = "ftp://x"\n', "chroma_url"),
        ("this is [not toml\n", "cannot read config file"),
    ],
)
def test_bad_config_is_a_clear_error(env_dir: Path, content: str, message: str) -> None:
    (env_dir / "config.toml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_missing_named_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()
