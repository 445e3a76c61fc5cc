"""Pages of a list: ?limit= and ?offset=, checked, with a maximum page size.

DRF's own limit/offset pagination quietly falls back to the default for a limit it cannot read and hands
any offset to the database, where ?limit=9223372036854775808 overflowed PostgreSQL's bigint and became a
500. Here a value that is not a whole number in range is a 400 naming the parameter and the range."""

from django.conf import settings
from rest_framework import pagination

from qa.errors import InvalidInput

MAX_LIMIT = 500
# No list comes near this many rows; the bound keeps every offset far inside the database's integers.
MAX_OFFSET = 2**31 - 1


def _whole_number(request, name: str, *, minimum: int, maximum: int, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    message = f"{name}: must be a whole number from {minimum} to {maximum}, not {raw[:40]!r}."
    # isdecimal, not int(): int() also takes " 12", "1_000" and "+5", and its string size limit raises
    # ValueError only past 4300 digits.
    if not raw.isascii() or not raw.isdecimal() or len(raw) > len(str(maximum)):
        raise InvalidInput(message, field=name)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidInput(message, field=name)
    return value


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request) -> int:
        default = settings.REST_FRAMEWORK["PAGE_SIZE"]
        return _whole_number(request, self.limit_query_param, minimum=1, maximum=self.max_limit, default=default)

    def get_offset(self, request) -> int:
        return _whole_number(request, self.offset_query_param, minimum=0, maximum=MAX_OFFSET, default=0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_limit})
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update({"minimum": 0, "maximum": MAX_OFFSET})
        return parameters
