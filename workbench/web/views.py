"""Plain-data views of the domain objects for the pages and the JSON API (one shape for both).

Besides the record fields, a bead's view carries what the page draws: the machine translation and
the rendering cut into word-difference spans (worddiff), the sentences of both sides with their
ids so that a translator can pick one to link, and for a rendering sentence the aligner left
unmatched, its suggested source sentence with the bead that holds that one now (what a link
through the suggestion touches). Triage (filters, search, sort, pages) is a pure
function of the records and a Query.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, replace
from typing import Mapping

from workbench import edit, findings, store, worddiff
from workbench.errors import InputError, WorkbenchError
from workbench.project import Project
from workbench.web import checkmarks, errors

#: Links scoring below this are "low score" in the triage filter.
LOW_SCORE = 0.5
#: Links below this probability that nobody approved or rejected yet are the links to check (the
#: source view calls a link at or above it a quote).
DOUBTFUL = 0.9
PER_PAGE = 100
MAX_PER_PAGE = 1000
SORTS = ("order", "score", "-score")
#: What the triage's "Show" picks: links to check, rendering sentences with no source (the
#: rendering's own), source sentences the rendering leaves out.
SHOWS = ("links", "no-source", "not-rendered")


def _doc(ws: Project, doc_id: str) -> dict:
    d = ws.corpus.documents[doc_id]
    return {"id": d.id, "language": d.language, "title": d.title, "path": d.path,
            "provenance": d.provenance, "date": d.date, "original": d.original}


def _spans(spans) -> list[dict]:
    return [{"text": s.text, "tag": s.tag} for s in spans]


def _cut(spans: tuple[worddiff.Span, ...], lengths: list[int]) -> list[list[dict]]:
    """Cut spans over a text of sentences joined by one space into one span list per sentence
    (the joining space stays at the end of the sentence before it)."""
    ends, pos = [], 0
    for length in lengths:
        pos += length + 1
        ends.append(pos)
    out: list[list[dict]] = [[] for _ in lengths]
    k, pos = 0, 0
    for s in spans:
        text = s.text
        while text and out:
            room = ends[k] - pos if k < len(out) - 1 else len(text)
            if room <= 0:
                k += 1
                continue
            piece, text = text[:room], text[room:]
            out[k].append({"text": piece, "tag": s.tag})
            pos += len(piece)
    return out


def _holders(records: list[store.Record], shown: list[store.Record]) -> dict[int, store.Record]:
    """The record holding each source sentence, when a record in `shown` has a suggestion (else
    nothing is indexed: most pages have none)."""
    if not any(r.closest for r in shown):
        return {}
    return {i: r for r in records for i in r.source}


def _suggestion(r: store.Record, holders: dict[int, store.Record]) -> dict | None:
    if r.closest is None:
        return None
    source, probability = r.closest
    holder = holders.get(source)
    text = None
    if holder is not None:
        try:
            text = edit.sentences(holder)[0][source].text
        except InputError:  # boundaries not recorded: the holder's whole source text
            text = holder.source_text
    return {"source": source, "probability": probability, "text": text,
            "bead": holder.key if holder else None,
            "bead_rev": edit.bead_revision(holder) if holder else None}


def record_view(r: store.Record, index: int | None = None,
                holders: dict[int, store.Record] | None = None,
                pf: store.PairFile | None = None) -> dict:
    """The bead's view; with `pf` (for its languages) also its fidelity findings (checkmarks)."""
    view = {
        "key": r.key, "kind": r.kind, "source": list(r.source), "rendering": list(r.rendering),
        "source_text": r.source_text, "rendering_text": r.rendering_text, "mt": r.mt,
        "score": r.score, "method": r.method, "status": r.status, "category": r.category,
        "reviewer": {"author": r.reviewer[0], "time": r.reviewer[1]} if r.reviewer else None,
        "annotations": [asdict(a) for a in r.annotations], "rev": edit.bead_revision(r),
        "closest": _suggestion(r, holders or {}),
    }
    if index is not None:
        view["index"] = index
    try:
        src, tgt = edit.sentences(r)
        source = [{"id": i, "text": src[i].text} for i in r.source]
        rendering = [{"id": j, "text": tgt[j].text} for j in r.rendering]
        splittable = True
    except InputError:
        # Boundaries not recorded: the bead is shown (and linkable) as one piece per side.
        source = [{"id": r.source[0] if len(r.source) == 1 else None, "text": r.source_text}] \
            if r.source else []
        rendering = [{"id": r.rendering[0] if len(r.rendering) == 1 else None, "text": r.rendering_text}] \
            if r.rendering else []
        splittable = False
    if r.mt and r.rendering_text:
        d = worddiff.diff(r.mt, r.rendering_text)
        view["mt_spans"] = _spans(d.mt)
        cut = _cut(d.rendering, [len(s["text"]) for s in rendering])
        for s, spans in zip(rendering, cut):
            s["spans"] = spans
        view["diff_ratio"] = d.ratio
    else:
        view["mt_spans"] = [{"text": r.mt, "tag": "equal"}] if r.mt else []
        for s in rendering:
            s["spans"] = [{"text": s["text"], "tag": "added" if r.mt else "equal"}]
        view["diff_ratio"] = None
    view["sentences"] = {"source": source, "rendering": rendering}
    view["splittable"] = splittable
    if pf is not None:
        checkmarks.mark(view, findings.of_pair(pf, r), r.source_text, r.rendering_text, r.mt)
    return view


