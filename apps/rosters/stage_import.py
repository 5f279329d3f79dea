"""The 花名表 (附件6) as an upload: new stage results for people already registered.

A row is matched to the person's latest candidacy by ID number: the full one, or the masked
one of the (masked) exported roster together with the name, when exactly one person in the
uploader's scope has both (docs/DISCLOSURE.md: exports are masked for every role). Ticks (√) for stages already
recorded must agree with the record (a roster cannot rewrite history, and a blank cell erases
nothing); ticks beyond the current stage become new stage records, in order, each through
pipeline.services.candidacy_record with its own checks."""
import re
from dataclasses import dataclass

from django.db.models import Max

from apps.audit.services import audited_within
from apps.accounts.scoping import visible
from apps.common.crypto import blind_index
from apps.common.wording import clauses, sentences
from apps.pipeline import transitions
from apps.pipeline.models import Candidacy, Result, Stage
from apps.pipeline.roster import GROUPS
from apps.pipeline.returns import roster_details
from apps.pipeline.services import GAP_ELSEWHERE, GapNeedsReason, candidacy_record
from apps.registry import idnumber
from apps.rosters import cleaning
from apps.rosters.importers import ERROR, UNCHANGED, UPDATE, Result as Outcome, Row, pick_sheet
from apps.rosters.layouts import normalise_header
from apps.rosters.readers import Sheet, column_letter
from apps.rosters.safety import Refused

# 附件6 has no column for the 培训合格证编号 that a 培训·合格 needs: the template adds it as
# one optional column after the official ones.
CERTIFICATE = "培训合格证编号"
# The masked form the exports write (apps.registry.idnumber.mask_id): region, 8 stars, last 4.
MASKED_ID = re.compile(r"\d{6}\*{8}\d{3}[\dX]")
TICKS = {"√", "✓", "✔", "☑", "V", "v", "Y", "y", "是", "1"}
GROUP_STAGE = {"初试情况": Stage.FIRST_INTERVIEW, "体检情况": Stage.MEDICAL,
               "复试情况": Stage.SECOND_INTERVIEW, "签订合同情况": Stage.CONTRACT,
               "培训情况": Stage.TRAINING, "输出情况": Stage.DEPARTURE, "归国情况": Stage.RETURN}
TICK_RESULTS = {
    ("初试情况", "合格"): Result.PASS, ("初试情况", "不合格"): Result.FAIL,
    ("初试情况", "未参加"): Result.ABSENT,
    ("体检情况", "合格"): Result.PASS, ("体检情况", "不合格"): Result.FAIL,
    ("体检情况", "未参加"): Result.ABSENT,
    ("复试情况", "合格"): Result.PASS, ("复试情况", "不合格"): Result.FAIL,
    ("复试情况", "未参加"): Result.ABSENT,
    ("签订合同情况", "签订"): Result.SIGNED, ("签订合同情况", "未签订"): Result.NOT_SIGNED,
    ("培训情况", "合格"): Result.PASS, ("培训情况", "不合格"): Result.FAIL,
    ("培训情况", "未完成"): Result.INCOMPLETE,
}
DETAIL_COLUMNS = {("签订合同情况", "工种"): "contract_trade",
                  ("签订合同情况", "合同期限"): "contract_term",
                  ("输出情况", "护照号"): "passport_no",
                  ("输出情况", "在留资格号"): "residence_status_no",
                  ("输出情况", "输出国"): "country", ("输出情况", "输出工种"): "departure_trade",
                  ("输出情况", "输出时间"): "departed_on", ("输出情况", "外方用工企业"): "employer",
                  ("输出情况", "未输出原因"): "not_departed_reason",
                  ("归国情况", "联系电话"): "return_phone", ("归国情况", "归国原因"): "return_reason",
                  ("归国情况", "归国时间"): "returned_on",
                  (CERTIFICATE, ""): "certificate_no"}
# What the record keeps of each detail, to tell a correction the 花名表 cannot make.
RECORDED_AS = {"contract_trade": Stage.CONTRACT, "contract_term": Stage.CONTRACT,
               "certificate_no": Stage.TRAINING, "passport_no": Stage.DEPARTURE,
               "residence_status_no": Stage.DEPARTURE, "country": Stage.DEPARTURE,
               "departure_trade": Stage.DEPARTURE, "employer": Stage.DEPARTURE,
               "not_departed_reason": Stage.DEPARTURE, "return_reason": Stage.RETURN}
