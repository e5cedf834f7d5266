"""One word for the rendering side, and one kind of value per key: `source` / `rendering` hold
sentence ids, a key ending in `_text` holds text, in the API's beads, the JSONL and TSV exports
and the memory's matches alike; no public dataclass keeps a field named `target`; and undo
histories written when the rendering side's ids were stored as "target" still load."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from factories import PAIR, make_data_dir, make_pair_file
from workbench import edit, export, history, store
from workbench.memory.segments import Match, Segment
from workbench.model import Bead

REPO = Path(__file__).resolve().parents[1]
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")


def side_keys(obj: dict) -> list[str]:
    return sorted(k for k in obj if k.startswith(("source", "rendering", "target", "tgt")))


def check_kinds(obj: dict, where: str) -> None:
    """Each side key of `obj` holds the kind of value its name says."""
    for k in side_keys(obj):
        v = obj[k]
        assert not k.startswith(("target", "tgt")), f"{where}: '{k}' names the rendering side"
        if k.endswith("_text"):
            assert isinstance(v, str), f"{where}: '{k}' holds {v!r}, not text"
        elif k.endswith("_language"):
            assert isinstance(v, str) and LANGUAGE.match(v), f"{where}: '{k}' holds {v!r}"
        elif k in ("source", "rendering") or k.endswith("_ids"):
            assert isinstance(v, list) and all(type(i) is int for i in v), \
                f"{where}: '{k}' holds {v!r}, not sentence ids"
        else:
            pytest.fail(f"{where}: '{k}' says neither ids, text nor language")


@pytest.fixture
def client(tmp_path: Path, make_client):
    client = make_client(make_data_dir(tmp_path / "data"))
    client.po = tmp_path / "data" / "translations" / f"{PAIR}.po"
    return client


def test_a_bead_in_the_api_and_in_the_jsonl_export_names_ids_and_texts_alike(client):
    beads = client.get(f"/api/pairs/{PAIR}").get_json()["beads"]
    pf = store.load(client.po)
    assert len(beads) == len(pf.records) == 6
    for b, r in zip(beads, pf.records):
        check_kinds(b, f"bead {b['key']}")
        assert side_keys(b) == ["rendering", "rendering_text", "source", "source_text"]
        assert (b["source"], b["rendering"]) == (list(r.source), list(r.rendering))
        line = export.jsonl_object(pf, r)
        check_kinds(line, f"JSONL {r.key}")
        assert side_keys(line) == ["rendering_ids", "rendering_language", "rendering_text",
                                   "source_ids", "source_language", "source_text"]
        # the same name holds the same value in both
        for k in set(b) & set(line) - {"score"}:
            assert b[k] == line[k], k
        assert (line["source_ids"], line["rendering_ids"]) == (b["source"], b["rendering"])
        assert (line["source_text"], line["rendering_text"]) == (r.source_text, r.rendering_text)


def test_the_tsv_header_names_its_text_columns_text():
    assert [c for c in export.TSV_COLUMNS if c.startswith(("source", "rendering", "target"))] == [
        "source_language", "rendering_language", "source_text", "rendering_text"]


def test_a_memory_match_names_its_texts_like_a_bead():
    s = Segment(source_text="Мы против.", rendering_text="We oppose it.", source_language="ru",
                rendering_language="en", origin="pair", pair="a__b", bead="s0:t0", reviewer="ak",
                time="2026-11-25T03:00:00Z")
    out = Match("exact", 100.0, s).to_json()
    check_kinds(out, "memory match")
    assert (out["source_text"], out["rendering_text"], out["rendering_language"]) == (
        "Мы против.", "We oppose it.", "en")


def _dataclass_fields(path: Path) -> list[tuple[str, str]]:
    """(class, field) of every public dataclass defined in `path`."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
            continue
        names = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        if not any(getattr(d, "id", getattr(d, "attr", None)) == "dataclass" for d in names):
            continue
        out += [(node.name, a.target.id) for a in node.body
                if isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name)]
    return out


#: Names a format defines, kept as it spells them.
FORMAT_NAMES = {"target_prefix"}  # an Argos Translate package's metadata.json


def test_no_public_dataclass_names_the_rendering_side_target():
    fields = [(str(p.relative_to(REPO)), c, f) for p in sorted((REPO / "workbench").rglob("*.py"))
              for c, f in _dataclass_fields(p)]
    assert ("workbench/model.py", "Bead", "rendering") in fields  # the walk finds dataclasses
    assert ("workbench/store/records.py", "Record", "rendering") in fields
    assert [x for x in fields if x[2].startswith(("target", "tgt")) and x[2] not in FORMAT_NAMES] == []


# --- undo histories written before the rename -----------------------------------------------------

SRC = ["Первое предложение.", "Второе предложение.", "Третье."]
TGT = ["The first sentence.", "The second sentence.", "An added remark."]


def _old_form(d):
    """A history value as it was written when a record's rendering ids were called "target"."""
    if isinstance(d, dict):
        return {("target" if k == "rendering" else k): _old_form(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_old_form(v) for v in d]
    return d


def test_a_history_written_with_the_old_key_target_still_undoes_and_redoes(tmp_path):
    po = tmp_path / "translations" / "src__tgt.po"
    make_pair_file(po, SRC, TGT, [Bead((0,), (0,), 0.9, "test"), Bead((1,), (), 0.0, "test"),
                                  Bead((2,), (1,), 0.5, "test"), Bead((), (2,), 0.0, "test")],
                   ids=("src", "tgt"), separator="\n")
    before = [r.key for r in store.load(po).records]
    edit.perform(po, lambda pf: edit.link(pf, 1, 2), author="ak")
    linked = [r.key for r in store.load(po).records]
    assert linked == ["s0:t0", "s1:t2", "s2:t1"]
    journal = history.journal_path(po)
    lines = [json.loads(line) for line in journal.read_bytes().splitlines()]
    step = lines[1]["change"]
    assert [sorted(k for k in r if k in ("rendering", "target")) for _, r in step["before"]] == [
        ["rendering"], ["rendering"]]
    journal.write_text("".join(json.dumps(_old_form(d), ensure_ascii=False) + "\n" for d in lines),
                       encoding="utf-8")
    assert b'"target": [2]' in journal.read_bytes() and b'"rendering"' not in journal.read_bytes()

    edit.undo(po, author="ak")
    assert [r.key for r in store.load(po).records] == before
    edit.redo(po, author="ak")
    assert [r.key for r in store.load(po).records] == linked
    edit.perform(po, lambda pf: edit.unlink(pf, "s1:t2"), author="ak")
    newest = json.loads(journal.read_bytes().splitlines()[-1])["change"]
    assert [list(r["rendering"]) for _, r in newest["before"]] == [[2]] and \
        "target" not in newest["before"][0][1]
    assert edit.history_state(po, "ak")["done"] == 2


# --- the API's action bodies ----------------------------------------------------------------------

@pytest.mark.parametrize("path, body, message", [
    ("/link", {"source": 3, "target": 4}, "'target' is now called 'rendering'"),
    ("/beads/s1,2:t2,3/split", {"source_at": 1, "target_at": 1},
     "'target_at' is now called 'rendering_at'"),
])
def test_an_action_body_with_a_former_key_name_is_refused_naming_the_new_one(client, path, body,
                                                                          message):
    before = client.po.read_bytes()
    res = client.post(f"/api/pairs/{PAIR}{path}", json={**body, "author": "ak"},
                      headers={"X-CSRF-Token": client.csrf})
    assert res.status_code == 400
    assert res.get_json()["message"] == f"{message} (rename the key in the request body)"
    assert client.po.read_bytes() == before
