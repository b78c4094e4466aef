"""Finding input files under the roots an analyst asks to index.

Owns the walk over folders (symlinks followed, loops detected, unreadable
folders reported), the choice of which files are documents (each real file
once, however many times it is reached), the size limit, content hashing, and
the optional `MANIFEST.jsonl` at a root that supplies curated metadata per file.
Which files are left out on purpose is `assistant.ingest.exclusions`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain import FileFailure, Format
from assistant.errors import UsageError
from assistant.ingest.exclusions import Exclusions, Pattern, excluded_by

EXTENSIONS: dict[str, Format] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".story": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

MANIFEST_NAMES = ("MANIFEST.jsonl", "manifest.jsonl")


@dataclass(frozen=True)
class SourceFile:
    """A file found under a root, before it is read."""

    root: Path
    relpath: str
    abspath: Path
    format: Format
    size: int
    manifest: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def real_path(self) -> str:
        """The file's resolved location: its identity in the index.

        Keying on the real path (not root + relative path) means indexing a
        folder and then one file inside it never makes two copies.
        """
        return str(self.abspath.resolve())

    @property
    def key(self) -> str:
        return source_key(self.real_path)


def source_key(real_path: str) -> str:
    return hashlib.sha1(real_path.encode()).hexdigest()[:20]


def hash_bytes(data: bytes, manifest: dict[str, Any]) -> str:
    """The content hash of a file, folding in its manifest entry.

    Editing a file's manifest metadata must re-index it, so the entry counts as
    part of the content.
    """
    digest = hashlib.sha256(data)
    if manifest:
        digest.update(json.dumps(manifest, sort_keys=True).encode())
    return digest.hexdigest()


@dataclass
class Discovery:
    """The outcome of walking the roots."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[FileFailure] = field(default_factory=list)
    #: Files and folders (ending "/") left out by an exclusion pattern; `error` holds the pattern.
    excluded: list[FileFailure] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    #: Real paths of files that exist but failed before reading; their
    #: indexed versions must survive the run.
    failed_paths: set[str] = field(default_factory=set)
    #: What this run may remove from: (path, is_folder) for each root given.
    scope: list[tuple[Path, bool]] = field(default_factory=list)
    #: Folders that could not be listed; what was indexed under them is kept.
    failed_folders: list[Path] = field(default_factory=list)
    #: real path -> (preference, position in `files`); lower preference wins.
    _placed: dict[str, tuple[tuple[int, int], int]] = field(default_factory=dict, repr=False)

    def add(self, source: SourceFile, preference: tuple[int, int]) -> None:
        """Keep one SourceFile per real path: the one reached the preferred way.

        A file inside a folder that is also given takes its path from the
        folder, and from the outermost of nested folders, so the next run of
        that folder alone sees the same path and finds it unchanged.
        """
        real = source.real_path
        placed = self._placed.get(real)
        if placed is None:
            self._placed[real] = (preference, len(self.files))
            self.files.append(source)
        elif preference < placed[0]:
            self._placed[real] = (preference, placed[1])
            self.files[placed[1]] = source


def _load_manifest(root: Path, failed: list[FileFailure]) -> tuple[dict[str, dict[str, Any]], str | None]:
    for name in MANIFEST_NAMES:
        path = root / name
        if not path.is_file():
            continue
        entries: dict[str, dict[str, Any]] = {}
        lineno = 0
        try:
            with path.open(encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):  # noqa: B007 - reported on error
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    if isinstance(record, dict) and isinstance(record.get("path"), str):
                        entries[record["path"]] = record
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            failed.append(FileFailure(name, f"manifest not readable (line {lineno}: {exc})"))
            return {}, name
        return entries, name
    return {}, None


