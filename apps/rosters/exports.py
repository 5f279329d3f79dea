"""The official forms (seed 000, 附件1–6) as xlsx, in the seed's layout.

Every text cell is written as text: openpyxl would otherwise store a name such as "=1+1" as a
formula that runs when the file is opened. ID, phone and passport numbers are masked for
every role; only a granted disclosure (apps.disclosures, docs/DISCLOSURE.md) passes the
people whose full numbers a file may carry."""
import io
import math
import unicodedata

from django.db.models import Count, F
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins

from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.orgs.models import Agency, City
from apps.pipeline import roster
from apps.pipeline.models import Candidacy
from apps.quotas.models import Task, TaskPlan
from apps.registry.idnumber import mask_id, mask_phone
from apps.rosters.readers import column_letter

# The forms are filed in 宋体: naming a Chinese font keeps office programs from falling back
# to whatever font they pick for CJK text (LibreOffice chose a Japanese one under Calibri).
FONT_NAME = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
NOTE = Alignment(horizontal="left", vertical="top", wrap_text=True)


def person_numbers(person, *, full: bool = False) -> dict[str, str]:
    """A person's numbers as a form shows them: masked unless a disclosure grants them."""
    if full:
        return {"id": person.id_number, "phone": person.phone,
                "family_phone": person.family_phone}
    return {"id": mask_id(person.id_number), "phone": mask_phone(person.phone),
            "family_phone": mask_phone(person.family_phone)}


def put(ws, row, col, value, *, bold=False, border=True, align=CENTER):
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if bold:
        cell.font = Font(name=FONT_NAME, bold=True)
    if border:
        cell.border = BOX
    cell.alignment = align
    return cell


def office_workbook() -> Workbook:
    """A workbook whose default font is 宋体, for every file users open in an office program."""
    wb = Workbook()
    default = Font(name=FONT_NAME, sz=11, family=3, charset=134)  # 134: GB2312
    wb._fonts = IndexedList([default])  # the font of every cell not given one
    wb._named_styles["Normal"].font = default
    return wb


def _sheet(title, landscape=False):
    wb = office_workbook()
    ws = wb.active
    ws.title = title[:31]
    _page_setup(ws, landscape)
    return wb, ws


def _page_setup(ws, landscape=False):
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    # As wide as the page, and as many pages as the rows need (fitToHeight 1 would print 232
    # rows on one page at 2 pt).
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)


def _header_rows(ws, first: int, last: int) -> None:
    """The table's header rows, repeated at the top of every printed page and kept in view."""
    ws.print_title_rows = f"{first}:{last}"
    ws.freeze_panes = ws.freeze_panes or f"A{last + 1}"


LINE_POINTS = 14.5  # one line of 11 pt text


def _text_width(text: str) -> int:
    """Width in Excel's character units: a Chinese (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_heights(ws, first: int, last: int) -> None:
    """Give rows the height their wrapped text needs: LibreOffice keeps an xlsx row at one
    line, so a long 外方用工企业 was printed over the rows below."""
    merged = {(r, c) for rng in ws.merged_cells.ranges
              for r in range(rng.min_row, rng.max_row + 1)
              for c in range(rng.min_col, rng.max_col + 1)}
    for r in range(first, last + 1):
        lines = 1
        for cell in ws[r]:
            if cell.value is None or (r, cell.column) in merged:
                continue
            dim = ws.column_dimensions.get(cell.column_letter)
            room = max(1.0, (dim.width if dim is not None and dim.width else 8.43) - 0.5)
            lines = max(lines, sum(max(1, math.ceil(_text_width(part) / room))
                                   for part in str(cell.value).split("\n")))
        if lines > 1:
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0,
                                              LINE_POINTS * lines + 2)


def _title(ws, text, width, row=1, note=None):
    put(ws, row, 1, text, bold=True, border=False).font = Font(name=FONT_NAME, size=16, bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 30
    if note:
        put(ws, row + 1, 1, note, border=False, align=Alignment(horizontal="left"))
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=width)


def _bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _merge_runs(ws, col, first_row, values):
    """Merge consecutive equal cells of a column, as the seed's 类别 and 地点 columns are."""
    start = first_row
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start - first_row]:
            if i - 1 > start - first_row:
                ws.merge_cells(start_row=start, start_column=col,
                               end_row=first_row + i - 1, end_column=col)
            start = first_row + i


