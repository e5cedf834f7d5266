"""Word (.docx, python-docx) and OpenDocument (.odt, odfpy) documents: the body's paragraphs,
headings, list items and table cells in document order; zip archives checked for bombs first."""

from __future__ import annotations

import io
import zipfile

from workbench.errors import ExtractError, UnknownFormatError, UnsafeFileError
from workbench.ingest import Extracted, Limits, paragraphs

#: Members an office document may hold; more is no document.
MAX_MEMBERS = 10_000
_CHUNK = 1 << 16


def _archive(data: bytes, name: str, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ExtractError(f"damaged {what}: not a zip archive", path=name,
                           hint=f"open it in the program that wrote it and save it as {what} "
                                "again") from None


def check_zip(data: bytes, name: str, what: str, limits: Limits) -> zipfile.ZipFile:
    """The archive, once every member has been inflated (and thrown away) without going over
    `limits.unpacked` bytes in all: the sizes a zip declares can lie, the inflated bytes cannot."""
    archive = _archive(data, name, what)
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UnsafeFileError(f"the {what} holds {len(members):,} files; a document holds a few "
                              "dozen", path=name, hint="this is no office document; refused")
    total = 0
    try:
        for info in members:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.unpacked:
                        raise UnsafeFileError(
                            f"the {what} unpacks to more than {limits.unpacked:,} bytes from "
                            f"{len(data):,} (a zip bomb?)", path=name,
                            hint="refused unread; save the document again from the program that "
                                 "wrote it")
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise ExtractError(f"damaged {what}: {exc}", path=name,
                           hint="open it in the program that wrote it and save it again") from None
    return archive


def _check_xml(archive: zipfile.ZipFile, part: str, name: str, what: str) -> None:
    """ExtractError naming the part and its line when a part of the document is not well-formed
    XML (entities are not expanded, nothing is fetched)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        etree.fromstring(archive.read(part), parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractError(f"damaged {what}: {part} is not well-formed XML (its line "
                           f"{exc.lineno}: {exc.msg})", path=name,
                           hint="open it in the program that wrote it and save it again") from None


def zip_kind(data: bytes, name: str) -> str:
    """docx or odt for a zip archive by its members, else UnknownFormatError."""
    archive = _archive(data, name, "archive")
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return "docx"
    if "mimetype" in names and archive.read("mimetype").startswith(
            b"application/vnd.oasis.opendocument.text"):
        return "odt"
    raise UnknownFormatError("the file is a zip archive, not a document", path=name,
                             hint="unpack it and add the documents inside")


def extract_docx(data: bytes, name: str, limits: Limits) -> Extracted:
    archive = check_zip(data, name, ".docx", limits)
    if "word/document.xml" not in archive.namelist():
        raise ExtractError("damaged .docx: it has no word/document.xml", path=name,
                           hint="open it in Word or LibreOffice and save it as .docx again")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    _check_xml(archive, "word/document.xml", name, ".docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, XMLSyntaxError, KeyError, ValueError,
            zipfile.BadZipFile) as exc:
        raise ExtractError(f"damaged .docx: {exc}", path=name,
                           hint="open it in Word or LibreOffice and save it as .docx again") from None
    blocks: list[str] = []
    title = document.core_properties.title or ""
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            if not title and item.style is not None and item.style.name in ("Title", "Heading 1"):
                title = item.text
            blocks.append(item.text)
        elif isinstance(item, Table):
            blocks.extend(_cells(item))
    return Extracted(paragraphs(blocks), "docx", title=title)


def _cells(table) -> list[str]:
    out: list[str] = []
    seen: list = []  # the cells' XML elements: a merged cell is listed once per column it spans
    for row in table.rows:
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            out.extend(p.text for p in cell.paragraphs)
    return out


def extract_odt(data: bytes, name: str, limits: Limits) -> Extracted:
    archive = check_zip(data, name, ".odt", limits)
    if "content.xml" not in archive.namelist():
        raise ExtractError("damaged .odt: it has no content.xml", path=name,
                           hint="open it in LibreOffice and save it as .odt again")
    from xml.sax import SAXException

    from odf import opendocument, teletype
    from odf.element import Element
    from odf.namespaces import TEXTNS

    # odfpy prints a broken part to stdout and goes on with nothing: check the XML first.
    for part in ("content.xml", "meta.xml", "styles.xml"):
        if part in archive.namelist():
            _check_xml(archive, part, name, ".odt")
    try:
        document = opendocument.load(io.BytesIO(data))
    except (SAXException, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ExtractError(f"damaged .odt: {exc}", path=name,
                           hint="open it in LibreOffice and save it as .odt again") from None
    blocks: list[str] = []
    title = ""

    def walk(node: Element) -> None:
        nonlocal title
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                text = teletype.extractText(child)
                if child.qname == (TEXTNS, "h") and not title:
                    title = text
                blocks.append(text)
            else:  # lists, sections, tables: their paragraphs in order
                walk(child)

    walk(document.text)
    meta_title = _odt_title(document)
    return Extracted(paragraphs(blocks), "odt", title=meta_title or title)


def _odt_title(document) -> str:
    from odf.namespaces import DCNS

    for node in document.meta.childNodes:
        if getattr(node, "qname", None) == (DCNS, "title"):
            return str(node)
    return ""
