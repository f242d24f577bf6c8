"""Facts against the gold of tests/gold/facts/ (the seed and five corpus reports, written by
reading them): indicators (found, exact) and actions (found, exact) per report, per kind and
per state; results to build/bench_facts.json.

    python tests/bench/bench_facts.py [--rules]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kg.build import analyse  # noqa: E402
from kg.facts.evaluate import (annotation_sentences, pr, read_gold, sample_sentences,  # noqa: E402
                               score_actions, score_indicators)
from kg.ingest import read_report  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "facts"
SHARED = ROOT.parent / "shared"
REPORTS = {"2022h1_zhoupu": ROOT / "data" / "reports" / "2022h1_zhoupu.txt"}
for name in ("2026_beijing", "2026_heilongjiang", "2026_jiangxi", "2026_guangxi", "2026_shanghai"):
    REPORTS[name] = SHARED / "corpus" / f"{name}.txt"


def run(tagger: bool = True) -> dict:
    out: dict = {"reports": {}}
    ind_all, act_all = Counter(), Counter()
    for name, path in REPORTS.items():
        if not path.is_file():
            continue
        report = read_report(path)
        facts = analyse(report, tagger=tagger).facts
        ind = score_indicators(report, facts, read_gold(GOLD / f"{name}.indicators.tsv"))
        sample = GOLD / f"{name}.sample.tsv"
        sents = sample_sentences(sample) if sample.is_file() else \
            annotation_sentences(ROOT / "data" / "annotations" / f"{name}.jsonl")
        act = score_actions(report, facts, read_gold(GOLD / f"{name}.actions.tsv"), sents)
        out["reports"][name] = {"indicators": dict(ind), "actions": dict(act)}
        ind_all.update(ind)
        act_all.update(act)
    out["indicators"], out["actions"] = dict(ind_all), dict(act_all)
    out["commitments"] = dict(seed_commitments(tagger))
    return out


def seed_commitments(tagger: bool = True) -> Counter:
    """The seed's commitments (the library query on its build) against its gold."""
    import csv
    import io
    import tempfile

    from kg.build import build_dataset
    from kg.facts.evaluate import score_commitments
    from kg.query import run_query
    from kg.serialize import to_trig
    ds = build_dataset([read_report(REPORTS["2022h1_zhoupu"])], with_ontology=False, tagger=tagger)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kg.trig"
        path.write_text(to_trig(ds), encoding="utf-8")
        text = run_query("commitments", path, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    return score_commitments(rows, read_gold(GOLD / "2022h1_zhoupu.commitments.tsv"))


def table(res: dict) -> str:
    rows = ["| report | indicators found P/R | exact P/R | actions found P/R | exact P/R |",
            "|---|---|---|---|---|"]
    items = list(res["reports"].items()) + [("all", {"indicators": res["indicators"],
                                                     "actions": res["actions"]})]
    for name, r in items:
        i, a = Counter(r["indicators"]), Counter(r["actions"])
        cells = [pr(i, "found"), pr(i), pr(a, "found"), pr(a)]
        rows.append(f"| {name} | " + " | ".join(f"{p:.2f} / {q:.2f}" for p, q in cells) + " |")
    i, a = Counter(res["indicators"]), Counter(res["actions"])
    rows.append("")
    rows.append("| indicator kind | gold | P | R |  | action state | gold | P | R |")
    rows.append("|---|---|---|---|---|---|---|---|---|")
    for k, s in zip(("actual", "change", "target", "baseline"),
                    ("completed", "started", "in_progress", "planned")):
        pk, rk = pr(i, "exact", k)
        ps, rs = pr(a, "exact", s)
        rows.append(f"| {k} | {i['gold:' + k]} | {pk:.2f} | {rk:.2f} |  | {s} | "
                    f"{a['gold:' + s]} | {ps:.2f} | {rs:.2f} |")
    c = Counter(res.get("commitments", {}))
    if c:
        rows.append("")
        rows.append(f"Seed commitments: {c['linked']} of {c['gold:answered']} answered promises "
                    f"linked to their answer (precision {c['linked']}/{c['pred']}), answer agrees "
                    f"on {c['agree']}; not_reported agrees on {c['agree:not_reported']} of "
                    f"{c['gold:not_reported']}.")
    return "\n".join(rows)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", action="store_true", help="names from the rules alone")
    args = ap.parse_args()
    res = run(tagger=not args.rules)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "bench_facts.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(table(res))
