"""The criteria computed from the records: one function per computation key.

Each takes the organisation (an OrganisingUnit or an Agency), the kind and the year, and
returns a ``Figure``: the value scored, how many records it counts and which records they
are (one model, their ids), so every figure drills down to a scoped list of its records and a
test can recount it. The year is the calendar year, Beijing dates."""
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Optional
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.abroad.terms import add_months
from apps.evaluations.models import Kind

BEIJING = ZoneInfo("Asia/Shanghai")
RETENTION_MONTHS = 6


@dataclass
class Figure:
    value: Optional[Decimal]         # None: the records cannot give the figure (said in note)
    count: int                       # records counted (the numerator for a rate)
    model: str                       # "app.Model" of the records behind it
    ids: list = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Computation:
    label: str
    kinds: tuple                     # the kinds of organisation it applies to
    fn: Callable
    unit_of_value: str = "条"


COMPUTATIONS: dict[str, Computation] = {}


def computation(key, label, kinds=(Kind.AGENCY, Kind.UNIT), unit_of_value="条"):
    def register(fn):
        COMPUTATIONS[key] = Computation(label, tuple(kinds), fn, unit_of_value)
        return fn
    return register


def key_choices():
    return [(k, c.label) for k, c in COMPUTATIONS.items()]


def _org(kind, org, path=""):
    return {f"{path}{'unit' if kind == Kind.UNIT else 'agency'}": org.pk}


def _year_moments(year):
    return (datetime.combine(date(year, 1, 1), time.min, BEIJING),
            datetime.combine(date(year + 1, 1, 1), time.min, BEIJING))


def _ids(qs):
    return list(qs.order_by("pk").values_list("pk", flat=True))


def _rate(part, whole) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def departures_qs(kind, org, year):
    from apps.pipeline.models import Candidacy
    return Candidacy.objects.filter(departed_on__year=year, **_org(kind, org))


@computation("departures", "年度输出（输送）人数", unit_of_value="人")
def departures(kind, org, year, today):
    ids = _ids(departures_qs(kind, org, year))
    return Figure(Decimal(len(ids)), len(ids), "pipeline.Candidacy", ids,
                  f"{year}年输出 {len(ids)} 人")


@computation("task_completion", "任务完成率（输出人数 / 年度任务数，%）", kinds=(Kind.UNIT,),
             unit_of_value="%")
def task_completion(kind, org, year, today):
    from apps.quotas.models import Task
    ids = _ids(departures_qs(kind, org, year))
    task = Task.objects.filter(year=year, unit=org.pk).values_list("number", flat=True).first()
    if not task:
        return Figure(None, len(ids), "pipeline.Candidacy", ids,
                      f"{year}年任务数未知或为0，无法计算完成率（输出 {len(ids)} 人）")
    return Figure(_rate(len(ids), task), len(ids), "pipeline.Candidacy", ids,
                  f"输出 {len(ids)} 人 / 任务 {task} 人")


def retention_split(kind, org, year, today):
    """People who departed in ``year`` and whose six months abroad have passed by ``today``;
    retained: not back before six months (still abroad, or returned at/after six months,
    which includes a contract completed)."""
    cohort, kept = [], []
    for pk, departed, returned in departures_qs(kind, org, year).order_by("pk").values_list(
            "pk", "departed_on", "returned_on"):
        mark = add_months(departed, RETENTION_MONTHS)
        if mark > today:
            continue
        cohort.append(pk)
        if returned is None or returned >= mark:
            kept.append(pk)
    return cohort, kept


@computation("retention", "六个月留用率（%）", unit_of_value="%")
def retention(kind, org, year, today):
    cohort, kept = retention_split(kind, org, year, today)
    if not cohort:
        return Figure(None, 0, "pipeline.Candidacy", [],
                      f"{year}年没有出境满{RETENTION_MONTHS}个月的输出人员")
    return Figure(_rate(len(kept), len(cohort)), len(kept), "pipeline.Candidacy", cohort,
                  f"出境满6个月 {len(cohort)} 人，其中留用 {len(kept)} 人")


