"""Tried and not kept (see the README, Names): after the CRF, every unmarked occurrence of a name
the other reports mark (at least min_count times, in min_reports reports, min_len characters,
marked in at least min_ratio of its occurrences there) gets its commonest type. Needs the six
development folds' models of bench_names.py --variants shipped+segmenter-names."""
import sys, re, collections
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from kg.names.corpus import read_corpus
from kg.names.crf import Tagger
from kg.names.evaluate import score, merge_scores
OWN = {"Project", "Program", "Organization", "Facility", "Zone", "Region", "Village", "Community", "Road", "Waterway", "Document"}
corpus = read_corpus(ROOT / "data" / "annotations")
DEV = ["2026_beijing", "2026_guangxi", "2026_hubei", "2026_jilin", "2026_shandong", "2026_xinjiang"]
FOLD = ROOT / "build" / "names_folds" / "variants" / "shipped+segmenter_names"  # bench_names.py --variants shipped+segmenter-names
preds = {}
for h in DEV:
    crf = Tagger(FOLD / f"{h}.crfsuite")
    preds[h] = {u.id: crf.tag(u.text) for u in corpus[h]}
def memory(held, min_count, min_len, min_ratio, min_reports):
    marked = collections.Counter(); types = collections.defaultdict(collections.Counter); reps = collections.defaultdict(set)
    texts = []
    for n in sorted(corpus):
        if n == held: continue
        for u in corpus[n]:
            texts.append(u.text)
            for s, e, t in u.spans:
                if t in OWN and e - s >= min_len:
                    name = u.text[s:e]; marked[name] += 1; types[name][t] += 1; reps[name].add(n)
    cands = {w for w, c in marked.items() if c >= min_count and len(reps[w]) >= min_reports}
    big = "\n".join(texts)
    out = {}
    for w in cands:
        occ = big.count(w)
        if occ and marked[w] / occ >= min_ratio:
            out[w] = types[w].most_common(1)[0][0]
    return out
def apply(text, spans, mem, pat):
    out = list(spans)
    if not pat: return out
    for m in pat.finditer(text):
        s, e = m.span()
        if any(ps < e and s < pe for ps, pe, _ in out): continue
        out.append((s, e, mem[m.group(0)]))
    return out
base = merge_scores([score(corpus[h], preds[h]) for h in DEV])
print("base", f"{base['all'].precision:.3f}/{base['all'].recall:.3f} F1 {base['all'].f1:.3f}")
for mc, ml, mr, nr in [(2,2,0.5,2),(2,3,0.5,2),(3,3,0.5,2),(2,3,0.8,2),(2,4,0.5,2),(3,2,0.8,3),(2,3,0.3,2),(5,3,0.5,3)]:
    parts = []
    for h in DEV:
        mem = memory(h, mc, ml, mr, nr)
        pat = re.compile("|".join(map(re.escape, sorted(mem, key=len, reverse=True)))) if mem else None
        out = {u.id: apply(u.text, preds[h][u.id], mem, pat) for u in corpus[h]}
        parts.append(score(corpus[h], out))
    sc = merge_scores(parts)
    print((mc, ml, mr, nr), " ".join(f"{t} {sc[t].precision:.2f}/{sc[t].recall:.2f}" for t in ["Project","Program","Organization","Road","Waterway","places","all"]), f"F1 {sc['all'].f1:.3f}")
