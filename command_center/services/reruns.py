"""Page rerun times: a histogram with fixed buckets that an app process fills on every rerun,
and the quantiles the admin page shows, read from any process's buckets."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass

# upper bounds in seconds: a rerun under 0.5 s feels immediate, over 2.5 s slow
BOUNDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
INF = "+Inf"


def bound_key(bound: float) -> str:
    """A bucket's key as Prometheus writes its `le` label."""
    return INF if math.isinf(bound) else repr(float(bound))


@dataclass(frozen=True)
class Snapshot:
    """Cumulative counts per upper bound (`+Inf` last: every rerun) and their total seconds."""

    buckets: dict[str, int]
    sum_s: float


class RerunTimes:
    """The rerun times of one process since it started; safe to share across sessions."""

    def __init__(self) -> None:
        self._counts = [0] * (len(BOUNDS) + 1)  # per bucket, the last one above every bound
        self._sum_s = 0.0
        self._lock = threading.Lock()

    def observe(self, seconds: float) -> None:
        index = next((i for i, b in enumerate(BOUNDS) if seconds <= b), len(BOUNDS))
        with self._lock:
            self._counts[index] += 1
            self._sum_s += seconds

    def snapshot(self) -> Snapshot:
        with self._lock:
            counts, total = list(self._counts), self._sum_s
        cumulative, running = {}, 0
        for bound, count in zip((*BOUNDS, math.inf), counts, strict=True):
            running += count
            cumulative[bound_key(bound)] = running
        return Snapshot(cumulative, total)


def quantile(q: float, buckets: Mapping[str, int]) -> float | None:
    """The `q` quantile (0..1) of cumulative `buckets`, interpolated within its bucket as
    Prometheus's `histogram_quantile` does; None without observations. In the `+Inf` bucket
    it is the highest finite bound (all that is known)."""
    ordered = sorted((float(k), n) for k, n in buckets.items())
    total = ordered[-1][1] if ordered else 0
    if not total:
        return None
    rank, lower, below = q * total, 0.0, 0
    for bound, count in ordered:
        if count >= rank:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1)
        lower, below = bound, count
    return lower
