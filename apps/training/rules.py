"""The class rules in one place: the 非建制班 rules of seed 000 §2(7), and when a class may
open, end and give a training result (docs/TIME-RULES.md).

Only schools run them (not HR companies or training institutions); a period is two semesters;
at least 2 class hours a week; at least 30 people a class. Creating or opening a class that
breaks a rule is refused; what can only be seen as the class runs (hours actually taught) is
flagged, and money is not paid for a flagged class (``money_problems``)."""
from datetime import date, timedelta
from decimal import Decimal

MIN_MEMBERS = 30
MIN_WEEKLY_HOURS = Decimal("2")


def unit_problems(unit) -> list[str]:
    """Why this unit may not open a 非建制班 (empty: it may)."""
    problems = []
    if not unit.is_school:
        problems.append(f"{unit.name}为{unit.get_category_display()}，非建制班只能由学校举办"
                        "（经营性人力资源公司和培训机构除外）。")
    elif not unit.standing_class_allowed:
        problems.append(f"{unit.name}的非建制班经办资格已取消或未获准，不能举办非建制班。")
    return problems


def plan_problems(*, opens_on, first_term_ends_on, second_term_starts_on, ends_on,
                  hours_per_week) -> dict[str, str]:
    """A 非建制班's planned period and hours, field by field."""
    errors = {}
    if not first_term_ends_on or not second_term_starts_on:
        errors["first_term_ends_on"] = "非建制班每期两个学期：请填写第一学期结束和第二学期开始日期。"
    elif not (opens_on < first_term_ends_on < second_term_starts_on < ends_on):
        errors["second_term_starts_on"] = ("两个学期的日期应依次为：开班 < 第一学期结束 < "
                                           "第二学期开始 < 培训结束。")
    if hours_per_week is None or hours_per_week < MIN_WEEKLY_HOURS:
        errors["hours_per_week"] = f"非建制班每周不少于{MIN_WEEKLY_HOURS:g}课时。"
    return errors


def teaching_weeks(cls, until: date) -> list[date]:
    """The Mondays of the weeks of both semesters that have fully passed by ``until``; the
    first semester runs from the recorded opening (a class opened late taught nothing before)."""
    weeks = []
    for start, end in ((cls.opened_on or cls.opens_on, cls.first_term_ends_on),
                       (cls.second_term_starts_on, cls.ends_on)):
        monday = start - timedelta(days=start.weekday())
        while monday <= end and monday + timedelta(days=6) < until:
            weeks.append(monday)
            monday += timedelta(days=7)
    return weeks


def standing_flags(cls, *, members: int, hours: dict, today: date) -> list[str]:
    """What is wrong with a running 非建制班 (empty: nothing). ``hours`` maps a week's Monday
    to the hours taught."""
    flags = []
    if members < MIN_MEMBERS:
        flags.append(f"花名表仅 {members} 人，每班不少于{MIN_MEMBERS}人。")
    if cls.status != "planned":
        short = [w for w in teaching_weeks(cls, today) if hours.get(w, 0) < MIN_WEEKLY_HOURS]
        if short:
            shown = "、".join(f"{w:%m月%d日}" for w in short[:5])
            flags.append(f"{len(short)} 周课时不足{MIN_WEEKLY_HOURS:g}课时或未登记"
                         f"（{shown}{'等' if len(short) > 5 else ''}当周）。")
    return flags


def money_problems(cls, *, flags: list[str]) -> list[str]:
    """Why no subsidy may be claimed for this class now (empty: it may)."""
    problems = []
    if cls.money_stopped:
        problems.append("省人社厅抽查发现弄虚作假，已停止拨付该班资金。")
    if cls.is_standing:
        problems += unit_problems(cls.unit)
        problems += flags
    return problems


# --- Time rules of a class (docs/TIME-RULES.md) ----------------------------------------------

