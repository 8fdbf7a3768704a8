"""The one HTTP session setup: User-Agent, timeouts and bounded retries on transient errors."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TRANSIENT_STATUSES = (429, 500, 502, 503, 504)


def make_session(user_agent: str, retries: int = 3, backoff_s: float = 0.5) -> requests.Session:
    """A session that retries GETs on connection errors and transient statuses, with backoff.

    Every caller must still pass `timeout=` on each request.
    """
    retry = Retry(
        total=retries,
        backoff_factor=backoff_s,
        status_forcelist=TRANSIENT_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
