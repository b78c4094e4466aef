"""Turning one source file into documents: decoding, extraction, cleaning.

Each format has a loader that takes the file's bytes and yields `Document`s:
Markdown and text (YAML front matter becomes metadata, lines of page furniture
such as lone images and "Full story on …" pointers are dropped), HTML (main text and
metadata through trafilatura, boilerplate dropped), PDF (text per page with
page offsets kept, wrapped lines joined but headings and list items left on
lines of their own), and CSV/JSONL (one document per record). Everything a
loader cannot handle becomes a `DocumentError` naming the file and the cause.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

import yaml

from assistant.domain import RECORD_MARK, Document, PageSpan
from assistant.errors import DocumentError
from assistant.ingest.sources import SourceFile
from assistant.text.apparatus import POINTER, display_text, points_elsewhere, without_links
from assistant.text.dates import normalise_date, pdf_date
from assistant.text.ligatures import Lexicon, repair_lost_ligatures
from assistant.text.words import LIGATURES

TEXT_COLUMNS = ("text", "full_text", "tweet", "tweets", "content", "body", "message", "post", "caption")
DATE_COLUMNS = ("date", "created_at", "time", "timestamp", "published", "datetime", "posted")
AUTHOR_COLUMNS = ("author", "username", "user", "screen_name", "handle", "name", "account")
TITLE_COLUMNS = ("title", "headline", "subject")
# Where a record was published: its own publisher, else the platform or site it was posted on, else the account.
PUBLISHER_COLUMNS = ("publisher", "platform", "site", "network", "outlet", "source", "account")

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


class ColumnOptions:
    """Explicit column names for tabular files; `None` means auto-detect."""

    def __init__(
        self,
        text: str | None = None,
        date: str | None = None,
        author: str | None = None,
        title: str | None = None,
    ) -> None:
        self.text, self.date, self.author, self.title = text, date, author, title


def load(
    source: SourceFile, data: bytes, content_hash: str, columns: ColumnOptions, lexicon: Lexicon | None = None
) -> Iterator[Document]:
    """Yield the documents of one file (lazily, for large tabular files).

    A PDF's lost ligatures ("signi\\x00cant") are repaired with `lexicon` when one is given (see
    `assistant.text.ligatures`); indexing passes the embedding model's.
    """
    if not data.strip():
        raise DocumentError(source.relpath, "file is empty")
    loaders: dict[str, Callable[[SourceFile, bytes, str, ColumnOptions], Iterator[Document]]] = {
        "markdown": _load_text,
        "text": _load_text,
        "html": _load_html,
        "pdf": functools.partial(_load_pdf, lexicon=lexicon),
        "csv": _load_table,
        "jsonl": _load_table,
    }
    return loaders[source.format](source, data, content_hash, columns)


# --- decoding and cleaning -------------------------------------------------


def decode(relpath: str, data: bytes) -> str:
    """Bytes to text: UTF-8 first, then charset detection; binary is refused."""
    sample = data[:65536]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(relpath, "binary data in a text file (NUL bytes); is the extension right?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise DocumentError(relpath, "binary data or an unknown text encoding") from None
        text = str(best)
    controls = sum(1 for ch in text[:65536] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise DocumentError(relpath, "binary data in a text file (control characters); is the extension right?")
    return text


def clean_text(text: str) -> str:
    """Normalise what extraction leaves behind without rewording anything."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Zero-width marks go; a PDF's typographic ligatures ("conﬁrmed") become the letters they draw.
    text = text.translate(_ZERO_WIDTH).translate(LIGATURES).replace("\u00a0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# Page furniture of blog and news-feed exports, a whole line at a time: a line that is only an image
# (perhaps inside a link), a publishing shortcode ("[ad_1]"), or a pointer to the full story elsewhere
# ("Full story on …: [title](url)", "<a …>Source</a>", "Read more… {player data}").
_IMAGE_ONLY = re.compile(r"(?:\[?!\[[^\]]*\]\([^()]*(?:\([^()]*\)[^()]*)*\)\]?(?:\([^()]*\))?\s*)+")
_SHORTCODE = re.compile(r"\[/?[a-z][a-z_]*\d*\]")
_LINE_WRAP = re.compile(r"<br\s*/?>|^[\s>]+", re.IGNORECASE)


def is_furniture(line: str) -> bool:
    """A line of page furniture: an image alone, a shortcode, or a pointer to the story elsewhere.

    A line qualifies only as a whole, so a sentence that mentions a source or a picture is never touched.
    """
    bare = _LINE_WRAP.sub("", line).strip()
    if not bare:
        return False
    if _IMAGE_ONLY.fullmatch(bare) or _SHORTCODE.fullmatch(bare):
        return True
    if points_elsewhere(display_text(bare)):
        return True
    pointer = POINTER.match(bare)
    # A pointer followed by nothing but links, or by a page's player data.
    return pointer is not None and (not without_links(bare[pointer.end() :]).strip() or "{" in bare[pointer.end() :])


def drop_furniture(text: str) -> str:
    """`text` without its furniture lines (`is_furniture`); every other line is kept as it was."""
    lines = text.split("\n")
    kept = [line for line in lines if not is_furniture(line)]
    return text if len(kept) == len(lines) else "\n".join(kept)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ('' when too short to tell)."""
    sample = text[:2000]
    if len(sample.strip()) < 20:
        return ""
    import py3langid

    lang, _ = py3langid.classify(sample)
    return str(lang)


def _doc_id(source_key: str, path: str) -> str:
    return hashlib.sha1(f"{source_key}\0{path}".encode()).hexdigest()[:20]


def _curated(source: SourceFile) -> dict[str, Any]:
    return {k: v for k, v in source.manifest.items() if v not in (None, "")}


def _first(meta: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _make_document(
    source: SourceFile,
    text: str,
    content_hash: str,
    meta: dict[str, Any],
    *,
    path: str | None = None,
    pages: tuple[PageSpan, ...] = (),
    source_key: str | None = None,
    curated: dict[str, Any] | None = None,
) -> Document:
    """Build a Document, merging extracted metadata with the root's manifest.

    For a whole file the curated manifest wins; for a record of a table the
    record's own fields win and the manifest only fills gaps (its title and
    date describe the file, not each post). A table passes its file's key and
    manifest entry in, worked out once rather than per record (the key
    resolves the path on disk).
    """
    if curated is None:
        curated = _curated(source)
    if path is None:
        merged = {**meta, **curated}
    else:
        merged = {**{k: curated[k] for k in ("publisher", "url", "language") if k in curated}, **meta}
    path = path or source.relpath
    title = _first(merged, "title") or _heading_title(text) or PurePosixPath(source.relpath).stem.replace("-", " ")
    return Document(
        id=_doc_id(source_key or source.key, path),
        path=path,
        source_path=source.relpath,
        text=text,
        format=source.format,
        content_hash=content_hash,
        title=title[:300],
        publisher=_first(merged, "publisher", "site", "sitename", "site_name", "source", "hostname"),
        author=_first(merged, "author", "authors", "byline"),
        date=normalise_date(_first(merged, "date", "published", "pubdate", "created_at")),
        url=_first(merged, "url", "canonical", "link", "canonical_url"),
        language=_first(merged, "language", "lang") or detect_language(text),
        pages=pages,
    )


def _heading_title(text: str) -> str:
    for line in text.splitlines()[:20]:
        stripped = line.strip()
        if stripped.startswith("#"):
            return stripped.lstrip("#").strip()
    return ""


# --- formats -----------------------------------------------------------------


def _load_text(source: SourceFile, data: bytes, content_hash: str, _: ColumnOptions) -> Iterator[Document]:
    raw = decode(source.relpath, data)
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            parsed = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            parsed = None
        if isinstance(parsed, dict):
            meta = {str(k).lower(): v for k, v in parsed.items()}
            raw = raw[match.end() :]
    text = clean_text(drop_furniture(raw))
    if not text:
        raise DocumentError(source.relpath, "no text after the front matter")
    yield _make_document(source, text, content_hash, meta)


def _load_html(source: SourceFile, data: bytes, content_hash: str, _: ColumnOptions) -> Iterator[Document]:
    import trafilatura

    html = decode(source.relpath, data)
    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        # trafilatura's deduplication remembers text across calls in a
        # process, so re-reading a page would come back empty: keep it off.
        deduplicate=False,
    )
    if extracted is None:
        raise DocumentError(source.relpath, "no article text found in the HTML page")
    fields = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    text = clean_text(fields.get("text") or "")
    if not text:
        raise DocumentError(source.relpath, "no article text found in the HTML page")
    meta = {
        "title": fields.get("title"),
        "sitename": fields.get("sitename"),
        "hostname": fields.get("hostname"),
        "author": fields.get("author"),
        "date": fields.get("date"),
        "url": fields.get("url"),
        "language": fields.get("language"),
    }
    yield _make_document(source, text, content_hash, meta)


# Where a PDF's text layer breaks a line that is not the end of a sentence, the line usually wrapped; but a
# list item or a numbered section heading also starts or ends a line without a stop. Joined, "3. The Telegram
# era" ran into the paragraph under it ("The Telegram era Telegram introduced ..."), and "Key points" into the
# first point. A bullet, or a dash before a capital (a dash before a lower-case word goes on a sentence), opens
# an item. A heading is a line of its own holding a section number with a dot ("3.", "5.1"; a bare "12" may be a
# count a line wrapped before) and a short title that opens with a capital or a figure, with a capital opening
# the next line.
_LIST_ITEM = re.compile(r"[ \t]*(?:[•▪●○◦]|[-–](?=[ \t]+[A-Z]))[ \t]+\S")
_SECTION_HEADING = re.compile(r"[ \t]*(?:\d{1,2}(?:\.\d{1,2})*\.|\d{1,2}(?:\.\d{1,2})+)[ \t]+[A-Z0-9][^.!?]{0,60}")


def join_wrapped_lines(text: str) -> str:
    """A page's text with its wrapped lines joined: a line break stays after a stop (or a colon or semicolon)
    and around a blank line; a paragraph break comes before a list item and around a section heading."""
    lines = text.split("\n")
    heading = [
        _SECTION_HEADING.fullmatch(line) is not None and following.lstrip()[:1].isupper()
        for line, following in zip(lines, [*lines[1:], ""], strict=True)
    ]
    out = [lines[0]]
    for i in range(1, len(lines)):
        previous, line = lines[i - 1], lines[i]
        if not previous or not line or previous[-1] in ".!?:;":
            out += ["\n", line]
        elif heading[i - 1] or heading[i] or _LIST_ITEM.match(line):
            # What ends here without a stop is a heading, a running head or a list's title: a paragraph of
            # its own, which the evidence layer then reads as the heading it is.
            out += ["\n\n", line]
        else:
            out += [" ", line]
    return "".join(out)


def _clean_pdf_page(text: str, lexicon: Lexicon | None = None) -> str:
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    text = join_wrapped_lines(text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = clean_text(text)
    return repair_lost_ligatures(text, lexicon) if lexicon is not None else text


def _load_pdf(
    source: SourceFile, data: bytes, content_hash: str, _: ColumnOptions, *, lexicon: Lexicon | None = None
) -> Iterator[Document]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(source.relpath, "PDF is encrypted with a password")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        info: Any = reader.metadata or {}
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise DocumentError(source.relpath, f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        if "crypt" in str(exc).lower() or "password" in str(exc).lower():
            raise DocumentError(source.relpath, "PDF is encrypted with a password") from exc
        raise DocumentError(source.relpath, f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    parts: list[str] = []
    pages: list[PageSpan] = []
    offset = 0
    for number, raw in enumerate(raw_pages, 1):
        page_text = _clean_pdf_page(raw, lexicon)
        if not page_text:
            continue
        if parts:
            offset += 2
        pages.append(PageSpan(number, offset))
        parts.append(page_text)
        offset += len(page_text)
    text = "\n\n".join(parts)
    if not text.strip():
        raise DocumentError(source.relpath, "PDF has no extractable text (scanned images?)")
    meta: dict[str, Any] = {
        "title": _pdf_field(info, "/Title"),
        "author": _pdf_field(info, "/Author"),
        "date": pdf_date(_pdf_field(info, "/CreationDate")),
    }
    yield _make_document(source, text, content_hash, meta, pages=tuple(pages))


def _pdf_field(info: Any, key: str) -> str:
    try:
        value = info.get(key)
    except Exception:
        return ""
    return str(value).strip() if value else ""


def _pick_column(
    columns: list[str], explicit: str | None, candidates: tuple[str, ...], relpath: str, what: str
) -> str | None:
    if explicit:
        if explicit not in columns:
            raise DocumentError(relpath, f"{what} column '{explicit}' not found (columns: {', '.join(columns)})")
        return explicit
    lowered = {c.lower().strip(): c for c in columns}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    return None


def _guess_text_column(rows: list[dict[str, Any]], columns: list[str]) -> str | None:
    """The column that reads most like prose, if any does."""
    best, best_len = None, 0.0
    for column in columns:
        values = [str(r.get(column) or "") for r in rows]
        if not values:
            continue
        prose = sum(1 for v in values if len(v.split()) >= 4 and not re.fullmatch(r"[\d\s.,:/+-]+", v))
        avg = sum(len(v) for v in values) / len(values)
        if prose >= 0.5 * len(values) and avg > best_len:
            best, best_len = column, avg
    return best if best_len >= 25 else None


# A line with its ending, split where `io.StringIO(newline="")` splits.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` for the csv reader, without a second copy of the text.

    A StringIO would hold the whole text again, in up to four bytes a
    character, for as long as the file is read.
    """
    return (match.group() for match in _LINE.finditer(text))


