"""Pagination without COUNT(*): fetch one row more than a page to know whether a next exists.

A full count over a 600k-row scoped table costs as much as the page itself; lists ask for it
only when the caller really wants it (``?count=1``).
"""

from __future__ import annotations

from collections import OrderedDict

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PortalPagination(BasePagination):
    page_size = 50
    max_page_size = 500
    # Past this a page is simply empty: an offset beyond PostgreSQL's bigint would otherwise
    # fail the query (a 500 from ?page=99999999999999999999).
    max_page = 1_000_000
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = min(self._positive_int(request.query_params.get(self.page_query_param), 1), self.max_page)
        self.size = min(
            self._positive_int(request.query_params.get(self.page_size_query_param), self.page_size),
            self.max_page_size,
        )
        offset = (self.page - 1) * self.size
        rows = list(queryset[offset : offset + self.size + 1])
        self.has_next = len(rows) > self.size
        self.count = queryset.count() if request.query_params.get("count") == "1" else None
        return rows[: self.size]

    @staticmethod
    def _positive_int(raw, default: int) -> int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    def _link(self, page: int) -> str:
        url = self.request.build_absolute_uri()
        if page == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page)

    def get_paginated_response(self, data):
        body = OrderedDict(
            [
                ("page", self.page),
                ("page_size", self.size),
                ("next", self._link(self.page + 1) if self.has_next else None),
                ("previous", self._link(self.page - 1) if self.page > 1 else None),
            ]
        )
        if self.count is not None:
            body["count"] = self.count
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["page", "page_size", "results"],
            "properties": {
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": 50},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "count": {"type": "integer", "description": "only with ?count=1"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": f"1–{self.max_page}; out of range values are clamped",
                "schema": {"type": "integer"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"1–{self.max_page_size}",
                "schema": {"type": "integer"},
            },
            {
                "name": "count",
                "required": False,
                "in": "query",
                "description": "1 to include the total count (costs a COUNT query)",
                "schema": {"type": "integer", "enum": [1]},
            },
        ]