def discover(paths: list[Path], *, max_bytes: int, exclude: Sequence[Pattern] = ()) -> Discovery:
    """Walk `paths` (folders or single files) and classify what is found.

    Files and folders matching `exclude`, or an `.assistantignore` of a folder walked, are left out
    (and so removed from the index if they were in it). Patterns that leave out every document of a
    path given are refused: that is a mistake, and going on would empty the index of that folder.
    """
    result = Discovery()
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise UsageError(f"{given}: no such file or folder")
        if given.is_file():
            # The file keeps its own name (a symlink is not replaced by its
            # target), so scope and removal follow the path as given.
            root = given.parent.resolve()
            location = root / given.name
            if (location, False) in result.scope:
                continue
            pattern = excluded_by(given.name, exclude)
            if pattern is not None:
                _refuse_all_left_out(given, [pattern])
            result.roots.append(root)
            result.scope.append((location, False))
            _consider(root, location, given.name, {}, result, max_bytes, (1, 0))
            continue
        if not given.is_dir():
            raise UsageError(f"{given}: not a file or folder")
        root = given.resolve()
        if (root, True) in result.scope:
            continue
        result.roots.append(root)
        result.scope.append((root, True))
        rules = Exclusions(exclude)
        left_out: list[Pattern] = []
        documents = 0
        manifest, manifest_name = _load_manifest(root, result.failed)
        seen_dirs: set[str] = set()
        preference = (0, len(root.parts))

        def unreadable(exc: OSError, root: Path = root) -> None:
            # os.walk skips a folder it cannot list; left silent, everything
            # indexed under it would look deleted.
            folder = Path(exc.filename) if exc.filename else root
            label = str(root) if folder == root else os.path.relpath(folder, root)
            result.failed.append(FileFailure(label, f"cannot read folder ({exc.strerror or exc})"))
            result.failed_folders.append(folder)

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
            real = os.path.realpath(dirpath)
            rel_dir = os.path.relpath(dirpath, root)
            if real in seen_dirs:
                dirnames[:] = []
                result.failed.append(
                    FileFailure(rel_dir, "symlink loop: this folder links back to one already indexed")
                )
                continue
            seen_dirs.add(real)
            rules.enter(Path(dirpath), Path(rel_dir).as_posix())
            kept_dirs = []
            for name in sorted(d for d in dirnames if not d.startswith(".")):
                relpath = Path(os.path.normpath(os.path.join(rel_dir, name))).as_posix()
                pattern = rules.match(relpath, folder=True)
                if pattern is None:
                    kept_dirs.append(name)
                else:
                    result.excluded.append(FileFailure(relpath + "/", pattern.text))
                    left_out.append(pattern)
            dirnames[:] = kept_dirs
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                relpath = os.path.normpath(os.path.join(rel_dir, name))
                if rel_dir == "." and name == manifest_name:
                    continue
                pattern = rules.match(Path(relpath).as_posix())
                document = Path(name).suffix.lower() in EXTENSIONS
                if pattern is not None:
                    result.excluded.append(FileFailure(relpath, pattern.text))
                    if document:  # leaving out a stray backup file empties nothing
                        left_out.append(pattern)
                    continue
                documents += document
                _consider(root, Path(dirpath) / name, relpath, manifest.get(relpath, {}), result, max_bytes, preference)
        if left_out and not documents:
            _refuse_all_left_out(given, left_out)
    return result


def _refuse_all_left_out(given: Path, patterns: list[Pattern]) -> None:
    used = ", ".join(sorted({f"'{p.text}' ({p.origin})" for p in patterns}))
    raise UsageError(f"{given}: every document there is left out by {used}; nothing was indexed or removed")


def _consider(
    root: Path,
    path: Path,
    relpath: str,
    manifest: dict[str, Any],
    result: Discovery,
    max_bytes: int,
    preference: tuple[int, int],
) -> None:
    if result.failed_paths and os.path.realpath(path) in result.failed_paths:
        return  # reached twice (nested roots): one failure line is enough
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        result.skipped.append(FileFailure(relpath, f"unsupported file type '{path.suffix or '(none)'}'"))
        return
    try:
        size = path.stat().st_size
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            cause = "symlink loop: the link never reaches a file"
        elif exc.errno == errno.ENOENT:
            cause = "broken symlink: the target does not exist"
        else:
            cause = f"cannot read file ({exc.strerror})"
        result.failed.append(FileFailure(relpath, cause))
        result.failed_paths.add(os.path.realpath(path))
        return
    if size > max_bytes:
        result.failed.append(
            FileFailure(
                relpath,
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (setting max_file_mb)",
            )
        )
        result.failed_paths.add(os.path.realpath(path))
        return
    result.add(SourceFile(root, relpath, path, fmt, size, manifest), preference)
