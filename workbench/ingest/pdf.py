"""PDF with a text layer (pypdf), parsed in a child process that is killed past the time limit; a
PDF with no text layer (a scan) is a NoTextError that says to run OCR first.

A PDF's lines are hard-wrapped and it has no paragraphs: a line ends a paragraph when it is short
for its page (a paragraph's last line, a heading) and the next line does not go on in lower case."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from workbench.errors import ExtractError, ExtractTimeoutError, NoTextError
from workbench.ingest import Extracted, Limits


def extract_pdf(data: bytes, name: str, limits: Limits) -> Extracted:
    if not data.startswith(b"%PDF-"):
        raise ExtractError("damaged PDF: it does not start with %PDF-", path=name,
                           hint="check that it is the right file, or save it as PDF again")
    try:
        run = subprocess.run([sys.executable, "-m", "workbench.ingest.pdf"], input=data,
                             capture_output=True, timeout=limits.pdf_seconds)
    except subprocess.TimeoutExpired:
        raise ExtractTimeoutError(f"reading the PDF took longer than {limits.pdf_seconds:g} s",
                                  path=name, hint="it may be damaged or built to stall readers; "
                                                  "save its text another way (e.g. as .docx)") from None
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        raise ExtractError(f"damaged PDF: {message[-1]}", path=name,
                           hint="open it in a PDF viewer and save or print it as PDF again")
    result = json.loads(run.stdout)
    pages: list[str] = result["pages"]
    if not any(ch.isalnum() for page in pages for ch in page):
        raise NoTextError(f"the PDF has no text layer ({len(pages)} page"
                          f"{'s' if len(pages) != 1 else ''} of images only: a scan?)", path=name,
                          hint="run OCR on it first (e.g. ocrmypdf IN.pdf OUT.pdf), or give the "
                               "text in another format")
    return Extracted("\n\n".join(_paragraphs(p) for p in pages), "pdf",
                     title=result.get("title") or "")


def _paragraphs(page: str) -> str:
    """A page's lines with a blank line after each that ends a paragraph."""
    lines = [line.strip() for line in page.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    typical = statistics.median(len(line) for line in lines)
    out = []
    for line, following in zip(lines, lines[1:] + [""]):
        out.append(line)
        if len(line) < 0.8 * typical and not following[:1].islower():
            out.append("")
    return "\n".join(out).strip("\n")


def _main() -> None:
    """In the child: the PDF on stdin; each page's text and the title as JSON on stdout."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.disable(logging.WARNING)  # pypdf warns on every oddity of a real-world file
    try:
        reader = PdfReader(io.BytesIO(sys.stdin.buffer.read()))
        if reader.is_encrypted and not reader.decrypt(""):
            sys.exit("it is encrypted with a password; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        sys.exit(f"{type(exc).__name__}: {exc}")
    json.dump({"pages": pages, "title": str(title)}, sys.stdout)


if __name__ == "__main__":
    _main()