def counts(pf: store.PairFile) -> dict[str, int]:
    c = Counter(r.status for r in pf.records)
    return {s: c.get(s, 0) for s in store.STATUSES}


@dataclass(frozen=True)
class Query:
    """What the triage bar asks for; every field is also a URL query parameter."""

    status: str = ""
    category: str = ""
    low: bool = False
    unmatched: bool = False
    #: One of SHOWS, or "" for every bead.
    show: str = ""
    annotated: bool = False
    #: Fidelity findings: "any", "open" (not dismissed) or a kind (workbench.findings.FILTERS).
    check: str = ""
    q: str = ""
    sort: str = "order"
    page: int = 1
    per_page: int = PER_PAGE

    def params(self, **changes) -> dict[str, str]:
        """URL parameters for this query (defaults left out), with `changes` applied."""
        q = replace(self, **changes)
        out: dict[str, str] = {}
        for k, default in asdict(Query()).items():
            v = getattr(q, k)
            if v != default:
                out[k] = ("1" if v else "") if isinstance(v, bool) else str(v)
        return out


def _flag(args: Mapping[str, str], name: str) -> bool:
    return args.get(name, "") not in ("", "0", "false", "no", "off")


def _int(args: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"'{name}' must be a whole number, not '{raw}'") from None
    return min(max(value, lo), hi)


def parse_query(args: Mapping[str, str]) -> Query:
    status, category, sort = args.get("status", ""), args.get("category", ""), args.get("sort") or "order"
    if status and status not in store.STATUSES:
        raise InputError(f"unknown status '{status}'", hint=f"use one of {', '.join(store.STATUSES)}")
    if category and category not in store.CATEGORIES:
        raise InputError(f"unknown category '{category}'",
                         hint=f"use one of {', '.join(store.CATEGORIES)}")
    if sort not in SORTS:
        raise InputError(f"unknown sort '{sort}'", hint=f"use one of {', '.join(SORTS)}")
    show = args.get("show", "")
    if show and show not in SHOWS:
        raise InputError(f"unknown selection show='{show}'", hint=f"use one of {', '.join(SHOWS)}")
    return Query(status=status, category=category, low=_flag(args, "low"),
                 unmatched=_flag(args, "unmatched"), show=show, annotated=_flag(args, "annotated"),
                 check=findings.parse_filter(args.get("check", "")),
                 q=args.get("q", "").strip(), sort=sort,
                 page=_int(args, "page", 1, 1, 10**9),
                 per_page=_int(args, "per_page", PER_PAGE, 1, MAX_PER_PAGE))


def is_link(r: store.Record) -> bool:
    """A bead that links sentences of both sides: its score is the probability that the link is
    right. A bead of one side is a sentence with no counterpart, whose score says nothing."""
    return bool(r.source) and bool(r.rendering)


def shown_as(r: store.Record) -> str | None:
    """Which of SHOWS the bead is in: a link not reviewed yet below DOUBTFUL, a rendering sentence
    with no source, a source sentence not rendered; None for any other bead."""
    if is_link(r):
        return "links" if r.score < DOUBTFUL and r.status in ("unreviewed", "needs-work") else None
    return "no-source" if r.rendering else "not-rendered"


