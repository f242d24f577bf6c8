"""The package's public surface: exactly the names a user calls, each importable."""
from __future__ import annotations

import subprocess
import sys

import kg


def test_public_names_are_exactly_these():
    assert kg.__all__ == sorted(["read_report", "parse_text", "analyse", "build_dataset",
                                 "load_store", "run_query", "validate_file", "KgError"])
    for name in kg.__all__:
        assert getattr(kg, name) is not None, name


def test_unknown_name_raises():
    try:
        kg.no_such_thing
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_cheap_and_silent():
    r = subprocess.run([sys.executable, "-c", "import sys, kg; print('rdflib' in sys.modules)"],
                       capture_output=True, text=True, check=True)
    assert r.stdout == "False\n" and r.stderr == ""
