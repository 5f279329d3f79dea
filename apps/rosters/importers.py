"""Validate a roster into per-row outcomes, and write them all or nothing.

Fast path for large rosters: cells are cleaned a column at a time, one query finds every
existing person of the file by keyed hash, and new people are streamed in with one COPY
(the statement-level history trigger still records every row)."""
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from apps.audit.services import audited_within
from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.common.bulk import copy_columns, copy_update
from apps.common.crypto import blind_index, blind_indexes
from apps.orgs.models import FilingStatus, OrganisingUnit
from apps.registry import idnumber
from apps.registry.models import Education, Marital, Person, PersonCategory, PovertyStatus
from apps.registry.services import MAX_AGE, MIN_AGE, registered_on_problem
from apps.rosters import cleaning
from apps.rosters.layouts import Layout, normalise_header
from apps.rosters.readers import Sheet, column_letter, cycles_not_collected
from apps.rosters.safety import Refused

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
OUTCOME_LABELS = {NEW: "新增", UPDATE: "更新", UNCHANGED: "无变化", ERROR: "错误"}
SEXES = ["男", "女"]
CATEGORIES, EDUCATIONS = PersonCategory.values, Education.values
MARITALS, POVERTY = Marital.values, PovertyStatus.values


def _poverty(value):
    s = cleaning.text(value)
    return "" if s in ("", "否", "无") else cleaning.choice(s, POVERTY, "脱贫劳动力/监测对象")


def _age(value):
    s = cleaning.text(value)
    if s and not s.isdigit():
        raise cleaning.CellError("年龄应为整数")
    return int(s) if s else None


# How each column's cells are cleaned (any other column: plain text).
CLEANERS = {
    "id_number": cleaning.id_number,
    "phone": cleaning.phone,
    "family_phone": cleaning.phone,
    "registered_on": cleaning.a_date,
    "sex": lambda v: cleaning.choice(v, SEXES, "性别"),
    "category": lambda v: cleaning.choice(v, CATEGORIES, "人员类别"),
    "education": lambda v: cleaning.choice(v, EDUCATIONS, "学历"),
    "marital": lambda v: cleaning.choice(v, MARITALS, "婚姻状况"),
    "poverty_status": _poverty,
    "age": _age,
}
# Person fields a roster may set (besides the ID, which identifies the row).
PERSON_FIELDS = ["name", "phone", "hukou", "health", "marital", "school_major", "education",
                 "intended_trade", "languages", "address", "family_name", "family_relation",
                 "family_phone", "work_history", "category", "poverty_status"]
FIELD_LABELS = {name: str(Person._meta.get_field(name).verbose_name) for name in PERSON_FIELDS}
# What each column holds at most: a longer cell is said in the preview (COPY would refuse it
# at the commit, after a preview without errors).
MAX_LENGTHS = {name: Person._meta.get_field(name).max_length for name in PERSON_FIELDS
               if Person._meta.get_field(name).max_length}


@dataclass(slots=True)
class Row:
    number: int                     # the spreadsheet's row number, as users see it
    outcome: str = ""
    name: str = ""
    id_masked: str = ""
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    person: object = None
    id_hash: str = ""

    def as_preview(self) -> dict:
        return {"row": self.number, "outcome": self.outcome, "name": self.name,
                "id": self.id_masked, "errors": self.errors, "warnings": self.warnings,
                "changes": self.changes}


@dataclass
class Result:
    sheet: str
    rows: list
    notices: list = field(default_factory=list)
    # The cleaned cells by column key, aligned with rows (a failed cell is None): what write()
    # copies from, column by column.
    columns: dict = field(default_factory=dict)

    def count(self, outcome) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def ok(self) -> bool:
        return self.count(ERROR) == 0 and bool(self.rows)


