"""The README and the docs site: the reference pages are what the code says now, the site builds
with `mkdocs build --strict` (a broken link or a page missing from the build fails), the README
stays a five-minute read whose links all lead somewhere, and CI runs its test command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from command_center import docs
from tests.conftest import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def test_the_reference_pages_are_current() -> None:
    for path, text in docs.pages().items():
        assert path.exists() and path.read_text() == text, (
            f"{path.relative_to(PROJECT_ROOT)} is not current: run `python -m command_center.docs`"
        )


def test_the_configuration_page_lists_every_setting_by_its_environment_name() -> None:
    page = docs.configuration()
    for name in docs.Settings.model_fields:
        env = "DATABASE_URL" if name == "database_url" else f"CC_{name.upper()}"
        assert f"| `{env}` |" in page
    assert "| `DATABASE_URL` | `sqlite:///data/command_center.db` |" in page  # not this checkout's
    assert "| `CC_SHARED_DATA_DIR` | `../shared/data` |" in page


def test_a_setting_without_a_description_is_refused_by_name(monkeypatch) -> None:
    field = docs.Settings.model_fields["kiosk_rotate_s"]
    monkeypatch.setattr(field, "description", None)
    with pytest.raises(ValueError, match="kiosk_rotate_s"):
        docs.configuration()


def test_the_command_line_page_has_every_command_and_argument() -> None:
    page = docs.command_line()
    for command in ("run", "init-db", "ingest", "incident", "backup", "restore", "audit"):
        assert f"## `command-center {command}`" in page
    assert "command-center incident [-h]" in page and "| `--decree` |" in page
    assert "| `--reset` | remove and reload it |" in page


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    assert (tmp_path / "reference" / "configuration" / "index.html").exists()


def test_the_readme_is_a_five_minute_read_whose_links_lead_somewhere() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith(("http://", "https://")):
            assert (PROJECT_ROOT / target).exists(), target


def test_ci_runs_the_readmes_test_command() -> None:
    blocks = re.search(r"## Two commands(.*?)\n## ", README.read_text(), re.S).group(1)
    test_command = re.findall(r"```bash\n(.*?)\n```", blocks, re.S)[1].strip()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci
