"""Fidelity checks on the Text+Berg de-fr gold pairs: recall on planted errors, false findings.

The set is built at run time from ../shared/eval/textberg-de-fr (never copied): every 1-1 gold link
of the chosen split gives a German source sentence and its French rendering. Into a copy of the
French side, errors of four kinds are planted, 200 of each, only on pairs where the kind applies
(a fixed seed chooses pair and change): a changed number (a digit number of the sentence, not one
inside a date, gets another value), a shifted date (day, month or year of a French date moves), a
dropped negation ("ne ... pas" and its kin lose both words) and a swapped name (a name the French
shares with the German is replaced by a name from another pair that the German does not contain).
A planted error counts as found when the checks give a finding of its kind (for a changed number
or a shifted date: number or date, as a number may stand in a date and a year beside a month)
that the untouched pair does not have; "as error" counts only findings of severity error. False
findings: the share of untouched pairs with any finding of the four planted kinds.

Both figures are given for the findings a review sees by default (errors and warnings: what
`workbench check` prints and the PO comments carry; the JSON's recall_min and false_rate) and for
all tiers, notes included (a number, date or name on one side only: `workbench check --all`;
the JSON's *_all keys). "planted where the source has none" counts the planted changes that fall
on a number, date or name the untouched pair already has on the French side only (a note there):
no comparison with the source can see such a change, and the default tier does not count it;
"recall where it has" is the default tier's recall on the other planted changes.

Baseline, measured in the same run: translate-toolkit's pofilter `numbers` check (the numbers of
msgid and msgstr must be the same), the check a PO pipeline runs today, applied to the same pairs.

    .venv/bin/python benchmarks/check_precision.py                # test split (the report)
    .venv/bin/python benchmarks/check_precision.py --split dev    # the split to tune on

The dev split is small (246 1-1 pairs, 22 with a negation on both sides), so for choosing rules it
can be enlarged: --links all also takes the gold links of several sentences (joined, 381 pairs on
dev), --seeds N pools N planted sets per kind, and --plant-into de drops negations from the German
side instead (nicht, nie go; kein -> ein, nichts -> etwas, niemand -> jemand; negation only).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.check import DEFAULT_SEVERITIES, check_pair  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "textberg-de-fr"
PLANTED = ("number", "date", "negation", "name")
PER_KIND = 200
SEED = 13

_FR_MONTHS = ("janvier février mars avril mai juin juillet août septembre octobre novembre "
              "décembre").split()
_MONTH_RE = "|".join(_FR_MONTHS)
_DATE_RE = re.compile(rf"\b(?:(\d{{1,2}})(?:er)?\s+)?({_MONTH_RE})(?:\s+(\d{{4}}))?\b",
                      re.I)
_NEG_RE = re.compile(r"\b(ne\s+|n['’]\s*)((?:[\w'’-]+\s+){0,4}?)(pas|plus|jamais|rien|point|guère)\b")
_NAME_RE = re.compile(r"(?<=[\w,;)] )[A-ZÀ-Ý][a-zà-ÿ]{3,}(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def gold_pairs(split: str, links: str = "1-1") -> list[tuple[str, str, str]]:
    """(German, French, Google MT) of every 1-1 gold link of the split; with links="all", of every
    link with both sides (the sentences of a side joined by a space: beads of several sentences)."""
    articles = ["dev"] if split == "dev" else [f"test{i}" for i in range(7)]
    out = []
    for name in articles:
        de, fr = read_lines(EVAL / f"{name}.de"), read_lines(EVAL / f"{name}.fr")
        mt = read_lines(EVAL / f"{name}.mt-google.fr")
        for line in read_lines(EVAL / f"{name}.gold"):
            if not line.strip():
                continue
            src, tgt = ([int(x) for x in re.findall(r"\d+", side)] for side in line.split("]:["))
            if not src or not tgt or links == "1-1" and (len(src) != 1 or len(tgt) != 1):
                continue
            d, f, m = (" ".join(lines[i].strip() for i in ids if lines[i].strip())
                       for lines, ids in ((de, src), (fr, tgt), (mt, src)))
            if d and f:
                out.append((d, f, m))
    return out


# --- planting: each returns the changed French sentence, or None where the kind does not apply ---

def plant_number(de: str, fr: str, rng: random.Random) -> str | None:
    dates = [m.span() for m in _DATE_RE.finditer(fr) if m.group(1) or m.group(3)]
    nums = [m for m in re.finditer(r"(?<![\w.,])\d+(?![\w]|[.,]\d)", fr)
            if not any(a <= m.start() < b for a, b in dates)]
    if not nums:
        return None
    m = rng.choice(nums)
    value = int(m.group())
    step = rng.randint(1, 9) * 10 ** rng.randint(0, max(0, len(m.group()) - 1))
    new = value + rng.choice([-1, 1]) * step
    if new < 0 or new == value:
        new = value + 1
    return fr[:m.start()] + str(new) + fr[m.end():]


def plant_date(de: str, fr: str, rng: random.Random) -> str | None:
    dates = [m for m in _DATE_RE.finditer(fr) if m.group(1) or m.group(3)]
    if not dates:
        return None
    m = rng.choice(dates)
    day, month, year = m.group(1), m.group(2), m.group(3)
    choices = [c for c, ok in (("day", day), ("month", True), ("year", year)) if ok]
    what = rng.choice(choices)
    if what == "day":
        new_day = int(day) % 28 + rng.randint(1, 3)
        return fr[:m.start(1)] + str(new_day) + fr[m.end(1):]
    if what == "year":
        return fr[:m.start(3)] + str(int(year) + rng.choice([-1, 1])) + fr[m.end(3):]
    k = _FR_MONTHS.index(month.lower())
    return fr[:m.start(2)] + _FR_MONTHS[(k + rng.randint(1, 11)) % 12] + fr[m.end(2):]


_DE_NEG_RE = re.compile(r"\b(?:nicht|kein\w*|nie|niemals|nichts|niemand\w*|weder|nirgends)\b", re.I)
#: German negations removed outright: the word goes, or turns into its positive (kein -> ein).
_DE_DROP_RE = re.compile(r"\b(?:(nicht|nie|niemals)\s+|(k)(ein\w*)|(nichts)|(niemand)(\w*))\b")


def plant_negation(de: str, fr: str, rng: random.Random) -> str | None:
    """Applies where both sides negate (a source without negation gives the check nothing to hold
    the French against)."""
    negs = list(_NEG_RE.finditer(fr))
    if not negs or not _DE_NEG_RE.search(de):
        return None
    m = rng.choice(negs)
    out = fr[:m.start()] + m.group(2) + fr[m.end():]
    return re.sub(r"\s{2,}", " ", out)


def plant_negation_de(de: str, fr: str, rng: random.Random) -> str | None:
    """The German side loses a negation (nicht, nie go; kein -> ein, nichts -> etwas, niemand ->
    jemand), where the French negates too."""
    negs = list(_DE_DROP_RE.finditer(de))
    if not negs or not _NEG_RE.search(fr):
        return None
    m = rng.choice(negs)
    if m.group(1):
        new = ""
    elif m.group(2):
        new = m.group(3)
    elif m.group(4):
        new = "etwas"
    else:
        new = "jemand" + m.group(6)
    return de[:m.start()] + new + de[m.end():]


def name_pool(pairs: list[tuple[str, str, str]]) -> list[str]:
    """Names French and German sentences share (the first four letters found in the German)."""
    names = set()
    for de, fr, _ in pairs:
        for m in _NAME_RE.finditer(fr):
            if fold(m.group())[:4] in fold(de):
                names.add(m.group())
    return sorted(names)


def plant_name(de: str, fr: str, rng: random.Random, pool: list[str]) -> str | None:
    shared = [m for m in _NAME_RE.finditer(fr) if fold(m.group())[:4] in fold(de)]
    if not shared:
        return None
    m = rng.choice(shared)
    others = [n for n in pool if fold(n)[:4] not in fold(de) and fold(n)[:4] not in fold(fr)]
    if not others:
        return None
    return fr[:m.start()] + rng.choice(others) + fr[m.end():]


def planted_set(pairs: list[tuple[str, str, str]], kind: str, rng: random.Random,
                pool: list[str], into: str = "fr") -> tuple[list[tuple[int, str]], int]:
    """PER_KIND (pair index, planted side) of one kind; pairs are used again (with another
    change) when fewer than PER_KIND apply. Returns the set and the number of distinct pairs.
    The planted side is the French (into="fr") or the German (into="de", negation only)."""
    if into == "de":
        if kind != "negation":
            return [], 0
        plant = plant_negation_de
    else:
        plant = {"number": plant_number, "date": plant_date, "negation": plant_negation,
                 "name": lambda de, fr, r: plant_name(de, fr, r, pool)}[kind]
    order = list(range(len(pairs)))
    rng.shuffle(order)
    applicable = [i for i in order if plant(pairs[i][0], pairs[i][1], random.Random(i)) is not None]
    out: list[tuple[int, str]] = []
    rounds = 0
    while len(out) < PER_KIND and applicable and rounds < 50:
        for i in applicable:
            changed = plant(pairs[i][0], pairs[i][1], rng)
            if changed is not None and changed != pairs[i][0 if into == "de" else 1]:
                out.append((i, changed))
            if len(out) == PER_KIND:
                break
        rounds += 1
    return out, len(applicable)


def pofilter_numbers():
    from translate.filters import checks

    checker = checks.StandardChecker()

    def flagged(source: str, rendering: str) -> bool:
        try:
            checker.numbers(source, rendering)
        except checks.FilterFailure:
            return True
        return False

    return flagged


def _changed_span(before: str, after: str) -> tuple[int, int]:
    """Where `after` differs from `before`: (start, end) in `before` (common prefix and suffix)."""
    a = 0
    while a < min(len(before), len(after)) and before[a] == after[a]:
        a += 1
    b = 0
    while b < min(len(before), len(after)) - a and before[-1 - b] == after[-1 - b]:
        b += 1
    return a, max(a + 1, len(before) - b)


def _touches(span: tuple[int, int], a: int, b: int) -> bool:
    return span[0] < b and a < span[1]


def run(split: str, use_mt: bool, links: str = "1-1", seeds: int = 1, into: str = "fr",
        show_all: bool = False) -> dict:
    pairs = gold_pairs(split, links)
    pool = name_pool(pairs)
    started = time.perf_counter()
    kinds = PLANTED + ("quote", "mt-missing")
    base_all: list[list] = [check_pair(de, fr, src_lang="de", tgt_lang="fr", kinds=kinds,
                                       mt=mt if use_mt else None, notes=True)
                            for de, fr, mt in pairs]
    base = [[f for f in fs if f.severity in DEFAULT_SEVERITIES] for fs in base_all]
    flagged = pofilter_numbers()
    base_flag = [flagged(de, fr) for de, fr, _ in pairs]
    result: dict = {"split": split, "pairs": len(pairs), "mt": "google" if use_mt else "none",
                    "links": links, "seeds": seeds, "planted_into": into,
                    "recall": {}, "baseline_recall": {}, "applicable_pairs": {}}
    rngs = [random.Random(SEED + k) for k in range(seeds)]
    for kind in PLANTED:
        planted: list[tuple[int, str]] = []
        for rng in rngs:
            some, applicable = planted_set(pairs, kind, rng, pool, into)
            planted += some
        if not planted:
            continue
        accept = {"number", "date"} if kind in ("number", "date") else {kind}
        hits = base_hits = error_hits = hits_all = one_sided = 0
        for i, changed in planted:
            de, fr, mt = pairs[i]
            if into == "de":
                de = changed
            else:
                fr = changed
            before = {f.key for f in base_all[i]}
            found = check_pair(de, fr, src_lang="de", tgt_lang="fr", kinds=PLANTED,
                               mt=mt if use_mt else None, notes=True)
            new_all = [f for f in found if f.kind in accept and f.key not in before]
            new = [f for f in new_all if f.severity in DEFAULT_SEVERITIES]
            hits += bool(new)
            hits_all += bool(new_all)
            a, b = _changed_span(pairs[i][0 if into == "de" else 1], changed)
            one_sided += any(f.kind in accept and f.severity == "note" and (
                f.rendering_span if into == "fr" else f.source_span) and _touches(
                f.rendering_span if into == "fr" else f.source_span, a, b) for f in base_all[i])
            error_hits += any(f.severity == "error" for f in new)
            base_hits += flagged(de, fr) and not base_flag[i]
        n = max(1, len(planted))
        result["recall"][kind] = round(hits / n, 4)
        result.setdefault("recall_all", {})[kind] = round(hits_all / n, 4)
        result.setdefault("planted_one_sided", {})[kind] = one_sided
        # the default tier's recall on the changes a comparison with the source can see
        result.setdefault("recall_source_has_it", {})[kind] = round(
            hits / max(1, len(planted) - one_sided), 4)
        result.setdefault("recall_errors", {})[kind] = round(error_hits / n, 4)
        result["baseline_recall"][kind] = round(base_hits / n, 4)
        result["applicable_pairs"][kind] = applicable
        result.setdefault("planted", {})[kind] = len(planted)
    result["seconds"] = round(time.perf_counter() - started, 2)
    n = len(pairs)
    result["false_rate"] = round(sum(any(f.kind in PLANTED for f in fs) for fs in base) / n, 4)
    result["false_rate_all"] = round(sum(any(f.kind in PLANTED for f in fs) for fs in base_all)
                                     / n, 4)
    result["false_rate_by_kind_all"] = {
        k: round(sum(any(f.kind == k for f in fs) for fs in base_all) / n, 4) for k in kinds}
    result["false_rate_errors"] = round(
        sum(any(f.kind in PLANTED and f.severity == "error" for f in fs) for fs in base) / n, 4)
    result["false_rate_by_kind"] = {k: round(sum(any(f.kind == k for f in fs) for fs in base) / n, 4)
                                    for k in kinds}
    result["baseline_false_rate"] = round(sum(base_flag) / n, 4)
    result["examples"] = [(pairs[i][0], pairs[i][1], [f"{f.severity}: {f.explanation}" for f in fs])
                          for i, fs in enumerate(base_all if show_all else base)
                          if any(f.kind in PLANTED for f in fs)]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "test"], default="test")
    ap.add_argument("--mt", action="store_true", help="also give the checks the Google MT")
    ap.add_argument("--show", type=int, default=0, help="print this many falsely flagged pairs")
    ap.add_argument("--show-all", action="store_true",
                    help="with --show: pairs flagged by any tier, notes included")
    ap.add_argument("--links", choices=["1-1", "all"], default="1-1",
                    help="all: also the gold links of several sentences (joined), a larger set")
    ap.add_argument("--seeds", type=int, default=1,
                    help="plant this many sets per kind (seeds 13, 14, ...), pooled")
    ap.add_argument("--plant-into", choices=["fr", "de"], default="fr",
                    help="de: plant dropped negations into the German side (negation only)")
    args = ap.parse_args(argv)
    r = run(args.split, args.mt, args.links, args.seeds, args.plant_into, args.show_all)
    for de, fr, why in r.pop("examples")[:args.show]:
        print(f"- {de}\n  {fr}\n  {why}")
    print(f"Text+Berg de-fr {r['split']}: {r['pairs']} {r['links']} gold pairs, MT {r['mt']}, "
          f"{PER_KIND * r['seeds']} planted errors per kind into the {r['planted_into']} side, "
          f"{r['seconds']} s")
    print(f"{'kind':10} {'applies':>7} {'recall':>7} {'as error':>8} {'all tiers':>9} "
          f"{'source has none':>15} {'recall where it has':>19} {'pofilter numbers':>17} "
          f"{'ratio':>6}")
    for kind in r["recall"]:
        rec, base = r["recall"][kind], r["baseline_recall"][kind]
        ratio = f"{rec / base:.2f}" if base else "-"
        print(f"{kind:10} {r['applicable_pairs'][kind]:>7} {rec:>7.3f} "
              f"{r['recall_errors'][kind]:>8.3f} {r['recall_all'][kind]:>9.3f} "
              f"{r['planted_one_sided'][kind]:>15} {r['recall_source_has_it'][kind]:>19.3f} "
              f"{base:>17.3f} {ratio:>6}")
    print(f"false findings on untouched pairs, default tier: {r['false_rate']:.4f} (errors only "
          f"{r['false_rate_errors']:.4f}); all tiers, notes included: {r['false_rate_all']:.4f}; "
          f"pofilter numbers flags {r['baseline_false_rate']:.4f}")
    print("by kind, default tier: " + ", ".join(f"{k} {v:.4f}"
                                                for k, v in r["false_rate_by_kind"].items()))
    print("by kind, all tiers:    " + ", ".join(f"{k} {v:.4f}"
                                                for k, v in r["false_rate_by_kind_all"].items()))
    print(json.dumps({"recall_min": min(r["recall"].values()), "false_rate": r["false_rate"],
                      "recall": r["recall"], "recall_errors": r["recall_errors"],
                      "false_rate_errors": r["false_rate_errors"],
                      "recall_min_all": min(r["recall_all"].values()),
                      "false_rate_all": r["false_rate_all"], "recall_all": r["recall_all"],
                      "false_rate_by_kind_all": r["false_rate_by_kind_all"],
                      "planted_one_sided": r["planted_one_sided"],
                      "recall_source_has_it": r["recall_source_has_it"],
                      "false_rate_by_kind": r["false_rate_by_kind"],
                      "baseline_recall": r["baseline_recall"],
                      "baseline_false_rate": r["baseline_false_rate"], "split": r["split"],
                      "mt": r["mt"], "pairs": r["pairs"], "links": r["links"],
                      "seeds": r["seeds"], "planted_into": r["planted_into"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
