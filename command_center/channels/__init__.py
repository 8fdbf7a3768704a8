"""Where alerts go out: one interface (`Channel.send`) over Telegram, WhatsApp (the Cloud API or
an HTTP gateway), e-mail and signed webhooks. A channel raises `SendFailed` saying whether to
try again (and after how long, from the receiver's `Retry-After`) or to give up."""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import urlencode

import urllib3
from urllib3.util import parse_url

from command_center.services.alerts import Message

Http = urllib3.PoolManager  # shared by the sender's threads; about 2.5x requests' rate here


class SendFailed(Exception):
    """A delivery that did not go through: `retry` False means it never will as it stands (a
    refused address, a rejected template); `after_s` is the receiver's own wait."""

    def __init__(self, reason: str, retry: bool = True, after_s: float | None = None) -> None:
        super().__init__(reason)
        self.retry, self.after_s = retry, after_s


class Channel(Protocol):
    name: str
    per_second: float  # the provider's rate limit for this sender
    carries_files: bool  # a sitrep goes as its file (else as a signed download link)

    def send(self, message: Message, address: str) -> None:
        """Hand `message` to the provider for `address`.

        Raises:
            SendFailed: with whether and when to try again.
        """


def retry_after(response: urllib3.BaseHTTPResponse) -> float | None:
    """The seconds the receiver asks to wait: a `Retry-After` header (seconds form), or the
    Bot API's `parameters.retry_after` in a JSON body."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        pass
    try:
        value = response.json().get("parameters", {}).get("retry_after")
        return max(0.0, float(value)) if value is not None else None
    except (ValueError, AttributeError, TypeError):
        return None


def http_failure(response: urllib3.BaseHTTPResponse, what: str) -> SendFailed:
    """429 and 5xx are tried again (after `Retry-After` if given); other refusals are final.
    The words are ours and the status: never the body, which is the receiver's to choose (a
    URL aimed at an internal service would read it back into the outbox)."""
    status = response.status
    if status == 429:
        return SendFailed(f"{what}: rate limited (HTTP 429)", True, retry_after(response))
    if status >= 500:
        return SendFailed(f"{what}: server error (HTTP {status})", True, retry_after(response))
    if 300 <= status < 400:
        return SendFailed(f"{what}: redirect not followed (HTTP {status})", False)
    return SendFailed(f"{what}: refused (HTTP {status})", False)


def post(
    http: Http,
    what: str,
    url: str,
    timeout_s: float,
    *,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    multipart: dict[str, Any] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    via: str | None = None,
) -> urllib3.BaseHTTPResponse:
    """One POST (JSON, a form, a multipart form with files as (name, bytes, type), or raw
    bytes), never retried here (the sender retries with
    backoff) and never redirected; errors in words. `via`: the address to connect to for
    `url`'s host, checked beforehand (`destinations.vet`), so that no second DNS look-up
    decides where it goes."""
    headers = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif multipart is not None:
        body, headers["Content-Type"] = urllib3.encode_multipart_formdata(multipart)
    try:
        if via is None:
            response = http.request(
                "POST",
                url,
                body=body,
                headers=headers,
                timeout=timeout_s,
                retries=False,
                redirect=False,
            )
        else:
            response = _pinned(http, url, via, body, headers, timeout_s)
    except urllib3.exceptions.NewConnectionError as exc:  # before: it subclasses a timeout
        raise SendFailed(f"{what}: connection failed (nothing answers)") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise SendFailed(f"{what}: timeout after {timeout_s:g} s") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise SendFailed(f"{what}: connection failed ({type(exc).__name__})") from exc
    if not 200 <= response.status < 300:
        raise http_failure(response, what)
    return response


def _pinned(
    http: Http, url: str, via: str, body: bytes | None, headers: dict[str, str], timeout_s: float
) -> urllib3.BaseHTTPResponse:
    """POST `url` over a connection to the address `via`: the URL's host name still goes in
    `Host` and, over HTTPS, in SNI and the certificate check (urllib3's `server_hostname`)."""
    split = parse_url(url)
    name = (split.host or "").strip("[]")
    pool = http.connection_from_host(
        via, split.port, split.scheme, pool_kwargs={"server_hostname": name}
    )
    return pool.urlopen(
        "POST",
        split.request_uri,
        body=body,
        headers={**pool.headers, "Host": split.netloc or name, **headers},
        timeout=timeout_s,
        retries=False,
        redirect=False,
    )


def sending_session(user_agent: str, pool: int = 32) -> Http:
    """Connections for POSTs from several threads (no automatic retries: ours are counted)."""
    return Http(maxsize=pool, headers={"User-Agent": user_agent}, retries=False)
