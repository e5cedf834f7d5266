"""Plain-data views of the domain objects for the pages and the JSON API (one shape for both)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

from workbench import store
from workbench.web.state import Workspace


def _doc(ws: Workspace, doc_id: str) -> dict:
    d = ws.corpus.documents[doc_id]
    return {"id": d.id, "language": d.language, "title": d.title, "path": d.path,
            "provenance": d.provenance, "date": d.date}


def record_view(r: store.Record) -> dict:
    return {
        "key": r.key, "kind": r.kind, "source": list(r.source), "target": list(r.target),
        "source_text": r.source_text, "rendering_text": r.rendering_text, "mt": r.mt,
        "score": r.score, "method": r.method, "status": r.status, "category": r.category,
        "annotations": [asdict(a) for a in r.annotations],
    }


def counts(pf: store.PairFile) -> dict[str, int]:
    c = Counter(r.status for r in pf.records)
    return {s: c.get(s, 0) for s in store.STATUSES}


def pair_summaries(ws: Workspace) -> list[dict]:
    out = []
    for pair in ws.corpus.pairs:
        _, pf = ws.pair_file(pair.id)
        c = counts(pf)
        out.append({"id": pair.id, "source": _doc(ws, pair.source),
                    "rendering": _doc(ws, pair.rendering), "beads": len(pf.records),
                    "counts": c, "reviewed": len(pf.records) - c["unreviewed"],
                    "revision": pf.revision})
    return out


def pair_view(ws: Workspace, pair_id: str) -> dict:
    pair, pf = ws.pair_file(pair_id)
    src, tgt = _doc(ws, pair.source), _doc(ws, pair.rendering)
    engine = ws.engine(src["language"], tgt["language"])
    from workbench import translate

    mt = {"available": engine is not None,
          "model": pf.header.get("X-MT-Model", "none"),
          "install_hint": None if engine else translate.install_hint(src["language"], tgt["language"])}
    return {"pair": pair.id, "source": src, "rendering": tgt, "revision": pf.revision,
            "aligner": pf.header.get("X-Aligner", ""), "mt": mt, "counts": counts(pf),
            "categories": list(store.CATEGORIES), "statuses": list(store.STATUSES),
            "beads": [record_view(r) for r in pf.records]}
