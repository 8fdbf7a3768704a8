"""The one HTTP setup: a session with User-Agent and bounded retries on transient errors, and
the one GET every feed and form pull goes through (size cap, errors in words)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from command_center.base.errors import FeedFormatError, FeedUnavailable

TRANSIENT_STATUSES = (429, 500, 502, 503, 504)
MAX_FEED_BYTES = 10_000_000  # a real BMKG or USGS payload is well under 1 MB


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


class BearerAuth(requests.auth.AuthBase):
    """`Authorization: Bearer <token>` (MAGMA's API)."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since the last fetch
    etag: str | None
    last_modified: str | None


def http_error(response: requests.Response) -> FeedUnavailable:
    """The one mapping from an HTTP status to a feed error, with the reason for the operator."""
    status = response.status_code
    if status == 429:
        after = response.headers.get("Retry-After")
        return FeedUnavailable(
            f"rate limited (HTTP 429{', retry after ' + after + ' s' if after else ''})"
        )
    if status >= 500:
        return FeedUnavailable(f"server error (HTTP {status})")
    if status in (401, 403):
        return FeedUnavailable(f"the server refused the credentials (HTTP {status})")
    return FeedUnavailable(f"HTTP {status}")


def fetch(
    session: requests.Session,
    url: str,
    timeout_s: float,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_FEED_BYTES,
    auth: requests.auth.AuthBase | None = None,
) -> Fetched:
    """A conditional GET of at most `max_bytes` (with `auth`, for a server that wants it).
    Transient failures were already retried by the session.

    Raises:
        FeedUnavailable: timeout, connection refused, an error status.
        FeedFormatError: the payload is larger than `max_bytes`.
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response = session.get(url, headers=headers, timeout=timeout_s, stream=True, auth=auth)
        with response:
            body = _body(response, max_bytes) if response.status_code == 200 else b""
    except requests.RequestException as exc:
        # after retries urllib3 wraps a read timeout in MaxRetryError, which requests turns
        # into a ConnectionError: look at the reason to tell the operator which it was
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        timed_out = isinstance(reason, urllib3.exceptions.TimeoutError) and not isinstance(
            reason,
            urllib3.exceptions.NewConnectionError,  # "refused" subclasses a timeout
        )
        if isinstance(exc, requests.Timeout) or timed_out:
            raise FeedUnavailable(f"timeout after {timeout_s:g} s") from exc
        raise FeedUnavailable(f"connection failed: {reason or type(exc).__name__}") from exc
    if response.status_code == 304:
        return Fetched(None, etag, last_modified)
    if response.status_code != 200:
        raise http_error(response)
    return Fetched(body, response.headers.get("ETag"), response.headers.get("Last-Modified"))


def _body(response: requests.Response, max_bytes: int) -> bytes:
    """The payload, read in chunks and given up on past `max_bytes` (however it is sent)."""
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > max_bytes:
            raise FeedFormatError(f"payload larger than {max_bytes:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


PARSER_FAILURES = (
    ValueError,
    TypeError,
    AttributeError,
    LookupError,
    ArithmeticError,
    RecursionError,
)


def parsed(parser: Callable[..., Any], body: bytes, *args: Any) -> Any:
    """`parser(body, ...)`, with any way hostile or broken input makes it fail (deep nesting,
    wrong types, missing keys) turned into the feed's own FeedFormatError."""
    try:
        return parser(body, *args)
    except PARSER_FAILURES as exc:
        name = getattr(parser, "__name__", "parser")
        raise FeedFormatError(f"{name}: unreadable payload ({type(exc).__name__})") from exc
