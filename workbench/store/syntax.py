"""The lines of a pair's PO file before they are records: cut into blocks of whole entries, decoded,
and checked for what msgfmt refuses and polib would quietly half-read.

A block ends where the next entry's first line begins, so no entry is ever cut in two, and every
error names the line (and byte offset) in the whole file, whichever block it stands in.
"""

from __future__ import annotations

import re
from typing import BinaryIO, Iterable, Iterator

from workbench.errors import InputError, ParseError

#: What to do about a damaged file (workbench.store.repair.restore_hint puts in the very command
#: where the file's header names its texts).
RESTORE = ("restore the file from version control, or rebuild it from its two texts with "
           "`workbench align SOURCE RENDERING -o FILE --overwrite`, which keeps the reviewed work "
           "that can still be read")

_ENTRY_START = (b"#", b"msgctxt", b"msgid")
_ENTRY_END = (b"msgstr", b"#~ msgstr")


#: The longest line of a PO file read: far longer than any entry's sentences, and a bound, so that
#: a stream without line ends (/dev/zero through a pipe) ends in a message, not out of memory.
MAX_LINE_BYTES = 64 * 1024 * 1024


def bounded_lines(f: BinaryIO, path: str, limit: int | None = None) -> Iterator[bytes]:
    """The lines of a binary file, each at most `limit` bytes (MAX_LINE_BYTES); a longer one is an
    InputError."""
    limit = MAX_LINE_BYTES if limit is None else limit
    n = 0
    while line := f.readline(limit + 1):
        n += 1
        if len(line) > limit:
            raise InputError(f"line {n} is longer than {limit:,} bytes: this is not a PO file",
                             path=path, line=n, hint="give the pair's PO file")
        yield line


def blocks(lines: Iterable[bytes], size: int) -> Iterator[tuple[int, int, bytes]]:
    """(first line, first byte offset, bytes) of the header entry, then of `size` entries at a
    time, from the lines of a PO file (a binary file object is one)."""
    buf: list[bytes] = []
    line_no, start_line, start_byte, byte = 0, 1, 0, 0
    entries, complete, first = 0, False, True
    for line in lines:
        line_no += 1
        if complete and line.startswith(_ENTRY_START):
            complete = False
            entries += 1
            if first or entries >= size:
                yield start_line, start_byte, b"".join(buf)
                buf, start_line, start_byte, entries, first = [], line_no, byte, 0, False
        if line.startswith(_ENTRY_END):
            complete = True
        buf.append(line)
        byte += len(line)
    if buf:
        yield start_line, start_byte, b"".join(buf)


def decode_block(data: bytes, path: str, first_line: int, first_byte: int) -> str:
    """The text of a block after the first (which corpus.decode_text reads): the same checks and
    messages, with line, byte offset and column in the whole file, and line ends normalised."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"file looks binary (NUL byte at byte offset {first_byte + nul})",
                         path=path, line=first_line + data.count(b"\n", 0, nul),
                         hint="give a plain UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8")) + 1
        raise InputError(
            f"not valid UTF-8 at byte offset {first_byte + exc.start} (byte "
            f"0x{data[exc.start]:02x}, column {column})", path=path,
            line=first_line + data.count(b"\n", 0, exc.start),
            hint=f"convert the file to UTF-8, e.g. iconv -f cp1251 -t UTF-8 {path} > {path}.utf8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class PoText(str):
    """PO text whose lines end at \\n, \\r\\n or \\r only. polib splits text with str.splitlines,
    which also breaks at U+2028, U+0085, U+001C..U+001E: characters polib writes raw inside strings,
    so a sentence holding one would come back cut short."""

    def splitlines(self, keepends: bool = False) -> list[str]:
        text = str(self)
        if "\r" in text:  # rare: the line ends of files are normalised when they are decoded
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [ln + "\n" for ln in lines] if keepends else lines


_KEYWORD_RE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+(".*)$', re.S)
_STRING_RE = re.compile(r'^"(?:[^"\\]|\\.)*"[ \t]*$', re.S)
#: A keyword line with a well-formed string: the common case, checked in one match.
_KEYWORD_LINE_RE = re.compile(
    r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+"(?:[^"\\]|\\.)*"[ \t]*$', re.S)


def check_syntax(text: str, path: str, first_line: int = 1) -> None:
    """Refuse PO text that msgfmt would refuse and polib would quietly half-read: a string cut
    off (no closing quote), a line that is neither a comment, a keyword nor a string, an entry
    without msgstr (a file truncated mid-entry). `first_line`: the file's line `text` starts at."""
    entry_line = 0  # line of the current entry's msgctxt/msgid, 0 between entries
    has_msgstr = False
    in_string = False  # the line before was a keyword or a string: a string may follow
    lines = PoText(text).splitlines()
    keyword_line, string_line = _KEYWORD_LINE_RE.match, _STRING_RE.match

    def invalid(what: str, at: int) -> ParseError:
        return ParseError(f"not a valid PO file: {what}", path=path, line=at, hint=RESTORE)

    def unfinished(at: int) -> ParseError:
        return invalid(f"the entry at line {entry_line} has no msgstr (the file is cut off or "
                       "damaged here)", at)

    for n, line in enumerate(lines, first_line):
        first = line[:1]
        if first in (" ", "\t"):
            line = line.strip()
            first = line[:1]
        if first == "#" or not line.strip():
            if line.startswith("#~"):
                continue  # obsolete entries: kept apart, reported by the caller
            if entry_line and not has_msgstr:
                raise unfinished(n)
            entry_line, has_msgstr, in_string = 0, False, False
            continue
        if first == '"':
            if not in_string:
                raise invalid("a string outside any msgid or msgstr", n)
            if not string_line(line):
                raise invalid("a string is not closed (the file is cut off or damaged here)", n)
            continue
        m = keyword_line(line)
        if not m:
            if _KEYWORD_RE.match(line):
                raise invalid("a string is not closed (the file is cut off or damaged here)", n)
            raise invalid(f"Syntax error, unexpected line {line.strip()[:30]!r}", n)
        keyword = m[1]
        if keyword == "msgctxt" or keyword == "msgid":
            if entry_line and has_msgstr:
                entry_line, has_msgstr = 0, False  # the next entry, without a blank line
            elif entry_line and keyword == "msgctxt":
                raise unfinished(n)
            entry_line = entry_line or n
        elif keyword[:6] == "msgstr":
            if not entry_line:
                raise invalid("msgstr without msgid", n)
            has_msgstr = True
        in_string = True
    if entry_line and not has_msgstr:
        raise unfinished(first_line + len(lines) - 1)