def _records(source: SourceFile, data: bytes) -> Iterator[dict[str, Any]]:
    text = decode(source.relpath, data)
    if source.format == "csv":
        sample = text[:8192]
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(_lines(text), dialect=dialect)
        try:
            for row in reader:
                yield {str(k): v for k, v in row.items() if k is not None}
        except csv.Error as exc:
            raise DocumentError(source.relpath, f"malformed CSV near record {reader.line_num} ({exc})") from exc
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DocumentError(source.relpath, f"line {lineno} is not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise DocumentError(source.relpath, f"line {lineno} is not a JSON object")
        yield record


def _load_table(source: SourceFile, data: bytes, content_hash: str, columns: ColumnOptions) -> Iterator[Document]:
    records = _records(source, data)
    head: list[dict[str, Any]] = []
    for record in records:
        head.append(record)
        if len(head) >= 50:
            break
    if not head:
        raise DocumentError(source.relpath, "no records (only a header, or nothing)")
    names = list(dict.fromkeys(k for r in head for k in r))
    text_col = _pick_column(names, columns.text, TEXT_COLUMNS, source.relpath, "text") or _guess_text_column(
        head, names
    )
    if text_col is None:
        raise DocumentError(
            source.relpath,
            f"no text column found (columns: {', '.join(names)}); name one with --text-column",
        )
    date_col = _pick_column(names, columns.date, DATE_COLUMNS, source.relpath, "date")
    author_col = _pick_column(names, columns.author, AUTHOR_COLUMNS, source.relpath, "author")
    title_col = _pick_column(names, columns.title, TITLE_COLUMNS, source.relpath, "title")
    publisher_col = _pick_column(names, None, PUBLISHER_COLUMNS, source.relpath, "publisher")

    def all_records() -> Iterator[dict[str, Any]]:
        yield from head
        yield from records

    source_key, curated = source.key, _curated(source)
    produced = 0
    for number, record in enumerate(all_records(), 1):
        text = clean_text(str(record.get(text_col) or ""))
        if not text:
            continue
        author = str(record.get(author_col) or "").strip() if author_col else ""
        date = normalise_date(record.get(date_col)) if date_col else ""
        title = str(record.get(title_col) or "").strip() if title_col else ""
        if not title:
            snippet = " ".join(text.split()[:12])
            title = f"{author}: {snippet}" if author else snippet
        meta = {"title": title, "author": author, "date": date}
        for key in ("url", "language", "lang"):
            if record.get(key):
                meta[key] = record[key]
        publisher = str(record.get(publisher_col) or "").strip() if publisher_col else ""
        if publisher:
            meta["publisher"] = publisher
        produced += 1
        yield _make_document(
            source,
            text,
            content_hash,
            meta,
            path=f"{source.relpath}{RECORD_MARK}{number}",
            source_key=source_key,
            curated=curated,
        )
    if produced == 0:
        raise DocumentError(source.relpath, f"every record has an empty '{text_col}' column")
