"""The SPEC §7 deadline table as data: seeded by a migration, kept by tests."""

# SPEC §7 (seed 000 §3, §4). The province may change the offsets afterwards.
RULES = [
    ("stage_data", "各环节数据（报名、面试、体检、合同、培训、输出）", "stage", 5,
     "组织单位 / 市人社局 / 输出机构", "实施方案 三"),
    ("class_roster", "花名表（附件6）", "class_opens", -1, "组织单位", "实施方案 三：强化培训开班前"),
    ("class_info", "培训班信息表（附件7）", "class_ends", 10, "组织单位", "实施方案 三：培训结束后10个工作日内"),
    ("claim", "补助资金申请表（附件8）", "departure", 10, "组织单位", "实施方案 三：出国后10个工作日内"),
    ("standing_roster", "非建制班人员花名表（附件9）", "class_opens", -1, "学校", "实施方案 三：非建制班开班前"),
    ("standing_info", "非建制班培训班信息表及补助资金申请", "period_ends", 10, "学校",
     "实施方案 三：培训结束后10个工作日内"),
    ("budget", "下年度对外劳务输出工作预算", "budget", 0, "市人社局 / 组织单位", "实施方案 四：每年5月底前"),
    # Issue 18 item 3 (complaints, apps.complaints): the agency's written reply, the case's
    # resolution by the level handling it, and how long after resolution it may be reopened.
    ("complaint_reply", "投诉纠纷：输出机构书面答复", "complaint", 5, "输出机构",
     "参照斯里兰卡SLBFE：机构48小时内答复，折合5个工作日（自转办次日起算）"),
    ("complaint_resolve", "投诉纠纷：办结", "complaint", 20, "办理层级（组织单位 / 市人社局 / 专项办）",
     "参照SLBFE两周内调处，跨国取证从宽为20个工作日；逾期逐级升级，每级重新起算"),
    ("complaint_reopen_window", "投诉纠纷：办结后可申请重新办理的期限", "complaint", 10,
     "办理层级", "参照DIGIT PGR办结后5日内可重开，按跨国沟通放宽为10个工作日"),
    # Issue 20 (apps.evaluations): the organisation sees its draft score and may object.
    ("evaluation_objection", "年度评估：被评估单位提出异议", "evaluation", 5,
     "输出机构 / 组织单位", "金东人社〔2021〕14号 第七条：评估结果予以公示；异议期由省专项办设定"),
    ("evaluation_answer", "年度评估：答复异议", "evaluation", 10, "专项办",
     "每条异议自提出次日起10个工作日内答复（省专项办可调整）"),
    # Issue 19 item 2: the agency prepares the return (Korea's EPS: a guide three months
    # before, a call two weeks before) and records it from the contract's end.
    ("return_guide", "归国准备：合同期满前约三个月发送归国指导", "contract_end", -60, "输出机构",
     "参照韩国EPS期满前三个月发放归国指南，折合60个工作日"),
    ("return_call", "归国准备：合同期满前两周电话联系确认归国安排", "contract_end", -10, "输出机构",
     "参照韩国EPS期满前两周电话联系，折合10个工作日"),
    ("return_record", "归国信息登记（自合同期满日起）", "contract_end", 5, "输出机构",
     "实施方案 三：环节结束后5个工作日内"),
]


def rules_ensure(model) -> None:
    """Create the rules that are missing (never overwrite an offset the province changed)."""
    for code, name, event, offset, owner, basis in RULES:
        model.objects.get_or_create(code=code, defaults={
            "name": name, "event": event, "offset": offset, "owner": owner, "basis": basis})
