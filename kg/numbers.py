"""Numbers as written in reports -> exact decimals (Arabic, full-width or Chinese numerals).

>>> to_decimal("4177.21"), to_decimal("２.１"), to_decimal("三千"), to_decimal("二〇二六")
(Decimal('4177.21'), Decimal('2.1'), Decimal('3000'), Decimal('2026'))
>>> plain(Decimal("6.9") * Decimal("100000000"))
'690000000'
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import cn2an

CHINESE_DIGITS = "〇零一二两三四五六七八九十百千万亿"


def is_chinese(s: str) -> bool:
    """True if ``s`` is written with Chinese numerals only."""
    return bool(s) and all(ch in CHINESE_DIGITS for ch in s)


# No figure a report states has more digits than this (10^24 of anything); a longer run of
# digits is not a number (and past 4,300 digits Python cannot even print it as an int).
MAX_DIGITS = 24


def to_decimal(s: str) -> Decimal | None:
    """The exact value of a number as written; None when it is not a number (or has more
    than :data:`MAX_DIGITS` digits).

    >>> to_decimal("1" * 25) is None, to_decimal("１２.５")
    (True, Decimal('12.5'))
    """
    s = unicodedata.normalize("NFKC", s).replace(",", "").strip()
    if not s or sum(ch.isdigit() for ch in s) > MAX_DIGITS:
        return None
    if is_chinese(s):
        try:
            v = cn2an.cn2an(s.replace("两", "二"), "smart")
        except (ValueError, KeyError):
            return None
        return Decimal(str(v)).normalize() if "." in str(v) else Decimal(int(v))
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def plain(d: Decimal) -> str:
    """A decimal as a plain string, no exponent, no trailing zeros (exact for xsd:decimal).

    >>> plain(Decimal("1.50")), plain(Decimal("1E+8"))
    ('1.5', '100000000')
    """
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def xsd_decimal(d: Decimal) -> str:
    """The lexical form an xsd:decimal literal is written with: plain, with a point.

    >>> xsd_decimal(Decimal("35")), xsd_decimal(Decimal("0.08570"))
    ('35.0', '0.0857')
    """
    s = plain(d)
    return s if "." in s else s + ".0"


def as_number(d: Decimal) -> int | float:
    """A decimal as the Python number tools expect: ``int`` when whole, else ``float``.

    >>> as_number(Decimal("7284.0")), as_number(Decimal("2.10"))
    (7284, 2.1)
    """
    return int(d) if d == d.to_integral_value() else float(d)


def shown(value) -> str:
    """A number as people read it: whole numbers without a fraction (7284, not 7284.0),
    others without trailing zeros; text is returned as it is.

    >>> shown(Decimal("7284.0")), shown(7284.0), shown("35.0"), shown("2.10"), shown("0.0857"), shown("3.0版")
    ('7284', '7284', '35', '2.1', '0.0857', '3.0版')
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal | int | float):
        d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value)
        if not _NUMBER.fullmatch(text):
            return text
        d = Decimal(text)
    return plain(d) if d.is_finite() else str(value)


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

__all__ = ["to_decimal", "plain", "xsd_decimal", "is_chinese", "as_number", "shown"]