def opening_problems(cls, on, today: date) -> list[str]:
    """Why the class may not be recorded as opened on ``on`` (empty: it may)."""
    if on is None:
        return ["请填写实际开班日期。"]
    if on > today:
        return [f"开班日期（{on:%Y-%m-%d}）不能晚于今天。"]
    if on < cls.opens_on:
        return [f"计划开班时间为{cls.opens_on:%Y-%m-%d}，不能记为{on:%Y-%m-%d}开班。"
                "如需提前开班，请先“调整开班计划”并说明原因。"]
    if on > cls.ends_on:
        return [f"开班日期（{on:%Y-%m-%d}）晚于计划结束时间（{cls.ends_on:%Y-%m-%d}），"
                "请先“调整开班计划”。"]
    return []


def ending_problems(cls, on, today: date, *, last_exam_on=None) -> list[str]:
    """Why the class may not be recorded as ended on ``on`` (empty: it may). ``last_exam_on``:
    the day of the latest exam already held for it."""
    if on is None:
        return ["请填写结业日期。"]
    if on > today:
        return [f"结业日期（{on:%Y-%m-%d}）不能晚于今天。"]
    if cls.opened_on and on < cls.opened_on:
        return [f"结业日期（{on:%Y-%m-%d}）不能早于开班日期（{cls.opened_on:%Y-%m-%d}）。"]
    problem = last_exam_problem(on, last_exam_on, "结业日期")
    if problem:
        return [problem]
    last_start = cls.second_term_starts_on if cls.is_standing else cls.course_starts_on
    if on <= last_start:
        return [f"结业日期应晚于{'第二学期开始' if cls.is_standing else '开课时间'}"
                f"（{last_start:%Y-%m-%d}）。"]
    return []


def last_exam_problem(end, last_exam_on, label) -> str:
    """A class does not end, nor is its end planned, before an exam already held for it
    (rule 35): the results recorded would lie outside the class."""
    if last_exam_on and end < last_exam_on:
        return (f"{label}（{end.isoformat()}）不能早于本班已举行的考核日期"
                f"（{last_exam_on:%Y-%m-%d}）。")
    return ""


def spot_check_problem(cls, on, today: date) -> str:
    """Why a spot check of ``cls`` cannot be dated ``on`` ("" when it can; rules 12 and 32):
    not in the future, and not before the class began (its recorded opening)."""
    if on is None:
        return "请填写抽查日期。"
    if on > today:
        return f"抽查日期（{on.isoformat()}）不能晚于今天。"
    if cls.opened_on is None:
        return f"培训班“{cls.name}”尚未开班，不能录入抽查结果。"
    if on < cls.opened_on:
        return (f"抽查日期（{on.isoformat()}）不能早于培训班开班日期"
                f"（{cls.opened_on:%Y-%m-%d}）。")
    return ""


# 合格 / 不合格 are results of an exam the person sat: they need hours attended. 未完成 may
# have none (someone who never came did not complete; refusing it would force a lie).
NEEDS_HOURS = {"pass", "fail"}


def result_problems(enrolment, *, name: str, result: str, on, today: date) -> list[str]:
    """Why this training result may not be recorded (empty: it may). ``enrolment`` is the
    person's place in an intensive class, None when they have none. Every path that records a
    培训 result (class results table, person page, 花名表 upload) reaches this through
    pipeline.services.candidacy_record."""
    if enrolment is None:
        return [f"{name}未加入任何强化培训班：培训结果只能为培训班的学员录入，请先在培训班中添加该学员。"]
    cls = enrolment.training_class
    if cls.status == "planned" or cls.opened_on is None:
        return [f"{name}所在的培训班“{cls.name}”尚未开班，不能录入培训结果。"]
    if on > today:
        return [f"{name}：考核日期（{on:%Y-%m-%d}）不能晚于今天。"]
    if on < cls.opened_on:
        return [f"{name}：考核日期（{on:%Y-%m-%d}）不能早于培训班开班日期（{cls.opened_on:%Y-%m-%d}）。"]
    if on > cls.ends_on:
        return [f"{name}：考核日期（{on:%Y-%m-%d}）不能晚于培训结束时间（{cls.ends_on:%Y-%m-%d}）。"]
    if result in NEEDS_HOURS and not (enrolment.attended_hours or 0) > 0:
        return [f"{name}的出勤课时为0：请先在培训班“{cls.name}”的“录入出勤和结果”中录入出勤课时，"
                "再录入培训结果。"]
    return []
