"""Tried and not kept (see the README, Names): after the CRF, a span classifier (a maximum-entropy
model: crfsuite on one-item sequences) trained on the gold spans of the other reports gives each
tagged span its likeliest type where it beats the CRF's by more than a margin (argv 1:
margins; argv 2: L2 weight). Needs the six development folds' models of bench_names.py
--variants shipped+segmenter-names."""
import sys, re, collections, tempfile, os
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import pycrfsuite
from kg.names.corpus import read_corpus
from kg.names.crf import Tagger
from kg.names.evaluate import score, merge_scores, errors
from kg.names import features as F
OWN = {"Project", "Program", "Organization", "Facility", "Zone", "Region", "Village", "Community", "Road", "Waterway", "Document"}
corpus = read_corpus(ROOT / "data" / "annotations")
DEV = ["2026_beijing", "2026_guangxi", "2026_hubei", "2026_jilin", "2026_shandong", "2026_xinjiang"]
FOLD = ROOT / "build" / "names_folds" / "variants" / "shipped+segmenter_names"  # bench_names.py --variants shipped+segmenter-names
tok, tags = F._jieba()
gaz = F._gazetteer()
def words(text):
    return list(tok.cut(text, HMM=True))
def span_feats(text, s, e):
    name = text[s:e]
    f = ["b", f"l1={name[-1:]}", f"l2={name[-2:]}", f"l3={name[-3:]}", f"f1={name[:1]}", f"f2={name[:2]}",
         f"len={min(len(name), 12)}", f"p1={text[s-1:s] or '^'}", f"p2={text[max(0,s-2):s] or '^'}",
         f"n1={text[e:e+1] or '$'}", f"n2={text[e:e+2] or '$'}"]
    if re.search(r"\d", name): f.append("digit")
    if re.search(r"[A-Za-z]", name): f.append("latin")
    if "《" in name or "“" in name: f.append("quote")
    ws = words(name)
    f.append(f"lw={ws[-1]}"); f.append(f"fw={ws[0]}"); f.append(f"lwpos={tags.get(ws[-1],'x')}"); f.append(f"fwpos={tags.get(ws[0],'x')}")
    f.append(f"nw={len(ws)}")
    for w in ws: f.append(f"w={w}"); f.append(f"pos={tags.get(w,'x')}")
    # gazetteer prefix / whole
    for k in range(min(len(name), 16), 1, -1):
        kind = gaz.get(k, {}).get(name[:k])
        if kind: f.append(f"gpre={kind}"); break
    kind = gaz.get(len(name), {}).get(name)
    if kind: f.append(f"gall={kind}")
    return f
def train(held, c2=1.0):
    tr = pycrfsuite.Trainer(verbose=False)
    for n in sorted(corpus):
        if n == held: continue
        for u in corpus[n]:
            for s, e, t in u.spans:
                if t in OWN:
                    tr.append([span_feats(u.text, s, e)], [t])
    tr.set_params({"c1": 0.0, "c2": c2, "max_iterations": 200})
    path = str(ROOT / "build" / f"retype_{held}.crfsuite")
    tr.train(path)
    t = pycrfsuite.Tagger(); t.open(path); return t
margins = [float(x) for x in sys.argv[1].split(",")] if len(sys.argv) > 1 else [0.0, 0.2, 0.4, 0.6, 9]
c2 = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
res = {m: [] for m in margins}; errs = {m: [] for m in margins}
for h in DEV:
    crf = Tagger(FOLD / f"{h}.crfsuite")
    rt = train(h, c2)
    labels = rt.labels()
    preds = {u.id: crf.tag(u.text) for u in corpus[h]}
    for m in margins:
        out = {}
        for u in corpus[h]:
            spans = []
            for s, e, t in preds[u.id]:
                if t in OWN:
                    rt.set([span_feats(u.text, s, e)])
                    probs = {l: rt.marginal(l, 0) for l in labels}
                    best = max(probs, key=probs.get)
                    if best != t and probs[best] - probs.get(t, 0) > m:
                        t = best
                spans.append((s, e, t))
            out[u.id] = spans
        res[m].append(score(corpus[h], out)); errs[m].append(errors(corpus[h], out))
for m in margins:
    sc = merge_scores(res[m])
    print(f"margin {m}: " + " ".join(f"{t} {sc[t].precision:.2f}/{sc[t].recall:.2f}" for t in ["Project","Program","Organization","Road","Waterway","places","all"] if t in sc) + f" F1 {sc['all'].f1:.3f}")
