"""The core never imports a UI library; only the front ends do."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import assistant

UI_LIBRARIES = {"textual", "typer", "rich"}
FRONT_ENDS = {"cli", "tui", "__main__"}
PACKAGE = Path(assistant.__file__).parent


def _core_modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0].removesuffix(".py") not in FRONT_ENDS
    ]


def test_core_source_imports_no_ui_library() -> None:
    offenders = []
    for path in _core_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in UI_LIBRARIES]
    assert offenders == []


def test_importing_the_core_loads_no_ui_framework() -> None:
    modules = [
        "assistant." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in _core_modules()
        if p.name != "__init__.py"
    ]
    code = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'typer'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
