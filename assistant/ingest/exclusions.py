"""Which files under an indexed folder are left out: `--exclude` patterns and a folder's `.assistantignore`.

A library folder often holds files that are about the collection rather than part
of it (a README describing the corpus, a licence, working notes). They are left
out by glob patterns, given on the command line or kept in an `.assistantignore`
file, one pattern a line, so that every later re-index (a bare `assistant index`,
the TUI's re-index) leaves them out too. A folder's file speaks for what lies under
that folder, whichever folder above it is indexed, as Git's ignore files do.

A pattern is matched against a path relative to the folder indexed (the command
line's) or to the folder holding the file, with `/` between folders,
case-sensitively (as the file system is):

- without a `/` it matches a file or folder name at any depth (`README.md`, `*.bak`);
- with a `/` inside it matches the relative path (`notes/drafts/*`);
- a leading `/` anchors it at the top only (`/README.md` leaves `notes/README.md` in);
- a trailing `/` matches folders only (`drafts/`), and a folder left out takes everything under it.

Blank lines and lines starting with `#` in the file are ignored; `!` (putting a file
back) is not supported and is refused rather than silently ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from assistant.errors import UsageError

IGNORE_FILE = ".assistantignore"


@dataclass(frozen=True)
class Pattern:
    """One exclusion pattern, as written and where it came from."""

    text: str
    origin: str

    def matches(self, relpath: str, *, folder: bool) -> bool:
        """Whether this pattern leaves out the file or folder at `relpath` (relative, `/`-separated)."""
        if self.text.endswith("/") and not folder:
            return False
        body = self.text.strip("/")
        if self.text.startswith("/") or "/" in body:
            return fnmatchcase(relpath, body)
        return fnmatchcase(relpath.rsplit("/", 1)[-1], body)


def parse(texts: Sequence[str], origin: str, *, lines: bool = False) -> list[Pattern]:
    """Patterns from `texts`; a bad one is a `UsageError` naming `origin` (the option, or the file and line).

    With `lines` the texts are a file's lines: blank ones and `#` comments are skipped.
    """
    patterns = []
    for number, raw in enumerate(texts, 1):
        text = raw.strip()
        if lines and (not text or text.startswith("#")):
            continue
        where = f"{origin} line {number}" if lines else f"{origin} {raw!r}"
        if not text.strip("/"):
            raise UsageError(f"{where}: an exclusion pattern needs a name or a glob")
        if text.startswith("!"):
            raise UsageError(f"{where}: '!' (putting a file back) is not supported; narrow the other patterns instead")
        patterns.append(Pattern(text, origin))
    return patterns


def folder_patterns(root: Path) -> list[Pattern]:
    """The patterns of `root`'s `.assistantignore`, or none when it has no such file."""
    path = root / IGNORE_FILE
    try:
        if not path.is_file():
            return []
    except OSError:
        # A folder that can be listed but not entered: its files cannot be read either, and each is reported
        # as it fails, as it was before ignore files existed.
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the exclusion patterns ({exc})") from exc
    return parse(lines, str(path), lines=True)


class Exclusions:
    """The patterns in force during one walk of a folder: the command line's, from its top, and each walked
    folder's `.assistantignore`, from that folder down (`enter` each folder before what is in it)."""

    def __init__(self, given: Sequence[Pattern]) -> None:
        # Keyed by the folder the patterns are relative to: "" is the top of the walk.
        self._scopes: dict[str, list[Pattern]] = {"": list(given)}

    def enter(self, folder: Path, relpath: str) -> None:
        """Take in the ignore file of `folder`, found at `relpath` ("" or "." for the top), if it has one."""
        found = folder_patterns(folder)
        if found:
            self._scopes.setdefault("" if relpath == "." else relpath, []).extend(found)

    def match(self, relpath: str, *, folder: bool = False) -> Pattern | None:
        """The first pattern in force that leaves out the file or folder at `relpath` (from the top)."""
        for scope, patterns in self._scopes.items():
            if scope and not relpath.startswith(scope + "/"):
                continue
            found = excluded_by(relpath[len(scope) + 1 :] if scope else relpath, patterns, folder=folder)
            if found is not None:
                return found
        return None


def excluded_by(relpath: str, patterns: Sequence[Pattern], *, folder: bool = False) -> Pattern | None:
    """The first pattern that leaves out `relpath`, or None."""
    return next((pattern for pattern in patterns if pattern.matches(relpath, folder=folder)), None)
