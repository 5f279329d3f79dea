"""One demo account per role, for trying the system out. Never in production."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction

from apps.accounts.models import Role, User
from apps.orgs.models import Agency, City, CityAgencyCooperation, OrganisingUnit, UnitAgencyCooperation
from apps.projects.models import JobProject
from apps.projects.services import project_approve, project_draft, project_submit

DEMO_PASSWORD = "Demo-2020-lw"
DEMO_PROJECT = "日本介护技能实习项目（演示）"

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
    # A published demo project, so that the demo city and unit can register people for it:
    # drafted, submitted and published through the services, with its 项目审查表 like any other.
    if not JobProject.objects.filter(name=DEMO_PROJECT, agency=agency).exists():
        ciic = User.objects.get(username="ciic")
        project = project_draft(agency=agency, actor=ciic, name=DEMO_PROJECT, country="日本",
                                trade="介护", employer="演示用外方企业", headcount=30,
                                contract_term="3年")
        project_submit(project, actor=ciic)
        project_approve(project, review_no="晋商外经审〔演示〕001号",
                        review_form=ContentFile(demo_review_form(), name="项目审查表（演示）.pdf"),
                        actor=province)
    return rows


def demo_review_form() -> bytes:
    """A one-page PDF saying it stands in for the commerce department's 项目审查表. Written by
    hand (no PDF writer in the stack); the text uses the standard Chinese font STSong-Light,
    which PDF readers supply themselves."""
    text = "项目审查表（演示用，非真实文件）".encode("utf-16-be").hex().upper()
    content = f"BT /F1 16 Tf 40 400 Td <{text}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"
        b" /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >>"
        b" /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)