def _find_header(sheet: Sheet, layout: Layout):
    """The header row (within the first 10) and column index -> Column."""
    known = layout.by_header()
    required = {c.key for c in layout.columns if c.required}
    for index, row in enumerate(sheet.rows[:10]):
        mapping, twice = {}, []
        for col, value in enumerate(row):
            column = known.get(normalise_header(value))
            if column and column.key not in {c.key for c in mapping.values()}:
                mapping[col] = column
            elif column:
                twice.append((column, col))
        if {"name", "id_number"} <= {c.key for c in mapping.values()}:
            if twice:
                raise Refused(duplicated_header(sheet, index, mapping, *twice[0]))
            missing = required - {c.key for c in mapping.values()}
            if missing:
                labels = "、".join(c.header for c in layout.columns if c.key in missing)
                raise Refused(f"工作表“{sheet.name}”第{index + 1}行的表头缺少必填列：{labels}。"
                              "请使用本页提供的模板。")
            extra = [str(v) for col, v in enumerate(row)
                     if str(v or "").strip() and col not in mapping]
            return index, mapping, extra
    return None


def duplicated_header(sheet: Sheet, index: int, mapping: dict, column, col: int) -> str:
    """Two columns of the header that say the same field: which one holds it is a guess."""
    first = next(c for c, found in mapping.items() if found.key == column.key)
    return (f"工作表“{sheet.name}”第{index + 1}行的表头中，{column_letter(first)}列和{column_letter(col)}列"
            f"都是“{column.header}”：无法确定以哪一列为准。请删除或改名多余的列后上传。")


def pick_sheet(sheets: list[Sheet], find, missing: str):
    """The sheet holding the roster, and what ``find(sheet)`` found on it (its header).

    ``find`` returns None for a sheet without the header, or raises Refused for one whose
    header is there but wrong (raised if no other sheet has a good one). The data must be in
    plain view: a roster on a hidden or very hidden sheet, or hidden rows or columns holding
    anything on the chosen sheet, are refused, never imported unseen nor skipped silently."""
    notices, wrong = [], None
    chosen = None
    for sheet in sheets:
        try:
            found = find(sheet)
        except Refused as refusal:
            wrong = wrong or refusal
            continue
        if sheet.hidden:
            if found:
                raise Refused(f"名册在隐藏的工作表“{sheet.name}”中。隐藏的数据不会被导入：请在 Excel 中"
                              "取消隐藏该工作表、核对后再上传（不需要的工作表请删除）。")
            notices.append(f"已跳过隐藏的工作表“{sheet.name}”。")
        elif found and chosen is None:
            chosen = sheet, found
        elif not found and any(any(str(c).strip() for c in row) for row in sheet.rows[:10]):
            notices.append(f"工作表“{sheet.name}”没有名册表头，已跳过。")
    if chosen is None:
        if wrong:
            raise wrong
        raise Refused(missing + ("（" + "".join(notices) + "）" if notices else ""))
    hidden = chosen[0].hidden_content()
    if hidden:
        raise Refused(hidden)
    return chosen[0], chosen[1], notices


def _where(sheet, row_no, column) -> str:
    return f"第{row_no}行“{column.header}”列"


def _one_parameter(values, sql_type: str) -> RawSQL:
    """A subquery for ``__in`` with the values (hex digests or keys: no commas) as a single
    text parameter. A list makes Django and psycopg2 build and quote one placeholder per value
    (~50 ms per query for a 10,000-row roster); an array parameter is quoted element by element
    too (~20 ms)."""
    return RawSQL(f"SELECT unnest(string_to_array(%s, ',')::{sql_type}[])",
                  (",".join(map(str, values)),))


def _as_text(value) -> str:
    return "" if value is None else str(value)


# What the preview shows of a changed value: numbers masked as on every page.
MASKED_IN_PREVIEW = {"phone": lambda v: idnumber.mask_phone(v or ""),
                     "family_phone": lambda v: idnumber.mask_phone(v or "")}


def looks_damaged(old, new) -> str:
    """Why replacing ``old`` with ``new`` looks like a spreadsheet's damage ("" if it does not):
    digits lost (a leading zero, a truncated number), characters turned into "?"."""
    if not isinstance(old, str) or not isinstance(new, str) or not old:
        return ""
    old_digits, new_digits = re.sub(r"\D", "", old), re.sub(r"\D", "", new)
    if old_digits and old.startswith("0") and new_digits == old_digits.lstrip("0"):
        return "新值比原值少了开头的0，多半是表格软件把该列当作数字丢掉了0"
    if len(old_digits) >= 7 and len(new_digits) < len(old_digits) and old_digits.startswith(
            new_digits):
        return "新值比原值少了末尾的数字，多半在表格软件中被截断"
    if "?" in new and len(new) == len(old) and all(
            n == o or (n == "?" and o != "?") for n, o in zip(new, old)):
        return "新值把原有的字变成了“?”，多半是另存为 GBK/ANSI 编码时丢失"
    if "\ufffd" in new:
        return "新值含有编码转换时丢失的字符“\ufffd”"
    return ""


