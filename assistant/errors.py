"""The error hierarchy of the core.

The core raises these; only the front ends turn them into messages and exit
codes, so every failure an analyst can meet has one named type and one place
where its wording is decided.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for every error the core raises on purpose."""

    #: The hint shown under the message, telling the user what to do next.
    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


class ConfigError(AssistantError):
    """A setting or config file is invalid."""


class UsageError(AssistantError):
    """The request itself is malformed (a missing path, a bad filter)."""


class IndexNotFoundError(AssistantError):
    """There is no index yet where the settings point."""

    hint = "Run `assistant index PATH` to build one."


class IndexMismatchError(AssistantError):
    """The index was built with another embedding model or chunker."""

    hint = "Re-run with `--rebuild` to start a clean index with the current settings."


class IndexLockedError(AssistantError):
    """Another process is writing to the same index."""


class StoreUnavailableError(AssistantError):
    """The vector store cannot be reached or opened."""


class ConversationStoreVersionError(AssistantError):
    """The conversation store was written by a newer version of the assistant; it is left as it is."""

    hint = "Use the newer version of the assistant with this index, or upgrade this one."


class IndexDamagedError(AssistantError):
    """The files of a local index cannot be read back (a damaged database or vector segment)."""


class DiskFullError(AssistantError):
    """A write to the index failed because its disk is full."""

    hint = (
        "Free some space on that disk, then run the same command again: files indexed so far are kept "
        "and `assistant index` carries on from there."
    )


class EmptyIndexError(AssistantError):
    """The index exists but holds no chunks yet, so there is nothing to search."""

    hint = (
        "Run `assistant index PATH` on a folder with readable documents; if a first index run is "
        "still going, ask again when it has finished."
    )


class DocumentError(AssistantError):
    """One input file cannot be turned into documents.

    Raised per file by the loaders; the indexer records it against the file and
    carries on with the others.
    """

    def __init__(self, path: str, cause: str) -> None:
        super().__init__(f"{path}: {cause}")
        self.path = path
        self.cause = cause


class BackendError(AssistantError):
    """An answer backend (a language model or its server) failed."""

    hint = "Check the backend settings, or use `--backend extractive`, which needs no model."
