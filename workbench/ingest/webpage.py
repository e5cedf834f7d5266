"""Saved web pages: the main article's text through trafilatura, each paragraph, heading and list
item a paragraph; navigation, banners, scripts, asides, comments and footers left out."""

from __future__ import annotations

from workbench.errors import NoTextError
from workbench.ingest import Extracted, paragraphs


#: Page furniture dropped before trafilatura looks, so that its recall mode (for short pages)
#: cannot take a menu or a footer for the article.
_FURNITURE = ["//nav", "//header[not(ancestor::article)]", "//footer[not(ancestor::article)]",
              "//aside", "//form", "//button", "//*[@role='navigation' or @role='banner' or "
              "@role='contentinfo' or @role='complementary']"]


def _run(data: bytes, *, precision: bool):
    import trafilatura

    return trafilatura.bare_extraction(data, output_format="python", with_metadata=True,
                                       include_comments=False, include_tables=True,
                                       include_images=False, include_links=False,
                                       favor_precision=precision, favor_recall=not precision,
                                       deduplicate=False, prune_xpath=_FURNITURE)


def extract_html(data: bytes, name: str) -> Extracted:
    """The article of a saved page; a page with little text is read again favouring recall
    (trafilatura's precision mode drops short pages whole)."""
    doc = _run(data, precision=True)
    if doc is None or not (doc.text or "").strip():
        doc = _run(data, precision=False)
    if doc is None or not (doc.text or "").strip():
        raise NoTextError("no article text found in this web page", path=name,
                          hint="save the page with its text (File > Save page as, 'Web page, "
                               "complete' or 'HTML only'), or paste the text instead")
    # trafilatura's text puts each paragraph, heading and list item on a line of its own; it
    # takes the headline for the title and leaves it out of the text, where a reader has it.
    blocks = doc.text.split("\n")
    title = " ".join((doc.title or "").split())
    if title and " ".join(blocks[0].split()) != title and title in _headings(data):
        blocks.insert(0, title)
    return Extracted(paragraphs(blocks), "html", title=title, date=doc.date or "")


def _headings(data: bytes) -> set[str]:
    """The texts of the page's h1 and h2 headings, spaces made single."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        tree = lxml.html.fromstring(data)
    except (ParserError, ValueError):
        return set()
    return {" ".join(h.text_content().split()) for h in tree.iter("h1", "h2")}
