"""The project's one error hierarchy. Messages are for the person who must act on them."""


class CommandCenterError(Exception):
    """Base class for every error this package raises on purpose."""


class BoundariesMissing(CommandCenterError):
    """No boundary file where settings point; the message says how to get one."""


class BoundariesDownloadFailed(CommandCenterError):
    """`command-center boundaries download` could not fetch or build the layer."""


class InvalidAreaCode(CommandCenterError, ValueError):
    """A Kemendagri code with the wrong format, or one that does not exist."""

    def __init__(self, code: object, reason: str, field: str = "kode"):
        self.code, self.reason, self.field = code, reason, field
        super().__init__(f"{field}: {code!r} {reason}")


class FeedError(CommandCenterError):
    """A hazard feed could not be used this time."""


class FeedUnavailable(FeedError):
    """The feed did not answer usefully: timeout, refused, 5xx, 429, an error page."""


class FeedFormatError(FeedError):
    """The feed answered, but the payload is not what its parser expects."""


class StaleRecord(CommandCenterError):
    """Someone else changed the row since it was read (optimistic locking)."""
