"""Seed 002's 评估表 (金东区劳务协作工作站评估表, 附件3) as data: the example scheme the province
copies for a year and edits before it is scored.

Rows: (category, code, label, standard, points, key or "" for entered, rule, veto_at).
Agencies get the seed's table as it stands, 100 points, with its one-vote rules as criteria of
0 points (a serious accident; the seed's "三次以上投诉" is the veto of the complaints row).
Units get the same shape with what the plan (seed 000) holds units to: task completion,
training pass rate, reporting on time, early returns, and the spot checks' falsification."""
from decimal import Decimal

from apps.evaluations.models import Kind

SOURCE = "金东人社〔2021〕14号 附件3《金东区劳务协作工作站评估表》"

E = ""  # entered by the province or the city

AGENCY = [
    ("站点管理", "rules", "建立管理制度", "制定健全的劳务协作工作管理制度，与劳务输出地区达成具体有效的劳务协作协议。否则不得分。", 5, E, {}, None),
    ("站点管理", "office", "实地办公", "在省内和劳务输出地区均设有实际工作地点，配备必要办公设施。否则不得分。", 5, E, {}, None),
    ("站点管理", "staff", "专人负责制", "设有专人负责两地劳务对接工作，否则不得分。负责人员变动应及时上报，发现未落实一例扣2分。", 5, E, {}, None),
    ("站点管理", "complaints", "处理意外责任事故及投诉情况", "投诉经核实一例扣2分。投诉3次以上，一票否决，年度评估为不合格。", 5, "complaints", {"deduct": 2}, 3),
    ("站点管理", "accident", "重大安全责任事故", "发生重大（Ⅰ、Ⅱ级）安全责任事故的，一票否决。", 0, "serious_incidents", {"deduct": 1}, 1),
    ("工作管理", "plan", "工作计划", "有详细的、切实可行的年度输送劳动力安排计划。否则扣5分。", 5, E, {}, None),
    ("工作管理", "contracts", "签订合同", "输送劳动力与用人单位签订劳动合同。发现未落实一例扣1分。", 5, "contracts", {"deduct": 1}, None),
    ("工作管理", "ledger", "建立台账", "建立完备的工作纸质台账（企业基本情况、管理制度、岗位需求、输送人员花名册、留用人员花名册等）。缺少一项扣3分。", 10, E, {}, None),
    ("协作效果", "worker_view", "输送人员意见", "务工人员满意度在50%以下不得分，50%以上至75%的得3分，75%以上的得5分。", 5, E, {}, None),
    ("协作效果", "employer_view", "企业意见", "企业满意度在50%以下不得分，50%以上至75%的得3分，75%以上的得5分。", 5, E, {}, None),
    ("协作效果", "docking", "劳务对接活动", "没有组织不得分，组织一场5分，组织两次（含）以上10分。", 10, "docking", {"bands": [{"min": 1, "points": 5}, {"min": 2, "points": 10}]}, None),
    ("协作效果", "departures", "输送人数", "年度输送100-200人（含）得3分；200-300人（含）得8分；300人以上得10分，其余不得分。", 10, "departures", {"bands": [{"min": 100, "points": 3}, {"over": 200, "points": 8}, {"over": 300, "points": 10}]}, None),
    ("协作效果", "skilled", "技术技能人才", "输送技术技能人才10人（含）以上得2-5分（记录中没有技能等级，由评分人认定，并录入认定人数）。", 5, E, {}, None),
    ("协作效果", "retention", "留用率", "留用率40%-50%（含）得5分，50%-60%（含）得10分，60%以上得15分，其余不得分（出境满6个月后统计）。", 15, "retention", {"bands": [{"min": 40, "points": 5}, {"over": 50, "points": 10}, {"over": 60, "points": 15}]}, None),
    ("创新与发展", "innovation", "工作创新", "创新劳务协作工作制度或做法，并取得明显成效。", 10, E, {}, None),
]

