"""TMX for the translation memory: reading the units of a TMX file a user imports (1.4b, as
OmegaT and Trados write it) and writing the memory as TMX 1.4b."""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Iterable

from workbench.errors import InputError, ParseError, SerializationError
from workbench.memory.segments import Segment, language, normalize

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


def read_tmx(path: str | Path, name: str | None = None) -> list[Segment]:
    """The units of a TMX file (1.4b, as OmegaT and Trados write it): one Segment per
    language of each <tu> besides the source's. The source <tuv> is the one in the unit's srclang
    (else the header's; with "*all*", the first). A file that is not such TMX is a ParseError with
    its line."""
    from lxml import etree

    p = Path(path)
    label = name or p.stem
    where = str(path)
    if not p.is_file():
        raise InputError("no such file", path=where, hint="give the path of a .tmx file")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.parse(str(p), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ParseError(f"not well-formed XML: {exc.msg}", path=where, line=line,
                         hint="export the memory again from the tool that wrote it") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", path=where) from None
    if root.tag != "tmx":
        raise ParseError(f"root element is <{root.tag}>, not <tmx>: not a TMX file", path=where,
                         line=root.sourceline, hint="give a TMX 1.4 file")
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
        for lang, text, tuv in tuvs:
            if tuv is source[2] or lang == source[0] or not normalize(text):
                continue
            reviewer = (tuv.get("changeid") or tu.get("changeid") or tuv.get("creationid")
                        or tu.get("creationid") or "")
            time = _tmx_time(tuv.get("changedate") or tu.get("changedate")
                             or tuv.get("creationdate") or tu.get("creationdate"))
            out.append(Segment(source_text=source[1], rendering_text=text,
                               source_language=source[0], rendering_language=lang, origin="tmx",
                               pair=label, bead=tu.get("tuid") or str(n), reviewer=reviewer,
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

