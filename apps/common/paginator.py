"""A paginator for lists of a million rows: it never counts the whole list.

Django's ``Paginator`` runs ``COUNT(*)`` over every row the user may see on each page load
(a million persons: most of a second). ``CappedPaginator`` counts at most ``CAP`` + 1 rows
(``SELECT count(*) FROM (… LIMIT 10001)``, an index scan in the list's order); beyond that it
shows PostgreSQL's own estimate of the total ("约 1,000,000 条") and lets the user page through
the first ``CAP`` rows, asking for a filter to narrow the list. The query count stays fixed:
one count, plus one EXPLAIN when the cap is reached."""
import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections

CAP = 10_000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def exact_count(self) -> int:
        return self.object_list[:self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.exact_count > self.cap

    @cached_property
    def count(self) -> int:
        """The rows that can be paged through: all of them, or the first ``cap``."""
        return min(self.exact_count, self.cap)

    @cached_property
    def estimate(self) -> int:
        """The planner's estimate of all the rows (never below what was counted)."""
        if not self.capped:
            return self.exact_count
        qs = self.object_list
        sql, params = qs.order_by().query.sql_with_params()
        with connections[qs.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return max(int(plan[0]["Plan"]["Plan Rows"]), self.cap + 1)

    def total_label(self, unit: str) -> str:
        """"共 1,234 人", or "约 1,000,000 人" when there are more than the cap."""
        if self.capped:
            return f"约 {self.estimate:,} {unit}（仅列出前 {self.cap:,} {unit}，请用条件筛选）"
        return f"共 {self.exact_count:,} {unit}"


class KeysetPage:
    """A page of a long list without any count: the rows after a cursor, in the list's order.

    The list is ordered by ``(date or time DESC, id DESC)`` (``order``), over an index in
    that order; a page reads ``per_page`` + 1 rows from the cursor on (a row comparison, an
    index condition), the extra row saying whether there is a next page. The cursor is the
    last row's key, ``2020-05-06.12345`` (a date) or ``2020-05-06T08:30:00.123456+00:00.12345``
    (a time); a malformed one reads as the first page. Nothing counts the list beyond the
    page: a million rows cost what fifty do."""

    def __init__(self, qs, *, after: str | None, per_page: int = 50,
                 order: tuple[str, str] = ("stage_on", "id")):
        from django.db.models import F
        from django.db.models.fields.tuple_lookups import Tuple, TupleLessThan

        self.per_page, self.order = per_page, order
        key = self._parse(qs.model._meta.get_field(order[0]), after)
        self.first = key is None
        qs = qs.order_by(*(f"-{name}" for name in order))
        if key is not None:
            qs = qs.filter(TupleLessThan(Tuple(*(F(name) for name in order)), key))
        rows = list(qs[:per_page + 1])
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]

    @staticmethod
    def _parse(field, after):
        from datetime import date, datetime

        from django.db.models import DateTimeField
        value, _, pk = (after or "").rpartition(".")
        try:
            if isinstance(field, DateTimeField):
                moment = datetime.fromisoformat(value)
                return (moment, int(pk)) if moment.tzinfo else None
            return date.fromisoformat(value), int(pk)
        except ValueError:
            return None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def next_cursor(self) -> str:
        last = self.object_list[-1]
        moment, pk = (getattr(last, name) for name in self.order)
        return f"{moment.isoformat()}.{pk}"

    def total_label(self, unit: str) -> str:
        """The whole list on its first page: "共 12 条"; otherwise what the page shows."""
        if self.first and not self.has_next:
            return f"共 {len(self)} {unit}"
        return f"本页 {len(self)} {unit}" + ("，更多见下一页" if self.has_next else "")
