"""Subtitles: SubRip (.srt, the `srt` library) and WebVTT (.vtt, webvtt-py), one cue per line of
text (a cue's own line breaks made spaces, its markup dropped), each cue's timing kept as a Cue."""

from __future__ import annotations

import re

from workbench.errors import ExtractError, NoTextError
from workbench.ingest import Cue, Extracted
from workbench.ingest.plain import decode

_TAGS = re.compile(r"<[^>]*>|\{\\[^}]*\}")


def _clean(text: str) -> str:
    return " ".join(_TAGS.sub("", text).split())


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _srt(text: str, name: str) -> list[tuple[str, str, str]]:
    import srt

    def stamp(delta) -> str:
        return srt.timedelta_to_srt_timestamp(delta).replace(",", ".")

    try:
        return [(c.content, stamp(c.start), stamp(c.end)) for c in srt.parse(text)]
    except srt.SRTParseError as exc:
        raise ExtractError(f"not a SubRip cue: {exc.unmatched_content.splitlines()[0][:60]!r}",
                           path=name, line=_line_of(text, exc.expected_start),
                           hint="each cue is a number, a line 00:00:01,000 --> 00:00:02,000 and "
                                "its text, cues split by a blank line") from None
    except (ValueError, TypeError) as exc:
        raise ExtractError(f"not a SubRip file: {exc}", path=name) from None


_TIMING = re.compile(r"^\s*(\d\d:)?\d\d:\d\d\.\d{3}\s+-->\s+(\d\d:)?\d\d:\d\d\.\d{3}(\s.*)?$")


def _vtt(text: str, name: str) -> list[tuple[str, str, str]]:
    import webvtt
    from webvtt.errors import MalformedFileError

    lines = text.split("\n")
    if not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise ExtractError("not a WebVTT file: its first line is not WEBVTT", path=name, line=1,
                           hint="a .vtt file starts with the line WEBVTT")
    for i, line in enumerate(lines):
        if "-->" in line and not _TIMING.match(line):
            raise ExtractError(f"not a WebVTT cue timing: {line.strip()[:60]!r}", path=name,
                               line=i + 1, hint="timings read 00:00:01.000 --> 00:00:02.000")
    try:
        captions = webvtt.from_string(text).captions
    except MalformedFileError as exc:
        raise ExtractError(f"not a WebVTT file: {exc}", path=name) from None
    return [(c.text, c.start, c.end) for c in captions]


def extract_subtitles(data: bytes, name: str, fmt: str) -> Extracted:
    text, encoding = decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    cues = _srt(text, name) if fmt == "srt" else _vtt(text, name)
    kept = [(_clean(content), start, end) for content, start, end in cues]
    kept = [c for c in kept if c[0]]
    if not kept:
        raise NoTextError("no subtitle cue with text", path=name,
                          hint="check that it is the right file")
    return Extracted("\n".join(c[0] for c in kept), fmt, encoding=encoding,
                     cues=tuple(Cue(i + 1, start, end) for i, (_, start, end) in enumerate(kept)))