def _departures(user, year, by):
    """{unit or city: departures}, or None for the observer: its counts are the dashboard's,
    suppressed with the whole page (apps.dashboards.disclosure). A second table of them here,
    over another set of rows, would be a relation that suppression never saw (and its scope
    counts no candidacy: the column would read 0 for everyone)."""
    if user.role == Role.OBSERVER:
        return None
    qs = visible(Candidacy.objects.filter(departed_on__year=year), user)
    return dict(qs.values_list(by).annotate(n=Count("pk")))


def _task_number(task):
    return task.number if task.number is not None else "未知"


def _progress_sheet(wb, heads, rows, widths):
    """The figures the seed's form does not have (已输出), on a sheet of their own so the
    first sheet stays the form as filed."""
    ws = wb.create_sheet(PROGRESS_SHEET)
    _page_setup(ws)
    _title(ws, "任务完成情况", len(heads), note="单位：人（系统统计，不属于文件附件）")
    for col, head in enumerate(heads, 1):
        put(ws, 3, col, head, bold=True)
    _header_rows(ws, 3, 3)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value, bold=r == 3 + len(rows))
    for letter, width in zip("ABCDE", widths):
        ws.column_dimensions[letter].width = width


PROGRESS_SHEET = "完成情况"


def unknown_tasks_note(tasks, year: int) -> str:
    """The note under 附件1 when task numbers are unknown: which units, and the gap between
    the plan's declared total and what the rows add up to (SPEC §2: never a guess)."""
    unknown = [t for t in tasks if t.number is None]
    if not unknown:
        return ""
    known = sum(t.number for t in tasks if t.number is not None)
    names = "、".join(f"{t.unit.seq or ''}.{t.unit.name}" for t in unknown)
    plan = TaskPlan.objects.filter(year=year).first()
    gap = (f"文件合计{plan.declared_unit_total}人，" if plan else "") + f"已知任务数合计{known}人"
    if plan and plan.declared_unit_total > known:
        gap += f"，{plan.declared_unit_total - known}人未分配到单位"
    return (f"注：{len(unknown)}家单位任务数未知（原表任务数缺失，待录入）：{names}。"
            f"合计为已知任务数之和：{gap}。")


def form1_units(user, year: int) -> bytes:
    """附件1 对外劳务输出组织单位名单及任务分解表, columns as the seed; departures so far on
    the second sheet."""
    tasks = list(visible(Task.objects.filter(year=year, unit__isnull=False), user)
                 .select_related("unit", "unit__city").order_by("unit__seq", "unit__id"))
    wb, ws = _sheet("附件1")
    _title(ws, "对外劳务输出组织单位名单及任务分解表", 5, note="单位：人")
    for col, head in enumerate(["序号", "类别", "学校名称", "地点", "任务数"], 1):
        put(ws, 3, col, head, bold=True)
    _header_rows(ws, 3, 3)
    for i, t in enumerate(tasks):
        r = 4 + i
        put(ws, r, 1, t.unit.seq or i + 1)
        put(ws, r, 2, t.unit.category)
        put(ws, r, 3, t.unit.name)
        put(ws, r, 4, t.unit.city.short_name)
        put(ws, r, 5, _task_number(t))
    _merge_runs(ws, 2, 4, [t.unit.category for t in tasks])
    _merge_runs(ws, 4, 4, [(t.unit.category, t.unit.city_id) for t in tasks])
    total = 4 + len(tasks)
    put(ws, total, 1, "合计：", bold=True)
    for c in (2, 3, 4):
        put(ws, total, c, None)
    ws.merge_cells(start_row=total, start_column=1, end_row=total, end_column=4)
    put(ws, total, 5, sum(t.number or 0 for t in tasks), bold=True)
    note = unknown_tasks_note(tasks, year)
    if note:
        put(ws, total + 1, 1, note, border=False, align=NOTE)
        ws.merge_cells(start_row=total + 1, start_column=1, end_row=total + 1, end_column=5)
        ws.row_dimensions[total + 1].height = 64
    for col, width in zip("ABCDE", (6, 16, 30, 8, 8)):
        ws.column_dimensions[col].width = width
    gone = _departures(user, year, "unit")
    if gone is not None:
        rows = [[t.unit.seq or i + 1, t.unit.name, _task_number(t), gone.get(t.unit_id, 0)]
                for i, t in enumerate(tasks)]
        rows.append(["合计", "", sum(t.number or 0 for t in tasks),
                     sum(gone.get(t.unit_id, 0) for t in tasks)])
        _progress_sheet(wb, ["序号", "学校名称", "任务数", "已输出"], rows, (6, 30, 8, 8))
    return _bytes(wb)


