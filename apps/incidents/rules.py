"""The incident report deadlines as data: seeded by a migration, kept by tests (as
apps/deadlines/rules.py does for the SPEC §7 table).

The deadline items of incident reports belong to three DeadlineRule rows (so they show on
我的待办 and count for timeliness); their length lives in IncidentReportRule, per grade group.
All three are ``in_hours``: the incidents service gives each item its due time when it opens
it, and deadlines.services.recompute_due leaves them alone (the final report's working days
are counted by the incidents service through the working-day calendar)."""

FIRST_RULE, FOLLOWUP_RULE, FINAL_RULE = "incident_first", "incident_followup", "incident_final"
BASIS = "境外劳务突发事件应急预案：首次报告 / 续报 / 终报，严禁迟报、谎报、瞒报"

DEADLINE_RULES = [
    (FIRST_RULE, "突发事件首次报告"),
    (FOLLOWUP_RULE, "突发事件续报"),
    (FINAL_RULE, "突发事件终报"),
]

# (grade group, kind, amount): hours for first and follow-up, working days for the final.
REPORT_RULES = [
    ("high", "first", 2),
    ("low", "first", 24),
    ("high", "followup", 24),
    ("low", "followup", 24),
    ("high", "final", 10),
    ("low", "final", 10),
]


def rules_ensure(deadline_rule, report_rule) -> None:
    """Create the rules that are missing (never overwrite what the province changed)."""
    for code, name in DEADLINE_RULES:
        deadline_rule.objects.get_or_create(code=code, defaults={
            "name": name, "event": "incident", "offset": 0, "in_hours": True,
            "owner": "报告单位（输出机构 / 组织单位 / 市人社局）", "basis": BASIS})
    for group, kind, amount in REPORT_RULES:
        report_rule.objects.get_or_create(grade_group=group, kind=kind,
                                          defaults={"amount": amount})


def incident_rules_ensure() -> None:
    from apps.deadlines.models import DeadlineRule
    from apps.incidents.models import IncidentReportRule
    rules_ensure(DeadlineRule, IncidentReportRule)