@computation("early_returns", "提前回国人数（合同期满前归国）", unit_of_value="人")
def early_returns(kind, org, year, today):
    from apps.pipeline.models import Candidacy, ReturnKind
    # The return's recorded kind (issue 19), as the figures of people abroad count it: one
    # rule for what an early return is.
    ids = _ids(Candidacy.objects.filter(returned_on__year=year, return_kind=ReturnKind.EARLY,
                                        **_org(kind, org)))
    return Figure(Decimal(len(ids)), len(ids), "pipeline.Candidacy", ids,
                  f"{year}年合同期满前归国 {len(ids)} 人（归国原因见明细）")


@computation("contracts", "已输出但未签订合同人数", unit_of_value="人")
def contracts(kind, org, year, today):
    from apps.pipeline.models import Result, Stage, StageEvent
    signed = StageEvent.objects.filter(stage=Stage.CONTRACT, result=Result.SIGNED).values(
        "candidacy")
    ids = _ids(departures_qs(kind, org, year).exclude(pk__in=signed))
    return Figure(Decimal(len(ids)), len(ids), "pipeline.Candidacy", ids,
                  f"{year}年输出人员中无“合同·签订”记录的 {len(ids)} 人")


@computation("complaints", "经核实的投诉（诉求成立或部分成立）")
def complaints(kind, org, year, today):
    from apps.complaints.models import Complaint, Outcome, Respondent
    where = ({"respondent_kind": Respondent.UNIT, "respondent_unit": org.pk}
             if kind == Kind.UNIT else
             {"respondent_kind": Respondent.AGENCY, "respondent_agency": org.pk})
    ids = _ids(Complaint.objects.filter(resolved_on__year=year,
                                        outcome__in=[Outcome.UPHELD, Outcome.PARTLY], **where))
    return Figure(Decimal(len(ids)), len(ids), "complaints.Complaint", ids,
                  f"{year}年办结并核实的投诉 {len(ids)} 件")


@computation("serious_incidents", "重大及以上安全责任事故（Ⅰ、Ⅱ级突发事件）")
def serious_incidents(kind, org, year, today):
    from apps.incidents.models import Grade, Incident
    start, end = _year_moments(year)
    ids = _ids(Incident.objects.filter(occurred_at__gte=start, occurred_at__lt=end,
                                       grade__lte=Grade.II, **_org(kind, org)))
    return Figure(Decimal(len(ids)), len(ids), "incidents.Incident", ids,
                  f"{year}年发生Ⅰ、Ⅱ级突发事件 {len(ids)} 起")


@computation("late_reports", "突发事件迟报（份）")
def late_reports(kind, org, year, today):
    from apps.incidents.models import IncidentReport
    start, end = _year_moments(year)
    ids = _ids(IncidentReport.objects.filter(filed_at__gte=start, filed_at__lt=end, late=True,
                                             **_org(kind, org, "incident__")))
    return Figure(Decimal(len(ids)), len(ids), "incidents.IncidentReport", ids,
                  f"{year}年迟报的突发事件报告 {len(ids)} 份")


@computation("timeliness", "逾期或未报送的数据报送事项")
def timeliness(kind, org, year, today):
    from django.db.models import Q

    from apps.accounts.models import Role
    from apps.deadlines.models import OPEN_ITEM, DeadlineItem, ItemStatus
    role = Role.UNIT if kind == Kind.UNIT else Role.AGENCY
    mine = DeadlineItem.objects.filter(due_on__year=year, owner_role=role, **_org(kind, org))
    late = mine.filter(Q(status=ItemStatus.DONE_LATE)
                       | Q(status__in=OPEN_ITEM, due_at__lt=timezone.now(),
                           paused_since__isnull=True))
    ids, total = _ids(late), mine.count()
    return Figure(Decimal(len(ids)), len(ids), "deadlines.DeadlineItem", ids,
                  f"{year}年到期事项 {total} 项，逾期完成或逾期未报 {len(ids)} 项")


