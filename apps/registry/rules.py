"""The yearly re-verification of a 脱贫 status as a deadline rule, as data (created when first
used, never overwriting an offset the province changed).

A verification of a 脱贫劳动力 or 监测对象 is current for a year (registry.models.poverty_due_on):
the city owes the next one by its anniversary, plus the rule's grace in working days (seeded
0). The item is the city's, on 我的待办; the next verification closes it, on time or late."""

CODE = "poverty_reverify"
RULE = {"name": "脱贫劳动力状态年度复核", "event": "poverty_verified", "offset": 0,
        "owner": "市人社局", "basis": "晋人社厅函〔2020〕127号：数据动态管理、同步更新；每年复核"}


def rule_ensure(model):
    rule, _ = model.objects.get_or_create(code=CODE, defaults=RULE)
    return rule
