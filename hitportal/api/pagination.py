"""Pages of the API's lists: limit/offset, with a ceiling on the page size."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.settings import api_settings

# Large enough for a script to fetch the whole portfolio in a few pages, small enough that one
# request cannot make the server build every row at once (`?limit=100000` once returned them all).
MAX_PAGE_SIZE = 500


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """A `limit` above MAX_PAGE_SIZE is cut down to it; the `next` link then continues from there."""

    max_limit = MAX_PAGE_SIZE
    limit_query_description = (
        f"Number of results to return per page: {api_settings.PAGE_SIZE} unless you say, at most "
        f"{MAX_PAGE_SIZE} (a larger value gives {MAX_PAGE_SIZE}; follow `next` for the rest)."
    )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": MAX_PAGE_SIZE}
        return parameters
