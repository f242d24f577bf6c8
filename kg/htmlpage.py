"""The shell of the plain pages (the report reader, the fact pages): a title, inline CSS
and a Content-Security-Policy that lets the page fetch nothing.

>>> "default-src 'none'" in page("<t>", "", "") and "&lt;t&gt;" in page("<t>", "", "")
True
"""
from __future__ import annotations

import html

CSP = ('<meta http-equiv="Content-Security-Policy" '
       "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")


def page(title: str, css: str, body: str) -> str:
    """A whole HTML document; ``title`` is escaped here, ``body`` must be escaped already."""
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">{CSP}<title>'
            f"{html.escape(title)}</title><style>{css}</style></head><body>{body}</body></html>")


__all__ = ["page", "CSP"]
