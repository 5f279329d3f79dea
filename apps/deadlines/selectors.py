from apps.accounts.scoping import visible
from apps.deadlines.models import OPEN_ITEM, DeadlineItem, Notice


def my_items(user):
    return visible(DeadlineItem.objects.filter(status__in=OPEN_ITEM).with_state()
                   .select_related("rule", "candidacy__person", "candidacy__project",
                                   "training_class"), user)


def my_notices(user, limit=50):
    return visible(Notice.objects.select_related("item__rule", "item__candidacy__person",
                                                 "item__training_class"),
                   user)[:limit]
