"""Character features for the names tagger: the characters around, the word a segmenter
puts each character in and its part of speech, head words and gazetteer hits, quotes.

Each character gets a list of feature strings (python-crfsuite's item format). The
segmenter is jieba (its dictionary ships with the package; part of speech is read from
that dictionary, not from its slower HMM tagger). Words come from data files
(``data/rules/tagger.toml`` names them), never from this module.

>>> feats = char_features("建设沪渝蓉高铁。")
>>> len(feats), "c0=高" in feats[5], any(f.startswith("head=") for f in feats[6])
(8, True, True)
"""
from __future__ import annotations

import functools
import logging
import re

from kg.resources import load_toml, load_tsv

OPEN_QUOTES = {"“": "q", "《": "b", "‘": "q", "「": "q", "（": "p", "(": "p"}
CLOSE_QUOTES = {"”": "q", "》": "b", "’": "q", "」": "q", "）": "p", ")": "p"}


@functools.cache
def config() -> dict:
    return load_toml("rules/tagger.toml")


@functools.cache
def _jieba():
    import jieba
    import jieba.posseg
    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    tags = jieba.posseg.dt.word_tag_tab
    return tok, tags


@functools.cache
def _heads() -> dict[int, dict[str, str]]:
    """Head words by length: {len: {word: type}}."""
    out: dict[int, dict[str, str]] = {}
    for r in load_tsv(config()["features"]["heads"]):
        out.setdefault(len(r["word"]), {})[r["word"]] = r["type"]
    return out


@functools.cache
def _gazetteer() -> dict[int, dict[str, str]]:
    """Gazetteer names by length: {len: {name: kind}}."""
    from kg import gazetteer
    kinds = config()["features"]["gazetteers"]
    out: dict[int, dict[str, str]] = {}

    def add(name: str, kind: str) -> None:
        if len(name) >= 2:
            out.setdefault(len(name), {}).setdefault(name, kind)

    if "regions" in kinds:
        for r in load_tsv("lexicons/gazetteer_regions.tsv"):
            add(r["name"], r["type"])
    if "countries" in kinds:
        for r in load_tsv("lexicons/gazetteer_countries.tsv"):
            add(r["name"], "Country")
            add(r["full"], "Country")
    if "admin" in kinds:
        for w in gazetteer.area_words():
            add(w, "Admin")
        for w in gazetteer.names():
            add(w, "Admin")
    if "segmenter" in kinds:  # the segmenter dictionary's proper nouns (nt, ns, nz: [features])
        feats = config()["features"]
        tags = set(feats.get("segmenter_tags", ()))
        least = int(feats.get("segmenter_min_len", 3))
        for w, tag in _jieba()[1].items():  # one tag a word: the order cannot matter
            if tag in tags and len(w) >= least:
                add(w, tag)
    return out


@functools.cache
def _first_chars(kind: str) -> dict[str, tuple[int, ...]]:
    """For each first character, the lengths of the names that start with it (longest first)."""
    table = _gazetteer() if kind == "gazetteer" else _heads()
    out: dict[str, set[int]] = {}
    for k, words in table.items():
        for w in words:
            out.setdefault(w[0], set()).add(k)
    return {ch: tuple(sorted(ks, reverse=True)) for ch, ks in out.items()}


def _mark_matches(text: str, table: dict[int, dict[str, str]], prefix: str,
                  out: list[list[str]], longest_only: bool = True) -> None:
    """Mark the longest table match starting at each position: B/I/E tags with the kind."""
    firsts = _first_chars("gazetteer")
    n = len(text)
    i = 0
    while i < n:
        hit = None
        for k in firsts.get(text[i], ()):
            if i + k <= n:
                kind = table[k].get(text[i:i + k])
                if kind is not None:
                    hit = (k, kind)
                    break
        if hit is None:
            i += 1
            continue
        k, kind = hit
        out[i].append(f"{prefix}B={kind}")
        for j in range(i + 1, i + k - 1):
            out[j].append(f"{prefix}I={kind}")
        if k > 1:
            out[i + k - 1].append(f"{prefix}E={kind}")
        i += k if longest_only else 1


@functools.cache
def _last_chars() -> dict[str, tuple[int, ...]]:
    """For each last character, the lengths of the head words that end with it."""
    out: dict[str, set[int]] = {}
    for k, words in _heads().items():
        for w in words:
            out.setdefault(w[-1], set()).add(k)
    return {ch: tuple(sorted(ks, reverse=True)) for ch, ks in out.items()}


def _head_ends(text: str, out: list[list[str]]) -> None:
    """Each position where a head word ends gets ``head=<type>`` (longest head)."""
    table = _heads()
    lasts = _last_chars()
    for end in range(1, len(text) + 1):
        for k in lasts.get(text[end - 1], ()):
            if k <= end:
                t = table[k].get(text[end - k:end])
                if t is not None:
                    out[end - 1].append(f"head={t}")
                    out[end - 1].append(f"headlen={min(k, 4)}")
                    if end < len(text):
                        out[end].append(f"afterhead={t}")
                    break


