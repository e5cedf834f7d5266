"""Word-level MT-vs-rendering differences: tokens, tags, exact reconstruction."""

from __future__ import annotations

from workbench.worddiff import Span, diff, tokens


def test_tokens_keep_whitespace_so_the_text_is_rebuilt_exactly():
    text = "  On September 21, 2022, Putin's  order —\tpartial."
    toks = tokens(text)
    assert "".join(toks) == text
    assert toks[:4] == ["  On ", "September ", "21", ", "]
    assert "Putin's  " in toks


def test_equal_replaced_missing_and_added_words():
    d = diff("Vladimir Putin announced the beginning of mobilization.",
             "Vladimir Putin announced the start of partial mobilization throughout Russia.")
    assert d.mt == (Span("Vladimir Putin announced the ", "equal"), Span("beginning ", "replaced"),
                    Span("of mobilization.", "equal"))
    assert d.rendering == (Span("Vladimir Putin announced the ", "equal"), Span("start ", "replaced"),
                           Span("of ", "equal"), Span("partial ", "added"),
                           Span("mobilization ", "equal"), Span("throughout Russia", "added"),
                           Span(".", "equal"))
    assert d.ratio == round(2 * 7 / (8 + 11), 4)


def test_missing_words_and_case_insensitive_match():
    d = diff("We strongly oppose the mobilization", "we oppose the Mobilization")
    assert d.mt == (Span("We ", "equal"), Span("strongly ", "missing"),
                    Span("oppose the mobilization", "equal"))
    assert d.rendering == (Span("we oppose the Mobilization", "equal"),)


def test_empty_sides():
    assert diff("", "Only the rendering.").rendering == (Span("Only the rendering.", "added"),)
    assert diff("", "").ratio == 1.0
    assert diff("Only MT", "").mt == (Span("Only MT", "missing"),)
