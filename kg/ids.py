"""Identifiers minted from content: the same input always gives the same IRIs.

An entity IRI is ``{base}id/{scope}/{class}/{slug}``: the scope is the report's place
(so the same road in two reports of one town is one node), the slug is a readable
pinyin prefix plus a hash of the normalized key (safe for strict parsers).

>>> entity_iri("Road", "韵涛路", scope="周浦镇", base="https://example.org/")
'https://example.org/id/zhou-pu-zhen/road/yun-tao-lu-2aabb94d03'
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata

from pypinyin import Style, lazy_pinyin

DEFAULT_BASE = "https://w3id.org/gwr-kg/"


def base() -> str:
    """The IRI base: ``$KG_BASE`` or the default; always ends with ``/``."""
    b = os.environ.get("KG_BASE", DEFAULT_BASE)
    return b if b.endswith(("/", "#")) else b + "/"


def normalize(name: str) -> str:
    """Normalize a name for matching: NFKC (full-width -> half-width), unified quotes
    and brackets, no spaces.

    >>> normalize("小沥港路（繁荣路－周祝公路）")
    '小沥港路(繁荣路-周祝公路)'
    """
    s = unicodedata.normalize("NFKC", name)
    s = s.translate(_PUNCT)
    return re.sub(r"\s+", "", s)


_PUNCT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"',
                        "『": '"', "』": '"', "〔": "(", "〕": ")", "【": "[", "】": "]",
                        "—": "-", "–": "-", "―": "-", "~": "-", "〜": "-", "～": "-"})


@functools.lru_cache(maxsize=65536)
def slug(text: str, limit: int = 32) -> str:
    """ASCII slug of a Chinese or mixed name (pinyin syllables joined by ``-``)."""
    parts = lazy_pinyin(normalize(text), style=Style.NORMAL, errors=lambda s: [s])
    out = "-".join(p for p in (re.sub(r"[^a-z0-9]+", "-", x.lower()).strip("-")
                                for x in parts) if p)
    out = re.sub(r"-+", "-", out).strip("-")[:limit].strip("-")
    return out or "x"


def digest(*parts: str, n: int = 10) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:n]


def entity_iri(cls: str, key: str, scope: str, base: str | None = None) -> str:
    """IRI of an entity of class ``cls`` named ``key`` within the place ``scope``."""
    b = base or globals()["base"]()
    return f"{b}id/{slug(scope)}/{kebab(cls)}/{slug(key)}-{digest(cls, key, scope)}"


def report_iri(name: str, base: str | None = None) -> str:
    b = base or globals()["base"]()
    return f"{b}report/{slug(name, 48)}-{digest(name, n=6)}"


def graph_iri(name: str, base: str | None = None) -> str:
    b = base or globals()["base"]()
    return f"{b}graph/{slug(name, 48)}-{digest(name, n=6)}"


def kebab(name: str) -> str:
    """``RoadSegment`` -> ``road-segment``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
