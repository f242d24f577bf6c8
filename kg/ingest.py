"""Read a report file into a :class:`~kg.records.Report`: metadata, sections, paragraphs, sentences.

Offsets are character offsets into the decoded text (BOM removed, line endings
normalized to ``\\n``), counted from the start of the file, header lines included.

>>> r = parse_text("上半年工作回顾\\n一、抓好防疫\\n完成采样。推进接种。\\n", name="t")
>>> [(s.level, s.title, s.modality) for s in r.sections]
[(0, '上半年工作回顾', 'review'), (1, '抓好防疫', 'review')]
>>> [r.text[s.start:s.end] for s in r.sentences][-2:]
['完成采样。', '推进接种。']
"""
from __future__ import annotations

import codecs
import functools
import logging
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Paragraph, Report, Section, Sentence
from kg.resources import load_toml

log = logging.getLogger("kg")

ENCODINGS = ("utf-8", "gb18030")
_HEADER = re.compile(r"^#\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACE = " \t\u3000\u00a0\u2002\u2003\ufeff"


@functools.cache
def _rules() -> dict:
    return load_toml("rules/ingest.toml")


# -- decoding -------------------------------------------------------------------------

def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode report bytes: UTF-8 (with or without BOM), else GB18030, or ``encoding``.

    Refuses empty, binary and undecodable input with a one-line :class:`InputError`.
    """
    if not data.strip():
        raise InputError(f"{name}: empty file")
    nul = data.find(b"\x00")
    if nul >= 0 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: binary file (NUL byte at byte offset {nul})")
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"{name}: unknown encoding {encoding!r}") from None
        if not getattr(info, "_is_text_encoding", True):
            raise InputError(f"{name}: {encoding!r} is not a text encoding")
        tries: tuple[str, ...] = (encoding,)
    elif data.startswith(codecs.BOM_UTF8):
        tries = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        tries = ("utf-16",)
    else:
        tries = ENCODINGS
    best_error: UnicodeError | None = None
    for enc in tries:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            if best_error is None or getattr(best_error, "start", -1) < exc.start:
                best_error = exc
            continue
        except (UnicodeError, ValueError, LookupError) as exc:  # codecs that fail otherwise
            best_error = best_error or UnicodeError(str(exc))
            continue
        if _SURROGATE.search(text):
            raise InputError(f"{name}: decoding as {enc} gives invalid characters (lone surrogates); "
                             "wrong --encoding?")
        bad = _CONTROL.search(text)
        if bad:
            try:
                offset = len(text[: bad.start()].encode(enc))
            except (UnicodeError, LookupError):
                offset = bad.start()
            raise InputError(f"{name}: binary file (control character at byte offset {offset})")
        if enc == "gb18030" and not encoding:
            _check_plausible(text, name)
        return text.removeprefix("\ufeff")
    at = getattr(best_error, "start", None)
    where = f"invalid byte at byte offset {at}" if at is not None else str(best_error)
    raise InputError(f"{name}: cannot decode as {' or '.join(tries)} ({where}); try --encoding")


_SURROGATE = re.compile("[\ud800-\udfff]")
_CJK = re.compile("[\u4e00-\u9fff]")


@functools.cache
def _common_han() -> frozenset[str]:
    from kg.resources import load_tsv
    return frozenset(r["char"] for r in load_tsv("lexicons/common_han.tsv"))


def _check_plausible(text: str, name: str) -> None:
    """Refuse text that decodes as GB18030 but is not Chinese in it: Big5, Shift-JIS or
    EUC-KR bytes read as GB18030 give characters in no real proportion. Report text has
    most of its Han characters among the 800 most frequent (``common_han.tsv``)."""
    han = _CJK.findall(text)
    if len(han) < 20:
        return
    common = _common_han()
    share = sum(ch in common for ch in han) / len(han)
    if share < _rules()["decode"]["min_common_han"]:
        raise InputError(f"{name}: decoded as GB18030 this is not plausible Chinese text (only "
                         f"{share:.0%} common characters); another encoding such as big5, "
                         "shift_jis or euc_kr? Name it with --encoding")


def read_report(path: str | Path, encoding: str | None = None) -> Report:
    """Read and parse one report file (and its ``<stem>.meta.toml`` sidecar, if any)."""
    p = Path(path)
    return report_of_bytes(p, read_bounded(p, shown_path(path)), encoding)


def shown_path(path: str | Path) -> str:
    """A file name as messages show it (undecodable bytes escaped)."""
    shown = os.fsdecode(path) if not isinstance(path, str) else path
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def report_of_bytes(p: Path, data: bytes, encoding: str | None = None) -> Report:
    """The report of file ``p`` whose bytes (read by :func:`read_bounded`) are ``data``."""
    shown = shown_path(p)
    return parse_text(decode(data, shown, encoding), name=p.stem, path=shown, meta=read_sidecar(p))


def limit(what: str) -> int:
    """A size limit of one report (``bytes``, ``units``, ``mentions``): ``$KG_MAX_<WHAT>``,
    else ``[limits] max_<what>`` of ``data/rules/ingest.toml``."""
    var = f"KG_MAX_{what.upper()}"
    raw = os.environ.get(var) or str(_rules()["limits"][f"max_{what}"])
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise InputError(f"{var}={raw!r}: not a whole number") from None
    if value <= 0:
        raise InputError(f"{var}={raw!r}: must be positive")
    return value


def max_bytes() -> int:
    """The input size limit in bytes (:func:`limit`)."""
    return limit("bytes")


def check_limit(what: str, count: int, shown: str, noun: str) -> None:
    """Refuse a report with more ``noun`` than :func:`limit` allows, in one line."""
    most = limit(what)
    if count > most:
        raise InputError(f"{shown}: {count:,} {noun}, over the limit of {most:,} that no report "
                         f"reaches (set KG_MAX_{what.upper()} to raise it)")


def read_bounded(p: Path, shown: str) -> bytes:
    """A report file's bytes: regular files only (no FIFO, device or directory), at most
    :func:`max_bytes`, read in chunks so that nothing larger is ever held."""
    import stat
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{shown}: is a directory, not a report file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{shown}: not a regular file (a pipe or device is not read)")
    check_limit("bytes", st.st_size, shown, "bytes")
    most = max_bytes()
    chunks, size = [], 0
    try:
        with open(p, "rb") as fh:
            while chunk := fh.read(1 << 20):
                size += len(chunk)
                if size > most:  # it grew while read
                    check_limit("bytes", size, shown, "bytes")
                chunks.append(chunk)
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror})") from None
    return b"".join(chunks)


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from ``<stem>.meta.toml`` beside the report (keys as in header lines)."""
    side = path.with_name(path.stem + ".meta.toml")
    if not side.exists():
        return {}
    try:
        raw = tomllib.loads(read_bounded(side, str(side)).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{side}: bad metadata file ({' '.join(str(exc).split())})") from None
    return {str(k): str(v) for k, v in raw.items()}


# -- parsing --------------------------------------------------------------------------

def parse_text(text: str, name: str = "report", path: str = "",
               meta: dict[str, Any] | None = None) -> Report:
    """Parse decoded report text (line endings are normalized first)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path or name}: empty file")
    lines = _lines(text)
    info: dict[str, Any] = {}
    body_start, header = _header_lines(text, lines)
    info.update(header)
    body = [ln for ln in lines if ln[0] >= body_start]
    front_end = _front_matter(text, body, info)
    for k, v in (meta or {}).items():
        info[k] = v  # sidecar wins over what the text says
    _derive(info)
    sections, paragraphs = _sections(text, body, front_end, _year(info))
    sentences = _sentences(text, paragraphs, sections)
    check_limit("units", len(sentences) + len(sections), path or name, "sentences and headings")
    return Report(name=name, path=path, text=text, meta=info, body_start=body_start,
                  sections=tuple(sections), paragraphs=tuple(paragraphs),
                  sentences=tuple(sentences))


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line with surrounding blanks trimmed; blank lines dropped."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and text[s] in _SPACE:
            s += 1
        while e > s and text[e - 1] in _SPACE:
            e -= 1
        if e > s:
            out.append((s, e))
        pos += len(raw) + 1
    return out


def _header_lines(text: str, lines: list[tuple[int, int]]) -> tuple[int, dict[str, str]]:
    """Leading ``# key: value`` lines; returns the body start offset and the metadata."""
    aliases: dict[str, str] = _rules()["header"]["aliases"]
    info: dict[str, str] = {}
    body_start = 0
    for s, e in lines:
        m = _HEADER.match(text[s:e])
        if not m:
            break
        key = aliases.get(m.group(1).lower(), m.group(1).lower())
        info.setdefault(key, m.group(2))
        nl = text.find("\n", e)
        body_start = len(text) if nl < 0 else nl + 1
    return body_start, info


def _front_matter(text: str, body: list[tuple[int, int]], info: dict[str, Any]) -> int:
    """Read title, key-value pairs, meeting and speaker; return where the front ends."""
    rules = _rules()["front"]
    keys: dict[str, str] = rules["keys"]
    key_re = re.compile("(" + "|".join(map(re.escape, sorted(keys, key=len, reverse=True)))
                        + r")\s*[:：]?\s*")
    meet_start = re.compile(rules["meeting_start"])
    meet_end = re.compile(rules["meeting_end"])
    salute = re.compile(rules["salutation"])
    speaker_re = re.compile(rules["speaker_name"])
    heading_res = [re.compile(h["pattern"]) for h in _rules()["headings"]["levels"]]
    parts = [re.compile(p) for p in _rules()["headings"]["part_patterns"]]
    end = body[0][0] if body else 0
    meeting: list[str] = []
    in_meeting = False
    for i, (s, e) in enumerate(body):
        line = text[s:e]
        if salute.match(line) or any(h.match(line) for h in heading_res) or (
                len(line) <= 24 and any(p.search(line) for p in parts)) or i > 15:
            end = s
            break
        end = e
        if i == 0 and "title" not in info:
            info["title"] = line
            continue
        if in_meeting or meet_start.search(line):
            meeting.append(line.lstrip("—―- "))
            in_meeting = not meet_end.search(line)
            continue
        found = list(key_re.finditer(line))
        if found and found[0].start() == 0:
            for j, m in enumerate(found):
                stop = found[j + 1].start() if j + 1 < len(found) else len(line)
                value = line[m.end():stop].strip()
                if value:
                    info.setdefault(keys[m.group(1)], value)
            continue
        sm = speaker_re.match(line)
        if sm and meeting and "speaker" not in info:
            info["speaker"] = sm.group("name").replace(" ", "").replace("\u3000", "")
            if sm.group("role"):
                info["speaker_role"] = sm.group("role")
            continue
    if meeting:
        info.setdefault("meeting", "".join(meeting))
    return end


def _derive(info: dict[str, Any]) -> None:
    """Fill place, year, period and date from the title and the other fields."""
    rules = _rules()["front"]
    title = str(info.get("title", ""))
    # "2026年北京市政府工作报告 (北京市, published 2026-02-02)" in corpus headers
    m = re.search(r"\((?P<place>[^,()]+),\s*published\s+(?P<date>\d{4}-\d\d-\d\d)\)\s*$", title)
    if m:
        info.setdefault("place", m.group("place").strip())
        info.setdefault("date", m.group("date"))
        info["title"] = title[: m.start()].strip()
        title = info["title"]
    stripped = re.sub(r"^(?:19|20)\d\d年", "", title)
    pm = re.search(rules["place"], stripped)
    if pm and "place" not in info:
        info["place"] = pm.group("place")
    ym = re.search(rules["period"], title)
    if ym:
        info.setdefault("year", ym.group("year"))
        if ym.group("half"):
            info.setdefault("period", ym.group("half"))
    date = str(info.get("date", ""))
    dm = re.search(r"(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})", date)
    if dm:
        import datetime
        try:
            day = datetime.date(int(dm.group(1)), int(dm.group(2)), int(dm.group(3)))
            info["date"] = day.isoformat()
        except ValueError:
            log.warning("%s: date %r is not a real day; the report gets no date", info.get("title") or "report", date)
            del info["date"]
    elif "date" in info:
        del info["date"]
    if "year" in info and not re.fullmatch(r"(?:19|20)\d\d", str(info["year"])):
        log.warning("year %r is not a year like 2022; the report gets no year", info["year"])
        del info["year"]
    if "publisher" not in info and "place" in info:
        info["publisher"] = f"{info['place']}人民政府"


# -- sections -------------------------------------------------------------------------

def _year(info: dict[str, Any]) -> int | None:
    try:
        return int(str(info.get("year", "")))
    except ValueError:
        return None


def year_modality(title: str, year: int | None) -> str | None:
    """For a heading whose words name no modality: one that starts with a calendar year,
    in a report of a known year, reviews an earlier year and plans the report's own
    year or a later one (2026年主要工作 in a 2026 report); the same for a five-year plan
    named first. None where it names neither.

    >>> year_modality("2026年主要工作", 2026), year_modality("2025年工作回顾", 2026), year_modality("主要工作", 2026)
    ('plan', 'review', None)
    >>> year_modality("“十四五”时期发展成就", 2026), year_modality("“十五五”时期经济社会发展", 2026)
    ('review', 'plan')
    """
    if year is None:
        return None
    m = re.match(r"\s*(?:(?:19|20)\d\d年?[—–-]+)?((?:19|20)\d\d)年", title)
    if m:
        return "review" if int(m.group(1)) < year else "plan"
    # a five-year plan named first: “十四五” is 2021-2025, “十五五” 2026-2030
    m = re.match(r"\s*[“\"]?十([一二三四五六七八九])五", title)
    if m:
        n = 10 + "一二三四五六七八九".index(m.group(1)) + 1
        last = 2006 + 5 * (n - 11) + 4
        return "review" if last < year else "plan"
    return None


def heading_modality(title: str, default: str | None = None) -> str | None:
    """The modality a heading's words announce, or ``default``.

    >>> heading_modality("下半年工作要点"), heading_modality("名词解释"), heading_modality("加强法治")
    ('plan', 'glossary', None)
    """
    cues = _rules()["modality"]
    best: tuple[int, int, str] | None = None
    for modality in ("glossary", "review", "plan"):
        for cue in cues[modality]:
            pos = title.find(cue)
            if pos >= 0:
                cand = (pos, -len(cue), modality)
                if best is None or cand < best:
                    best = cand
    return best[2] if best else default


def _heading(text: str, s: int, e: int, in_glossary: bool):
    """Classify a line: (level, number, title_start, title_end, body_start) or None."""
    rules = _rules()["headings"]
    line = text[s:e]
    numbered = any(re.match(lv["pattern"], line) for lv in rules["levels"])
    if not numbered and len(line) <= rules["part_max_chars"] and not re.search(
            r"[。！？；:：，,]", line):
        if any(re.search(p, line) for p in rules["part_patterns"]):
            return 0, "", s, e, e
    for lv in rules["levels"]:
        m = re.match(lv["pattern"], line)
        if not m:
            continue
        if in_glossary and lv["level"] >= 3:
            return None  # numbered glossary entries are paragraphs
        ts = s + m.end()
        rest = text[ts:e]
        stop = re.search(r"[。！？；!?;]", rest)
        if stop:
            # inline heading: "（一）着力……。正文……" -> title up to the first sentence end
            te = ts + stop.start()
            body = ts + stop.end()
            if te - ts > rules["max_title_chars"]:
                return None
            return lv["level"], m.group(0), ts, te, body
        if e - ts > rules["max_title_chars"]:
            return None
        return lv["level"], m.group(0), ts, e, e
    return None


def _sections(text: str, body: list[tuple[int, int]], front_end: int, year: int | None = None):
    sections: list[dict[str, Any]] = []
    paragraphs: list[tuple[int, int, int | None]] = []  # start, end, section index
    stack: list[int] = []      # indices into sections
    counters: dict[str | None, int] = {}
    last_top_modality: str | None = None
    end_of_text = body[-1][1] if body else 0
    for s, e in body:
        if s < front_end:
            paragraphs.append((s, e, None))
            continue
        in_glossary = bool(stack) and sections[stack[0]]["modality"] == "glossary" and any(
            sections[i]["modality"] == "glossary" for i in stack)
        h = _heading(text, s, e, in_glossary)
        if h is None:
            if e > s:
                paragraphs.append((s, e, stack[-1] if stack else None))
            continue
        level, number, ts, te, body_start = h
        while stack and sections[stack[-1]]["level"] >= level:
            closed = stack.pop()
            sections[closed]["end"] = _prev_end(text, s)
        parent = stack[-1] if stack else None
        parent_path = sections[parent]["path"] if parent is not None else None
        counters[parent_path] = counters.get(parent_path, 0) + 1
        path = (f"{parent_path}." if parent_path else "") + str(counters[parent_path])
        title = text[ts:te]
        modality = heading_modality(title) or year_modality(title, year)
        if modality is None:
            if parent is not None:
                modality = sections[parent]["modality"]
            else:
                modality = last_top_modality or "other"
        if parent is None:
            last_top_modality = modality
        sections.append(dict(path=path, level=level, number=number.strip(), title=title,
                             start=s, end=end_of_text, title_start=ts, title_end=te,
                             modality=modality, parent=parent_path))
        stack.append(len(sections) - 1)
        if body_start < e:
            bs = body_start
            while bs < e and text[bs] in _SPACE:
                bs += 1
            if bs < e:
                paragraphs.append((bs, e, len(sections) - 1))
    out_sections = [Section(**d) for d in sections]
    out_paragraphs = [Paragraph(s, e, sections[i]["path"] if i is not None else None)
                      for s, e, i in paragraphs]
    return out_sections, out_paragraphs


def _prev_end(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in _SPACE + "\n":
        pos -= 1
    return pos


# -- sentences ------------------------------------------------------------------------

def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans within ``text[start:end]``.

    Cuts after 。！？； (keeping closing quotes), and cuts run-on stretches at a comma.

    >>> t = "完成采样。推进“接种”；开展检查"
    >>> [t[a:b] for a, b in split_sentences(t, 0, len(t))]
    ['完成采样。', '推进“接种”；', '开展检查']
    """
    rules = _rules()["sentences"]
    enders, closers = rules["enders"], rules["closers"]
    limit, commas = rules["max_chars"], rules["commas"]
    spans: list[tuple[int, int]] = []
    s = start
    i = start
    while i < end:
        ch = text[i]
        if ch in enders:
            j = i + 1
            while j < end and text[j] in closers:
                j += 1
            spans.append((s, j))
            s = i = j
            continue
        i += 1
    if s < end:
        spans.append((s, end))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > limit:
            cut = max((k for k in range(a + 20, a + limit) if text[k] in commas), default=-1)
            if cut < 0:
                break
            out.append((a, cut + 1))
            a = cut + 1
        out.append((a, b))
    return [(a, b) for a, b in (_trim(text, a, b) for a, b in out) if b > a]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _SPACE:
        a += 1
    while b > a and text[b - 1] in _SPACE:
        b -= 1
    return a, b


def _sentences(text: str, paragraphs: list[Paragraph], sections: list[Section]):
    by_path = {s.path: s for s in sections}
    out = []
    for idx, p in enumerate(paragraphs):
        sec = by_path.get(p.section) if p.section else None
        modality = sec.modality if sec else "other"
        for a, b in split_sentences(text, p.start, p.end):
            out.append(Sentence(a, b, idx, p.section, modality))
    return out