# Details that identify (a number cell has lost what it held: refused, never read as digits).
IDENTIFIERS = {"passport_no", "residence_status_no", "certificate_no"}
COLUMN_LABEL = {key: f"{g}·{sub}" if sub else g for (g, sub), key in DETAIL_COLUMNS.items()}


@dataclass
class Planned:
    stage: str
    result: str
    on: object
    details: dict


def _header(sheet: Sheet):
    """Find the two header rows and map each column to (group, sub-column)."""
    expected = {label for label, _ in GROUPS}
    for index, row in enumerate(sheet.rows[:10]):
        labels = [normalise_header(v) for v in row]
        if "身份证号" not in labels or "初试情况" not in labels:
            continue
        if index + 1 >= len(sheet.rows):
            break
        subs = [normalise_header(v) for v in sheet.rows[index + 1]]
        mapping, group = {}, ""
        for col, label in enumerate(labels):
            if label:
                group = label  # merged group cells: the label sits in the first column only
            sub = subs[col] if col < len(subs) else ""
            if label == CERTIFICATE:
                mapping[col] = (CERTIFICATE, "")
            elif group in expected:
                mapping[col] = (group, sub if dict(GROUPS)[group] else "")
        seen = {}
        for col, key in mapping.items():
            if key in seen:
                label = f"{key[0]}·{key[1]}" if key[1] else key[0]
                raise Refused(f"工作表“{sheet.name}”的花名表表头中，{column_letter(seen[key])}列和"
                              f"{column_letter(col)}列都是“{label}”：无法确定以哪一列为准。"
                              "请删除或改名多余的列后上传。")
            seen[key] = col
        missing = [f"{g}·{s}" if s else g for g, subs_ in GROUPS for s in (subs_ or [""])
                   if (g, s) not in mapping.values()]
        if missing:
            raise Refused(f"工作表“{sheet.name}”的花名表表头与附件6不一致，缺少：{'、'.join(missing[:8])}。"
                          "请使用系统导出的花名表。")
        return index + 2, mapping
    return None