class RosterValidator:
    """Checks every row of one roster for one user. ``validate`` never writes.

    Cells are cleaned a column at a time (cleaning.clean_column: the same values and
    messages as cleaning each cell, at a fraction of the cost); the checks that need a whole
    row (required cells, the ID number against sex and age, the unit) then run per row."""

    def __init__(self, layout: Layout, actor):
        self.layout = layout
        self.actor = actor
        self.today = timezone.localdate()
        self.required = [(c.key, c.header) for c in layout.columns if c.required]
        self.city_actor = actor.role == Role.CITY
        self.own_unit = actor.unit.name if actor.role == Role.UNIT else ""
        self.units = {}
        if actor.role == Role.CITY:
            self.units = {u.name: u for u in visible(
                OrganisingUnit.objects.filter(filing_status=FilingStatus.APPROVED), actor)}

    def validate(self, sheets: list[Sheet]) -> Result:
        sheet, (header_index, mapping, extra), notices = pick_sheet(
            sheets, lambda sheet: _find_header(sheet, self.layout),
            "没有找到含“姓名”“身份证号”表头的工作表。请使用本页提供的模板。")
        if extra:
            notices.append("已忽略模板以外的列：" + "、".join(extra[:10]) + "。")
        numbers, raws = [], []
        for offset, raw in enumerate(sheet.rows[header_index + 1:], start=header_index + 2):
            if not any(str(v).strip() for v in raw if v is not None):
                continue  # blank rows (trailing ones included) are not data
            numbers.append(offset)
            raws.append(raw)
        if not raws:
            raise Refused(f"工作表“{sheet.name}”表头下没有数据。")
        merged = sheet.merged_over(numbers)
        if merged:
            raise Refused(merged)
        with cycles_not_collected():
            rows, columns = self._clean_rows(sheet, numbers, raws, mapping)
            self._check_duplicates(rows)
            self._compare_with_registry(rows)
        return Result(sheet=sheet.name, rows=rows, notices=notices, columns=columns)

    def _clean_rows(self, sheet, numbers, raws, mapping) -> tuple[list, dict]:
        width = max(max(len(raw) for raw in raws), max(mapping) + 1)
        if any(len(raw) < width for raw in raws):  # short CSV lines: a missing cell is ""
            raws = [list(raw) + [""] * (width - len(raw)) for raw in raws]
        cells_of = list(zip(*raws))
        position = {number: i for i, number in enumerate(numbers)} if sheet.formulas else {}
        keys, columns, failures = [], [], []  # failures: {row index: message} per column
        for col, column in mapping.items():
            cells = list(cells_of[col])
            formula_rows = [position[r + 1] for (r, c) in sheet.formulas
                            if c == col and r + 1 in position]
            for i in formula_rows:
                cells[i] = ""  # not cleaned: the formula is the error
            values, errors = cleaning.clean_column(
                cells, cleaning.for_sheet(CLEANERS.get(column.key, cleaning.text), sheet))
            limit = MAX_LENGTHS.get(column.key)
            if limit and max(map(len, filter(None, values)), default=0) > limit:
                for i, value in enumerate(values):
                    if value and len(value) > limit:
                        errors[i], values[i] = f"内容过长（{len(value)}字），最多{limit}字", None
            messages = {i: f"{_where(sheet, numbers[i], column)}（{column_letter(col)}列）："
                           f"{message}" for i, message in errors.items()}
            for i in formula_rows:
                messages[i] = (f"{_where(sheet, numbers[i], column)}（{column_letter(col)}列）"
                               "是公式，请改为纯文本或数值")
            keys.append(column.key)
            columns.append(values)
            failures.append((column.key, messages))
        failed = set().union(*(messages for _key, messages in failures))
        required = [(key, header) for key, header in self.required if key in keys]
        check_person = self._check_person
        rows = []
        append = rows.append
        for i, (number, cells) in enumerate(zip(numbers, zip(*columns))):
            values = dict(zip(keys, cells))
            row = Row(number=number, values=values)
            if i in failed:
                for key, messages in failures:  # in column order, as a user reads the row
                    if i in messages:
                        row.errors.append(messages[i])
                        del values[key]  # an unusable cell has no value
            row.name = values.get("name", "")
            check_person(row, values, required)
            if values.get("registered_on"):
                self._check_registered_on(row, values)
            append(row)
        return rows, dict(zip(keys, columns))

    def _check_person(self, row: Row, values: dict, required: list):
        for key, header in required:
            if key in values and not values[key]:
                row.errors.append(f"第{row.number}行“{header}”列：必填")
        number = values.get("id_number")
        if not number:
            return
        try:
            info = idnumber.parse(number, today=self.today, min_age=MIN_AGE, max_age=MAX_AGE)
        except idnumber.IdNumberError as error:
            row.errors.append(f"第{row.number}行“身份证号”列：{error.message}")
            return
        row.id_masked = idnumber.mask_id(info.number)
        values["id_number"] = info.number
        values["birth_date"], values["sex_from_id"] = info.birth_date, info.sex
        if not info.region_known:
            row.warnings.append(f"身份证号地区码{info.region_code}不在行政区划代码表中，请核对")
        sex = values.get("sex")
        if sex and sex != info.sex:
            for problem in idnumber.check_against(info, sex=sex).values():
                row.errors.append(f"第{row.number}行“性别”列：{problem}")
        if values.get("age") is not None and values["age"] != info.age_on(self.today):
            row.errors.append(f"第{row.number}行“年龄”列：与身份证号不符（按身份证号为"
                              f"{info.age_on(self.today)}岁）")
        unit_name = values.pop("unit", "")
        if self.city_actor:
            if unit_name and unit_name not in self.units:
                row.errors.append(f"第{row.number}行“推荐单位”列：“{unit_name}”不是本市已备案的组织单位")
            values["unit_obj"] = self.units.get(unit_name)
        elif self.own_unit and unit_name and unit_name != self.own_unit:
            row.errors.append(f"第{row.number}行“推荐单位”列：只能登记本单位（{self.own_unit}）的人员")

    def _check_registered_on(self, row: Row, values: dict):
        """The 报名日期 by the registry's one rule (the page and the API ask it too)."""
        problem = registered_on_problem(values["registered_on"], today=self.today,
                                        birth_date=values.get("birth_date"))
        if problem:
            row.errors.append(f"第{row.number}行“报名日期”列：{problem}")

    def _check_duplicates(self, rows):
        first = {}
        for row in rows:
            number = row.values.get("id_number")
            if not number or row.id_masked == "":
                continue
            if number in first:
                row.errors.append(f"第{row.number}行“身份证号”列：与第{first[number]}行重复")
            else:
                first[number] = row.number

    def _compare_with_registry(self, rows):
        checked = [r for r in rows if r.id_masked]
        for r, digest in zip(checked, blind_indexes([r.values["id_number"] for r in checked],
                                                    purpose="id_number")):
            r.id_hash = digest
        hashes = {r.id_hash: r for r in checked}
        # The fields compared, not Person instances: 10,000 instances (and their ID numbers
        # decrypted) cost ~0.5 s when a roster is uploaded again.
        existing = list(Person.objects.filter(id_hash__in=_one_parameter(hashes, "varchar"))
                        .values("pk", "id_hash", "poverty_verified_on", *PERSON_FIELDS)
                        ) if hashes else []
        mine = set(visible(Person.objects.filter(pk__in=_one_parameter(
            (p["pk"] for p in existing), "bigint")), self.actor)
            .values_list("pk", flat=True)) if existing else set()
        for person in existing:
            row = hashes[person["id_hash"]]
            if person["pk"] not in mine:
                row.errors.append(f"第{row.number}行“身份证号”列：该身份证号已由其他单位登记，"
                                  "如需转入请联系省专项办")
                continue
            row.person = person
            for name in PERSON_FIELDS:
                new = row.values.get(name)
                if new in (None, "") or name not in row.values:
                    continue  # a blank cell never erases what is on record
                old = person[name]
                if old == new:
                    continue
                if name == "poverty_status" and person["poverty_verified_on"]:
                    # A verified status changes only by another verification (one service).
                    row.errors.append(f"第{row.number}行“{FIELD_LABELS[name]}”列：表中为“{new}”，但"
                                      f"该人员{person['poverty_verified_on']:%Y-%m-%d}已核实为"
                                      f"“{PovertyStatus(old).label}”，报名名册不能更改；如有变化，"
                                      "请由市人社局上传脱贫劳动力核实名单或在人员页面核实")
                    continue
                shown = MASKED_IN_PREVIEW.get(name, _as_text)
                change = f"{FIELD_LABELS[name]}：{shown(old) or '（空）'} → {shown(new)}"
                damage = looks_damaged(old, new)
                if damage:
                    row.errors.append(f"第{row.number}行“{FIELD_LABELS[name]}”列：{damage}，"
                                      f"不予更新（{change}）。如确需修改，请在人员页面逐项修改")
                else:
                    row.changes.append(change)
        for row in rows:
            if row.errors:
                row.outcome = ERROR
            elif row.person is None:
                row.outcome = NEW
            else:
                row.outcome = UPDATE if row.changes else UNCHANGED


