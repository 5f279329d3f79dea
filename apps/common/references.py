"""The version of the reference data: tasks, cities, units, agencies and projects.

They are read on most pages and change a few times a day, so what is built from them (the
dashboards' finished tables, a filter's select of 2,000 projects) is kept under this
version. It is bumped on every save and delete of those models (dashboards/apps.py) and by
a write that bypasses save()."""
import time

from django.core.cache import cache
from django.db import transaction

KEY = "dashboard:references"


def version() -> int:
    value = cache.get(KEY)
    if value is None:  # never set, or lost with Redis: a new one, never an old one again
        _start()
        value = cache.get(KEY)
    return value


def changed() -> None:
    """Bumped at once (for the writer's own next view) and again at commit (a view between
    the two would otherwise keep the old data under the new version)."""
    _bump()
    transaction.on_commit(_bump)


def _start():
    # From the clock, not 0: after Redis loses the key, a version is never reused.
    cache.add(KEY, int(time.time() * 1000), timeout=None)


def _bump():
    _start()
    cache.incr(KEY)
