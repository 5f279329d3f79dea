"""The 花名表 (附件6) layout, in one place for the page and (later) the xlsx export.

Two header rows as printed in seed 000: the groups, then the columns under each. Result
columns take a "√" in the matching box (填表说明 1)."""
from apps.pipeline.models import Result, Stage
from apps.registry.idnumber import mask_id, mask_passport, mask_phone

CHECK = "√"

GROUPS = [
    ("序号", None), ("姓名", None), ("身份证号", None),
    ("初试情况", ["合格", "不合格", "未参加"]),
    ("体检情况", ["合格", "不合格", "未参加"]),
    ("复试情况", ["合格", "不合格", "未参加"]),
    ("签订合同情况", ["签订", "工种", "合同期限", "未签订"]),
    ("培训情况", ["合格", "不合格", "未完成"]),
    ("输出情况", ["护照号", "在留资格号", "输出国", "输出工种", "输出时间", "外方用工企业",
               "未输出原因"]),
    ("归国情况", ["联系电话", "归国原因", "归国时间"]),
    ("备注", None),
]
COLUMN_COUNT = sum(len(sub) if sub else 1 for _, sub in GROUPS)

_CHECK_STAGES = [
    (Stage.FIRST_INTERVIEW, [Result.PASS, Result.FAIL, Result.ABSENT]),
    (Stage.MEDICAL, [Result.PASS, Result.FAIL, Result.ABSENT]),
    (Stage.SECOND_INTERVIEW, [Result.PASS, Result.FAIL, Result.ABSENT]),
]


def _date(value):
    return f"{value:%Y-%m-%d}" if value else ""


def roster_row(seq: int, c, results: dict, *, id_text: str, passport_text: str) -> list[str]:
    """One candidacy as the 30 cells of a 花名表 row. ``results`` maps stage -> result of
    its recorded events; ID and passport come already masked or not, as the caller may."""
    row = [str(seq), c.person.name, id_text]
    for stage, options in _CHECK_STAGES:
        row += [CHECK if results.get(stage) == option else "" for option in options]
    signed = results.get(Stage.CONTRACT) == Result.SIGNED
    row += [CHECK if signed else "", c.contract_trade if signed else "",
            c.contract_term if signed else "",
            CHECK if results.get(Stage.CONTRACT) == Result.NOT_SIGNED else ""]
    row += [CHECK if results.get(Stage.TRAINING) == option else ""
            for option in (Result.PASS, Result.FAIL, Result.INCOMPLETE)]
    departed = results.get(Stage.DEPARTURE) == Result.DEPARTED
    row += [passport_text if departed else "", c.residence_status_no if departed else "",
            c.country if departed else "", c.departure_trade if departed else "",
            _date(c.departed_on) if departed else "", c.employer if departed else "",
            c.not_departed_reason]
    row += [mask_phone(c.return_phone) if c.return_phone else "", c.return_reason_shown,
            _date(c.returned_on)]
    notes = [c.note] if c.note else []
    if c.breach:
        notes.append("中途退出（违约）")
    elif c.status == "withdrawn":
        notes.append("中途退出")
    row.append("；".join(notes))
    assert len(row) == COLUMN_COUNT
    return row


def rows(candidacies, *, full_for=frozenset()) -> list[list[str]]:
    """The 花名表 rows of candidacies (their events prefetched). ID and passport are masked
    except for the people in ``full_for`` (person pks of a granted disclosure)."""
    out = []
    for seq, c in enumerate(candidacies, start=1):
        results = {e.stage: e.result for e in c.events.all()}
        p = c.person
        full = p.pk in full_for
        out.append(roster_row(
            seq, c, results, id_text=p.id_number if full else mask_id(p.id_number),
            passport_text=p.passport_no if full else mask_passport(p.passport_no)))
    return out
