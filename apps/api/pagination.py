"""Cursor pages in the order changes happen, never counted.

A list is read in ascending ``(sync_field, id)`` order (``updated_at`` where the model keeps
one) from a cursor: a row comparison the index serves, ``page_size`` + 1 rows, no COUNT. The
response's ``cursor`` is the last row's key: a client keeps it and asks again later with it
to get only what changed since (``next`` is null once it has caught up). ``changed_since``
starts from a time instead of a cursor.

The kept ``cursor`` never passes ``SETTLE`` before now: ``updated_at`` is taken when a row is
saved, not when its transaction commits, so a row saved earlier but committed after a read
would fall behind a cursor at the newest row. Resuming from the settled point reads the
last ``SETTLE`` again (a client upserts by id: the repeat is harmless) and catches those
late commits. ``next`` pages on from the page's real last row."""
import base64
import json
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils.dateparse import parse_datetime
from django.utils import timezone
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from apps.common.params import BIGINT_MAX

DEFAULT_SIZE, MAX_SIZE = 100, 500
# Longer than any transaction of the application's writes takes to commit.
SETTLE = timedelta(minutes=2)


def _encode(value, pk) -> str:
    raw = json.dumps([value.isoformat() if value is not None else None, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str, field):
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        pk = int(pk)
        if not 0 <= pk <= BIGINT_MAX:  # past bigint the database refuses the comparison
            raise ValueError
        if field is not None:
            value = parse_datetime(value)
            if value is None:
                raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError({"cursor": "游标无效，请使用上一次返回的 cursor。"})
    return value, pk


def since(value: str):
    moment = parse_datetime(value or "")
    if moment is None:
        raise ValidationError({"changed_since": "changed_since 须为时间，如 2026-05-01T08:00:00+08:00。"})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class SyncCursorPagination(BasePagination):
    def paginate_queryset(self, queryset, request, view=None):
        field = view.sync_field  # None: reference data, in id order
        self.request, self.field = request, field
        params = request.query_params
        try:
            size = min(max(int(params.get("page_size", DEFAULT_SIZE)), 1), MAX_SIZE)
        except ValueError:
            raise ValidationError({"page_size": f"page_size 须为 1 至 {MAX_SIZE} 的整数。"})
        order = (field, "id") if field else ("id",)
        queryset = queryset.order_by(*order)
        token = params.get("cursor")
        if token:
            value, pk = _decode(token, field)
            if field:
                queryset = queryset.filter(TupleGreaterThan(Tuple(F(field), F("id")),
                                                            (value, pk)))
            else:
                queryset = queryset.filter(id__gt=pk)
        elif params.get("changed_since"):
            if not field:
                raise ValidationError({"changed_since": "该列表不支持 changed_since，请按 cursor 分页读取。"})
            queryset = queryset.filter(**{f"{field}__gte": since(params["changed_since"])})
        rows = list(queryset[:size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.next_cursor = None
        if rows:
            last = rows[-1]
            self.cursor = self.next_cursor = _encode(getattr(last, field) if field else None,
                                                     last.pk)
            settled = timezone.now() - SETTLE
            if field and getattr(last, field) > settled:
                self.cursor = _encode(settled, 0)
        else:
            self.cursor = token or None
        return rows

    def get_paginated_response(self, data):
        next_url = None
        if self.has_next:
            url = self.request.build_absolute_uri()
            next_url = replace_query_param(url, "cursor", self.next_cursor)
        return Response({"next": next_url, "cursor": self.cursor, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "description": "下一页地址；已读完时为空"},
                "cursor": {"type": "string", "nullable": True,
                           "description": "最后一行的游标：保存后再次以 cursor 请求，只取之后的变化"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        params = [
            {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "上一次返回的游标（`cursor`）"},
            {"name": "page_size", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
             "description": f"每页行数，默认 {DEFAULT_SIZE}"},
        ]
        if getattr(view, "sync_field", None):
            params.append({"name": "changed_since", "in": "query", "required": False,
                           "schema": {"type": "string", "format": "date-time"},
                           "description": "只取此时刻以后变化的行"})
        return params