def _kind(ch: str) -> str:
    if ch.isdigit():
        return "D"
    if "a" <= ch.lower() <= "z":
        return "L"
    if ch in OPEN_QUOTES:
        return "O" + OPEN_QUOTES[ch]
    if ch in CLOSE_QUOTES:
        return "C" + CLOSE_QUOTES[ch]
    if "\u4e00" <= ch <= "\u9fff":
        return "H"
    if ch.isspace():
        return "S"
    return "P"


@functools.cache
def positions(k: int) -> str:
    """Each character's position in a word of ``k`` characters: S alone, else B, M…, E.

    >>> positions(1), positions(4)
    ('S', 'BMME')
    """
    return "S" if k == 1 else "B" + "M" * (k - 2) + "E"


# what the segmenter cuts between anyway: not a Han character, letter, digit or +#&._%-
_BLOCK_END = re.compile(r"[^\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]")


def _cut(tok, text: str, most: int):
    """The segmenter's words of ``text``, given at most ``most`` characters at a time: its
    HMM is quadratic in the length of a run it does not know (80,000 路 took 24 s). Pieces
    end after a character where it cuts anyway, so real text segments the same; only a
    run of more than ``most`` word characters is cut blindly."""
    pos = 0
    while pos < len(text):
        stop = min(len(text), pos + most)
        if stop < len(text):
            ends = [m.end() for m in _BLOCK_END.finditer(text, pos + most // 2, stop)]
            stop = ends[-1] if ends else stop
        yield from tok.cut(text[pos:stop], HMM=True)
        pos = stop


def char_features(text: str) -> list[list[str]]:
    """One list of feature strings per character of ``text``."""
    n = len(text)
    w = config()["features"]["window"]
    word_context = config()["features"].get("word_context", False)
    pad = "^" * w + text + "$" * w
    out: list[list[str]] = [[] for _ in range(n)]
    kinds = [_kind(c) for c in text]
    # characters and their n-grams
    for i in range(n):
        j = i + w
        f = out[i]
        f.append("b")
        f.append(f"c0={pad[j]}")
        for d in range(1, w + 1):
            f.append(f"c-{d}={pad[j - d]}")
            f.append(f"c+{d}={pad[j + d]}")
        f.append(f"b-1={pad[j - 1:j + 1]}")
        f.append(f"b+1={pad[j:j + 2]}")
        f.append(f"t0={pad[j - 1:j + 2]}")
        f.append(f"k={kinds[i]}")
        f.append(f"k-1={kinds[i - 1] if i else '^'}")
        f.append(f"k+1={kinds[i + 1] if i + 1 < n else '$'}")
    # the segmenter's words, their position, part of speech and neighbours
    tok, tags = _jieba()
    max_word = config()["features"]["max_word_len"]
    pos = 0
    words = []
    for word in _cut(tok, text, config()["features"]["max_segment"]):
        words.append((pos, word, tags.get(word, "x")))
        pos += len(word)
    for idx, (start, word, tag) in enumerate(words):
        k = len(word)
        prev_tag = words[idx - 1][2] if idx else "^"
        next_tag = words[idx + 1][2] if idx + 1 < len(words) else "$"
        for m, p in enumerate(positions(k)):
            f = out[start + m]
            f.append(f"wp={p}")
            f.append(f"pos={tag}")
            f.append(f"pos_wp={tag}_{p}")
            f.append(f"pos-1={prev_tag}")
            f.append(f"pos+1={next_tag}")
            if 2 <= k <= max_word:  # a longer "word" (a run of digits or letters) would put
                f.append(f"w={word}")  # its whole text on each of its characters: n² work
            if word_context and m in (0, k - 1):   # the words on either side, at its edges
                if m == 0 and idx and len(words[idx - 1][1]) <= max_word:
                    f.append(f"w-1={words[idx - 1][1]}")
                if m == k - 1 and idx + 1 < len(words) and len(words[idx + 1][1]) <= max_word:
                    f.append(f"w+1={words[idx + 1][1]}")
    # quotes: inside “…” or 《…》
    depth = {"q": 0, "b": 0}
    for i, ch in enumerate(text):
        if ch in CLOSE_QUOTES and CLOSE_QUOTES[ch] in depth:
            depth[CLOSE_QUOTES[ch]] = max(0, depth[CLOSE_QUOTES[ch]] - 1)
        for q, d in depth.items():
            if d:
                out[i].append(f"in{q}")
        if ch in OPEN_QUOTES and OPEN_QUOTES[ch] in depth:
            depth[OPEN_QUOTES[ch]] += 1
    _head_ends(text, out)
    _mark_matches(text, _gazetteer(), "gz", out)
    return out


__all__ = ["char_features", "config", "positions"]
