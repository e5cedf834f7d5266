"""The files translators have, built by the tests from sentences: a saved news page with its
navigation, cookie banner, scripts, related links and footer; .docx (python-docx) and .odt (odfpy);
PDF with a text layer and a scanned one (written by hand); subtitles; zip bombs."""

from __future__ import annotations

import html
import io
import zipfile
import zlib
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parents[1]

#: What a news site puts around an article; none of it may reach the extracted text.
PAGE_NOISE = ["We use cookies to improve your experience on our site.", "Accept all cookies",
              "World News", "Subscribe for $1", "Related Stories",
              "Putin's Speech Explained In Five Charts", "Sign up for our daily newsletter",
              "Get the top stories delivered to your inbox every morning.",
              "All rights reserved.", "Terms of Use", "Privacy Policy", "window.dataLayer",
              "Most Read"]


def article_paragraphs() -> list[str]:
    """The bundled Newsweek article's paragraphs without its title and photo caption block."""
    text = (REPO / "corpora" / "newsweek.en.txt").read_text(encoding="utf-8")
    return [p for p in text.split("\n\n")[1:] if "\n" not in p]


def news_page(title: str, paragraphs: Sequence[str], *, lang: str = "en",
              charset: str = "utf-8") -> bytes:
    """A news site's article page as a browser saves it ('HTML only')."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}">
<title>{html.escape(title)} - Newsweek</title>
<meta property="og:title" content="{html.escape(title)}">
<meta name="date" content="2022-09-21">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
<style>body {{ font: 14px sans-serif }} .cookie {{ position: fixed }}</style>
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience on our site.
By continuing you accept our Cookie Policy.</p><button>Accept all cookies</button></div>
<header class="site-header"><nav class="main-nav"><ul>
<li><a href="/">Home</a></li><li><a href="/world">World News</a></li>
<li><a href="/opinion">Opinion</a></li><li><a href="/subscribe">Subscribe for $1</a></li>
</ul></nav></header>
<main><article class="article">
<h1>{html.escape(title)}</h1>
<div class="byline">By Jane Reporter On 9/21/22 at 6:07 AM EDT</div>
<div class="article-body">
{body}
</div></article>
<aside class="related"><h2>Related Stories</h2><ul>
<li><a href="/a">Putin's Speech Explained In Five Charts</a></li>
<li><a href="/b">What Mobilization Means For Russian Families</a></li></ul></aside>
<aside class="most-read"><h2>Most Read</h2><ol><li><a href="/c">Ten Photos Of The Week</a></li></ol></aside>
<div class="newsletter"><h3>Sign up for our daily newsletter</h3>
<p>Get the top stories delivered to your inbox every morning.</p></div>
</main>
<footer class="site-footer"><p>&copy; 2022 Newsweek Digital LLC. All rights reserved.</p>
<ul><li><a href="/terms">Terms of Use</a></li><li><a href="/privacy">Privacy Policy</a></li></ul></footer>
<script src="/ads.js"></script><script>gtag('config', 'UA-1');</script>
</body></html>
"""
    return page.encode(charset)


