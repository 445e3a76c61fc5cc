"""The app's own error type: services raise it, the API renders it as a clear JSON error."""


class FusqaError(Exception):
    """A request that cannot be honoured, in words that name the problem."""

    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        field: str | None = None,
        details: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.field = field


class InvalidInput(FusqaError):
    status_code = 400


class PayloadTooLarge(FusqaError):
    status_code = 413
    code = "too_large"


class NotAllowed(FusqaError):
    status_code = 403
    code = "forbidden"


class Conflict(FusqaError):
    """The request contradicts what is stored; `differences` names each field: {"stored", "sent"}."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, *, differences: dict | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.differences = differences or {}
