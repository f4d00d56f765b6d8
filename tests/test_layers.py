"""The house plan's import direction: core <- teams <- engagement <- accreditation <- reporting <- hitportal,
with demo/ beside the top (docs/architecture.md).

Every import is read from the source, those inside functions included, and so are `apps.get_model("app", ...)`
and `get_model("app.Model")` strings. A module may import its own layer and the layers below it; nothing
imports `demo` but demo itself. KNOWN would list upward imports still to be taken out (it is empty): the test fails on any new one,
and on any listed one that is gone (so the list only shrinks).
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
ORDER = ["core", "teams", "engagement", "accreditation", "reporting", "hitportal"]
RANK = {name: rank for rank, name in enumerate(ORDER)}
TOP = len(ORDER)  # demo: above everything, imported by nobody
PACKAGES = [*ORDER, "demo"]

# (module, the package it reaches up to): each one still to be removed.
KNOWN: set[tuple[str, str]] = set()


def _targets(node: ast.AST) -> list[str]:
    """The top-level packages `node` imports or names in a get_model call."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module.split(".")[0]]
    named = (
        isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "get_model"
    )
    if named and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return [node.args[0].value.split(".")[0]]
    return []


def upward_imports() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for package in PACKAGES:
        here = TOP if package == "demo" else RANK[package]
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # migrations name other apps' migrations, which Django orders for them
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                for target in _targets(node):
                    if (target == "demo" and package != "demo") or (target in RANK and RANK[target] > here):
                        found.add((path.relative_to(ROOT).as_posix(), target))
    return found


def test_no_new_upward_import():
    assert upward_imports() - KNOWN == set()


def test_known_upward_imports_that_are_gone_leave_the_list():
    assert KNOWN - upward_imports() == set()


def test_the_walk_sees_imports_inside_functions():
    source = "def f():\n    from reporting.models import ProgressReport\n    return apps.get_model('hitportal', 'X')\n"
    tree = ast.parse(source)

    found = [target for node in ast.walk(tree) for target in _targets(node)]

    assert sorted(found) == ["hitportal", "reporting"]