def docx_bytes(paragraphs: Sequence[str], *, title: str | None = None,
               heading: str | None = None, table: Sequence[Sequence[str]] = ()) -> bytes:
    """A Word document: an optional Title-style heading, the paragraphs, an optional table."""
    import docx

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    if heading is not None:
        document.add_heading(heading, level=0)
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(paragraphs: Sequence[str], *, heading: str | None = None,
              items: Sequence[str] = ()) -> bytes:
    """An OpenDocument text: an optional heading, the paragraphs, an optional bulleted list."""
    from odf.opendocument import OpenDocumentText
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    if heading is not None:
        document.text.addElement(H(outlinelevel=1, text=heading))
    for p in paragraphs:
        document.text.addElement(P(text=p))
    if items:
        lst = List()
        for item in items:
            li = ListItem()
            li.addElement(P(text=item))
            lst.addElement(li)
        document.text.addElement(lst)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _pdf(objects: list[bytes], info: bytes | None = None) -> bytes:
    """A PDF file of `objects` (object 1 is the catalog), with its xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects + ([info] if info else []), start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"/Size %d /Root 1 0 R" % (len(offsets) + 1)
    if info:
        trailer += b" /Info %d 0 R" % len(offsets)
    out += b"trailer\n<< " + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_bytes(pages: Sequence[Sequence[str]], *, title: str | None = None) -> bytes:
    """A PDF whose pages hold the given lines as a real text layer: a Type0 font with Identity-H
    codes and a ToUnicode map, so any script (Cyrillic too) extracts as written."""
    chars = sorted({ch for page in pages for line in page for ch in line})
    cid = {ch: i + 1 for i, ch in enumerate(chars)}
    n = len(pages)
    # objects: 1 catalog, 2 pages, 3 font, 4 descendant, 5 descriptor, 6 tounicode, then pages
    kids = " ".join(f"{7 + 2 * i} 0 R" for i in range(n)).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
               b"<< /Type /Font /Subtype /Type0 /BaseFont /Helvetica /Encoding /Identity-H "
               b"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
               b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Helvetica /CIDSystemInfo "
               b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
               b"/FontDescriptor 5 0 R /DW 500 >>",
               b"<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontBBox [0 -200 1000 "
               b"900] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>"]
    cmap = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for start in range(0, len(chars), 100):
        chunk = chars[start:start + 100]
        cmap.append(f"{len(chunk)} beginbfchar")
        cmap += [f"<{cid[ch]:04X}> <{ord(ch):04X}>" for ch in chunk]
        cmap.append("endbfchar")
    cmap += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    objects.append(_stream("\n".join(cmap).encode("ascii")))
    for i, page in enumerate(pages):
        ops = [b"BT /F1 11 Tf 14 TL 56 780 Td"]
        for line in page:
            ops.append(b"<" + "".join(f"{cid[ch]:04X}" for ch in line).encode() + b"> Tj T*")
        ops.append(b"ET")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                       b"<< /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (8 + 2 * i))
        objects.append(_stream(b"\n".join(ops)))
    info = b"<< /Title <FEFF%s> >>" % title.encode("utf-16-be").hex().upper().encode() \
        if title else None
    return _pdf(objects, info)


def scanned_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF as a scanner writes it: each page one image, no text at all."""
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages)).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    pixels = zlib.compress(bytes(range(0, 256, 4)) * 64)  # a 64x64 grey gradient
    image = _stream(pixels, b"/Type /XObject /Subtype /Image /Width 64 /Height 64 "
                            b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ")
    n_fixed = 2 + 2 * pages
    for i in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                       b"<< /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>"
                       % (n_fixed + 1, 4 + 2 * i))
        objects.append(_stream(b"q 495 0 0 742 50 50 cm /Im1 Do Q"))
    objects.append(image)
    return _pdf(objects)


def srt_text(cues: Sequence[tuple[str, str, str]]) -> str:
    """A SubRip file of (start, end, text) cues, times as 00:00:01,000."""
    return "".join(f"{i}\n{start} --> {end}\n{text}\n\n" for i, (start, end, text)
                   in enumerate(cues, start=1))


def vtt_text(cues: Sequence[tuple[str, str, str]]) -> str:
    """A WebVTT file of (start, end, text) cues, times as 00:00:01.000."""
    return "WEBVTT\n\n" + "".join(f"{start} --> {end}\n{text}\n\n" for start, end, text in cues)


def zip_bomb_docx(unpacked: int = 300 * 1024 * 1024) -> bytes:
    """A .docx whose document.xml inflates to `unpacked` bytes from well under a megabyte."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(unpacked // len(block)):
                member.write(block)
    return out.getvalue()
