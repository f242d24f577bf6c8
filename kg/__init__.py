"""kg: a knowledge graph of policies, projects and places from government work reports.

The public surface is small; everything else is internal. Names load on first use, so
``import kg`` stays cheap. (``kg.pipeline.build`` writes the outputs of ``kg build``.)

>>> import kg
>>> r = kg.parse_text("上半年工作回顾\\n完成周园路大中修。\\n", name="t")
>>> [e.label for e in kg.analyse(r).entities if e.cls == "Road"]
['周园路']
"""
from __future__ import annotations

import importlib

_PUBLIC = {
    "read_report": "kg.ingest",
    "parse_text": "kg.ingest",
    "analyse": "kg.build",
    "build_dataset": "kg.build",
    "load_store": "kg.store",
    "run_query": "kg.query",
    "validate_file": "kg.validate",
    "KgError": "kg.errors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
