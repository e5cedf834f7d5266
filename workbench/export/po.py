"""The PO writer: a filtered copy of one pair's PO file."""

from __future__ import annotations

from typing import BinaryIO, Iterator

from workbench import store
from workbench.errors import SerializationError
from workbench.export.filters import _FLUSH_EVERY, ExportReport, Filters
from workbench.export.reading import _Input, _selected
from workbench.store import PairFile, Record


def _po(inputs: list[_Input], filters: Filters, report: ExportReport, out: BinaryIO) -> Iterator[None]:
    inp = inputs[0]
    header = dict(inp.pf.header)
    header["X-Export-Filter"] = filters.describe()
    head = store.render(PairFile(header=header, records=[]))
    out.write(head.encode("utf-8"))
    batch: list[Record] = []

    def flush() -> None:
        text = store.render(PairFile(header=header, records=batch))
        if not text.startswith(head):
            raise SerializationError("the store's PO rendering does not start with the header; "
                                     "cannot write the PO file in parts")
        out.write(text[len(head):].encode("utf-8"))

    for r in _selected(inp, filters, report):
        batch.append(r)
        if len(batch) >= _FLUSH_EVERY:
            flush()
            batch = []
            yield
    if batch:
        flush()
    yield

