"""Plain text in any encoding (UTF-8 first, else what charset-normalizer finds) and Markdown
(its text, without the markup: headings, paragraphs and list items each a paragraph)."""

from __future__ import annotations

import re

from workbench.errors import ExtractError
from workbench.ingest import Extracted, paragraphs

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of `data` and the encoding it was in: a byte-order mark's, UTF-8 when the bytes
    are valid UTF-8, else charset-normalizer's best guess. Bytes that are no text in any
    encoding are an ExtractError naming the file."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ExtractError(f"not valid {encoding} at byte offset {exc.start + len(bom)}",
                                   path=name, hint="convert the file to UTF-8") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or _binary(str(best)):
        raise ExtractError("the file is no text in any encoding the workbench can tell", path=name,
                           hint="give a text file, or convert it to UTF-8 "
                                f"(e.g. iconv -f cp1251 -t UTF-8 {name})")
    return str(best), best.encoding


def _binary(text: str) -> bool:
    head = text[:8192]
    controls = sum(1 for c in head if ord(c) < 32 and c not in "\n\r\t\f")
    return controls > max(8, len(head) // 100)


def extract_text(data: bytes, name: str) -> Extracted:
    text, encoding = decode(data, name)
    if _binary(text):
        raise ExtractError("the file looks binary, not like text", path=name,
                           hint="give a text file, a .docx, .odt, PDF or saved web page")
    return Extracted(text, "text", encoding=encoding)


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.S)


def extract_markdown(data: bytes, name: str) -> Extracted:
    """Markdown's text through markdown-it: each heading, paragraph, list item, table cell and
    quoted paragraph a paragraph; code blocks and raw HTML left out; a link is its text."""
    from markdown_it import MarkdownIt

    text, encoding = decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = ""
    front = _FRONT_MATTER.match(text)
    if front:
        found = re.search(r"^title:\s*[\"']?(.*?)[\"']?\s*$", front.group(1), re.M)
        title = found.group(1) if found else ""
        text = text[front.end():]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[str] = []
    heading = False
    for token in tokens:
        if token.type == "heading_open":
            heading = token.tag == "h1"
        elif token.type == "inline":
            piece = _inline(token.children or [])
            if heading and not title:
                title = piece
            blocks.append(piece)
            heading = False
    return Extracted(paragraphs(blocks), "markdown", title=title, encoding=encoding)


def _inline(children: list) -> str:
    out = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append("\n")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "image":
            out.append("")  # its alt text describes a picture, it is not the text's
    return "".join(out)