def on_progress(done: int) -> None:
    """Called after each batch of new people is handed to the COPY, with the number handed so
    far (tests hook it to break the connection midway through the statement)."""


@audited_within
def write(result: Result, actor) -> tuple[int, int]:
    """Write the outcomes of a validated roster. Must run inside the caller's transaction."""
    assert transaction.get_connection().in_atomic_block
    with cycles_not_collected():
        return _write(result, actor)


def _write(result: Result, actor) -> tuple[int, int]:
    rows = result.rows
    new = [i for i, row in enumerate(rows) if row.outcome == NEW]
    new_rows = [rows[i] for i in new]
    if new_rows:
        everyone = len(new) == len(rows)

        def pick(values):  # as row.values.get(name) or "" of each new row
            if everyone and set(map(type, values)) == {str}:
                return values
            return [values[i] or "" for i in new]

        # Column by column, from the cleaned columns: no dict look-up, no model instance per
        # person.
        columns = {name: pick(result.columns[name]) if name in result.columns
                   else [""] * len(new) for name in PERSON_FIELDS}
        if actor.role == Role.CITY:
            units = [row.values.get("unit_obj") for row in new_rows]
        else:
            units = [actor.unit] * len(new_rows)
        today = timezone.localdate()
        columns.update(
            sex=[row.values["sex_from_id"] for row in new_rows],
            birth_date=[row.values["birth_date"] for row in new_rows],
            id_number=[row.values["id_number"] for row in new_rows],
            id_hash=[row.id_hash for row in new_rows],
            unit_id=[unit.pk if unit else None for unit in units],
            city_id=[unit.city_id if unit else actor.city_id for unit in units],
            registered_on=[row.values.get("registered_on") or today for row in new_rows],
            created_by_id=[actor.pk] * len(new_rows),
            phone_hash=blind_indexes(columns["phone"], purpose="phone"))
        copy_columns(Person, columns, len(new_rows), progress=lambda done: on_progress(done))
    updated = [row for row in rows if row.outcome == UPDATE]
    if updated:
        # Each row changes only its own changed fields; None keeps what is on record.
        columns = {name: [None] * len(updated) for name in PERSON_FIELDS}
        for i, row in enumerate(updated):
            for name in PERSON_FIELDS:
                value = row.values.get(name)
                if value not in (None, "") and row.person[name] != value:
                    columns[name][i] = value
        columns = {name: values for name, values in columns.items()
                   if any(value is not None for value in values)}
        if "phone" in columns:
            columns["phone_hash"] = [None if phone is None else blind_index(phone, purpose="phone")
                                     for phone in columns["phone"]]
        pks = [row.person["pk"] for row in updated]
        # The dashboards count people by 脱贫 status: a change moves all their figures.
        from apps.dashboards.services import figures_moved
        from apps.pipeline.models import Candidacy
        poor = [pk for pk, v in zip(pks, columns.get("poverty_status", ())) if v is not None]
        with figures_moved(Candidacy.objects.filter(person__in=poor).values_list("pk", flat=True)
                           if poor else ()):
            copy_update(Person, pks, columns)
    return len(new_rows), len(updated)
