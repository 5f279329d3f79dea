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
