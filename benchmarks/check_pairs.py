"""Fidelity checks per language pair: recall on planted errors, and the share of untouched pairs
with a finding, on 1-1 pairs of public parallel text (benchmarks/_check_sets.py says which).

For each language pair, errors of four kinds are planted into the rendering sentences of a split,
PER_KIND of each where the kind applies (a fixed seed; a pair is used at most three times): a
number changed (digits, or a number word, Russian ones in the same case), a date shifted, a name
swapped (a name both sides carry, also at a sentence's start: counted apart as "initial") and a
negation dropped. A planted error counts as found when the checks give a finding of its kind (a
number or a date for those two) that the untouched pair does not have, in the default tier
(errors and warnings). False findings: the share of untouched pairs with a finding of one of the
four kinds in the default tier (quote and mt-missing warnings left aside). The checks run as
`workbench check` runs them: with the pair's name map learned from the split's untouched pairs.

Baseline, measured in the same run: the checks without the name map (the map's share of the
figures). Choose rules on --split dev; report --split test.

    .venv/bin/python benchmarks/check_pairs.py --split dev
    .venv/bin/python benchmarks/check_pairs.py --split test --show 5 --sets ru-en,fr-ru
    .venv/bin/python benchmarks/check_pairs.py --workbench /tmp/main-copy   # another checkout's checks
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

PLANTED = ("number", "date", "name", "negation")
PER_KIND = 200
SEED = 13
MIN_APPLICABLE = 10


def _import(workbench: str | None):
    """The checks of this repository, or of another checkout's (their figures side by side)."""
    root = Path(workbench).resolve() if workbench else Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(Path(__file__).resolve().parent))
    import _check_sets as sets
    from workbench import check

    return check, sets


def _findings(check, s, src: str, ren: str, names) -> list:
    kw = {"names": names} if names is not None else {}
    found = check.check_pair(src, ren, src_lang=s.src, tgt_lang=s.tgt, kinds=PLANTED, **kw)
    return [f for f in found if f.severity in check.DEFAULT_SEVERITIES]


def planted(sets, s, kind: str, rng: random.Random) -> tuple[list[tuple[int, str, bool]], int]:
    """Up to PER_KIND (pair index, changed rendering, at a sentence's start) of one kind, and how
    many pairs the kind applies to."""
    pool = sets.name_pool(s) if kind == "name" else []
    plant = {"number": sets.plant_number, "date": sets.plant_date,
             "negation": sets.plant_negation,
             "name": lambda st, a, b, r: sets.plant_name(st, a, b, r, pool)}[kind]
    order = list(range(len(s.pairs)))
    rng.shuffle(order)
    applicable = [i for i in order if plant(s, *s.pairs[i], random.Random(i)) is not None]
    out: list[tuple[int, str, bool]] = []
    for _ in range(3):
        for i in applicable:
            if len(out) == PER_KIND:
                return out, len(applicable)
            changed = plant(s, *s.pairs[i], rng)
            if changed is not None and changed != s.pairs[i][1]:
                initial = _first_change(s.pairs[i][1], changed) == 0
                out.append((i, changed, initial))
    return out, len(applicable)


def _first_change(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def run_set(check, sets, name: str, split: str, use_map: bool, show: int) -> dict:
    s = sets.load(name, split)
    started = time.perf_counter()
    names = None
    if use_map and hasattr(check, "from_pairs"):
        names = check.from_pairs(((a, b, None) for a, b in s.pairs), s.src, s.tgt)
    base = [_findings(check, s, a, b, names) for a, b in s.pairs]
    out: dict = {"set": name, "split": split, "pairs": len(s.pairs), "map": names is not None,
                 "links": len(names.links) if names is not None else 0,
                 "recall": {}, "planted": {}, "applicable": {}, "recall_initial": {}}
    rng = random.Random(SEED)
    for kind in PLANTED:
        plants, applicable = planted(sets, s, kind, rng)
        out["applicable"][kind] = applicable
        if applicable < MIN_APPLICABLE:
            continue
        accept = {"number", "date"} if kind in ("number", "date") else {kind}
        hits = initial_hits = initial_n = 0
        for i, changed, initial in plants:
            before = {f.key for f in base[i]}
            found = [f for f in _findings(check, s, s.pairs[i][0], changed, names)
                     if f.kind in accept and f.key not in before]
            hits += bool(found)
            initial_n += initial
            initial_hits += initial and bool(found)
        out["planted"][kind] = len(plants)
        out["recall"][kind] = round(hits / max(1, len(plants)), 3)
        if initial_n:
            out["recall_initial"][kind] = [round(initial_hits / initial_n, 3), initial_n]
    n = max(1, len(s.pairs))
    out["false_rate"] = round(sum(bool(fs) for fs in base) / n, 4)
    out["false_by_kind"] = {k: round(sum(any(f.kind == k for f in fs) for fs in base) / n, 4)
                            for k in PLANTED}
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["examples"] = [(a, b, [f"{f.severity} {f.kind}: {f.explanation}" for f in fs])
                       for (a, b), fs in zip(s.pairs, base) if fs][:show]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "test"], default="test")
    ap.add_argument("--sets", default="ru-en,en-ru,fr-ru,de-en,en-fr",
                    help="comma-separated language pairs (default: all five)")
    ap.add_argument("--show", type=int, default=0, help="print this many falsely flagged pairs")
    ap.add_argument("--workbench", default=None,
                    help="the repository whose checks to measure (default: this one)")
    args = ap.parse_args(argv)
    check, sets = _import(args.workbench)
    print(f"checks from {args.workbench or 'this repository'}, split {args.split}, "
          f"{PER_KIND} planted errors per kind (where at least {MIN_APPLICABLE} pairs apply)")
    print(f"{'pair':6} {'pairs':>5} {'map':>9} {'number':>7} {'date':>7} {'name':>7} "
          f"{'initial':>7} {'negation':>8} {'false':>7}  false by kind (number/date/name/neg)")
    results = []
    for name in args.sets.split(","):
        if not sets.available(name):
            print(f"{name:6} (its text is not at hand: see benchmarks/_check_sets.py)")
            continue
        for use_map in (True, False):
            r = run_set(check, sets, name, args.split, use_map, args.show if use_map else 0)
            results.append(r)
            rec = [f"{r['recall'][k]:>7.3f}" if k in r["recall"] else f"{'n/a':>7}"
                   for k in PLANTED]
            init = r["recall_initial"].get("name")
            print(f"{name:6} {r['pairs']:>5} {('%d links' % r['links']) if r['map'] else 'none':>9} "
                  f"{rec[0]} {rec[1]} {rec[2]} "
                  f"{(f'{init[0]:.3f}' if init else 'n/a'):>7} {rec[3]:>8} {r['false_rate']:>7.4f}"
                  f"  {'/'.join(f'{v:.3f}' for v in r['false_by_kind'].values())}")
            for a, b, why in r.pop("examples"):
                print(f"    - {a}\n      {b}\n      {why}")
            if not hasattr(check, "from_pairs"):
                break
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
