"""Indexing arguments that are refused before anything is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.service import AssistantService


def test_missing_path_is_a_usage_error(service: AssistantService, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        service.index([tmp_path / "nope"])