def show_counts(pf: store.PairFile) -> dict[str, int]:
    """Beads for each value of `show`."""
    c = Counter(shown_as(r) for r in pf.records)
    return {which: c.get(which, 0) for which in SHOWS}


def _matches(r: store.Record, q: Query, needle: str) -> bool:
    if q.status and r.status != q.status:
        return False
    if q.category and r.category != q.category:
        return False
    if q.show and shown_as(r) != q.show:
        return False
    if q.low and not (is_link(r) and r.score < LOW_SCORE):
        return False
    if q.unmatched and r.source and r.rendering:
        return False
    if q.annotated and not r.annotations:
        return False
    if needle:
        hay = "\n".join([r.source_text, r.rendering_text, r.mt or ""]
                        + [a.text for a in r.annotations]).casefold()
        if needle not in hay:
            return False
    return True


def select(pf: store.PairFile, q: Query) -> list[tuple[int, store.Record]]:
    """The beads the query asks for, with their display positions, in the asked order."""
    needle = q.q.casefold()
    rows = [(i, r) for i, r in enumerate(pf.records) if _matches(r, q, needle)
            and (not q.check or findings.matches(findings.summary(pf, r), q.check))]
    # links by their probability; sentences of one side after them, in document order
    if q.sort == "score":
        rows.sort(key=lambda p: (not is_link(p[1]), p[1].score if is_link(p[1]) else 0, p[0]))
    elif q.sort == "-score":
        rows.sort(key=lambda p: (not is_link(p[1]), -p[1].score if is_link(p[1]) else 0, p[0]))
    return rows


def _header(ws: Project, pair_id: str, author: str = "",
            pf: store.PairFile | None = None) -> tuple[store.PairFile, dict]:
    if pf is None:
        pair, pf = ws.pair_file(pair_id)
    else:  # an action's result: the state the answer describes, whatever came after it
        pair = ws.corpus.pair(pair_id)
    src, tgt = _doc(ws, pair.source), _doc(ws, pair.rendering)
    return pf, {"pair": pair.id, "prepared": True, "source": src, "rendering": tgt,
                "revision": pf.revision, "aligner": pf.header.get("X-Aligner", ""),
                "mt": _mt(ws, src["language"], tgt["language"], pf), "counts": counts(pf),
                "total": len(pf.records), "categories": list(store.CATEGORIES),
                "statuses": list(store.STATUSES), "low_score": LOW_SCORE,
                "doubtful": DOUBTFUL,
                "history": _history(ws, pf, author),
                "read_only": pf.read_only,
                "has_mt": any(r.mt for r in pf.records)}


def _mt(ws: Project, src: str, tgt: str, pf: store.PairFile | None) -> dict:
    """What the page says about machine translation: whether a model is installed (else how to
    install one), the model the file's MT is from, and whether the installed one would add MT the
    file lacks (offered as an action, never done by a GET)."""
    engine = ws.engine(src, tgt)
    from workbench import translate
    from workbench.project import needs_mt

    return {"available": engine is not None,
            "model": pf.header.get("X-MT-Model", "none") if pf is not None else "none",
            "engine": engine.label if engine is not None else None,
            "missing": engine is not None and (pf is None or needs_mt(pf, engine)),
            "install_hint": None if engine else translate.install_hint(src, tgt,
                                                                       workbench_command())}


def unprepared_view(ws: Project, pair_id: str) -> dict:
    """A pair whose PO file is not made yet: what is missing and how it is made."""
    pair = ws.pair(pair_id)
    src, tgt = _doc(ws, pair.source), _doc(ws, pair.rendering)
    po = ws.po_path(pair_id)
    return {"pair": pair.id, "prepared": False, "source": src, "rendering": tgt,
            "po": po.relative_to(ws.corpus.root).as_posix(),
            "mt": _mt(ws, src["language"], tgt["language"], None),
            "revision": None, "counts": {s: 0 for s in store.STATUSES}, "total": 0, "beads": []}


def _history(ws: Project, pf: store.PairFile, author: str) -> dict | None:
    if pf.path is None:
        return None
    state = ws.editor.state(pf.path, author)
    state.pop("revision")
    return state


