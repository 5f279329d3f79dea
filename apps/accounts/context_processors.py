from django.urls import reverse

from apps.accounts.models import ADMIN_ROLES, Role

# (label, url name, roles that see the entry)
PEOPLE = {Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY}
BUSINESS = set(Role.values) - ADMIN_ROLES
NAV = [
    ("首页", "accounts:home", None),
    ("我的待办", "deadlines:my_items", PEOPLE),
    ("人员", "registry:person_list", PEOPLE),
    ("储备库", "registry:reserve_pool", PEOPLE),
    ("报名与筛选", "pipeline:candidacy_list", PEOPLE),
    ("场次", "pipeline:session_list", PEOPLE),
    ("花名表", "pipeline:roster", PEOPLE),
    ("环节间隔上限", "pipeline:gap_limits", PEOPLE),
    ("完整号码申请", "disclosures:request_list", PEOPLE),
    ("培训班", "training:class_list", PEOPLE),
    ("补助资金", "subsidies:claim_list", {Role.PROVINCE, Role.CITY, Role.UNIT}),
    ("名册上传", "rosters:upload_list", {Role.PROVINCE, Role.CITY, Role.UNIT}),
    ("岗位项目", "projects:project_list", BUSINESS),
    ("地市", "orgs:city_list", {Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY, Role.OBSERVER}),
    ("组织单位", "orgs:unit_list", {Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY, Role.OBSERVER}),
    ("输出机构", "orgs:agency_list", {Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY, Role.OBSERVER}),
    ("备案审批", "orgs:filing_list", {Role.PROVINCE, Role.CITY}),
    ("任务分解", "quotas:task_index", {Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER}),
    ("报送及时率", "deadlines:timeliness", {Role.PROVINCE, Role.CITY}),
    ("统计分析", "dashboards:dashboard_index", BUSINESS),
    ("政策公告", "publicity:notice_list", {Role.PROVINCE}),
    ("工作日历", "workdays:calendar_index", BUSINESS),
    ("账号管理", "accounts:account_list", {Role.SYSTEM_ADMIN}),
    ("安全管理", "accounts:security_index", {Role.SECURITY_ADMIN}),
    ("审计日志", "audit:event_list", {Role.AUDIT_ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    items = [{"label": label, "url": reverse(name), "active": False}
             for label, name, roles in NAV if roles is None or user.role in roles]
    # The longest entry that prefixes the path is the current one (/todo/ vs /todo/timeliness/).
    matches = [i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav": items}
