"""Loading each real-world format into documents, and refusing bad input clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.ingest.loaders import ColumnOptions, join_wrapped_lines, load
from assistant.ingest.sources import SourceFile, discover
from assistant.text.dates import normalise_date, written_date

from ..conftest import CORPUS


def _source(path: Path, root: Path | None = None, manifest: dict[str, str] | None = None) -> SourceFile:
    root = root or path.parent
    result = discover([path], max_bytes=10**9)
    assert result.files, result.failed + result.skipped
    found = result.files[0]
    return SourceFile(root, str(path.relative_to(root)), path, found.format, found.size, manifest or {})


def _load(path: Path, **kwargs: object) -> list:
    source = _source(path, **kwargs)  # type: ignore[arg-type]
    return list(load(source, path.read_bytes(), "hash", ColumnOptions()))


def test_markdown_front_matter_becomes_metadata(tmp_path: Path) -> None:
    doc_path = tmp_path / "note.md"
    doc_path.write_text(
        "---\ntitle: Telegram after Paris\npublisher: Europol\ndate: 2019-11-25\n"
        "url: https://example.org/a\nauthor: Desk\n---\n# Heading\n\nIslamic State channels moved to Telegram.\n"
    )
    [doc] = _load(doc_path)
    assert (doc.title, doc.publisher, doc.date, doc.url, doc.author) == (
        "Telegram after Paris",
        "Europol",
        "2019-11-25",
        "https://example.org/a",
        "Desk",
    )
    assert doc.text.startswith("# Heading")
    assert "publisher:" not in doc.text
    assert doc.language == "en"
    assert doc.format == "markdown"


def test_title_falls_back_to_heading_then_filename(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# The Gab shutdown\n\nHosting providers dropped the site in 2018.")
    (tmp_path / "gab-notes.txt").write_text("Hosting providers dropped the site in October 2018 after the shooting.")
    assert _load(tmp_path / "a.md")[0].title == "The Gab shutdown"
    assert _load(tmp_path / "gab-notes.txt")[0].title == "gab notes"


def test_legacy_encoding_is_decoded_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Le préfet a demandé le retrait des vidéos après l'attentat, déclaré « abject ».".encode("cp1252"))
    [doc] = _load(path)
    assert "préfet" in doc.text and "« abject »" in doc.text


def test_html_keeps_article_and_drops_boilerplate() -> None:
    pages = sorted((CORPUS / "web").glob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        [doc] = _load(page)
        lowered = doc.text.lower()
        for boilerplate in ("cookie", "subscribe to our newsletter", "share on facebook", "all rights reserved"):
            assert boilerplate not in lowered, f"{page.name}: boilerplate {boilerplate!r} kept"
        assert len(doc.text) > 1000
        assert doc.title and doc.date and doc.url.startswith("http") and doc.publisher


def test_pdf_pages_are_kept() -> None:
    pdfs = sorted((CORPUS / "reports").glob("*.pdf"))
    assert len(pdfs) >= 2
    for pdf in pdfs:
        [doc] = _load(pdf)
        assert len(doc.pages) >= 3
        assert [p.page for p in doc.pages] == sorted(p.page for p in doc.pages)
        last = doc.pages[-1]
        assert doc.page_at(last.start + 1) == last.page
        assert doc.page_at(0) == 1
        assert doc.title and doc.date


def test_a_pdfs_section_headings_and_list_items_keep_their_own_lines() -> None:
    [doc] = _load(CORPUS / "reports" / "islamic-state-online-migration-2014-2019.pdf")
    lines = doc.text.splitlines()
    # The heading does not run into the paragraph under it, nor a list's lead-in into its first point.
    assert "3. The Telegram era" in lines
    assert any(line.startswith("Telegram introduced broadcast channels in September 2015.") for line in lines)
    assert any(line.startswith("- In 2014 the group treated Twitter as open infrastructure") for line in lines)
    assert any(line.endswith("Key points") for line in lines)


@pytest.mark.parametrize(
    ("page", "joined"),
    [
        # A wrapped line, even one ending before a capital or a count, joins the next.
        (
            "The ferry office said it had closed\nHarbour Street for a week.",
            "The ferry office said it had closed Harbour Street for a week.",
        ),
        (
            "Inspectors counted\n12 Ferries in the harbour that night.",
            "Inspectors counted 12 Ferries in the harbour that night.",
        ),
        # A dash before a lower-case word goes on the sentence; before a capital it opens an item (and ends
        # the paragraph of the line before it, which has no stop).
        (
            "Some reports - wrongly, it turned\n- out - named the captain.",
            "Some reports - wrongly, it turned - out - named the captain.",
        ),
        ("Findings\n- Ferries ran late.\n• Crews were short.", "Findings\n\n- Ferries ran late.\n• Crews were short."),
        # A numbered heading is a paragraph of its own; a bare number does not make one.
        ("2.1 Night crossings\nThe night boats ran twice.", "2.1 Night crossings\n\nThe night boats ran twice."),
        ("4. Findings\nThe report found delays.", "4. Findings\n\nThe report found delays."),
        ("Boats held\n12 Crew members each and\nTwo officers.", "Boats held 12 Crew members each and Two officers."),
    ],
)
def test_wrapped_pdf_lines_are_joined_but_headings_and_items_are_not(page: str, joined: str) -> None:
    assert join_wrapped_lines(page) == joined


def test_csv_records_are_documents_with_row_paths(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,date,author,platform,text\n"
        '1,2016-02-05,@desk,Twitter,"Twitter says it has suspended 125,000 accounts since mid-2015."\n'
        "2,2016-08-18,@desk,Twitter,\n"
        '3,2019-03-15,@watch,Facebook,"The attack was streamed live for 17 minutes on Facebook Live."\n'
    )
    docs = _load(path)
    assert [d.path for d in docs] == ["posts.csv#row=1", "posts.csv#row=3"]
    assert docs[0].author == "@desk" and docs[0].date == "2016-02-05"
    assert docs[1].text.startswith("The attack was streamed")
    assert len({d.id for d in docs}) == 2


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_csv_line_endings_and_quoted_line_breaks(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "posts.csv"
    rows = [
        "date,author,text",
        '2019-03-15,@watch,"The stream ran for 17 minutes.' + ending + 'Copies spread within the hour."',
        "2019-03-16,@desk,Facebook said it removed 1.5 million copies of the video.",
    ]
    path.write_bytes(ending.join(rows).encode() + ending.encode())
    docs = _load(path)
    assert [d.path for d in docs] == ["posts.csv#row=1", "posts.csv#row=2"]
    assert docs[0].text == "The stream ran for 17 minutes.\nCopies spread within the hour."
    assert docs[1].author == "@desk" and docs[1].date == "2019-03-16"


def test_jsonl_records_and_explicit_text_column(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(
        '{"body_text": "Daesh supporters shared links on Telegram after each suspension wave.", "when": "2017-01-02"}\n'
        '{"body_text": "A second record about 8kun relaunching in November 2019.", "when": "2019-11-03"}\n'
    )
    source = _source(path)
    docs = list(load(source, path.read_bytes(), "h", ColumnOptions(text="body_text", date="when")))
    assert [d.path for d in docs] == ["items.jsonl#row=1", "items.jsonl#row=2"]
    assert docs[1].date == "2019-11-03"


def test_manifest_supplies_metadata(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Body text about hash sharing between platforms in 2017.")
    (tmp_path / "MANIFEST.jsonl").write_text(
        '{"path": "a.md", "title": "Curated title", "publisher": "GIFCT", "date": "2017-06"}\n'
    )
    result = discover([tmp_path], max_bytes=10**9)
    assert [f.relpath for f in result.files] == ["a.md"]
    [doc] = list(load(result.files[0], (tmp_path / "a.md").read_bytes(), "h", ColumnOptions()))
    assert (doc.title, doc.publisher, doc.date) == ("Curated title", "GIFCT", "2017-06")


@pytest.mark.parametrize(
    ("name", "content", "cause"),
    [
        ("empty.md", b"", "file is empty"),
        ("blank.txt", b"   \n\n  ", "file is empty"),
        ("binary.txt", bytes(range(256)) * 20, "binary data"),
        ("fake.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("nocol.csv", b"id,count,score\n1,2,3\n4,5,6\n", "no text column found (columns: id, count, score)"),
        ("bad.jsonl", b'{"text": "fine line of text here"}\n{not json\n', "line 2 is not valid JSON"),
        ("header-only.csv", b"id,text\n", "no records"),
    ],
)
def test_bad_input_names_the_cause(tmp_path: Path, name: str, content: bytes, cause: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        _load(path)
    assert info.value.path == name
    assert cause in info.value.cause


def test_encrypted_pdf_is_reported(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    source = sorted((CORPUS / "reports").glob("*.pdf"))[0]
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(DocumentError, match="encrypted"):
        _load(path)


def test_discovery_reports_oversize_loops_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_bytes(b"word " * 300_000)
    (tmp_path / "ok.md").write_text("A fine short note about counter-speech campaigns online.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)
    result = discover([tmp_path], max_bytes=1_000_000)
    assert [f.relpath for f in result.files] == ["ok.md"]
    failures = {f.path: f.error for f in result.failed}
    assert "over the 1 MB limit" in failures["big.md"]
    assert "symlink loop" in failures["loop.md"]
    assert "symlink loop" in failures["sub/back"]
    assert {f.path for f in result.skipped} == {"image.png"}


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2019-03-15", "2019-03-15"),
        ("2019-03", "2019-03"),
        ("2019-03-15T10:20:00Z", "2019-03-15"),
        ("1/6/2015 21:07", "2015-01-06"),
        ("15 March 2019", "2019-03-15"),
        ("Fri, 15 Mar 2019 01:40:00 +0000", "2019-03-15"),
        ("sometime", ""),
    ],
)
def test_dates_are_normalised(raw: str, iso: str) -> None:
    assert normalise_date(raw) == iso


@pytest.mark.parametrize(
    ("iso", "written"),
    [
        ("2015-10-31", "31 October 2015"),
        ("2016-01-06", "6 January 2016"),
        ("2019-09", "September 2019"),
        ("2019", "2019"),
        ("2019-13-02", "2019"),
        ("", ""),
        ("sometime", "sometime"),
    ],
)
def test_dates_are_written_as_a_briefing_writes_them(iso: str, written: str) -> None:
    assert written_date(iso) == written


def test_a_platform_or_account_column_is_the_publisher_of_its_records(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text(
        "date,author,platform,text\n"
        '2016-02-05,@desk,Twitter,"Twitter says it has suspended 125,000 accounts since mid-2015."\n'
        '2019-03-15,@watch,,"The attack was streamed live for 17 minutes on Facebook Live."\n'
    )
    first, second = _load(posts)
    assert (first.publisher, first.author) == ("Twitter", "@desk")
    assert second.publisher == "", "an empty cell names no publisher"
    accounts = tmp_path / "channels.jsonl"
    accounts.write_text('{"account": "nashir_news", "message": "A channel post announcing a new Telegram mirror."}\n')
    [record] = _load(accounts)
    assert record.publisher == "nashir_news"
    # The record's own publisher column wins over a platform column, and the file's manifest fills a gap.
    both = tmp_path / "both.csv"
    both.write_text("publisher,platform,text\nThe Desk,X,A note on how the desk counted suspended accounts.\n")
    assert [d.publisher for d in _load(both)] == ["The Desk"]
    bare = tmp_path / "bare.csv"
    bare.write_text("text\nA note on how the desk counted suspended accounts each week.\n")
    assert [d.publisher for d in _load(bare, manifest={"publisher": "Monitoring Desk"})] == ["Monitoring Desk"]


def test_typographic_ligatures_are_loaded_as_the_letters_they_join(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("# Harbour report\n\nThe oﬃce conﬁrmed the ﬂag on the ferry's proﬁle.\n", encoding="utf-8")
    [doc] = _load(path)
    assert "The office confirmed the flag on the ferry's profile." in doc.text
