"""Pages of lists of a million rows that never count the whole list.

Django's ``Paginator`` runs ``COUNT(*)`` over every row the user may see on each page load
(a million persons: most of a second) and reads the rows before an offset. ``KeysetPage``
reads only the page, after the last row's key, over an index in the list's order."""


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
                 ascending: bool = False):
        from django.db.models import F
        from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

        self.per_page, self.order, self.unit = per_page, order, unit
        key = self._parse([_output_field(qs, name) for name in order[:-1]], after)
        self.first = key is None
        qs = qs.order_by(*(name if ascending else f"-{name}" for name in order))
        if key is not None:
            after_key = TupleGreaterThan if ascending else TupleLessThan
            qs = qs.filter(after_key(Tuple(*(F(name) for name in order)), key))
        rows = list(qs[:per_page + 1])
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
        return ",".join(value.isoformat() for value in values) + f".{pk}"

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
