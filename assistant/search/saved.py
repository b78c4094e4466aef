"""Saving and reading back the derived tables kept beside the store (the vector tables of `dense` and
`crosslingual`): one numpy archive each, with a format version, written whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt


def save_arrays(path: Path, version: int, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    """Written to a temporary file and moved into place, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as handle:
            # numpy types savez's keywords as its own options (allow_pickle); here every keyword is an array.
            cast(Any, np.savez)(handle, version=np.array(version), **arrays)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def load_arrays(path: Path, version: int, names: tuple[str, ...]) -> dict[str, npt.NDArray[Any]] | None:
    """The named arrays of a saved table of this format `version`, or None when the file is absent, of
    another version or malformed in any way: a derived table is rebuilt rather than repaired."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["version"]) != version:
                return None
            return {name: np.asarray(data[name]) for name in names}
    except Exception:  # a missing, truncated or foreign file: the cure is the same, rebuild
        return None
