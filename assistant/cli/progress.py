"""Index progress on the command line: a bar on a terminal, one line per file in logs and pipes."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from assistant.text.safe import visible


class RichProgress:
    """A progress bar (files, chunks, ETA by bytes) for a terminal."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            TextColumn("[bold]Indexing"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[files]} files · {task.fields[chunks]} chunks"),
            TimeRemainingColumn(),
            TextColumn("[dim]{task.fields[current]}"),
            console=console,
            transient=True,
        )
        self.task: Any = None
        self.files_done = 0
        self.files_total = 0
        self.chunks = 0

    def start(self, files: int, total_bytes: int) -> None:
        self.files_total = files
        self.bar.start()
        self.task = self.bar.add_task("index", total=max(total_bytes, 1), files=f"0/{files}", chunks=0, current="")

    def file_done(self, path: str, status: str, chunks: int, size: int) -> None:
        if status != "removed":
            self.files_done += 1
        self.bar.update(
            self.task, advance=size, files=f"{self.files_done}/{self.files_total}", current=escape(visible(path[-40:]))
        )

    def chunks_embedded(self, count: int) -> None:
        self.chunks += count
        self.bar.update(self.task, chunks=self.chunks)

    def stop(self) -> None:
        self.bar.stop()


class LogProgress:
    """One plain line per file, for logs and pipes."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.perf_counter()

    def start(self, files: int, total_bytes: int) -> None:
        self.console.print(f"indexing {files} files ({total_bytes / 1e6:.1f} MB)")

    def file_done(self, path: str, status: str, chunks: int, size: int) -> None:
        if status in ("added", "updated", "removed"):
            detail = f" ({chunks} chunks)" if chunks else ""
            self.console.print(f"{status} {path}{detail}", markup=False)

    def chunks_embedded(self, count: int) -> None:
        pass

    def stop(self) -> None:
        pass
