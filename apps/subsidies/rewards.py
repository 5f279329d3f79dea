"""Evaluation rewards paid through the claim flow (issue 20, seed 002 第十二条, 第十三条).

A decided 年度绩效奖励 or 优秀 award (evaluations.Consequence, approved by the province) is
paid as a claim of its own: one line of the decided amount, no people. The one rule asked
when the claim is made and at every step after (``services.verify``), payment included."""
from apps.evaluations.models import ConsequenceKind, ConsequenceStatus
from apps.subsidies.models import Item

REWARD_ITEM = {ConsequenceKind.REWARD: Item.EVALUATION_REWARD,
               ConsequenceKind.EXCELLENT: Item.EXCELLENCE_AWARD}


def reward_problems(consequence, claim=None) -> list[str]:
    """Why ``consequence`` may not be paid (through ``claim``, once it exists), or []."""
    c = consequence
    if c.kind not in REWARD_ITEM:
        return [f"“{c.get_kind_display()}”不涉及资金，不能申请拨付。"]
    problems = []
    if c.status != ConsequenceStatus.APPROVED:
        problems.append(f"该奖励当前为“{c.get_status_display()}”，只有省专项办决定执行的奖励才能拨付。")
    if c.flag_open:
        problems.append(f"评估结果公布后已更正，该奖励待省专项办复核：{c.flag}")
    if not c.amount or c.amount <= 0:
        problems.append("该奖励没有决定金额。")
    if claim is not None and not problems:
        lines = list(claim.lines.all())
        if [(ln.item, ln.count) for ln in lines] != [(REWARD_ITEM[c.kind], 1)]:
            problems.append("奖励申请应只有一行奖励明细。")
        if claim.total > c.amount or any(ln.amount > c.amount for ln in lines):
            problems.append(f"申请金额 {claim.total} 元超过决定金额 {c.amount} 元。")
        elif claim.total != sum(ln.amount for ln in lines):
            problems.append("合计与明细不符。")
    return problems
