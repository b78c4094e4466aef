"""Leaving files out of a folder that is indexed: pattern meaning, the folder's ignore file, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.ingest.exclusions import IGNORE_FILE, Pattern, excluded_by, parse
from assistant.ingest.sources import discover

LIMIT = 10_000_000


def _library(root: Path) -> Path:
    files = {
        "README.md": "About this collection: where the files came from.",
        "LICENSE.txt": "Terms of use.",
        "notes/README.md": "About the notes.",
        "notes/raid.md": "Police raided the forum's hosts in May.",
        "notes/drafts/raid-v1.md": "An early draft about the raid.",
        "reports/annual.md": "The annual report counts 4,000 removals.",
    }
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text)
    return root


def _found(root: Path, *patterns: str) -> set[str]:
    return {f.relpath for f in discover([root], max_bytes=LIMIT, exclude=parse(list(patterns), "--exclude")).files}


@pytest.mark.parametrize(
    ("pattern", "relpath", "folder", "expected"),
    [
        ("README.md", "README.md", False, True),
        ("README.md", "notes/README.md", False, True),  # a bare name matches at any depth
        ("/README.md", "notes/README.md", False, False),  # a leading slash anchors it at the top
        ("/README.md", "README.md", False, True),
        ("*.txt", "legal/LICENSE.txt", False, True),
        ("drafts/", "notes/drafts", True, True),
        ("drafts/", "notes/drafts", False, False),  # a trailing slash is for folders only
        ("notes/drafts/*", "notes/drafts/raid-v1.md", False, True),
        ("notes/drafts/*", "reports/drafts/x.md", False, False),
        ("readme.md", "README.md", False, False),  # names are compared as the file system does
    ],
)
def test_what_a_pattern_leaves_out(pattern: str, relpath: str, folder: bool, expected: bool) -> None:
    assert Pattern(pattern, "--exclude").matches(relpath, folder=folder) is expected


def test_excluded_files_are_not_documents_and_are_reported_with_their_pattern(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    found = discover([root], max_bytes=LIMIT, exclude=parse(["README.md", "drafts/"], "--exclude"))
    assert {f.relpath for f in found.files} == {"LICENSE.txt", "notes/raid.md", "reports/annual.md"}
    assert {(e.path, e.error) for e in found.excluded} == {
        ("README.md", "README.md"),
        ("notes/README.md", "README.md"),
        ("notes/drafts/", "drafts/"),  # a folder is reported once, not file by file
    }
    assert _found(root, "/README.md") == {
        "LICENSE.txt",
        "notes/README.md",
        "notes/raid.md",
        "notes/drafts/raid-v1.md",
        "reports/annual.md",
    }


def test_a_folders_ignore_file_is_read_with_comments_and_blank_lines(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    (root / IGNORE_FILE).write_text("# about the collection, not part of it\n\n/README.md\n*.txt\n")
    assert _found(root) == {"notes/README.md", "notes/raid.md", "notes/drafts/raid-v1.md", "reports/annual.md"}
    # The command line adds to the file's patterns.
    assert _found(root, "drafts/") == {"notes/README.md", "notes/raid.md", "reports/annual.md"}


def test_a_subfolders_ignore_file_speaks_for_that_folder_whichever_folder_is_indexed(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    # Relative to notes/: its own README and its drafts, not the collection's README at the top.
    (root / "notes" / IGNORE_FILE).write_text("/README.md\ndrafts/\n")
    assert _found(root) == {"README.md", "LICENSE.txt", "notes/raid.md", "reports/annual.md"}
    assert _found(root / "notes") == {"raid.md"}


@pytest.mark.parametrize("bad", ["", "   ", "/", "!README.md"])
def test_a_bad_pattern_is_refused_naming_the_option(bad: str) -> None:
    with pytest.raises(UsageError, match="--exclude"):
        parse([bad], "--exclude")


def test_a_bad_line_in_the_ignore_file_is_refused_naming_the_file_and_line(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    (root / IGNORE_FILE).write_text("*.txt\n!LICENSE.txt\n")
    with pytest.raises(UsageError, match=rf"{IGNORE_FILE} line 2: '!'"):
        discover([root], max_bytes=LIMIT)


def test_an_unreadable_ignore_file_is_refused_naming_it(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    (root / IGNORE_FILE).write_bytes(b"\xff\xfe*.txt\n")
    with pytest.raises(UsageError, match=rf"{IGNORE_FILE}: cannot read"):
        discover([root], max_bytes=LIMIT)


def test_a_folder_that_cannot_be_entered_does_not_stop_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root may enter any folder, so the refusal a folder without search permission gives is made here.
    root = _library(tmp_path / "lib")
    real_is_file = Path.is_file

    def is_file(path: Path) -> bool:
        if path.name == IGNORE_FILE and path.parent.name == "reports":
            raise PermissionError(13, "Permission denied", str(path))
        return real_is_file(path)

    monkeypatch.setattr(Path, "is_file", is_file)
    assert "reports/annual.md" in _found(root)


@pytest.mark.parametrize("patterns", [["*"], ["*.md", "*.txt"], ["notes/", "reports/", "/README.md", "*.txt"]])
def test_patterns_leaving_out_every_document_are_refused(tmp_path: Path, patterns: list[str]) -> None:
    root = _library(tmp_path / "lib")
    with pytest.raises(UsageError, match="every document there is left out"):
        discover([root], max_bytes=LIMIT, exclude=parse(patterns, "--exclude"))


def test_leaving_out_only_files_that_are_not_documents_is_not_refused(tmp_path: Path) -> None:
    # A folder of one backup file and a README: the backup is left out, and nothing is emptied by that.
    root = tmp_path / "lib"
    root.mkdir()
    (root / "notes.bak").write_text("old copy")
    (root / "README.md").write_text("About the folder.")
    found = discover([root], max_bytes=LIMIT, exclude=parse(["*.bak"], "--exclude"))
    assert [f.relpath for f in found.files] == ["README.md"]
    assert [e.path for e in found.excluded] == ["notes.bak"]
    (root / "README.md").unlink()
    # With no document at all, there is nothing to refuse: the folder simply holds none.
    assert discover([root], max_bytes=LIMIT, exclude=parse(["*.bak"], "--exclude")).files == []


def test_a_file_named_and_excluded_is_refused(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    with pytest.raises(UsageError, match=r"README\.md: every document there is left out by 'README\.md'"):
        discover([root / "README.md"], max_bytes=LIMIT, exclude=parse(["README.md"], "--exclude"))


def test_the_first_matching_pattern_is_the_one_reported() -> None:
    patterns = parse(["*.md", "README.md"], "--exclude")
    found = excluded_by("README.md", patterns)
    assert found is not None and found.text == "*.md"
    assert excluded_by("notes.txt", patterns) is None
