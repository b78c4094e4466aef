"""Server mode: the same indexing against a real `chroma run` on 127.0.0.1.

Chroma 1.x servers leave authentication to a proxy in front of them, so the
token test puts a small token-checking reverse proxy (started here) between
the assistant and the real server.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ..conftest import CORPUS, free_port, run_cli

pytestmark = [pytest.mark.server, pytest.mark.model]


@pytest.fixture
def chroma_process(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `chroma run` on a free port: its URL and its process (for tests that kill it)."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        found = shutil.which("chroma")
        assert found, "the chroma command is installed with chromadb"
        chroma = Path(found)
    port = free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v2/heartbeat")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
    yield f"http://127.0.0.1:{port}", proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)
    log.close()


@pytest.fixture
def chroma_server(chroma_process: tuple[str, subprocess.Popen[bytes]]) -> str:
    return chroma_process[0]


def _token_proxy(upstream: str, token: str) -> tuple[ThreadingHTTPServer, list[str]]:
    host, port = upstream.removeprefix("http://").split(":")
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != f"Bearer {token}":
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            reply = conn.getresponse()
            payload = reply.read()
            self.send_response(reply.status)
            for key, value in reply.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def test_server_mode_indexes_and_reads(chroma_server: str, library: Path, cli_env: dict[str, str]) -> None:
    first = run_cli("index", str(library), "--chroma-url", chroma_server, "--json", env=cli_env)
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["added"] == 6 and payload["index"] == chroma_server

    again = json.loads(run_cli("index", str(library), "--chroma-url", chroma_server, "--json", env=cli_env).stdout)
    assert again["unchanged"] == 6 and again["chunks"] == payload["chunks"]

    status = json.loads(run_cli("status", "--json", "--chroma-url", chroma_server, env=cli_env).stdout)
    assert status["mode"] == "server" and status["server"] == chroma_server
    assert status["documents"] == payload["documents"] and status["index_path"] is None
    listed = json.loads(run_cli("sources", "--json", "--chroma-url", chroma_server, env=cli_env).stdout)
    assert len(listed) == payload["documents"]


def test_token_comes_from_env_never_the_command_line(
    chroma_server: str, library: Path, cli_env: dict[str, str]
) -> None:
    proxy, seen = _token_proxy(chroma_server, "t0ken")
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        refused = run_cli("status", "--chroma-url", url, env=cli_env)
        assert refused.returncode == 1 and "cannot reach the Chroma server" in refused.stderr
        ok = run_cli(
            "index", str(library), "--chroma-url", url, "--json", env={**cli_env, "ASSISTANT_CHROMA_TOKEN": "t0ken"}
        )
        assert ok.returncode == 0, ok.stderr
        assert "Bearer t0ken" in seen
        assert run_cli("index", "--help", env=cli_env).stdout.count("token") == 0
    finally:
        proxy.shutdown()


def test_unreachable_server_is_a_clear_error(cli_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("status", "--chroma-url", url, env=cli_env)
    assert result.returncode == 1
    assert f"cannot reach the Chroma server at {url}" in result.stderr


def test_server_killed_mid_run_is_a_named_error_with_a_next_step(
    chroma_process: tuple[str, subprocess.Popen[bytes]], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    url, server = chroma_process
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")} | cli_env
    writer = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", str(corpus), "--chroma-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert writer.stderr is not None
    lines = []
    for line in writer.stderr:
        lines.append(line)
        if line.startswith("added"):
            break
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    _, rest = writer.communicate(timeout=300)
    stderr = "".join(lines) + rest
    assert writer.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    assert f"lost the connection to the Chroma server at {url}" in stderr, stderr
    assert "Check that the server is running" in stderr

    for command in (["status"], ["ask", "Who founded the GIFCT?"], ["index", str(corpus)]):
        result = run_cli(*command, "--chroma-url", url, env=cli_env)
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr
        assert f"cannot reach the Chroma server at {url}" in result.stderr