class StageRosterValidator:
    def __init__(self, actor, stage_date):
        self.actor = actor
        self.stage_date = stage_date

    def validate(self, sheets) -> Outcome:
        sheet, (first_data, mapping), notices = pick_sheet(
            sheets, _header, "没有找到花名表（附件6）的两行表头（含“身份证号”“初试情况”）。请使用系统导出的花名表。")
        rows = []
        for number, raw in enumerate(sheet.rows[first_data:], start=first_data + 1):
            if not any(str(v).strip() for v in raw if v is not None):
                continue
            if str(raw[0]).startswith("填表说明"):
                break  # the form's footnote, not a row
            rows.append(self._row(sheet, number, raw, mapping))
        if not rows:
            raise Refused(f"工作表“{sheet.name}”的花名表中没有人员。")
        merged = sheet.merged_over(r.number for r in rows)
        if merged:
            raise Refused(merged)
        self._match(rows)
        return Outcome(sheet=sheet.name, rows=rows, notices=notices)

    def _row(self, sheet, number, raw, mapping) -> Row:
        row = Row(number=number)
        ticks, details = {}, {}
        for col, (group, sub) in mapping.items():
            value = raw[col] if col < len(raw) else ""
            where = f"第{number}行“{group}{'·' + sub if sub else ''}”列（{column_letter(col)}列）"
            if sheet.formulas.get((number - 1, col)):
                row.errors.append(f"{where}是公式，请改为纯文本")
                continue
            try:
                if group == "身份证号":
                    row.values["id_number"] = cleaning.id_number(value)
                elif group == "姓名":
                    row.name = cleaning.text(value)
                elif (group, sub) in TICK_RESULTS:
                    mark = cleaning.text(value)
                    if mark and mark not in TICKS:
                        raise cleaning.CellError(f"请划“√”或留空，不能填“{mark}”")
                    if mark:
                        ticks.setdefault(group, []).append(TICK_RESULTS[(group, sub)])
                elif (group, sub) in DETAIL_COLUMNS:
                    key = DETAIL_COLUMNS[(group, sub)]
                    if key in ("departed_on", "returned_on"):
                        details[key] = cleaning.for_sheet(cleaning.a_date, sheet)(value)
                    elif key == "return_phone":
                        # A masked number is kept as it is, but is still text (no formula).
                        details[key] = cleaning.text(value) if "*" in str(value) else cleaning.phone(value)
                    elif key in IDENTIFIERS:
                        details[key] = cleaning.identifier(value)
                    else:
                        details[key] = cleaning.text(value)
            except cleaning.CellError as error:
                row.errors.append(f"{where}：{error.message}")
        for group, marks in ticks.items():
            if len(marks) > 1:
                row.errors.append(f"第{number}行“{group}”：同一环节只能在一栏划“√”")
        row.values["ticks"] = {GROUP_STAGE[g]: m[0] for g, m in ticks.items() if len(m) == 1}
        row.values["details"] = details
        number_ = row.values.get("id_number")
        if number_:
            try:
                info = idnumber.parse(number_, min_age=0, max_age=200)
                row.values["id_number"] = info.number
                row.id_masked = idnumber.mask_id(info.number)
            except idnumber.IdNumberError as error:
                if MASKED_ID.fullmatch(number_.upper()) and row.name:
                    row.id_masked, row.values["masked"] = number_.upper(), True
                elif "*" in number_:
                    row.errors.append(f"第{number}行“身份证号”列：脱敏号码须与导出的花名表一致"
                                      "（前6位、8个*、后4位），且须填写姓名")
                else:
                    row.errors.append(f"第{number}行“身份证号”列：{error.message}")
        else:
            row.errors.append(f"第{number}行“身份证号”列：必填")
        return row

    def _match(self, rows):
        by_hash = {blind_index(r.values["id_number"], purpose="id_number"): r
                   for r in rows if r.id_masked and not r.values.get("masked")}
        latest = (visible(Candidacy.objects.filter(person__id_hash__in=list(by_hash)), self.actor)
                  .values("person__id_hash").annotate(last=Max("pk")))
        ids = {x["person__id_hash"]: x["last"] for x in latest}
        candidacies = {c.pk: c for c in Candidacy.objects.filter(pk__in=ids.values())
                       .select_related("person").prefetch_related("events")}
        for hash_, row in by_hash.items():
            c = candidacies.get(ids.get(hash_))
            if c is None:
                row.errors.append(f"第{row.number}行：未找到该身份证号的报名记录（或不在本单位管辖范围内）")
                continue
            row.person = c
            self._plan(row, c)
            if not row.errors:
                self._corrections(row, c)
        self._match_masked([r for r in rows if r.values.get("masked")])
        for row in rows:
            if not row.errors and row.values.get("plan"):
                self._rehearse(row)
            row.outcome = ERROR if row.errors else (UPDATE if row.values.get("plan") else UNCHANGED)

    def _rehearse(self, row: Row):
        """Record the row's plan through the pipeline's service and roll it back: whatever the
        commit would refuse, the preview refuses now, in the same words (one validation)."""
        from django.db import transaction
        try:
            with transaction.atomic():
                _record(row, self.actor)
                transaction.set_rollback(True)
        except Refused as error:
            row.errors.append(error.message)
        finally:
            row.person.refresh_from_db()

    def _corrections(self, row: Row, c: Candidacy):
        """Cells the upload will not apply, said in the preview: a detail that differs from
        what is recorded, a blank where a result is recorded."""
        recorded = {e.stage: e.result for e in c.events.all()}
        details = row.values["details"]
        for key, value in details.items():
            stage = RECORDED_AS.get(key)
            if stage not in recorded or value in (None, "") or "*" in str(value):
                continue
            current = (c.person.passport_no if key == "passport_no" else
                       c.return_reason_shown if key == "return_reason" else getattr(c, key, ""))
            if str(current or "").strip().upper() != str(value).strip().upper():
                show = idnumber.mask_passport if key == "passport_no" else str
                row.warnings.append(
                    f"第{row.number}行“{COLUMN_LABEL[key]}”：表中为“{show(str(value))}”，系统已录入"
                    f"“{show(str(current or '')) or '（空）'}”。花名表不能更改已录入的内容，此格未予更新；"
                    "如需更正，请在人员页面办理")
        for stage, result in recorded.items():
            group = next((g for g, s in GROUP_STAGE.items() if s == stage), None)
            if group and stage in TICKED_STAGES and stage not in row.values["ticks"]:
                row.warnings.append(
                    f"第{row.number}行“{group}”：表中未划“√”，系统已录入“{Result(result).label}”。"
                    "空白不会删除已录入的结果")
    def _match_masked(self, rows):
        """Name and masked ID, within the uploader's scope: exactly one person, or an error."""
        if not rows:
            return
        pool = (visible(Candidacy.objects.filter(person__name__in={r.name for r in rows}),
                        self.actor).select_related("person").prefetch_related("events")
                .order_by("pk"))
        latest: dict[tuple, dict] = {}
        for c in pool:  # in pk order: the person's latest candidacy wins
            key = (c.person.name, idnumber.mask_id(c.person.id_number))
            latest.setdefault(key, {})[c.person_id] = c
        taken: dict[int, int] = {}
        for row in rows:
            found = latest.get((row.name, row.id_masked), {})
            if len(found) != 1:
                row.errors.append(
                    f"第{row.number}行：未找到姓名与脱敏身份证号相符的报名记录（或不在本单位管辖范围内）"
                    if not found else
                    f"第{row.number}行：有{len(found)}人姓名与脱敏身份证号相同，请改填完整身份证号")
                continue
            c = next(iter(found.values()))
            if c.pk in taken:
                row.errors.append(f"第{row.number}行：与第{taken[c.pk]}行是同一人")
                continue
            taken[c.pk] = row.number
            row.person = c
            self._plan(row, c)
            if not row.errors:
                self._corrections(row, c)

    def _plan(self, row: Row, c: Candidacy):
        recorded = {e.stage: e.result for e in c.events.all()}
        ticks, details = dict(row.values["ticks"]), row.values["details"]
        if details.get("passport_no") or details.get("residence_status_no") or details.get("departed_on"):
            ticks.setdefault(Stage.DEPARTURE, Result.DEPARTED)
        if details.get("not_departed_reason") and not details.get("departed_on"):
            ticks.setdefault(Stage.DEPARTURE, Result.NOT_DEPARTED)
        if details.get("returned_on") or details.get("return_reason"):
            ticks.setdefault(Stage.RETURN, Result.RETURNED)
        plan, stage = [], c.stage
        for s in transitions.ORDER[1:]:
            if s not in ticks:
                continue
            label = Stage(s).label
            if s in recorded:
                if recorded[s] != ticks[s]:
                    row.errors.append(f"第{row.number}行“{label}”：表中为“{Result(ticks[s]).label}”，"
                                      f"系统已录入“{Result(recorded[s]).label}”，花名表不能更改已录入的结果")
                continue
            if transitions.next_stage(stage) != s:
                missing = Stage(transitions.next_stage(stage)).label if transitions.next_stage(stage) else ""
                row.errors.append(f"第{row.number}行“{label}”：须先有“{missing}”的结果")
                return
            if self.actor.role not in transitions.RECORDERS[s]:
                row.errors.append(f"第{row.number}行“{label}”：您的角色不能录入该环节")
                return
            on = details.get("departed_on") if s == Stage.DEPARTURE and ticks[s] == Result.DEPARTED \
                else details.get("returned_on") if s == Stage.RETURN else self.stage_date
            step_details = {k: v for k, v in details.items()
                            if k not in ("departed_on", "returned_on") and v not in (None, "")
                            and "*" not in str(v)}
            if s == Stage.RETURN:
                # The sheet's one free-text reason, read into the list (pipeline.returns).
                step_details.update(roster_details(details.get("return_reason", ""),
                                                   on or self.stage_date, c.contract_ends_on))
            plan.append(Planned(s, ticks[s], on or self.stage_date, step_details))
            row.changes.append(f"{label}：{Result(ticks[s]).label}")
            stage = s
        row.values["plan"] = plan