@computation("training_pass", "强化培训合格率（%）", unit_of_value="%")
def training_pass(kind, org, year, today):
    from apps.training.models import Enrolment, EnrolmentResult
    assessed = Enrolment.objects.filter(result_on__year=year,
                                        result__in=[EnrolmentResult.PASS, EnrolmentResult.FAIL],
                                        **_org(kind, org, "training_class__"))
    ids = _ids(assessed)
    passed = assessed.filter(result=EnrolmentResult.PASS).count()
    if not ids:
        return Figure(None, 0, "training.Enrolment", [], f"{year}年没有考核结果")
    return Figure(_rate(passed, len(ids)), passed, "training.Enrolment", ids,
                  f"考核 {len(ids)} 人，合格 {passed} 人")


@computation("docking", "劳务对接活动（项目对接，场）")
def docking(kind, org, year, today):
    from apps.projects.models import ProjectDocking
    start, end = _year_moments(year)
    where = {"unit": org.pk} if kind == Kind.UNIT else {"project__agency": org.pk}
    ids = _ids(ProjectDocking.objects.filter(created_at__gte=start, created_at__lt=end, **where))
    return Figure(Decimal(len(ids)), len(ids), "projects.ProjectDocking", ids,
                  f"{year}年登记的项目对接 {len(ids)} 次")


@computation("falsified", "抽查发现弄虚作假（次）", kinds=(Kind.UNIT,))
def falsified(kind, org, year, today):
    from apps.training.models import STOPS_MONEY, SpotCheck
    ids = _ids(SpotCheck.objects.filter(checked_on__year=year, outcome__in=STOPS_MONEY,
                                        training_class__unit=org.pk))
    return Figure(Decimal(len(ids)), len(ids), "training.SpotCheck", ids,
                  f"{year}年抽查结论为弄虚作假 {len(ids)} 次")


@computation("claims_returned", "补助资金申请被退回（次）", kinds=(Kind.UNIT,))
def claims_returned(kind, org, year, today):
    """Every return of the unit's claims in the year, with its reason in the drill-down: the
    records do not say which returns were for false counts, so the figure is all of them and
    is not in the example scheme (the province may add it and read the reasons)."""
    from apps.subsidies.models import ClaimStep, StepAction
    start, end = _year_moments(year)
    ids = _ids(ClaimStep.objects.filter(action=StepAction.RETURN, at__gte=start, at__lt=end,
                                        claim__unit=org.pk))
    return Figure(Decimal(len(ids)), len(ids), "subsidies.ClaimStep", ids,
                  f"{year}年补助资金申请被退回 {len(ids)} 次（退回原因见明细）")


def compute(key, kind, org, year, today=None) -> Figure:
    return COMPUTATIONS[key].fn(kind, org, year, today or timezone.localdate())


def points_for(rule: dict, max_points: Decimal, figure: Figure) -> Decimal:
    """Points of a computed criterion by its rule: bands by the value, or deductions per
    record; never below 0 nor above the criterion's points."""
    max_points = Decimal(max_points)
    if "deduct" in rule:
        got = max_points - Decimal(str(rule["deduct"])) * figure.count
    elif figure.value is None:
        got = Decimal(0)
    else:
        got = Decimal(0)
        for band in rule.get("bands", []):
            reached = (figure.value > Decimal(str(band["over"])) if "over" in band
                       else figure.value >= Decimal(str(band["min"])))
            if reached:
                got = max(got, Decimal(str(band["points"])))
    return min(max(got, Decimal(0)), max_points)


def rule_problems(rule, points) -> list[str]:
    """What is wrong with a computed criterion's rule, in the words of the form."""
    if not isinstance(rule, dict) or not ({"bands", "deduct"} & set(rule)):
        return ["计分规则须为分档（bands）或按条扣分（deduct）之一。"]
    try:
        if "deduct" in rule:
            if Decimal(str(rule["deduct"])) <= 0:
                return ["每条扣分须大于0。"]
            return []
        bands = rule["bands"]
        if not isinstance(bands, list) or not bands:
            return ["分档不能为空。"]
        for band in bands:
            if not ({"min", "over"} & set(band)) or "points" not in band:
                return ["每一档须有起点（min 或 over）和得分（points）。"]
            p = Decimal(str(band["points"]))
            if p < 0 or p > Decimal(points):
                return [f"分档得分 {p} 须在 0 到该指标分值 {points} 之间。"]
    except (ArithmeticError, TypeError, ValueError, KeyError):
        return ["计分规则中的数字无法识别。"]
    return []