UNIT = [
    ("组织管理", "staff", "专人负责制", "设有专人负责对外劳务输出工作，否则不得分。", 5, E, {}, None),
    ("组织管理", "plan", "工作计划", "有详细的、切实可行的年度输出工作计划。否则扣5分。", 5, E, {}, None),
    ("组织管理", "ledger", "建立台账", "报名、培训、输出、留用人员台账完备。缺少一项扣2分。", 5, E, {}, None),
    ("任务完成", "task", "任务完成率", "输出人数达到年度任务数的60%得10分，80%得15分，100%得20分。", 20, "task_completion", {"bands": [{"min": 60, "points": 10}, {"min": 80, "points": 15}, {"min": 100, "points": 20}]}, None),
    ("任务完成", "retention", "留用率", "留用率40%-50%（含）得4分，50%-60%（含）得7分，60%以上得10分（出境满6个月后统计）。", 10, "retention", {"bands": [{"min": 40, "points": 4}, {"over": 50, "points": 7}, {"over": 60, "points": 10}]}, None),
    ("任务完成", "early", "提前回国", "合同期满前归国一人扣1分（原因见明细）。", 5, "early_returns", {"deduct": 1}, None),
    ("培训与合同", "training", "强化培训合格率", "合格率60%以上得5分，80%以上得8分，90%以上得10分。", 10, "training_pass", {"bands": [{"min": 60, "points": 5}, {"min": 80, "points": 8}, {"min": 90, "points": 10}]}, None),
    ("培训与合同", "contracts", "签订合同", "输出人员未签订合同的一例扣1分。", 5, "contracts", {"deduct": 1}, None),
    ("报送与处置", "timeliness", "数据报送及时", "逾期报送或未报送一项扣1分。", 10, "timeliness", {"deduct": 1}, None),
    ("报送与处置", "late_reports", "突发事件及时报告", "突发事件报告迟报一份扣1分。", 5, "late_reports", {"deduct": 1}, None),
    ("报送与处置", "docking", "项目对接", "组织项目对接一次得3分，两次（含）以上得5分。", 5, "docking", {"bands": [{"min": 1, "points": 3}, {"min": 2, "points": 5}]}, None),
    ("报送与处置", "complaints", "投诉情况", "投诉经核实一例扣2分；3次以上一票否决。", 5, "complaints", {"deduct": 2}, 3),
    ("报送与处置", "accident", "重大安全责任事故", "发生重大（Ⅰ、Ⅱ级）安全责任事故的，一票否决。", 0, "serious_incidents", {"deduct": 1}, 1),
    ("报送与处置", "falsified", "弄虚作假、虚报冒领", "抽查发现弄虚作假的，一票否决。", 0, "falsified", {"deduct": 1}, 1),
    ("服务评价", "satisfaction", "人员及企业满意度", "满意度在50%以下不得分，50%以上至75%的得6分，75%以上的得10分。", 10, E, {}, None),
]

EXAMPLES = {Kind.AGENCY: AGENCY, Kind.UNIT: UNIT}

# Seed 002 第十二条: 4, 5, 6, 7 万元 at 60, 70, 80, 90, and 2 万元 once for 优秀; 第十条: 优秀
# after two years ≥ 80, ≥ 300 sent a year of whom ≥ 10% skilled (the 技术技能人才 criterion's
# entered number), ≥ 60% retained after six months, a complete ledger (建立台账 at full
# points); 第十一条: re-reviewed every two years, not designated again. A unit's table has no
# 技术技能人才 criterion: its rule leaves that share out.
REWARD_BANDS = [{"min": 60, "amount": 40000}, {"min": 70, "amount": 50000},
                {"min": 80, "amount": 60000}, {"min": 90, "amount": 70000}]
_EXCELLENCE = {"years": 2, "min_score": 80, "min_departures": 300, "min_retention": 60,
               "ledger_code": "ledger", "review_every": 2, "amount": 20000}
EXCELLENCE = {Kind.AGENCY: {**_EXCELLENCE, "skilled_code": "skilled", "min_skilled_share": 10},
              Kind.UNIT: {**_EXCELLENCE, "skilled_code": "", "min_skilled_share": 0}}


def example_rows(kind):
    for seq, (category, code, label, standard, points, key, rule, veto_at) in enumerate(
            EXAMPLES[kind], 1):
        yield {"seq": seq, "category": category, "code": code, "label": label,
               "standard": standard, "points": Decimal(points),
               "method": "computed" if key else "entered", "key": key, "rule": rule,
               "veto_at": veto_at}