def form2_cities(user, year: int) -> bytes:
    """附件2 各市对外劳务输出任务分解表, cities in the seed's order; departures so far on the
    second sheet."""
    tasks = list(visible(Task.objects.filter(year=year, city__isnull=False), user)
                 .select_related("city").order_by(F("city__seq").asc(nulls_last=True),
                                                  "city__code"))
    wb, ws = _sheet("附件2")
    _title(ws, "各市对外劳务输出任务分解表", 2, note="单位：人")
    for col, head in enumerate(["地 市", "任务数"], 1):
        put(ws, 3, col, head, bold=True)
    _header_rows(ws, 3, 3)
    for i, t in enumerate(tasks):
        put(ws, 4 + i, 1, t.city.name)
        put(ws, 4 + i, 2, _task_number(t))
    total = 4 + len(tasks)
    put(ws, total, 1, "合计：", bold=True)
    put(ws, total, 2, sum(t.number or 0 for t in tasks), bold=True)
    # Wide enough for the title on one line (the seed's table is two columns).
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 20
    gone = _departures(user, year, "city")
    if gone is not None:
        rows = [[t.city.name, _task_number(t), gone.get(t.city_id, 0)] for t in tasks]
        rows.append(["合计", sum(t.number or 0 for t in tasks),
                     sum(gone.get(t.city_id, 0) for t in tasks)])
        _progress_sheet(wb, ["地 市", "任务数", "已输出"], rows, (14, 12, 12))
    return _bytes(wb)


def form3_city_services(user) -> bytes:
    """附件3 各市对外劳务输出服务单位联系表."""
    cities = visible(City.objects.order_by("code"), user)
    wb, ws = _sheet("附件3")
    _title(ws, "各市对外劳务输出服务单位联系表", 5)
    for col, head in enumerate(["序号", "市", "公共就业服务机构名称", "联系人", "联系方式"], 1):
        put(ws, 3, col, head, bold=True)
    for i, city in enumerate(cities, 1):
        for col, value in enumerate([i, city.name, city.service_org_name, city.service_contact,
                                     city.service_phone], 1):
            put(ws, 3 + i, col, value)
    for col, width in zip("ABCDE", (6, 10, 36, 12, 18)):
        ws.column_dimensions[col].width = width
    return _bytes(wb)


def form4_agencies(user) -> bytes:
    """附件4 对外劳务输出机构名单, by batch."""
    agencies = list(visible(Agency.objects.exclude(batch=None).order_by("batch", "seq"), user))
    wb, ws = _sheet("附件4")
    _title(ws, "对外劳务输出机构名单", 2)
    row = 2
    for batch in sorted({a.batch for a in agencies}):
        put(ws, row, 1, f"（{Agency(batch=batch).batch_label}）", border=False)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        put(ws, row + 1, 1, "序号", bold=True)
        put(ws, row + 1, 2, "企业名称", bold=True)
        row += 2
        for a in (a for a in agencies if a.batch == batch):
            put(ws, row, 1, a.seq)
            put(ws, row, 2, a.name)
            row += 1
        row += 1
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 44
    return _bytes(wb)


