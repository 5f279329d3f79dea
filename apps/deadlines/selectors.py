from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.deadlines.models import OPEN_ITEM, DeadlineItem, Notice

# 我的待办's filters: read at request time from the due moment, so an item is overdue the
# minute its deadline passes, whether or not the periodic scan has run since.
STATES = {"overdue": "已逾期", "due": "未到期"}


def _open(user):
    return visible(DeadlineItem.objects.filter(status__in=OPEN_ITEM), user)


def my_items(user, *, state="", city=None, now=None):
    """Open items of ``user``; ``state`` "overdue" or "due" splits them at ``now``."""
    now = now or timezone.now()
    qs = _open(user)
    if state == "overdue":
        qs = qs.overdue(now)
    elif state == "due":
        qs = qs.not_overdue(now)
    if city:
        qs = qs.filter(city=city)
    return qs.select_related("rule", "candidacy__person", "candidacy__project",
                             "training_class").prefetch_related("subject")


def my_items_listed(user, **filters):
    """my_items with each item's state at read time, for the page that lists them (the
    "due soon" edge reads the calendar once; counts need only the due moment)."""
    return my_items(user, **filters).with_state(filters.get("now"))


def overdue_by_city(user, now=None):
    """(city id, city name, count) of overdue items, one query, for the province's home."""
    now = now or timezone.now()
    return list(_open(user).overdue(now).filter(city__isnull=False)
                .values_list("city", "city__name").annotate(n=Count("id"))
                .order_by("city__code"))


def my_notices(user, limit=50):
    """The inbox: notices of the items ``user`` sees, and event notices addressed to its own
    role (the province, who sees every notice, is not shown a city's)."""
    return (visible(Notice.objects.select_related("item__rule", "item__candidacy__person",
                                                  "item__training_class")
                    .prefetch_related("item__subject"), user)
            .filter(Q(item__isnull=False) | Q(owner_role=user.role))[:limit])