def workbench_command() -> str:
    """How to run this workbench from a shell: `workbench` when that is on PATH, else the script
    beside the running Python (the virtual environment's bin/), relative to the current directory
    when it lies below it."""
    import os
    import shutil
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("workbench")
    if not script.exists():
        return "workbench"
    on_path = shutil.which("workbench")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "workbench"
    try:
        rel = os.path.relpath(script)
    except ValueError:
        return str(script)
    return rel if not rel.startswith("..") else str(script)


def pair_summaries(ws: Project) -> list[dict]:
    out = []
    for pair in ws.corpus.pairs:
        source, rendering = _doc(ws, pair.source), _doc(ws, pair.rendering)
        summary = {"id": pair.id, "source": source, "rendering": rendering,
                   "title": pair.title or f"{source['title'] or source['id']} ↔ "
                                          f"{rendering['title'] or rendering['id']}",
                   "named": bool(pair.title)}
        if not ws.is_prepared(pair.id):
            out.append(summary | {"prepared": False, "error": None})
            continue
        try:
            _, pf = ws.pair_file(pair.id)
        except WorkbenchError as exc:
            # One damaged PO file must not hide the other pairs; its row says what is wrong.
            out.append(summary | {"prepared": True, "error": errors.message(exc)})
            continue
        c = counts(pf)
        out.append(summary | {"prepared": True, "beads": len(pf.records), "counts": c,
                              "reviewed": len(pf.records) - c["unreviewed"],
                              "revision": pf.revision, "error": None})
    return out


def names_view(pf: store.PairFile) -> dict:
    """The pair's name map as the Names panel and the API give it: its links, learned ones by the
    number of beads they stand in, each with its state."""
    links = store.name_map(pf).links
    return {"links": [link.to_dict() for link in links],
            "decided": sum(link.state != "learned" for link in links)}


def pair_view(ws: Project, pair_id: str, author: str = "") -> dict:
    """The whole pair: every bead, in display order (none for a pair not prepared yet)."""
    if not ws.is_prepared(pair_id):
        return unprepared_view(ws, pair_id)
    pf, view = _header(ws, pair_id, author)
    holders = _holders(pf.records, pf.records)
    view["beads"] = [record_view(r, i, holders, pf) for i, r in enumerate(pf.records)]
    view["check_counts"] = findings.counts(pf)
    view["names"] = names_view(pf)
    return view


def page_view(ws: Project, pair_id: str, q: Query, author: str = "") -> dict:
    """One page of the beads a query selects, with counts and the pager; the history state is
    `author`'s. A pair not prepared yet gives its unprepared_view."""
    if not ws.is_prepared(pair_id):
        return unprepared_view(ws, pair_id)
    pf, view = _header(ws, pair_id, author)
    rows = select(pf, q)
    pages = max(1, -(-len(rows) // q.per_page))
    page = min(q.page, pages)
    start = (page - 1) * q.per_page
    view["query"] = asdict(replace(q, page=page))
    view["matching"] = len(rows)
    view["page"] = {"number": page, "pages": pages, "per_page": q.per_page, "first": start + 1,
                    "last": min(start + q.per_page, len(rows))}
    shown = rows[start:start + q.per_page]
    holders = _holders(pf.records, [r for _, r in shown])
    view["beads"] = [record_view(r, i, holders, pf) for i, r in shown]
    view["check_counts"] = findings.counts(pf)
    view["show_counts"] = show_counts(pf)
    view["names"] = names_view(pf)
    return view


def bead_state(ws: Project, pair_id: str, keys: list[str], author: str = "",
               pf: store.PairFile | None = None) -> dict:
    """The pair's revision, counts and `author`'s history with the views of `keys` (those that
    exist), as in `pf` (an action's result) or as on disk now."""
    pf, view = _header(ws, pair_id, author, pf)
    index = {r.key: (i, r) for i, r in enumerate(pf.records)}
    holders = _holders(pf.records, [index[k][1] for k in keys if k in index])
    return {"pair": pair_id, "revision": pf.revision, "counts": view["counts"],
            "total": view["total"], "history": view["history"],
            "beads": [record_view(index[k][1], index[k][0], holders, pf) for k in keys
                      if k in index]}