def form5_date(person):
    """The date 附件5 carries: the day the person registered. The age on the form is the age
    on that day, whenever the form is exported or printed."""
    return person.registered_on


def form5_age(person) -> int:
    return person.age_on(form5_date(person))


def form5_person(person, *, full: bool = False) -> bytes:
    """附件5 对外劳务输出人员报名表 for one person, the printed grid."""
    numbers = person_numbers(person, full=full)
    wb, ws = _sheet("附件5")
    _title(ws, "对外劳务输出人员报名表", 7)
    put(ws, 2, 1, f"推荐单位：{person.unit or person.city}", border=False,
        align=Alignment(horizontal="left"))
    ws.merge_cells("A2:D2")
    put(ws, 2, 5, f"{form5_date(person):%Y年%m月%d日}", border=False,
        align=Alignment(horizontal="right"))
    ws.merge_cells("E2:G2")

    def cell(row, col, value, *, to=None, bold=False):
        """A value, merged across to column ``to`` (every covered cell keeps its border)."""
        put(ws, row, col, value, bold=bold)
        for c in range(col + 1, (to or col) + 1):
            put(ws, row, c, None)
        if to and to > col:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=to)

    def pair(row, label, value):
        cell(row, 1, label, bold=True)
        cell(row, 2, value, to=7)

    def halves(row, left_label, left_value, right_label, right_value):
        cell(row, 1, left_label, bold=True)
        cell(row, 2, left_value, to=3)
        cell(row, 4, right_label, bold=True)
        cell(row, 5, right_value, to=7)

    cell(3, 1, "姓 名", bold=True)
    cell(3, 2, person.name, to=3)
    cell(3, 4, "性 别", bold=True)
    cell(3, 5, person.sex)
    cell(3, 6, "年 龄", bold=True)
    cell(3, 7, form5_age(person))
    pair(4, "身份证号", numbers["id"])
    pair(5, "联系方式", numbers["phone"])
    pair(6, "户籍所在地", person.hukou)
    halves(7, "健康状况", person.health, "婚姻状况", person.marital)
    pair(8, "毕业院校及专业", person.school_major)
    halves(9, "学 历", person.education, "拟就业工种", person.intended_trade)
    pair(10, "学校或家庭住址", person.address)
    cell(11, 1, "家庭联系人", bold=True)
    put(ws, 12, 1, None)
    ws.merge_cells("A11:A12")
    cell(11, 2, "姓 名", bold=True)
    cell(11, 3, person.family_name)
    cell(11, 4, "关 系", bold=True)
    cell(11, 5, person.family_relation, to=7)
    cell(12, 2, "联系方式", bold=True)
    cell(12, 3, numbers["family_phone"], to=7)
    pair(13, "工作经历", person.work_history)
    ws.row_dimensions[13].height = 80
    put(ws, 14, 1, "注：请附本人身份证复印件。", border=False, align=Alignment(horizontal="left"))
    ws.merge_cells("A14:G14")
    for col, width in zip("ABCDEFG", (16, 10, 14, 12, 10, 8, 10)):
        ws.column_dimensions[col].width = width
    return _bytes(wb)


