"""The province's reference data as spreadsheets: yearly task plans, task numbers, the cities'
service institutions (附件3), organising units (附件1) and agencies (附件4).

Exported formula-safe (rosters.exports.put writes text as text); imported through the roster
front door (apps.rosters.services: safety checks, preview, all-or-nothing commit). A row is
written by the same service a page uses, each in its own savepoint: the preview runs them
and rolls everything back, so its verdict is the commit's. Status, filing and 非建制班 rights
are decisions with their own audited pages, never columns here."""
import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from apps.audit.services import audited_within, not_audited
from apps.orgs import services
from apps.orgs.forms import normalise_code
from apps.orgs.models import Agency, City, FilingStatus, OrganisingUnit, Source, UnitCategory
from apps.quotas import services as quota_services
from apps.quotas.models import Task, TaskPlan
from apps.rosters import cleaning
from apps.rosters.exports import put
from apps.rosters.importers import (
    ERROR, NEW, UNCHANGED, UPDATE, Result, Row, duplicated_header,
)
from apps.rosters.layouts import normalise_header
from apps.rosters.readers import column_letter
from apps.rosters.safety import Refused

MAX_ROWS = 5000  # reference tables hold tens to hundreds of rows


@dataclass(frozen=True)
class Col:
    key: str            # the model field (or a lookup: city, unit)
    header: str
    required: bool = False
    clean: object = cleaning.text


def _int(value):
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = cleaning.text(value)
    if not s.isdigit() or len(s) > 9:
        raise cleaning.CellError(f"应为不小于0的整数，而不是“{s}”")
    return int(s)


def _category(value):
    return cleaning.choice(value, UnitCategory.values, "类别")


def _code(value):
    # Checked by the model's validator when the row is written (an unchanged row is not).
    return normalise_code(cleaning.identifier(value))


def _region_code(value):
    # A 行政区划代码 never starts with 0: a number cell of six digits lost nothing.
    return cleaning.identifier(value, trusted=lambda d: len(d) == 6 and d[0] != "0")


def _phone(value):
    # Kept as written (0351-4048298); a number cell is a mobile number or refused.
    return cleaning.identifier(value, trusted=cleaning.is_mobile)


@dataclass
class Kind:
    kind: str
    title: str
    columns: tuple
    key: tuple = ()                      # column keys naming the row
    refs: dict = field(default_factory=dict)

    def header_of(self, key) -> str:
        return next((c.header for c in self.columns if c.key == key), "")


PLANS = Kind("ref_plans", "年度任务计划", (
    Col("year", "年度", True, _int), Col("overall_aim", "全省输出目标", clean=_int),
    Col("declared_unit_total", "组织单位任务合计", True, _int),
    Col("declared_city_total", "各市任务合计", True, _int), Col("source", "依据文件"),
), key=("year",))
TASKS = Kind("ref_tasks", "任务数", (
    Col("year", "年度", True, _int), Col("city", "地市"), Col("unit", "组织单位"),
    Col("number", "任务数", clean=_int), Col("note", "说明"),
), key=("year", "city", "unit"))
CITIES = Kind("ref_cities", "各市公共就业服务机构", (
    Col("code", "行政区划代码", True, _region_code), Col("name", "地市"),
    Col("service_org_name", "公共就业服务机构名称"), Col("service_contact", "联系人"),
    Col("service_phone", "联系方式", clean=_phone),
), key=("code",))
UNITS = Kind("ref_units", "组织单位", (
    Col("name", "单位名称", True), Col("category", "类别", True, _category),
    Col("city", "地点", True), Col("seq", "附件1序号", clean=_int),
    Col("contact_person", "联系人"), Col("contact_phone", "联系电话", clean=_phone),
    Col("note", "备注"),
), key=("name",))
AGENCIES = Kind("ref_agencies", "输出机构", (
    Col("name", "企业名称", True), Col("credit_code", "统一社会信用代码", clean=_code),
    Col("licence_no", "对外劳务合作经营资格证书编号", clean=cleaning.identifier),
    Col("licence_valid_until", "经营资格有效期至", clean=cleaning.a_date),
    Col("home_province", "注册地（省）"), Col("batch", "推荐批次", clean=_int),
    Col("seq", "附件4序号", clean=_int), Col("contact_person", "联系人"),
    Col("contact_phone", "联系电话", clean=_phone), Col("note", "备注"),
), key=("name",))
KINDS = {k.kind: k for k in (PLANS, TASKS, CITIES, UNITS, AGENCIES)}


