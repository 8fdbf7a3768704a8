"""One way through the layers, and caches keyed by the data they read.

The import contract lives in `pyproject.toml` ([tool.importlinter]); these tests run it, check
that no module escapes it and that pages reach data only through adapters. Then every page is
run with each cached function's database reads recorded: a function that reads a table it does
not name would serve stale results after a write to that table.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, event
from sqlalchemy.sql.util import find_tables
from streamlit.testing.v1 import AppTest

import command_center
import command_center.adapters
from command_center.base import resources
from command_center.base.resources import READING
from command_center.ui.shell import PAGES
from tests.conftest import PROJECT_ROOT

# what a page or an entry (app.py, server.py) may import: adapters and ui, never data
PAGE_MAY_IMPORT = ("command_center.ui", "command_center.adapters", "command_center.base.labels")
# settings and tiles; role names; the errors a page explains
PAGE_MAY_ALSO = {
    "command_center.base.resources",
    "command_center.base.auth",
    "command_center.base.errors",
}
DATA_PACKAGES = {"sqlalchemy", "requests", "urllib3", "httpx", "psycopg", "sqlite3", "urllib"}


def _layers() -> list[str]:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return config["contracts"][0]["layers"]


def test_no_layer_imports_a_layer_above_it() -> None:
    # its own process: import-linter reconfigures logging, silencing the app's loggers
    linter = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [linter, "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout[-3000:]


def test_every_module_has_a_layer() -> None:
    named = {m.strip() for layer in _layers() for m in layer.replace("|", ":").split(":")}
    modules = {
        f"command_center.{info.name}"
        for info in pkgutil.iter_modules(command_center.__path__)
        if info.name != "migrations"
    }
    assert modules - named == set(), "name the new module's layer in pyproject.toml"


def _is_package(module: str) -> bool:
    return (PROJECT_ROOT / module.replace(".", "/") / "__init__.py").exists()


@pytest.mark.parametrize(
    "path",
    [
        *sorted((PROJECT_ROOT / "pages").glob("*.py")),
        PROJECT_ROOT / "app.py",
        PROJECT_ROOT / "server.py",
    ],
    ids=str,
)
def test_pages_reach_data_only_through_adapters(path) -> None:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and _is_package(node.module):
            imported |= {f"{node.module}.{a.name}" for a in node.names}  # its modules
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    ours = {m for m in imported if m.startswith("command_center.")}
    wrong = {m for m in ours if not m.startswith(PAGE_MAY_IMPORT) and m not in PAGE_MAY_ALSO}
    assert wrong | {m for m in imported if m.split(".")[0] in DATA_PACKAGES} == set()


def _cached_functions() -> dict[Callable[..., Any], tuple[str, ...]]:
    """Each `resources.cached` function of the adapters -> the tables it names."""
    found = {}
    for info in pkgutil.iter_modules(command_center.adapters.__path__):
        module = importlib.import_module(f"command_center.adapters.{info.name}")
        for value in vars(module).values():
            if callable(value) and hasattr(value, "tables") and hasattr(value, "__wrapped__"):
                found[value.__wrapped__] = value.tables
    return found


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[Callable[..., Any], set[str]]:
    """The tables each cached function reads while it computes, itself or through the cached
    functions it calls (whose versions it must then be keyed by too)."""
    seen: dict[Callable[..., Any], set[str]] = defaultdict(set)
    versions_of = resources.data_version

    def inner_versions(*tables: str) -> tuple[int, ...]:
        for function in READING.get():
            seen[function] |= set(tables)
        return versions_of(*tables)

    monkeypatch.setattr(resources, "data_version", inner_versions)

    def record(_conn, clause, *_args) -> None:
        tables = {t.name for t in find_tables(clause, include_joins=True) if isinstance(t, Table)}
        for function in READING.get():
            seen[function] |= tables

    event.listen(Engine, "before_execute", record)
    yield seen
    event.remove(Engine, "before_execute", record)


def _run(path: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params.update(query)
    at.run()
    if path != PAGES[0].file:
        at.switch_page(path).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_every_cached_function_names_each_table_it_reads(with_every_scenario, reads) -> None:
    for spec in PAGES:
        _run(spec.file)
    _run(PAGES[0].file, kiosk="1")
    declared = _cached_functions()
    assert reads, "no cached function was seen reading"
    missing = {
        f"{f.__module__}.{f.__qualname__}": sorted(tables - set(declared[f]))
        for f, tables in reads.items()
        if tables - set(declared[f])
    }
    assert missing == {}