def form6_roster(candidacies, *, org_name: str, full_for=frozenset()) -> bytes:
    """附件6 对外劳务输出花名表: the two-row merged header as printed in the seed."""
    rows = roster.rows(candidacies, full_for=full_for)
    width = roster.COLUMN_COUNT
    wb, ws = _sheet("附件6", landscape=True)
    _title(ws, "对外劳务输出花名表", width)
    put(ws, 2, 1, f"填报单位（盖章）：{org_name}", border=False, align=Alignment(horizontal="left"))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=12)
    put(ws, 2, width - 5, "      年    月    日", border=False, align=Alignment(horizontal="right"))
    ws.merge_cells(start_row=2, start_column=width - 5, end_row=2, end_column=width)
    col = 1
    for label, sub in roster.GROUPS:
        if sub:
            put(ws, 3, col, label, bold=True)
            for i in range(1, len(sub)):
                put(ws, 3, col + i, None)
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(sub) - 1)
            for i, name in enumerate(sub):
                put(ws, 4, col + i, name, bold=True)
            col += len(sub)
        else:
            put(ws, 3, col, label, bold=True)
            put(ws, 4, col, None)
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
            col += 1
    for r, row in enumerate(rows, start=5):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value)
    # Narrow enough that 30 columns fit an A4 landscape page at a legible scale (~75%): the
    # tick boxes hold a √, the detail columns wrap.
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 8
    ws.column_dimensions["C"].width = 19
    for c in range(4, width + 1):
        ws.column_dimensions[column_letter(c - 1)].width = 4.5
    for letter in ("T", "U", "V", "W", "X", "Y", "Z", "AA", "AB", "AC"):
        ws.column_dimensions[letter].width = 8
    for letter in ("T", "X", "AA", "AC"):  # passport, dates, phone: one line each
        ws.column_dimensions[letter].width = 11
    ws.column_dimensions["O"].width = 6  # 合同期限
    _fit_heights(ws, 5, 4 + len(rows))
    ws.row_dimensions[3].height = 20
    ws.row_dimensions[4].height = 40  # the sub-labels wrap in their narrow columns
    ws.freeze_panes = "D5"
    _header_rows(ws, 3, 4)
    note = 6 + len(rows)
    put(ws, note, 1, "填表说明：1. 初试情况、体检情况、复试情况、签订合同情况及培训情况请在对应情况栏内划“√”。"
        "2. 请在表后附所有人员的初试场景照片、体检报告、复试场景照片、《劳务外派服务合同》和《雇佣合同》"
        "扫描件、培训照片、在留卡复印件。", border=False, align=Alignment(horizontal="left", wrap_text=True))
    ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=width)
    ws.row_dimensions[note].height = 36
    return _bytes(wb)


def form7_rows(cls) -> list[tuple[str, str]]:
    """附件7 对外劳务输出培训班信息表, label and value, in the form's order."""
    kind = "☑ 强化培训　☐ 非建制班" if not cls.is_standing else "☐ 强化培训　☑ 非建制班"
    people = cls.members.count() if cls.is_standing else cls.enrolments.count()
    return [("培训类型", kind), ("培训人数", f"{people}人"),
            ("开班时间", f"{cls.opens_on:%Y年%m月%d日}"), ("培训周期", cls.period_label),
            ("开课时间", f"{cls.course_starts_on:%Y年%m月%d日}"), ("开班地点", cls.place),
            ("开设课程", cls.courses), ("课时安排", cls.timetable), ("备注", cls.remarks)]


def form7_class(user, cls) -> bytes:
    """附件7: label | value boxes, 培训人数/开班时间 and 培训周期/开课时间 side by side."""
    wb, ws = _sheet("附件7")
    _title(ws, "对外劳务输出培训班信息表", 4)
    put(ws, 2, 1, f"组织单位（盖章）：{cls.unit.name}", border=False,
        align=Alignment(horizontal="left"))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=2)
    put(ws, 2, 3, "      年    月    日", border=False, align=Alignment(horizontal="right"))
    ws.merge_cells(start_row=2, start_column=3, end_row=2, end_column=4)
    values = dict(form7_rows(cls))
    r = 3
    put(ws, r, 1, "培训类型", bold=True)
    put(ws, r, 2, values["培训类型"])
    for c in (3, 4):
        put(ws, r, c, None)
    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
    for left, right in (("培训人数", "开班时间"), ("培训周期", "开课时间")):
        r += 1
        put(ws, r, 1, left, bold=True)
        put(ws, r, 2, values[left])
        put(ws, r, 3, right, bold=True)
        put(ws, r, 4, values[right])
    for label in ("开班地点", "开设课程", "课时安排", "备注"):
        r += 1
        put(ws, r, 1, label, bold=True)
        put(ws, r, 2, values[label], align=Alignment(vertical="center", wrap_text=True))
        for c in (3, 4):
            put(ws, r, c, None)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        ws.row_dimensions[r].height = 48 if label != "开班地点" else 24
    for letter, width in zip("ABCD", (12, 34, 12, 30)):
        ws.column_dimensions[letter].width = width
    return _bytes(wb)


