"""The single-writer lock that keeps two `index` runs off one index.

A local index is locked by a file inside its folder; a server index by a
file in the user's cache folder named after the server and collection (which
protects writers on this machine only). Readers never take the lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.errors import IndexLockedError

LOCK_NAME = ".assistant-write.lock"


def lock_path(settings: Settings) -> Path:
    folder = settings.state_dir
    folder.mkdir(parents=True, exist_ok=True)
    return folder / LOCK_NAME


@contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """Hold the writer lock, waiting up to `settings.lock_timeout` seconds for it."""
    lock = FileLock(str(lock_path(settings)))
    try:
        lock.acquire(timeout=settings.lock_timeout)
    except Timeout:
        raise IndexLockedError(
            f"another `assistant index` is writing to {settings.store_label}",
            hint="Wait for it to finish, or raise ASSISTANT_LOCK_TIMEOUT to wait longer.",
        ) from None
    try:
        yield
    finally:
        lock.release()
