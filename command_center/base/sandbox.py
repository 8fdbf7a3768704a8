"""Read an uploaded file in a child process, within a memory and a time limit.

A file built to need gigabytes or minutes to read then costs a child process, killed at its
limit, and not the dashboard's server, whose other sessions go on. The child is a new
interpreter (`python -m command_center.base.sandbox`): not a fork of the server, which has threads,
and not a multiprocessing process either, whose spawn and forkserver children first run
`__main__` again, and under Streamlit `__main__` is the page script being run. It gets no
environment (no keys, no database address), and its address space is capped (RLIMIT_AS) once
the job arrives. The reader and its arguments go to it pickled; its answer comes back as
JSON, since the child handled hostile bytes.

Each child reads one file. The next one is started ahead, and imports the readers while it
waits: a new interpreter takes 0.1-0.3 s to import openpyxl, more than reading a small file.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from command_center.base.errors import ImportFileError

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # `-m command_center...` is found here
PRELOAD = ("command_center.base.tables",)  # the readers (and openpyxl), imported ahead
# one BLAS thread: a reader needs no parallel maths, and every thread's buffers count against
# the memory limit (openpyxl imports numpy, whose OpenBLAS starts a thread per core)
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
OUT_OF_MEMORY = 3  # the child's exit status when a MemoryError stopped it
# how a child dies at its address-space limit outside Python's own allocator (or by the kernel)
MEMORY_SIGNALS = {-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS}

_lock = threading.Lock()
_next: subprocess.Popen | None = None  # started ahead for the next read


def run(
    reader: Callable[..., Any], *args: Any, file_name: str, memory_bytes: int, seconds: float
) -> Any:
    """`reader(*args)` in a child process; `reader` is a module-level function that returns
    plain data (JSON) or raises ImportFileError.

    Raises:
        ImportFileError: `reader` refused the file or failed on it in any other way, or reading
            it took more than `memory_bytes` of memory or more than `seconds`; the child is
            gone either way.
    """
    child = _child()
    try:
        job = pickle.dumps((memory_bytes, seconds, reader, args))
        out, err = child.communicate(job, timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise ImportFileError(
            f"{file_name}: not read within {seconds:g} s, the time an import may take to read "
            "(CC_IMPORT_PARSE_S); split the file"
        ) from None
    if child.returncode == OUT_OF_MEMORY or child.returncode in MEMORY_SIGNALS:
        raise ImportFileError(
            f"{file_name}: reading it needs more than {memory_bytes // 1_000_000:,} MB of "
            "memory, the most an import may take (CC_IMPORT_PARSE_MB); split the file"
        )
    if child.returncode != 0:
        raise RuntimeError(f"reading {file_name} failed: {err.decode()[-3000:]}")
    answer = json.loads(out)
    if "refused" in answer:
        raise ImportFileError(answer["refused"])
    if "unreadable" in answer:
        raise ImportFileError(f"{file_name}: not a readable file ({answer['unreadable']})")
    return answer["result"]


def _child() -> subprocess.Popen:
    """A child for one read: the one started ahead if it is still waiting, else a new one;
    and the next one, started."""
    global _next
    with _lock:
        ready, _next = _next, _started()
    return ready if ready is not None and ready.poll() is None else _started()


def _started() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "command_center.base.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PACKAGE_ROOT,
        env=CHILD_ENV,
    )


def _serve_one() -> None:
    """In the child: import the readers, wait for one job, take its limits, do it, answer."""
    for module in PRELOAD:
        importlib.import_module(module)
    job = sys.stdin.buffer.read()
    if not job:
        return  # the parent has gone without a job for this child
    try:
        memory_bytes, seconds, reader, args = pickle.loads(job)
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        # CPU time too, past the parent's wall-clock limit: for a child whose parent is gone
        cpu = math.ceil(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        os.nice(10)  # the server's sessions come first on a busy machine
        del job
        try:
            answer = {"result": reader(*args)}
        except ImportFileError as exc:
            answer = {"refused": str(exc)}
        except MemoryError:
            raise
        except Exception as exc:  # hostile bytes can break a parser any way: the file's fault
            answer = {"unreadable": f"{type(exc).__name__}: {str(exc)[:200]}"}
        sys.stdout.write(json.dumps(answer, separators=(",", ":")))
        sys.stdout.flush()
    except MemoryError:
        os._exit(OUT_OF_MEMORY)
    # the answer is out: tearing the interpreter down would only keep the parent waiting
    os._exit(0)


if __name__ == "__main__":
    _serve_one()
