"""TMX for the translation memory: reading the units of a TMX file a user imports (1.4b, as
OmegaT and Trados write it) and writing the memory as TMX 1.4b."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import BinaryIO, Iterable

from workbench.errors import ParseError, SerializationError
from workbench.memory.segments import MAX_SEGMENT_CHARS, Segment, language, normalize

_TMX_DATE = re.compile(r"^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Inline elements whose content is the original document's markup, not text (TMX 1.4b, 3.6).
_CODE_TAGS = {"bpt", "ept", "it", "ph", "ut"}


def _tmx_time(value: str | None) -> str:
    m = _TMX_DATE.match(value or "")
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}Z" if m else ""


def _seg_text(seg) -> str:
    """The text of a <seg>: its characters and those of <hi> and <sub>, without the native codes
    that <bpt>, <ept>, <it>, <ph> and <ut> carry."""
    parts = [seg.text or ""]
    for child in seg:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _CODE_TAGS:
            parts += [_seg_text(s) for s in child.iter("sub")]
        elif tag in ("hi", "sub"):
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def label(path: str | Path) -> str:
    """What the memory calls an imported file (its name without .tmx), as valid UTF-8: bytes of a
    name that are not UTF-8 become U+FFFD."""
    return os.fsencode(Path(path).stem).decode("utf-8", "replace")


#: An XML declaration's encoding, read from the first bytes (after a UTF-8 byte-order mark).
_DECLARED = re.compile(rb"\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
#: Encodings of one byte per character that a UTF-8 file is mislabelled with.
_SINGLE_BYTE = re.compile(r"(iso[-_]?8859[-_]?\d+|latin[-_]?\d|l\d|(windows|cp)[-_]?125\d|cp819)",
                          re.I)
#: A UTF-8 sequence of two or more bytes.
_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _check_encoding(data: bytes, where: str) -> None:
    """Refuse, at its line, a file whose bytes contradict its declared encoding: not UTF-8 though
    declared (or defaulting to) UTF-8, or UTF-8 though declared ISO-8859-1 (read as declared, its
    text would be mojibake). UTF-16 and UTF-32 files (lxml reads their byte-order mark) pass."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    m = _DECLARED.match(body[:1024])
    declared = m[1].decode("ascii") if m else "UTF-8"
    if declared.lower().replace("_", "-") in ("utf-8", "utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line_start = data.rfind(b"\n", 0, exc.start) + 1
            column = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
            raise ParseError(
                f"not valid UTF-8 at byte offset {exc.start} (byte 0x{data[exc.start]:02x}, "
                f"column {column}), though the file is {'declared' if m else 'taken as'} UTF-8",
                path=where, line=_line_of(data, exc.start),
                hint=f"convert it to UTF-8, e.g. iconv -f ISO-8859-1 -t UTF-8 {where} > "
                     f"{where}.utf8 (for Latin-1 text), then import that") from None
        return
    if not _SINGLE_BYTE.fullmatch(declared):
        return
    first = _MULTIBYTE.search(data)
    if first is None:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return  # bytes UTF-8 cannot read: really in the declared encoding
    word = re.compile(rb"[^\s<>]*").match(data, max(data.rfind(c, 0, first.start())
                                                    for c in (b" ", b">", b"\n")) + 1)[0][:40]
    import codecs

    try:
        misread = word.decode(codecs.lookup(declared).name, "replace")
    except LookupError:
        misread = word.decode("latin-1")
    misread = "".join(c if c.isprintable() else "\ufffd" for c in misread)
    raise ParseError(f"the file declares {declared}, but its text is UTF-8: "
                     f"'{word.decode('utf-8')}' would be read as '{misread}'", path=where,
                     line=_line_of(data, first.start()),
                     hint=f"change encoding=\"{declared}\" to encoding=\"UTF-8\" in its first "
                          "line, then import it again")


def read_tmx(path: str | Path, name: str | None = None, *, data: bytes | None = None,
             skipped: list[int] | None = None) -> list[Segment]:
    """The units of a TMX file (1.4b, as OmegaT and Trados write it): one Segment per
    language of each <tu> besides the source's. The source <tuv> is the one in the unit's srclang
    (else the header's; with "*all*", the first). A file that is not such TMX, or whose bytes are
    not in its declared encoding, is a ParseError with its line. `data`: the file's bytes, when the
    caller has read them. A unit with a text longer than MAX_SEGMENT_CHARS is left out, its line
    added to `skipped`."""
    from lxml import etree

    from workbench.corpus import read_bytes

    where = str(path)
    if data is None:
        data = read_bytes(path, regular=True, hint="give the path of a .tmx file")
    _check_encoding(data, where)
    pair = name or label(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ParseError(f"not well-formed XML: {exc.msg}", path=where, line=line,
                         hint="export the memory again from the tool that wrote it") from None
    if root is None or root.tag != "tmx":
        tag = root.tag if root is not None else "nothing"
        raise ParseError(f"root element is <{tag}>, not <tmx>: not a TMX file", path=where,
                         line=root.sourceline if root is not None else 1,
                         hint="give a TMX 1.4 file")
    header = root.find("header")
    body = root.find("body")
    if header is None or body is None:
        raise ParseError("TMX file without <header> or <body>", path=where, line=root.sourceline,
                         hint="give a TMX 1.4 file")
    default_src = header.get("srclang", "")
    out: list[Segment] = []
    for n, tu in enumerate(body.iterchildren("tu"), 1):
        tuvs = []
        for tuv in tu.iterchildren("tuv"):
            lang = tuv.get(_XML_LANG) or tuv.get("lang")  # "lang" is TMX 1.1's, older OmegaT
            if not lang:
                raise ParseError("<tuv> without xml:lang", path=where, line=tuv.sourceline,
                                 hint="every <tuv> needs the language of its <seg>")
            seg = tuv.find("seg")
            if seg is None:
                raise ParseError("<tuv> without <seg>", path=where, line=tuv.sourceline)
            tuvs.append((language(lang), _seg_text(seg), tuv))
        srclang = tu.get("srclang") or default_src
        if not tuvs:
            continue
        if srclang and srclang != "*all*":
            sources = [t for t in tuvs if t[0] == language(srclang)]
            if not sources:
                raise ParseError(f"<tu> has no <tuv> in its source language {srclang}", path=where,
                                 line=tu.sourceline, hint="check the srclang of the header and units")
            source = sources[0]
        else:
            source = tuvs[0]
        if not normalize(source[1]):
            continue
        if any(len(t[1]) > MAX_SEGMENT_CHARS for t in tuvs):
            if skipped is not None:
                skipped.append(tu.sourceline)
            continue
        for lang, text, tuv in tuvs:
            if tuv is source[2] or lang == source[0] or not normalize(text):
                continue
            reviewer = (tuv.get("changeid") or tu.get("changeid") or tuv.get("creationid")
                        or tu.get("creationid") or "")
            time = _tmx_time(tuv.get("changedate") or tu.get("changedate")
                             or tuv.get("creationdate") or tu.get("creationdate"))
            out.append(Segment(source_text=source[1], rendering_text=text,
                               source_language=source[0], rendering_language=lang, origin="tmx",
                               pair=pair, bead=tu.get("tuid") or str(n), reviewer=reviewer,
                               time=time))
    return out


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _tmx_date(iso: str) -> str | None:
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$", iso)
    return "".join(m.groups()[:3]) + "T" + "".join(m.groups()[3:]) + "Z" if m else None


def write_tmx(segments: Iterable[Segment], out: BinaryIO) -> int:
    """TMX 1.4b of `segments`, unit by unit with lxml's incremental writer (as workbench.export
    writes pairs): tuid, creationid (reviewer) and creationdate (time) on each <tu>, its origin,
    pair and bead as props. Characters XML cannot carry are dropped."""
    from lxml import etree

    from workbench import __version__, clock
    from workbench.export import TMX_PUBLIC_ID, TOOL

    def clean(text: str) -> str:
        return _XML_FORBIDDEN.sub("", text)

    n = 0
    try:
        with etree.xmlfile(out, encoding="utf-8") as xf:
            xf.write_declaration()
            xf.write_doctype(f'<!DOCTYPE tmx PUBLIC "{TMX_PUBLIC_ID}" "tmx14.dtd">')
            with xf.element("tmx", version="1.4"):
                xf.write(etree.Element("header", {
                    "creationtool": TOOL, "creationtoolversion": __version__, "segtype": "sentence",
                    "o-tmf": "workbench-memory", "adminlang": "en", "srclang": "*all*",
                    "datatype": "plaintext",
                    "creationdate": clock.compact()}), "\n")
                with xf.element("body"):
                    for s in segments:
                        tu = etree.Element("tu", tuid=clean(f"{s.pair}|{s.bead}"),
                                           srclang=s.source_language)
                        if s.reviewer:
                            tu.set("creationid", clean(s.reviewer))
                        if (date := _tmx_date(s.time)) is not None:
                            tu.set("creationdate", date)
                        for kind, value in (("x-origin", s.origin), ("x-pair", s.pair),
                                            ("x-bead", s.bead)):
                            etree.SubElement(tu, "prop", type=kind).text = clean(value)
                        for lang, text in ((s.source_language, s.source_text),
                                           (s.rendering_language, s.rendering_text)):
                            tuv = etree.SubElement(tu, "tuv", {_XML_LANG: lang})
                            etree.SubElement(tuv, "seg").text = clean(text)
                        xf.write(tu, "\n")
                        n += 1
                        if n % 500 == 0:
                            xf.flush()
    except OSError as exc:
        raise SerializationError(f"cannot write the TMX: {exc.strerror or exc}") from None
    return n

