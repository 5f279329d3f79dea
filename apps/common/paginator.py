"""Pages of lists of a million rows that never count the whole list.

Django's ``Paginator`` runs ``COUNT(*)`` over every row the user may see on each page load
(a million persons: most of a second) and reads the rows before an offset. ``KeysetPage``
reads only the page, after the last row's key, over an index in the list's order."""
from apps.common.params import ascii_int


class KeysetPage:
    """A page of a long list without any count: the rows after a cursor, in the list's order.

    The list is ordered by ``order``: dates or times and last the id, newest first
    (``(stage_on, id)`` DESC), or oldest first with ``ascending`` (the 在外人员 register's
    ``(ends_key, departed_on, id)``), over an index in that order; the names may be fields or
    the queryset's annotations. A page reads ``per_page`` + 1 rows from the cursor on (a row
    comparison, an index condition), the extra row saying whether there is a next page. The
    cursor is the last row's key: its values, comma-separated, then "." and the id
    (``2020-05-06.12345``, ``2020-05-06T08:30:00.123456+00:00.12345``,
    ``2027-05-01,2025-05-01.12345``); a malformed one reads as the first page. Nothing counts
    the list beyond the page: a million rows cost what fifty do."""

    def __init__(self, qs, *, after: str | None, per_page: int = 50,
                 order: tuple[str, ...] = ("stage_on", "id"), unit: str = "条",
                 ascending: bool = False, groups: list | None = None):
        """``groups``: filters (Q) that split the list, shown one after the other, each in
        ``order`` (the reserve pool's 脱贫劳动力优先: verified, unverified, everyone else). A
        rank computed from today's date has no index; each group's filter walks one. The
        cursor then starts with the group's number: ``1:2020-05-06T08:30:00+00:00.12345``."""
        from django.db.models import F, Q
        from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

        self.per_page, self.order, self.unit, self.grouped = per_page, order, unit, bool(groups)
        group, key = 0, None
        if groups:
            number, _, after = (after or "").partition(":")
            number = ascii_int(number)
            if number is not None and number < len(groups):
                group = number
            else:
                after = None  # no such group: the first page
        key = self._parse([_output_field(qs, name) for name in order[:-1]], after)
        if key is None:
            group = 0
        self.first = key is None
        qs = qs.order_by(*(name if ascending else f"-{name}" for name in order))
        after_key = TupleGreaterThan if ascending else TupleLessThan
        rows = []
        # One query a group until the page is full (the extra row says there is a next page).
        for n, where in enumerate(groups or [Q()]):
            if n < group:
                continue
            part = qs.filter(where)
            if key is not None and n == group:
                part = part.filter(after_key(Tuple(*(F(name) for name in order)), key))
            for row in part[:per_page + 1 - len(rows)]:
                row.keyset_group = n
                rows.append(row)
            if len(rows) > per_page:
                break
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]

    @staticmethod
    def _parse(fields, after):
        from datetime import date, datetime

        from django.db.models import DateTimeField
        values, _, pk = (after or "").rpartition(".")
        values = values.split(",")
        if len(values) != len(fields):
            return None
        key = []
        try:
            for field, value in zip(fields, values):
                if isinstance(field, DateTimeField):
                    moment = datetime.fromisoformat(value)
                    if not moment.tzinfo:
                        return None
                    key.append(moment)
                else:
                    key.append(date.fromisoformat(value))
            return (*key, int(pk))
        except ValueError:
            return None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def next_cursor(self) -> str:
        last = self.object_list[-1]
        *values, pk = (getattr(last, name) for name in self.order)
        cursor = ",".join(value.isoformat() for value in values) + f".{pk}"
        return f"{last.keyset_group}:{cursor}" if self.grouped else cursor

    @property
    def total(self) -> str:
        """``total_label`` in the page's own unit, for a template."""
        return self.total_label(self.unit)

    def total_label(self, unit: str) -> str:
        """The whole list on its first page: "共 12 条"; otherwise what the page shows."""
        if self.first and not self.has_next:
            return f"共 {len(self)} {unit}"
        return f"本页 {len(self)} {unit}" + ("，更多见下一页" if self.has_next else "")


def _output_field(qs, name):
    """The field a key of the list's order is: a model field, or an annotation's output."""
    if name in qs.query.annotations:
        return qs.query.annotations[name].output_field
    return qs.model._meta.get_field(name)
