"""The errors the edges translate: HTTP problems, dead letters, retries."""


class ConcurrencyError(Exception):
    """Someone appended to the stream since it was read: reload and decide again (HTTP 409)."""


class RuleViolation(Exception):
    """A business rule refused the command; retrying the same input will never pass."""


class NotFound(Exception):
    """The thing asked for does not exist."""


class InvalidInput(Exception):
    """Input that breaks a rule of the contract or of the city (unknown category, a point outside
    the city…): HTTP 422, or a dead letter with the rule and path. Retrying it never passes."""

    def __init__(self, reason: str, path: str = "", rule: str = "") -> None:
        super().__init__(f"{rule}: {reason} at {path}" if path else reason)
        self.reason = reason
        self.path = path
        """Where in the input, as a JSON pointer (`/location/grid_code`, `/query/cursor`)."""
        self.rule = rule
        """The rule that failed, e.g. pydantic's `less_than_equal`, `json` or `outside-city`."""


class Undecodable(InvalidInput):
    """A message that can never be read: not JSON, unknown type or a contract violation."""


class Unauthenticated(Exception):
    """No identity, or one we cannot verify (HTTP 401): who are you?"""


class Forbidden(Exception):
    """A verified caller that may not do this, or not to this case (HTTP 403): not yours."""


class TooManyRequests(Exception):
    """Over a rate limit: try again after `retry_after` seconds (HTTP 429)."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class AppendOrderError(Exception):
    """An append was not the first write of its transaction (ADR 0002): a programming error."""
