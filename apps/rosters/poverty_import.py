"""The 脱贫劳动力核实名单 as an upload (seed 003 §一): a city's verification of its registered
people against the national system, one verification per row, all or nothing.

Each row names a person already registered in the uploader's scope (full ID number and the
same name); its cells are checked by the registry's own rule
(registry.services.poverty_verification_problems) in the preview and again at the commit,
which writes each row through registry.services.person_poverty_verify: the history keeps the
old status and every verification row names the upload."""
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.scoping import visible
from apps.audit.services import audited_within
from apps.common.crypto import blind_index
from apps.common.wording import clauses
from apps.registry import idnumber
from apps.registry.models import Person, PovertySource, PovertyStatus, VerificationState
from apps.registry.services import person_poverty_verify, poverty_verification_problems
from apps.rosters import cleaning
from apps.rosters.importers import (
    ERROR, UNCHANGED, UPDATE, Result, Row, _find_header, pick_sheet,
)
from apps.rosters.layouts import POVERTY
from apps.rosters.readers import Sheet, column_letter
from apps.rosters.safety import Refused

SOURCES = {label: value for value, label in PovertySource.choices}
STATUSES = [s for s in PovertyStatus.values if s]
# The cells each service field comes from, to name the column of a refusal.
FIELD_COLUMN = {"status": "核实结果", "source": "核实来源", "verified_on": "核实日期", "note": "备注"}


def _status(value) -> str:
    s = cleaning.text(value)
    if s in ("否", "无"):
        return ""
    if s not in STATUSES:
        raise cleaning.CellError("只能填写：脱贫劳动力、监测对象、否")
    return s


def _source(value) -> str:
    s = cleaning.text(value)
    if s not in SOURCES:
        raise cleaning.CellError("只能填写：" + "、".join(SOURCES))
    return SOURCES[s]


CLEANERS = {"name": cleaning.text, "id_number": cleaning.id_number, "status": _status,
            "source": _source, "verified_on": cleaning.a_date, "note": cleaning.text}


class PovertyRosterValidator:
    """Checks every row for one user; ``validate`` never writes."""

    def __init__(self, actor):
        self.actor = actor

    def validate(self, sheets: list[Sheet]) -> Result:
        sheet, (header_index, mapping, extra), notices = pick_sheet(
            sheets, lambda s: _find_header(s, POVERTY),
            "没有找到含“姓名”“身份证号”表头的工作表。请使用本页提供的脱贫劳动力核实名单模板。")
        if extra:
            notices.append("已忽略模板以外的列：" + "、".join(extra[:10]) + "。")
        rows = []
        for number, raw in enumerate(sheet.rows[header_index + 1:], start=header_index + 2):
            if any(str(v).strip() for v in raw if v is not None):
                rows.append(self._row(sheet, number, raw, mapping))
        if not rows:
            raise Refused(f"工作表“{sheet.name}”表头下没有数据。")
        merged = sheet.merged_over(r.number for r in rows)
        if merged:
            raise Refused(merged)
        self._match(rows)
        return Result(sheet=sheet.name, rows=rows, notices=notices)

    def _row(self, sheet, number, raw, mapping) -> Row:
        row = Row(number=number)
        for col, column in mapping.items():
            if column.key not in CLEANERS:
                continue  # 序号
            value = raw[col] if col < len(raw) else ""
            where = f"第{number}行“{column.header}”列（{column_letter(col)}列）"
            if sheet.formulas.get((number - 1, col)):
                row.errors.append(f"{where}：是公式，请改为纯文本")
                continue
            if column.required and (value is None or str(value).strip() == ""):
                row.errors.append(f"{where}：必填")
                continue
            try:
                row.values[column.key] = cleaning.for_sheet(CLEANERS[column.key], sheet)(value)
            except cleaning.CellError as error:
                row.errors.append(f"{where}：{error.message}")
        row.name = row.values.get("name", "")
        number_ = row.values.get("id_number")
        if number_:
            try:
                info = idnumber.parse(number_, min_age=0, max_age=200)
            except idnumber.IdNumberError as error:
                row.errors.append(f"第{number}行“身份证号”列：{error.message}")
            else:
                row.values["id_number"] = info.number
                row.id_masked = idnumber.mask_id(info.number)
                row.id_hash = blind_index(info.number, purpose="id_number")
        return row

    def _match(self, rows):
        hashes = [r.id_hash for r in rows if r.id_hash]
        people = {p.id_hash: p for p in visible(Person.objects.filter(id_hash__in=hashes),
                                                self.actor)}
        first_row = {}
        for row in rows:
            if row.id_hash and row.id_hash in first_row:
                row.errors.append(f"第{row.number}行：与第{first_row[row.id_hash]}行是同一人，"
                                  "每人只能有一行")
            elif row.id_hash:
                first_row[row.id_hash] = row.number
            person = people.get(row.id_hash)
            if row.id_hash and person is None:
                row.errors.append(f"第{row.number}行：未找到该身份证号的登记人员（或不在您的管辖范围内），"
                                  "请先登记报名")
            elif person is not None and row.name and row.name != person.name:
                row.errors.append(f"第{row.number}行“姓名”列：与该身份证号登记的姓名不一致")
            if not row.errors:
                row.person = person
                self._plan(row, person)
            row.outcome = ERROR if row.errors else (UPDATE if row.changes else UNCHANGED)

    def _plan(self, row: Row, person: Person):
        v = row.values
        if (person.poverty_status, person.poverty_source, person.poverty_verified_on) == (
                v["status"], v["source"], v["verified_on"]):
            return  # the same verification again (a re-uploaded file): nothing to write
        problems = poverty_verification_problems(person, status=v["status"], source=v["source"],
                                                 verified_on=v["verified_on"],
                                                 note=v.get("note", ""))
        for field, message in problems.items():
            row.errors.append(f"第{row.number}行“{FIELD_COLUMN[field]}”列：{message}")
        if problems:
            return
        before = PovertyStatus(person.poverty_status).label
        state = person.poverty_state()
        if state:
            before += f"（{VerificationState(state).label}）"
        row.changes.append(f"脱贫状态：{before} → {PovertyStatus(v['status']).label}，"
                           f"{PovertySource(v['source']).label} {v['verified_on']:%Y-%m-%d}核实")


@audited_within
def write(result: Result, actor, upload) -> tuple[int, int]:
    """Each row's verification through the registry's own service, naming the upload."""
    updated = 0
    for row in result.rows:
        if row.outcome != UPDATE:
            continue
        v = row.values
        try:
            person_poverty_verify(row.person, actor=actor, status=v["status"], source=v["source"],
                                  verified_on=v["verified_on"], note=v.get("note", ""),
                                  upload=upload)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", [str(error)])
            raise Refused(f"第{row.number}行{row.name}：{clauses(messages)}")
        updated += 1
    return 0, updated
