from django.urls import reverse

from apps.accounts.models import ADMIN_ROLES, Role

# (label, url name, roles that see the entry)
PEOPLE = {Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY}
BUSINESS = set(Role.values) - ADMIN_ROLES
# Groups by what people do: (group label, [(label, url name, roles that see the entry)]).
# A group with one visible entry shows as a plain link; an empty group is not shown.
NAV = [
    ("工作台", [
        ("首页", "accounts:home", None),
        ("我的待办", "deadlines:my_items", PEOPLE),
    ]),
    ("人员与筛选", [
        ("人员", "registry:person_list", PEOPLE),
        ("储备库", "registry:reserve_pool", PEOPLE),
        ("报名与筛选", "pipeline:candidacy_list", PEOPLE),
        ("场次", "pipeline:session_list", PEOPLE),
        ("花名表", "pipeline:roster", PEOPLE),
        ("名册上传", "rosters:upload_list", {Role.PROVINCE, Role.CITY, Role.UNIT}),
        ("完整号码申请", "disclosures:request_list", PEOPLE),
        ("环节间隔上限", "pipeline:gap_limits", PEOPLE),
    ]),
    ("培训", [
        ("培训班", "training:class_list", PEOPLE),
    ]),
    ("项目与输出", [
        ("岗位项目", "projects:project_list", BUSINESS),
        ("在外人员", "abroad:register", PEOPLE),
        ("在外人员统计", "abroad:figures", PEOPLE),
        ("投诉纠纷", "complaints:complaint_list", PEOPLE),
        ("突发事件", "incidents:incident_list", PEOPLE),
        ("跟踪随访", "followups:plan_list", PEOPLE),
        ("归国人员", "returnees:profile_list", PEOPLE),
        ("输出机构", "orgs:agency_list", BUSINESS),
        ("组织单位", "orgs:unit_list", BUSINESS),
        ("地市", "orgs:city_list", BUSINESS),
        ("备案审批", "orgs:filing_list", {Role.PROVINCE, Role.CITY}),
    ]),
    ("任务与资金", [
        ("任务分解", "quotas:task_index", {Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER}),
        ("脱贫劳动力占比目标", "quotas:poverty_targets",
         {Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER}),
        ("补助资金", "subsidies:claim_list", PEOPLE),  # an agency: its evaluation rewards
        ("补助标准", "subsidies:standard_list", BUSINESS),
    ]),
    ("统计", [
        ("统计分析", "dashboards:dashboard_index", BUSINESS),
        ("报送及时率", "deadlines:timeliness", {Role.PROVINCE, Role.CITY}),
        ("年度评估", "evaluations:scorecard_list", PEOPLE),
        ("评估方案", "evaluations:scheme_list", PEOPLE),
    ]),
    ("系统", [
        ("政策公告", "publicity:notice_list", {Role.PROVINCE}),
        ("工作日历", "workdays:calendar_index", BUSINESS),
        ("数据接口说明", "api:docs", {Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY}),
        ("停机停工期间", "outages:period_list", {Role.PROVINCE}),
        ("补录记录", "outages:late_entry_list", {Role.PROVINCE}),
        ("账号管理", "accounts:account_list", {Role.SYSTEM_ADMIN}),
        ("安全管理", "accounts:security_index", {Role.SECURITY_ADMIN}),
        ("接口客户端", "api_clients:client_list", {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
        ("审计日志", "audit:event_list", {Role.AUDIT_ADMIN}),
    ]),
]


def _active(url: str, path: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    groups = []
    for group, entries in NAV:
        items = [{"label": label, "url": reverse(name), "active": False}
                 for label, name, roles in entries if roles is None or user.role in roles]
        if items:
            groups.append({"label": group, "items": items, "active": False})
    # The longest entry that prefixes the path is the current one (/todo/ vs /todo/timeliness/);
    # its group is highlighted too.
    matches = [(g, i) for g in groups for i in g["items"] if _active(i["url"], path)]
    if matches:
        group, item = max(matches, key=lambda m: len(m[1]["url"]))
        item["active"] = group["active"] = True
    return {"nav": groups}
