"""demo/ sits at the top beside hitportal/: it imports every app, and no app imports it, not even
inside a function."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("core", "teams", "engagement", "accreditation", "reporting", "hitportal")


def _imports_of_demo(path: pathlib.Path) -> list[str]:
    """Every absolute import of the demo package in one file, wherever it stands in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return [name for name in found if name == "demo" or name.startswith("demo.")]


def test_imports_of_demo_found_in_a_command_of_demo():
    assert _imports_of_demo(ROOT / "demo" / "management" / "commands" / "seed_demo.py") == ["demo.loader"]


def test_no_app_imports_demo():
    offenders = {
        str(path.relative_to(ROOT)): names
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if (names := _imports_of_demo(path))
    }

    assert offenders == {}
