"""Each role's work queue on its home page: how much waits for this user, and where it is done.

Every count is the ``.count()`` of the very selector, with the very filters, that the list it
links to renders, so the number on the home page is the number of rows behind the link.
"""
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from apps.abroad.selectors import State, abroad_register
from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.deadlines import selectors as deadlines
from apps.orgs import selectors as orgs
from apps.orgs.models import FilingStatus
from apps.pipeline import selectors as pipeline
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage
from apps.projects import selectors as projects
from apps.projects.models import ProjectStatus
from apps.rosters import selectors as rosters
from apps.rosters.models import UploadStatus
from apps.subsidies import selectors as subsidies
from apps.subsidies.models import ClaimStatus


@dataclass
class Entry:
    label: str
    count: int
    url: str
    warn: bool = True   # a count above zero is something to do; False: a figure to know

    @property
    def urgent(self) -> bool:
        return self.warn and self.count > 0


def _url(name, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in ("", None, False)})
    return reverse(name) + (f"?{query}" if query else "")


def _candidacies(user, **f):
    return pipeline.candidacy_list(user, **f)


def _items(user, now, **f):
    return deadlines.my_items(user, now=now, **f)


def _abroad(state):
    # State at read time, as the deadlines: the register's own rows on the day of ``now``.
    return lambda u, now: abroad_register(u, {"state": state}, timezone.localdate(now))


# Contract over, no return recorded: the agency (and the unit) must find out where they are.
ABROAD_QUEUE = [
    ("合同期满未登记归国", "abroad:register", _abroad(State.OVERDUE), {"state": State.OVERDUE}),
    ("90天内合同到期", "abroad:register", _abroad(State.ENDING), {"state": State.ENDING}),
]


# (label, url name, rows, filters) per role. The filters go both to the selector here and, as
# the query string, to the list view, which hands them to the same selector.
QUEUES = {
    Role.PROVINCE: [
        # An agency's reward claim has no city: the province's 初审 is its review.
        ("待初审的输出机构奖励申请", "subsidies:claim_list",
         lambda u, now: subsidies.claim_list(u, status=ClaimStatus.SUBMITTED, applicant="agency"),
         {"status": ClaimStatus.SUBMITTED, "applicant": "agency"}),
        ("待审核岗位项目", "projects:project_list",
         lambda u, now: projects.project_list(u, status=ProjectStatus.SUBMITTED),
         {"status": ProjectStatus.SUBMITTED}),
        ("待审批备案", "orgs:filing_list",
         lambda u, now: orgs.filing_list(u, status=FilingStatus.PENDING),
         {"status": FilingStatus.PENDING}),
        ("待审批补助资金申请", "subsidies:claim_list",
         lambda u, now: subsidies.claim_list(u, status=ClaimStatus.REVIEWED),
         {"status": ClaimStatus.REVIEWED}),
        ("待拨付补助资金", "subsidies:claim_list",
         lambda u, now: subsidies.claim_list(u, status=ClaimStatus.APPROVED),
         {"status": ClaimStatus.APPROVED}),
        ("全省逾期事项", "deadlines:my_items",
         lambda u, now: _items(u, now, state="overdue"), {"state": "overdue"}),
        ("在外就业人员", "pipeline:candidacy_list",
         lambda u, now: _candidacies(u, status=CandidacyStatus.ABROAD),
         {"status": CandidacyStatus.ABROAD}),
    ],
    Role.CITY: [
        ("待审核补助资金申请", "subsidies:claim_list",
         lambda u, now: subsidies.claim_list(u, status=ClaimStatus.SUBMITTED),
         {"status": ClaimStatus.SUBMITTED}),
        ("本市逾期事项", "deadlines:my_items",
         lambda u, now: _items(u, now, state="overdue"), {"state": "overdue"}),
        ("待确认的名册上传", "rosters:upload_list",
         lambda u, now: rosters.upload_list(u, status=UploadStatus.PREVIEWED),
         {"status": UploadStatus.PREVIEWED}),
    ],
    Role.UNIT: [
        ("逾期事项", "deadlines:my_items",
         lambda u, now: _items(u, now, state="overdue"), {"state": "overdue"}),
        ("未到期待办", "deadlines:my_items",
         lambda u, now: _items(u, now, state="due"), {"state": "due"}),
        ("待录入下一环节的人员", "pipeline:candidacy_list",
         lambda u, now: _candidacies(u, waiting=True), {"waiting": "on"}),
        ("被退回的补助资金申请", "subsidies:claim_list",
         lambda u, now: subsidies.claim_list(u, status=ClaimStatus.RETURNED),
         {"status": ClaimStatus.RETURNED}),
        ("待确认的名册上传", "rosters:upload_list",
         lambda u, now: rosters.upload_list(u, status=UploadStatus.PREVIEWED),
         {"status": UploadStatus.PREVIEWED}),
        *ABROAD_QUEUE,
    ],
    Role.AGENCY: [
        # 复试合格: the contract (签订 / 未签订) is the agency's decision.
        ("待定合同（复试合格）", "pipeline:candidacy_list",
         lambda u, now: _candidacies(u, stage=Stage.SECOND_INTERVIEW,
                                     status=CandidacyStatus.ACTIVE),
         {"stage": Stage.SECOND_INTERVIEW, "status": CandidacyStatus.ACTIVE}),
        ("待登记输出（培训合格）", "pipeline:candidacy_list",
         lambda u, now: _candidacies(u, stage=Stage.TRAINING, status=CandidacyStatus.ACTIVE),
         {"stage": Stage.TRAINING, "status": CandidacyStatus.ACTIVE}),
        ("逾期事项", "deadlines:my_items",
         lambda u, now: _items(u, now, state="overdue"), {"state": "overdue"}),
        ("在外就业人员", "pipeline:candidacy_list",
         lambda u, now: _candidacies(u, status=CandidacyStatus.ABROAD),
         {"status": CandidacyStatus.ABROAD}),
        ("被退回的奖励申请", "subsidies:claim_list",
         lambda u, now: subsidies.claim_list(u, status=ClaimStatus.RETURNED),
         {"status": ClaimStatus.RETURNED}),
        *ABROAD_QUEUE,
    ],
}
# Figures to know, not work to do: shown without the warning colour.
FIGURES = {"在外就业人员", "90天内合同到期"}


def work_queue(user, now=None) -> list[Entry]:
    """A fixed number of queries per entry (one; two for the abroad register, which reads
    its distinct contract terms first); the same for every size of the data."""
    now = now or timezone.now()
    return [Entry(label, rows(user, now).count(), _url(name, **params),
                  warn=label not in FIGURES)
            for label, name, rows, params in QUEUES.get(user.role, [])]


def overdue_by_city(user, now=None) -> list[Entry]:
    """The province's overdue items per city, each linking to that city's overdue list."""
    return [Entry(name, n, _url("deadlines:my_items", state="overdue", city=pk))
            for pk, name, n in deadlines.overdue_by_city(user, now)]


def departures_in(user, year: int) -> int:
    """Departures recorded as happening in ``year``: the unit's progress against its task."""
    return visible(Candidacy.objects.filter(
        events__stage=Stage.DEPARTURE, events__result=Result.DEPARTED,
        events__happened_on__year=year), user).distinct().count()
