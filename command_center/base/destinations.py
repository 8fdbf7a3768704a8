"""Where the server may send to a URL a user gave (a webhook): its host name is resolved and
every address it resolves to is checked, when the URL is set and again before each send (DNS
can change between the two: rebinding); the request then goes to the address checked, never
to a second look-up.

Public addresses are open. Loopback, private and shared (100.64/10) ones only to hosts the
operator names in `CC_WEBHOOK_ALLOWED_HOSTS` (a BPBD server on the LAN). Link-local, cloud
metadata, multicast, unspecified and reserved addresses never, whoever asks. An IPv6 address
carrying an IPv4 one (IPv4-mapped, 6to4, NAT64) is judged by the IPv4 address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection

from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

from command_center.base.errors import DestinationRefused

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# instance metadata services hand out cloud credentials: never, by name or by address
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def host_name(name: str) -> str:
    """A host name as the allow-list holds it: lower case, no brackets or trailing dot."""
    return name.strip().strip("[]").lower().rstrip(".")


def _parts(url: str) -> tuple[Url, str]:
    """`url` split as the sender will use it (urllib3's parser), and its host name."""
    try:
        split = parse_url(url)
    except LocationParseError as exc:
        raise DestinationRefused("bad_url", url) from exc
    if split.scheme not in ("http", "https") or not split.host or split.auth:
        raise DestinationRefused("bad_url", url)
    return split, host_name(split.host)


def host_of(url: str) -> str:
    """The host name of an http(s) `url`, as the allow-list holds it.

    Raises:
        DestinationRefused: "bad_url" for anything but http(s) with a host and no user name.
    """
    return _parts(url)[1]


def _carried(address: Address) -> Address:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, NAT64), else itself."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.ipv4_mapped or address.sixtofour or address


def _refusal(address: Address, listed: bool) -> str | None:
    """Why `address` is refused ("never", "private"), or None; `listed`: its host is on the
    allow-list."""
    address = _carried(address)
    if (
        address in METADATA_ADDRESSES
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or (address.is_reserved and not address.is_loopback)  # ::1 is in reserved ::/8
    ):
        return "never"
    return None if address.is_global or listed else "private"


def _resolved(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (an address given as a number, in any of the forms
    the C library reads, resolves to itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise DestinationRefused("unresolved", host) from exc
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))


def vet(url: str, allowed_hosts: Collection[str]) -> str:
    """The address to connect to for `url`, once every address its host resolves to passed.

    Args:
        url: an http(s) URL.
        allowed_hosts: host names (lower case) that may resolve to loopback or private
            addresses.

    Raises:
        DestinationRefused: why not (see its `reason`).
    """
    split, host = _parts(url)
    if host in METADATA_NAMES:
        raise DestinationRefused("never", host)
    found = _resolved(host, split.port or (443 if split.scheme == "https" else 80))
    if not found:
        raise DestinationRefused("unresolved", host)
    for address in found:
        reason = _refusal(address, host in allowed_hosts)
        if reason:
            raise DestinationRefused(reason, host, str(address))
    return str(found[0])