# --- Export -------------------------------------------------------------------------------

def _export_rows(kind: Kind):
    if kind is PLANS:
        for p in TaskPlan.objects.order_by("year"):
            yield [p.year, p.overall_aim, p.declared_unit_total, p.declared_city_total, p.source]
    elif kind is TASKS:
        for t in Task.objects.select_related("city", "unit").order_by("year", "city__code",
                                                                      "unit__seq", "unit__name"):
            yield [t.year, t.city.short_name if t.city else "", t.unit.name if t.unit else "",
                   t.number, t.note]
    elif kind is CITIES:
        for c in City.objects.order_by("code"):
            yield [c.code, c.name, c.service_org_name, c.service_contact, c.service_phone]
    elif kind is UNITS:
        for u in OrganisingUnit.objects.select_related("city").order_by("seq", "name"):
            yield [u.name, u.category, u.city.short_name, u.seq, u.contact_person,
                   u.contact_phone, u.note]
    else:
        for a in Agency.objects.order_by("batch", "seq", "name"):
            yield [a.name, a.credit_code, a.licence_no, a.licence_valid_until, a.home_province,
                   a.batch, a.seq, a.contact_person, a.contact_phone, a.note]


@not_audited("builds a workbook in memory (wb.save): no database write; the view audits the export")
def reference_export(kind_name: str) -> tuple[bytes, int]:
    """The table as xlsx in the import's own columns (an export re-imports unchanged). Every
    text is written as text: a name such as "=HYPERLINK(…)" filed by a city stays a name."""
    kind = KINDS[kind_name]
    wb = Workbook()
    ws = wb.active
    ws.title = kind.title[:31]
    for col, column in enumerate(kind.columns, 1):
        put(ws, 1, col, column.header + ("*" if column.required else ""), bold=True)
        ws.column_dimensions[column_letter(col - 1)].width = max(10, len(column.header) * 2 + 4)
    count = 0
    for count, values in enumerate(_export_rows(kind), 1):
        for col, value in enumerate(values, 1):
            cell = put(ws, count + 1, col, "" if value is None else value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


# --- Import -------------------------------------------------------------------------------

def _find_header(sheets, kind: Kind):
    notices = []
    by_header = {normalise_header(c.header): c for c in kind.columns}
    required = {c.key for c in kind.columns if c.required}
    for sheet in sheets:
        if sheet.hidden:
            notices.append(f"已跳过隐藏的工作表“{sheet.name}”。")
            continue
        for index, row in enumerate(sheet.rows[:10]):
            mapping, twice = {}, []
            for col, value in enumerate(row):
                column = by_header.get(normalise_header(value))
                if column and column not in mapping.values():
                    mapping[col] = column
                elif column:
                    twice.append((column, col))
            if not mapping:
                continue
            if twice:
                raise Refused(duplicated_header(sheet, index, mapping, *twice[0]))
            hidden = sheet.hidden_content()
            if hidden:
                raise Refused(hidden)
            missing = required - {c.key for c in mapping.values()}
            if missing:
                labels = "、".join(c.header for c in kind.columns if c.key in missing)
                raise Refused(f"工作表“{sheet.name}”第{index + 1}行的表头缺少必填列：{labels}。"
                              "请以本页导出的文件为模板。")
            extra = [str(v) for col, v in enumerate(row) if str(v or "").strip()
                     and col not in mapping]
            if extra:
                notices.append("已忽略以下列：" + "、".join(extra[:10]) + "。")
            return sheet, index, mapping, notices
    raise Refused(f"没有找到“{kind.title}”的表头（如“{kind.columns[0].header}”）。"
                  "请以本页导出的文件为模板。" + "".join(notices))


def _where(number, col, column) -> str:
    return f"第{number}行“{column.header}”列（{column_letter(col)}列）"


def _clean(sheet, index, mapping):
    """(row number, values, errors) for each non-blank data row."""
    for offset, raw in enumerate(sheet.rows[index + 1:], start=index + 2):
        if not any(str(v).strip() for v in raw if v is not None):
            continue
        values, errors = {}, []
        for col, column in mapping.items():
            if (offset - 1, col) in sheet.formulas:
                errors.append(f"{_where(offset, col, column)}是公式，请改为纯文本或数值")
                continue
            try:
                value = cleaning.for_sheet(column.clean, sheet)(raw[col] if col < len(raw) else "")
            except cleaning.CellError as error:
                errors.append(f"{_where(offset, col, column)}：{error.message}")
                continue
            if column.required and value in (None, ""):
                errors.append(f"{_where(offset, col, column)}：必填")
            values[column.key] = value
        yield offset, values, errors


class Importer:
    """Checks (``apply`` inside a rolled-back transaction) and writes (the same ``apply``
    inside the commit's) one reference table, row by row through the services."""

    def __init__(self, kind: Kind, actor):
        self.kind, self.actor = kind, actor
        self.cities = {}
        for city in City.objects.all():
            self.cities[city.name] = self.cities[city.short_name] = city
        self.units = {u.name: u for u in OrganisingUnit.objects.select_related("city")}

    def validate(self, sheets) -> Result:
        sheet, index, mapping, notices = _find_header(sheets, self.kind)
        self.positions = {c.key: col for col, c in mapping.items()}
        rows = []
        first = {}
        for number, values, errors in _clean(sheet, index, mapping):
            if len(rows) >= MAX_ROWS:
                raise Refused(f"行数超过{MAX_ROWS}行，请分批导入。")
            row = Row(number=number, errors=errors, values=values)
            if not errors:
                self._resolve(row)
            key = tuple(values.get(k) for k in self.kind.key)
            row.name = " ".join(str(v) for v in key if v not in (None, ""))
            if not row.errors and key in first:
                row.errors.append(f"第{number}行：与第{first[key]}行重复（{row.name}）")
            first.setdefault(key, number)
            rows.append(row)
        if not rows:
            raise Refused(f"工作表“{sheet.name}”表头下没有数据。")
        merged = sheet.merged_over(r.number for r in rows)
        if merged:
            raise Refused(merged)
        result = Result(sheet=sheet.name, rows=rows, notices=notices)
        result.importer = self  # the commit writes with the same look-ups and columns
        with transaction.atomic():
            self.apply(result)
            transaction.set_rollback(True)  # the preview writes nothing
        return result

    def _resolve(self, row: Row):
        """Look up the referenced city/unit and the existing object, and what would change."""
        v = row.values
        if "city" in v and (v["city"] or self.kind is UNITS):
            v["city"] = self._ref(row, "city", self.cities, "不是已有地市")
        if v.get("unit"):
            v["unit"] = self._ref(row, "unit", self.units, "不是已有组织单位，请先导入组织单位")
        if self.kind is TASKS and not row.errors and bool(v.get("city")) == bool(v.get("unit")):
            row.errors.append(f"第{row.number}行：“地市”与“组织单位”须填且只填一项")
        if row.errors:
            return
        row.person = self._existing(v)
        if self.kind is CITIES and row.person is None:
            row.errors.append(f"{self._at(row, 'code')}：“{v['code']}”不是已有地市（地市由系统预置）")
        if row.person is not None:
            row.changes = [self.kind.header_of(k) for k, new in v.items()
                           if k not in self.kind.key and k != "name"
                           and getattr(row.person, k) != new]

    def _at(self, row, key) -> str:
        col = self.positions[key]
        column = next(c for c in self.kind.columns if c.key == key)
        return _where(row.number, col, column)

    def _ref(self, row, key, table, problem):
        found = table.get(row.values[key])
        if found is None:
            row.errors.append(f"{self._at(row, key)}：“{row.values[key]}”{problem}")
        return found

    def _existing(self, v):
        if self.kind is PLANS:
            return TaskPlan.objects.filter(year=v["year"]).first()
        if self.kind is TASKS:
            return Task.objects.filter(year=v["year"], city=v.get("city") or None,
                                       unit=v.get("unit") or None).first()
        if self.kind is CITIES:
            return City.objects.filter(code=v["code"]).first()
        model = OrganisingUnit if self.kind is UNITS else Agency
        return model.objects.filter(name=v["name"]).first()

    def apply(self, result: Result) -> None:
        """Write each valid row through its service in a savepoint; a refusal becomes the row's
        error, named by column. Must run inside a transaction (the caller's)."""
        assert transaction.get_connection().in_atomic_block
        for row in result.rows:
            if not row.errors:
                if row.person is not None and not row.changes:
                    row.outcome = UNCHANGED
                    continue
                try:
                    with transaction.atomic():
                        self._write(row)
                except ValidationError as error:
                    self._explain(row, error)
                except IntegrityError:
                    row.errors.append(f"第{row.number}行：与已有数据冲突（名称、代码或序号重复）")
            if row.errors:
                row.outcome = ERROR
            else:
                row.outcome = UPDATE if row.person is not None else NEW

    def _explain(self, row: Row, error: ValidationError):
        if not hasattr(error, "error_dict"):
            row.errors.extend(f"第{row.number}行：{m}" for m in error.messages)
            return
        for name, messages in error.message_dict.items():
            where = (self._at(row, name) if name in self.positions
                     else f"第{row.number}行")
            row.errors.extend(f"{where}：{m}" for m in messages)

    def _write(self, row: Row):
        v, existing, actor = dict(row.values), row.person, self.actor
        if self.kind is PLANS:
            quota_services.task_plan_save(actor=actor, **v)
        elif self.kind is TASKS:
            # A column the file leaves out keeps what is on record.
            quota_services.task_set(
                actor=actor, year=v["year"], city=v.get("city") or None,
                unit=v.get("unit") or None,
                number=v["number"] if "number" in v else getattr(existing, "number", None),
                note=v["note"] if "note" in v else getattr(existing, "note", ""))
        elif self.kind is CITIES:
            services.city_update_service_org(existing, actor=actor, **v)
        elif self.kind is UNITS:
            changed = {k: val for k, val in v.items() if k != "name"}
            if existing is None:
                services.unit_create(actor=actor, name=v["name"], source=Source.PROVINCE,
                                     filing_status=FilingStatus.APPROVED, **changed)
            else:
                services.unit_update(existing, actor=actor, **{k: changed[k] for k in changed
                                                               if k in self._changed_keys(row)})
        else:
            changed = {k: val for k, val in v.items() if k != "name"}
            if existing is None:
                services.agency_create(actor=actor, name=v["name"], **changed)
            else:
                services.agency_update(existing, actor=actor, **{k: changed[k] for k in changed
                                                                 if k in self._changed_keys(row)})

    def _changed_keys(self, row) -> set:
        return {c.key for c in self.kind.columns if c.header in row.changes}


def reference_validate(kind_name: str, sheets, actor) -> Result:
    return Importer(KINDS[kind_name], actor).validate(sheets)


@audited_within
def reference_write(kind_name: str, result: Result, actor) -> tuple[int, int]:
    """Inside the commit's transaction: the same writes as the preview, for real."""
    result.importer.apply(result)
    if not result.ok:
        raise Refused("导入时有行被拒绝（数据在预览后已变化），未导入任何数据。请重新上传。")
    return result.count(NEW), result.count(UPDATE)