TICKED_STAGES = {Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW, Stage.CONTRACT,
                 Stage.TRAINING}


def _record(row: Row, actor) -> None:
    """The row's planned stages, in order, through the pipeline's own service."""
    from django.core.exceptions import PermissionDenied, ValidationError
    for step in row.values["plan"]:
        try:
            candidacy_record(row.person, stage=step.stage, result=step.result, on=step.on,
                             actor=actor, **step.details)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", [str(error)])
            hint = ("（请在花名表最后一列之后加一列，表头写“培训合格证编号”，逐人填写）"
                    if step.stage == Stage.TRAINING and "培训合格证编号" in "".join(messages) else "")
            after = ()
            if isinstance(error, GapNeedsReason):
                after = (GAP_ELSEWHERE,)  # an upload row cannot carry the reason the page asks
                messages = [m.removeprefix(f"{row.person.person.name}：") for m in messages]
            raise Refused(sentences(f"第{row.number}行{row.name}：{clauses(messages)}{hint}",
                                    *after))
        row.person.refresh_from_db()


@audited_within
def write(result: Outcome, actor) -> tuple[int, int]:
    """Record every planned stage through the pipeline's own service."""
    updated = 0
    for row in result.rows:
        if row.outcome != UPDATE:
            continue
        _record(row, actor)
        updated += 1
    return 0, updated