FORM9_HEADERS = ["序号", "姓名", "性别", "年龄", "身份证号", "人员类别", "联系方式"]
FORM9_NOTE = "填表说明：人员类别为“学生”或“社会人员”。"


def form9_rows(members, *, full_for=frozenset()) -> list[list]:
    rows = []
    for i, m in enumerate(members, 1):
        p = m.person
        numbers = person_numbers(p, full=p.pk in full_for)
        rows.append([i, p.name, p.get_sex_display(), p.age, numbers["id"],
                     p.get_category_display(), numbers["phone"]])
    return rows


def form9_members(cls, members, *, full_for=frozenset()) -> bytes:
    """附件9 非建制班人员花名表."""
    wb, ws = _sheet("附件9")
    width = len(FORM9_HEADERS)
    _title(ws, "非建制班人员花名表", width)
    put(ws, 2, 1, f"填报单位（盖章）：{cls.unit.name}　班级：{cls.name}", border=False,
        align=Alignment(horizontal="left", vertical="center", wrap_text=True))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
    ws.row_dimensions[2].height = 32  # a long class name takes a second line
    put(ws, 2, 6, "    年   月   日", border=False, align=Alignment(horizontal="right"))
    ws.merge_cells(start_row=2, start_column=6, end_row=2, end_column=7)
    for col, head in enumerate(FORM9_HEADERS, 1):
        put(ws, 3, col, head, bold=True)
    rows = form9_rows(members, full_for=full_for)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value)
    note = 5 + len(rows)
    put(ws, note, 1, FORM9_NOTE, border=False, align=NOTE)
    ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=width)
    for letter, w in zip("ABCDEFG", (6, 10, 6, 6, 22, 10, 14)):
        ws.column_dimensions[letter].width = w
    _header_rows(ws, 3, 3)
    return _bytes(wb)


# --- Working lists: what a list page shows, as a sheet --------------------------------------

def list_sheet(title: str, headers: list[str], rows, *, note: str = "") -> bytes:
    """A plain table under a title: one row per item of the page's (filtered, scoped) list.
    Every value passes through put(): text is text, never a formula."""
    wb, ws = _sheet(title, landscape=True)
    _title(ws, title, len(headers), note=note)
    first = 3 if note else 2
    for col, header in enumerate(headers, 1):
        put(ws, first, col, header, bold=True)
        ws.column_dimensions[column_letter(col)].width = max(10, 2.2 * len(header))
    _header_rows(ws, first, first)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    row = first
    for row, values in enumerate(rows, first + 1):
        for col, value in enumerate(values, 1):
            put(ws, row, col, "" if value is None else value, align=left)
    return _bytes(wb)


CANDIDACY_HEADERS = ["序号", "姓名", "身份证号", "联系方式", "岗位项目", "输出国", "组织单位",
                     "地市", "输出机构", "当前环节", "结果", "环节日期", "状态", "输出工种",
                     "输出时间", "外方用工企业"]


def candidacy_list_rows(candidacies):
    for n, c in enumerate(candidacies, 1):
        numbers = person_numbers(c.person)
        yield [n, c.person.name, numbers["id"], numbers["phone"], c.project.name,
               c.country or c.project.country, c.unit.name if c.unit_id else "—",
               c.city.name, c.agency.name, c.get_stage_display(), c.get_result_display(),
               _day(c.stage_on),
               c.get_status_display() + ("（违约）" if c.breach else ""),
               c.departure_trade, _day(c.departed_on), c.employer]


RESERVE_HEADERS = ["序号", "姓名", "性别", "年龄", "身份证号", "联系方式", "学历", "拟就业工种",
                   "外语及水平", "人员类别", "推荐单位", "地市"]


def reserve_pool_rows(people):
    for n, p in enumerate(people, 1):
        numbers = person_numbers(p)
        yield [n, p.name, p.sex, p.age, numbers["id"], numbers["phone"], p.education,
               p.intended_trade, p.languages, p.category, p.unit.name if p.unit_id else "—",
               p.city.name]


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""
