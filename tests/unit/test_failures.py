"""Server addresses and writer locks: one spelling per server (no store opened)."""

from __future__ import annotations

import pytest

from assistant.config import Settings, server_address
from assistant.errors import IndexLockedError
from assistant.ingest.locking import lock_path, write_lock

from ..conftest import free_port


@pytest.mark.parametrize(
    "spelling",
    [
        "http://localhost:{p}",
        "http://localhost:{p}/",
        "HTTP://LocalHost:{p}",
        "http://[::1]:{p}",
        "http://127.0.0.1:{p}/",
    ],
)
def test_spellings_of_one_local_server_have_one_address(spelling: str) -> None:
    port = 8123
    assert server_address(spelling.format(p=port)) == f"http://127.0.0.1:{port}"


def test_addresses_keep_what_tells_servers_apart() -> None:
    assert server_address("http://127.0.0.1") == "http://127.0.0.1:8000"
    assert server_address("https://127.0.0.1") == "https://127.0.0.1:443"
    assert server_address("http://127.0.0.1:8001") != server_address("http://127.0.0.1:8000")
    assert server_address("http://10.1.2.3:8000/") == "http://10.1.2.3:8000"


def test_two_spellings_of_one_server_share_one_writer_lock() -> None:
    port = free_port()
    first = Settings(chroma_url=f"http://127.0.0.1:{port}", lock_timeout=0)
    second = Settings(chroma_url=f"http://localhost:{port}/", lock_timeout=0)
    assert lock_path(first) == lock_path(second)
    locked = pytest.raises(IndexLockedError, match="another `assistant index` is writing")
    with write_lock(first), locked, write_lock(second):
        pass


def test_state_kept_under_an_old_spelling_is_taken_over() -> None:
    import hashlib

    port = free_port()
    url = f"http://localhost:{port}"
    settings = Settings(chroma_url=url)
    cache = settings.state_dir.parent
    # The folder an earlier version named after the URL as typed.
    legacy = cache / hashlib.sha1(f"{url}\0{settings.collection}".encode()).hexdigest()[:16]
    legacy.mkdir(parents=True)
    (legacy / "conversations.sqlite3").write_text("kept")
    folder = settings.state_dir
    assert folder != legacy and not legacy.exists()
    assert (folder / "conversations.sqlite3").read_text() == "kept"
    assert Settings(chroma_url=f"http://127.0.0.1:{port}").state_dir == folder
