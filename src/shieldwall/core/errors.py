"""Domain errors raised by services and selectors; each adapter maps them once (API, pages, CLI)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """Missing and not allowed look the same, so existence never leaks."""

    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    """The record is visible but the actor's roles do not allow this action."""

    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition required"


class ValidationFailed(DomainError):
    """Input that cannot be accepted, with messages per field (`__all__` for the whole record)."""

    status = 422
    title = "Validation failed"

    def __init__(self, errors: Mapping[str, Sequence[str]], detail: str | None = None) -> None:
        self.errors = {field: list(messages) for field, messages in errors.items()}
        first = next(iter(self.errors.items()), ("", ["invalid input"]))
        super().__init__(detail or (f"{first[0]}: {first[1][0]}" if first[0] != "__all__" else first[1][0]))

    @classmethod
    def from_django(cls, exc: Exception) -> ValidationFailed:
        from django.core.exceptions import ValidationError

        assert isinstance(exc, ValidationError)
        if hasattr(exc, "error_dict"):
            return cls({field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()})
        return cls({"__all__": [str(m) for m in exc.messages]})
