"""The follow-up visit's deadline rule, as data (seeded by migration 0002, kept by tests).

A visit is owed on the day the plan's interval (calendar days) brings after the last visit or
the plan's start: that day is the item's ``event_on``. The rule's offset is the grace the
province allows after it, in working days, seeded 0: the visit is due by the end of that
day. Counting the grace on the rule keeps ``deadlines.services.recompute_due`` right for these
items (offset 0 leaves ``due_on`` on ``event_on``)."""

CODE = "follow_up_visit"
RULE = {"name": "跟踪随访（按随访间隔）", "event": "follow_up", "offset": 0, "owner": "输出机构",
        "basis": "县外派劳务服务中心工作职责：在外100人以上项目定期随访，150人以上指定专人"}


def rule_ensure(model):
    """The rule, created if missing (never overwriting an offset the province changed)."""
    rule, _ = model.objects.get_or_create(code=CODE, defaults=RULE)
    return rule


def settings_ensure(model):
    """The one settings row with the seeded defaults, created if missing."""
    row, _ = model.objects.get_or_create(pk=1)
    return row
