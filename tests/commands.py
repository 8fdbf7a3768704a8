"""The `command-center` command in tests: run in this process, or in a new Python.

A new Python spends 3-4 s importing the package before a command starts, and the suite runs
about a hundred commands on each store. `command` runs the same `cli.main` as the console
script in this process; `command_process` starts a new Python, for what only a process shows
(the entry point, PYTHONPATH, signals).
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from command_center import cli


@dataclass(frozen=True)
class Ran:
    """What a command printed and how it ended, as `subprocess.run` gives it."""

    returncode: int
    stdout: str
    stderr: str


def command(*args: str, stdin: str | None = None, **env: str) -> Ran:
    """`command-center ARGS` with `env` added to the environment and `stdin` as its input."""
    assert "PYTHONPATH" not in env, "PYTHONPATH needs a new Python: use command_process"
    out, err = io.StringIO(), io.StringIO()
    root, ours = logging.getLogger(), logging.getLogger("command_center")
    handlers, level, our_level = list(root.handlers), root.level, ours.level
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli.main(list(args))
                except SystemExit as exit_:  # argparse's errors end the console script so
                    code = exit_.code if isinstance(exit_.code, int) else 1
    finally:  # `cli.main` sets up logging to the stderr it saw
        root.handlers[:] = handlers
        root.setLevel(level)
        ours.setLevel(our_level)
    gc.collect()  # the command's engines, and with them their connections to the store
    return Ran(code, out.getvalue(), err.getvalue())


def command_process(
    *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m command_center.cli ARGS` in a new Python."""
    return subprocess.run(
        [sys.executable, "-m", "command_center.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
        input=stdin,
    )
