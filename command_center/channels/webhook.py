"""A generic webhook: the alert as JSON, POSTed with `X-CC-Timestamp`, `X-CC-Signature`
(`sha256=` HMAC-SHA256 of `timestamp.body` with the shared secret) and `Idempotency-Key`, so a
receiver such as a BPBD server can check who sent it and drop a repeat (`docs/alerts.md`: Webhooks).
The URL is checked again before every send and the POST goes to the address checked
(`destinations`): a host that now resolves somewhere refused gets nothing."""

from __future__ import annotations

import time
from collections.abc import Collection

from command_center.base.destinations import vet
from command_center.base.errors import DestinationRefused
from command_center.channels import Http, SendFailed, post
from command_center.services.alerts import Message, signature, webhook_payload


class Webhook:
    name = "webhook"
    per_second = 50.0
    carries_files = False

    def __init__(self, http: Http, secret: str, timeout_s: float, allowed_hosts: Collection[str]):
        self.http, self.secret, self.timeout_s = http, secret, timeout_s
        self.allowed_hosts = allowed_hosts

    def send(self, message: Message, address: str) -> None:
        try:
            checked = vet(address, self.allowed_hosts)
        except DestinationRefused as exc:  # a name that does not resolve may again later
            raise SendFailed(f"webhook: {exc}", retry=exc.reason == "unresolved") from exc
        body = webhook_payload(message)
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-CC-Timestamp": stamp,
            "X-CC-Signature": signature(self.secret, stamp, body),
            "Idempotency-Key": message.key,
        }
        post(
            self.http,
            "webhook",
            address,
            self.timeout_s,
            body=body,
            headers=headers,
            via=checked,
        )
