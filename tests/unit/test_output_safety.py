"""Text from documents, file names and arguments is shown as text, everywhere it is shown.

A small library with hostile content (escape sequences in a title, a body and
a file name; Rich markup in file names; HTML, script and link syntax in a
document) is indexed once by the real `assistant index` command. The CLI
tests run the real command against it; the TUI tests drive the real app
through Pilot. The pure functions of `assistant.text.safe` get fast tests.
"""

from __future__ import annotations

from assistant.text.safe import file_slug, has_controls, markdown_text, visible, web_link

from ..output_safety_data import TRAVERSAL


def test_visible_shows_every_control_but_newline_and_tab() -> None:
    assert visible("a\x1b[2Jb\x07\r\x00\x7f") == "a␛[2Jb␇␍␀␡"
    assert visible("line\n\tindented") == "line\n\tindented"
    assert visible("\x9b31m") == "\\x9b31m"
    assert visible("file\u202egnp.exe\u2066") == "file<U+202E>gnp.exe<U+2066>"
    assert visible("Café — «ok» 東京") == "Café — «ok» 東京"
    assert not has_controls(visible("".join(chr(code) for code in range(0x110))))


def test_file_slug_never_leaves_the_folder() -> None:
    assert file_slug(TRAVERSAL) == "x-trav-escaped"
    assert file_slug("../../etc/passwd") == "etc-passwd"
    assert file_slug("..") == "conversation" and file_slug("") == "conversation"
    assert file_slug("C:\\Users\\x") == "C-Users-x"
    assert file_slug("Überblick Telegram 2019") == "Überblick-Telegram-2019"
    assert len(file_slug("y" * 500)) <= 80
    assert file_slug("conversation-12") == "conversation-12"


def test_only_web_addresses_are_links() -> None:
    assert web_link("https://example.org/a?b=1&c=2") and web_link("HTTP://example.org")
    for url in ("javascript:alert(1)", " https://x.org", "data:text/html,x", "https://x.org/\x1b]0;x", "//x.org"):
        assert not web_link(url), url


def test_markdown_text_renders_as_the_same_words() -> None:
    from markdown_it import MarkdownIt

    hostile = "<script>x</script> ![i](http://t/p.gif) [l](javascript:y) a & b \\ (c)"
    rendered = MarkdownIt().render(markdown_text(hostile))
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert rendered == "<p>&lt;script&gt;x&lt;/script&gt; ![i](http://t/p.gif) [l](javascript:y) a &amp; b \\ (c)</p>\n"


def test_conversation_export_links_only_web_addresses() -> None:
    from assistant.conversation.export import export_markdown
    from assistant.conversation.records import CitedSource, Turn

    def turn(url: str) -> Turn:
        source = CitedSource(1, "a.md", "A", "Pub", "2019", url, None, "c", "A quote.", 0.5)
        return Turn("q", "q", "answered", "An answer [1].", (source,))

    hostile = export_markdown("t", [turn("javascript:alert(1)")])
    assert "<javascript:" not in hostile and "javascript:alert\\(1\\)" in hostile
    assert "<https://example.org/a>" in export_markdown("t", [turn("https://example.org/a")])
