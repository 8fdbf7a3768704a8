"""XML from outside, parsed safely (defusedxml) with one error for every way it can fail."""

from __future__ import annotations

from typing import Any

from defusedxml import DefusedXmlException, ElementTree

from command_center.base.errors import FeedFormatError


def parse_xml(payload: bytes | str, what: str, root_tag: str | None = None) -> Any:
    """The root element of `payload` (a leading UTF-8 BOM is allowed).

    Raises:
        FeedFormatError: not XML, unsafe XML (entities, DTDs), or a root other than `root_tag`.
    """
    if isinstance(payload, bytes):
        payload = payload.removeprefix(b"\xef\xbb\xbf")
    try:
        root = ElementTree.fromstring(payload)
    except ElementTree.ParseError as exc:
        raise FeedFormatError(f"{what}: not valid XML: {exc}") from exc
    except DefusedXmlException as exc:
        raise FeedFormatError(f"{what}: refused unsafe XML ({type(exc).__name__})") from exc
    if root_tag is not None and root.tag != root_tag:
        raise FeedFormatError(f"{what}: root is <{root.tag}>, expected <{root_tag}>")
    return root
