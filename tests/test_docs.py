"""The README documents every command and keeps its two-command quick start."""
from __future__ import annotations

import re

from conftest import ROOT
from kg.cli import main


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented():
    readme = _readme()
    for name in main.commands:
        assert f"`kg {name}" in readme, name


def test_quick_start_has_exactly_two_commands():
    readme = _readme()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)
    assert len(blocks) == 2
    assert "kg build" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and "pip install" in blocks[1]


def test_ci_runs_the_readme_test_command():
    readme = _readme()
    quick = readme.split("## Quick start", 1)[1]
    test_cmd = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)[1].strip()
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_dependency_is_explained():
    import tomllib
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = meta["dependencies"] + meta["optional-dependencies"]["test"]
    readme = _readme().lower()
    for dep in deps:
        name = re.split(r"[<>=\[ ]", dep)[0].lower()
        assert f"| {name} " in readme or f"{name}," in readme or f", {name} |" in readme, name
