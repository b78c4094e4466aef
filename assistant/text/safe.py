"""Making untrusted text safe to show: terminals, Markdown, HTML links and file names.

Document text, file names, questions and conversation names come from outside
and end up on a terminal, in a Markdown or HTML brief, or in a file name. This
module owns the pure functions that neutralise them on the way out:

- `visible`: control characters (C0 but newline and tab, DEL, C1) become
  visible stand-ins, so an escape sequence in a document can neither clear the
  screen nor retitle the window; bidirectional overrides and isolates become
  `<U+202E>`-style tags, so a file name cannot display reversed.
- `markdown_text`: document text for a Markdown file, with HTML and link or
  image syntax escaped, so it can never become a tag, a link or an image.
- `web_link`: whether a URL may be a clickable link (only http and https).
- `file_slug`: a name fit for a single file-name component, never a path.

The JSON outputs need none of this: JSON escaping keeps the exact text.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls (0x00-0x1f) map to the Unicode "control pictures" (U+2400-U+241F): ESC shows as ␛,
# BEL as ␇. DEL shows as ␡. C1 controls (0x80-0x9f) have no pictures and are written as \x9b.
_KEPT = "\n\t"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in _KEPT}
_TABLE[0x7F] = "\u2421"
_TABLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
_TABLE.update({ord(char): f"<U+{ord(char):04X}>" for char in _BIDI})
_UNSAFE = re.compile("[" + re.escape("".join(chr(code) for code in _TABLE)) + "]")


def visible(text: str) -> str:
    """`text` with every control character (but newline and tab) and bidi override made visible."""
    if not _UNSAFE.search(text):
        return text
    return text.translate(_TABLE)


def has_controls(text: str) -> bool:
    """Whether `text` holds anything `visible` would change."""
    return bool(_UNSAFE.search(text))


# Backslash first, so the escapes added for the others are not escaped again.
_MARKDOWN = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]", "(": "\\(", ")": "\\)", "!": "\\!"})
_MARKDOWN_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def markdown_text(text: str) -> str:
    """Text for a Markdown document that renders as itself: no HTML, links, images or controls.

    `<`, `>` and `&` become entities (a backslash would leave `<script` in the file for a
    careless renderer); `[`, `]`, `(`, `)`, `!` and `\\` get a backslash, which every
    CommonMark renderer shows as the bare character.
    """
    return visible(text).translate(_MARKDOWN).translate(_MARKDOWN_HTML)


_WEB = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


def web_link(url: str) -> bool:
    """Whether `url` may be written as a link: an http or https address and nothing else."""
    return bool(_WEB.fullmatch(url)) and not has_controls(url)


SLUG_CHARS = 80
_NOT_SLUG = re.compile(r"[^\w]+")


def file_slug(name: str, fallback: str = "conversation") -> str:
    """A file-name component from a free-text name: letters, digits, `-` and `_` only.

    "x/../../etc" gives "x-etc": no separator, no dot, so it can never leave the folder
    it is joined to, nor be hidden or empty.
    """
    text = unicodedata.normalize("NFKC", name)
    slug = _NOT_SLUG.sub("-", text).strip("-_")[:SLUG_CHARS].strip("-_")
    return slug or fallback
