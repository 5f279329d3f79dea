"""附件8 对外劳务输出补助资金申请表, as printed in the seed: every row of the form, filled
where the claim has a line (a 非建制班's halves go on the 开班预拨 and 培训费用 rows)."""
from openpyxl.styles import Alignment

from apps.rosters.exports import _bytes, _header_rows, _sheet, _title, put
from apps.subsidies.models import Fund, Item, Phase

EXAM_GROUP = "未参训学员培训前面试体检费用"
# (资金类别, 项目, 明细, the claim items printed on the row)
FORM_ROWS = [
    ("开班", EXAM_GROUP, "初试", [Item.FIRST_INTERVIEW]),
    ("开班", EXAM_GROUP, "体检", [Item.MEDICAL]),
    ("开班", EXAM_GROUP, "复试", [Item.SECOND_INTERVIEW]),
    ("开班", "培训开班预拨费用", "", [Item.TRAINING_ADVANCE, Item.STANDING_FIRST]),
    ("开班", "面试合格奖补", "", [Item.INTERVIEW_AWARD]),
    ("结业", "培训费用", "", [Item.TRAINING_FEE, Item.STANDING_SECOND]),
    ("结业", "培训合格奖补", "", [Item.TRAINING_AWARD]),
    ("出国", "培训尾款", "", [Item.TRAINING_BALANCE]),
    ("出国", "出国费用", "", [Item.DEPARTURE_FEE]),
    ("出国", "国外就业奖补", "", [Item.EMPLOYMENT_AWARD]),
]
# Not in the seed's 附件8: seed 003's items for 脱贫劳动力, printed under 出国 only on a claim
# that carries them (every other claim keeps the seed's grid exactly).
POVERTY_ROWS = [
    ("出国", "脱贫劳动力专项", "一次性交通补助", [Item.POVERTY_TRANSPORT]),
    ("出国", "脱贫劳动力专项", "职业介绍补贴", [Item.POVERTY_PLACEMENT]),
]
# An evaluation reward's claim prints its own rows only (seed 002 第十二条), not 附件8's grid.
REWARD_ROWS = [
    ("评估奖励", "年度绩效奖励", "", [Item.EVALUATION_REWARD]),
    ("评估奖励", "优秀站点一次性奖励", "", [Item.EXCELLENCE_AWARD]),
]
STANDING_NOTE = {Item.STANDING_FIRST: "非建制班开班拨付50%", Item.STANDING_SECOND: "非建制班结业后拨付50%"}


def form8_rows(claim, lines) -> list[dict]:
    by_item = {line.item: line for line in lines}
    if claim.phase == Phase.EVALUATION:
        form = REWARD_ROWS
    else:
        form = FORM_ROWS + (POVERTY_ROWS if any(r[3][0] in by_item for r in POVERTY_ROWS) else [])
    rows = []
    for i, (phase, group, sub, items) in enumerate(form):
        line = next((by_item[item] for item in items if item in by_item), None)
        first_of_phase = i == 0 or form[i - 1][0] != phase
        first_of_group = i == 0 or form[i - 1][1] != group
        rows.append({
            "phase": phase, "group": group, "sub": sub,
            "phase_span": sum(1 for r in form if r[0] == phase) if first_of_phase else 0,
            "group_span": sum(1 for r in form if r[1] == group) if first_of_group else 0,
            "count": line.count if line else "", "standard": line.standard if line else "",
            "amount": line.amount if line else "",
            "note": (STANDING_NOTE.get(line.item, "") + (f"（{line.get_fund_display()}）"))
            if line else "",
        })
    return rows


MONEY = "#,##0.00"  # the form's amounts in 元 with two decimals, kept numeric


def money(value) -> str:
    return f"{value:,.2f}"


def form8_claim(claim, lines) -> bytes:
    """The seed's grid: 资金类别 over the three label columns, 申请金额, and the
    资金组成说明 group (人数, 标准, 备注); then 资金合计, 账户信息, 其他说明 with the stamp."""
    wb, ws = _sheet("附件8")
    _title(ws, "对外劳务输出补助资金申请表", 7)
    put(ws, 3, 1, "资金类别", bold=True)
    put(ws, 3, 4, "申请金额（单位：元）", bold=True)
    put(ws, 3, 5, "资金组成说明", bold=True)
    for col, head in ((5, "人数"), (6, "标准（元/人）"), (7, "备注")):
        put(ws, 4, col, head, bold=True)
    for row, col in ((3, 2), (3, 3), (4, 1), (4, 2), (4, 3), (4, 4), (3, 6), (3, 7)):
        put(ws, row, col, None)  # covered cells keep the box's border
    ws.merge_cells("A3:C4")
    ws.merge_cells("D3:D4")
    ws.merge_cells("E3:G3")
    _header_rows(ws, 3, 4)
    rows = form8_rows(claim, lines)
    for r, row in enumerate(rows, start=5):
        put(ws, r, 1, row["phase"])
        put(ws, r, 2, row["group"])
        put(ws, r, 3, row["sub"])
        for col, key in ((4, "amount"), (5, "count"), (6, "standard"), (7, "note")):
            value = row[key]
            if key in ("amount", "standard") and value != "":
                put(ws, r, col, float(value)).number_format = MONEY
            else:
                put(ws, r, col, value)
    # Merged after writing: a merged range's inner cells cannot be written.
    for r, row in enumerate(rows, start=5):
        if row["phase_span"] > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r + row["phase_span"] - 1, end_column=1)
        if row["group_span"] > 1:
            ws.merge_cells(start_row=r, start_column=2, end_row=r + row["group_span"] - 1, end_column=2)
        elif not row["sub"]:
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
    r = 5 + len(rows)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    totals = (f"{Fund.EMPLOYMENT.label}：{money(claim.employment_total)} 元　"
              f"{Fund.SKILLS.label}：{money(claim.skills_total)} 元　"
              f"合计：{money(claim.total)} 元")
    for label, value in (("资金合计", totals),
                         ("账户信息", f"开户银行：{claim.bank_name}　账户名称：{claim.account_name}　"
                                      f"账号：{claim.account_no}")):
        put(ws, r, 1, label, bold=True)
        put(ws, r, 2, value, align=left)
        for c in range(3, 8):
            put(ws, r, c, None)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=7)
        ws.row_dimensions[r].height = 36
        r += 1
    put(ws, r, 1, "其他说明", bold=True)
    put(ws, r, 2, claim.note, align=left)
    put(ws, r, 3, None)
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
    put(ws, r, 4, "申请单位", bold=True)
    put(ws, r, 5, f"{claim.organisation.name}（盖章）\n年　　月　　日", align=left)
    for c in (6, 7):
        put(ws, r, c, None)
    ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=7)
    ws.row_dimensions[r].height = 48
    for letter, width in zip("ABCDEFG", (8, 22, 8, 22, 8, 14, 22)):
        ws.column_dimensions[letter].width = width
    return _bytes(wb)
