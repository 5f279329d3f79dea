"""One demo account per role, for trying the system out. Never in production."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from apps.accounts.models import Role, User
from apps.orgs.models import Agency, City, CityAgencyCooperation, OrganisingUnit, UnitAgencyCooperation
from apps.projects.models import JobProject, ProjectStatus

DEMO_PASSWORD = "Demo-2020-lw"

# username, role, display name, organisation lookup
DEMO_ACCOUNTS = [
    ("province", Role.PROVINCE, "省专项办演示", None),
    ("taiyuan", Role.CITY, "太原市人社局演示", ("city", City, {"short_name": "太原"})),
    ("sxu", Role.UNIT, "山西大学演示", ("unit", OrganisingUnit, {"name": "山西大学"})),
    ("ciic", Role.AGENCY, "中智演示", ("agency", Agency, {"name": "中国国际技术智力合作有限公司"})),
    ("observer", Role.OBSERVER, "商务厅观察演示", None),
    # 三员分立: three administrators, three accounts.
    ("sysadmin", Role.SYSTEM_ADMIN, "系统管理员演示", None),
    ("secadmin", Role.SECURITY_ADMIN, "安全管理员演示", None),
    ("auditor", Role.AUDIT_ADMIN, "审计管理员演示", None),
]


@transaction.atomic
def demo_accounts_create() -> list[tuple[str, str, str]]:
    """Create (or reset the password of) the demo accounts; returns (username, role, org)."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("生产环境不得创建演示账号。")
    rows = []
    for username, role, name, org in DEMO_ACCOUNTS:
        fields = {"role": role, "first_name": name}
        if org:
            field, model, lookup = org
            fields[field] = model.objects.get(**lookup)
        if role == Role.OBSERVER:
            fields["department"] = "商务厅"
        user, _ = User.objects.update_or_create(username=username, defaults=fields)
        user.set_password(DEMO_PASSWORD)
        # The province maintains reference data on its own pages (orgs: 基础数据导入导出),
        # not in a Django admin: no demo account is staff, superuser or holds permissions.
        user.save()
        user.user_permissions.clear()
        rows.append((username, user.get_role_display(), user.organisation_name))
    # Demo pairings so the agency account has partners to look at.
    agency = Agency.objects.get(name="中国国际技术智力合作有限公司")
    province = User.objects.get(username="province")
    taiyuan = City.objects.get(short_name="太原")
    CityAgencyCooperation.objects.get_or_create(
        city=taiyuan, agency=agency, ended_at=None, defaults={"created_by": province}
    )
    UnitAgencyCooperation.objects.get_or_create(
        unit=OrganisingUnit.objects.get(name="山西大学"), agency=agency, ended_at=None,
        defaults={"created_by": province},
    )
    # A published demo project, so that the demo city and unit can register people for it.
    JobProject.objects.get_or_create(
        name="日本介护技能实习项目（演示）", agency=agency,
        defaults={"country": "日本", "trade": "介护", "employer": "演示用外方企业",
                  "headcount": 30, "status": ProjectStatus.PUBLISHED},
    )
    return rows
