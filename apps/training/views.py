"""Training pages: classes (附件7), enrolment and results, the 非建制班 roster (附件9), hours,
spot checks. Rules live in services/rules; these views read forms and show outcomes."""
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.forms import apply_errors
from apps.common.paginator import KeysetPage
from apps.common.params import ascii_ints
from apps.common.wording import error_text
from apps.orgs.models import Agency, UnitAgencyCooperation
from apps.pipeline.models import Candidacy
from apps.projects.models import JobProject, ProjectStatus
from apps.rosters import exports
from apps.rosters.views import _attachment
from apps.training import selectors, services
from apps.training.forms import (
    ClassFilterForm, ClassForm, EndForm, HoursForm, OpenForm, PlanForm, SpotCheckForm,
)
from apps.training.models import (
    ClassStatus, Enrolment, EnrolmentResult, StandingMember, TrainingClass,
)

VIEWERS = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)


def _class(request, pk):
    return get_visible_or_404(TrainingClass.objects.select_related("unit", "city", "agency",
                                                                   "project"),
                              request.user, pk=pk)


@role_required(*VIEWERS)
def class_list(request):
    form = ClassFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.class_list(request.user, kind=filters.get("kind", ""),
                              status=filters.get("status", ""))
    return render(request, "training/class_list.html", {
        "form": form,
        "page": KeysetPage(qs, after=request.GET.get("after"), order=("opens_on", "id")),
        "can_create": request.user.role == Role.UNIT,
    })


def _form_choices(user):
    agencies = Agency.objects.filter(pk__in=UnitAgencyCooperation.objects.filter(
        unit=user.unit_id, ended_at__isnull=True).values("agency"))
    projects = visible(JobProject.objects.filter(status=ProjectStatus.PUBLISHED), user)
    return {"agencies": visible(agencies, user), "projects": projects}


@role_required(Role.UNIT)
def class_create(request):
    form = ClassForm(request.POST or None, initial={"kind": request.GET.get("kind", "intensive")},
                     **_form_choices(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            cls = services.class_create(actor=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已创建培训班“{cls.name}”。请在开班前报送花名表。")
            return redirect("training:class_detail", pk=cls.pk)
    return render(request, "training/class_form.html", {"form": form, "title": "新建培训班"})


@role_required(Role.UNIT)
def class_edit(request, pk):
    cls = _class(request, pk)
    # The planned dates move only through 调整开班计划 (class_plan), with a reason.
    form = ClassForm(request.POST or None, instance=cls, editing=True, dates_locked=True,
                     **_form_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.class_update(cls, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "已保存培训班信息。")
            return redirect("training:class_detail", pk=cls.pk)
    return render(request, "training/class_form.html", {
        "form": form, "title": f"修改培训班信息：{cls.name}", "cls": cls})


@role_required(*VIEWERS)
def class_detail(request, pk):
    cls = _class(request, pk)
    user = request.user
    own = user.role == Role.UNIT
    flags = services.class_flags(cls)  # read once: the money problems include them
    context = {
        "cls": cls, "own": own, "form7": exports.form7_rows(cls),
        "items": visible(cls.deadline_items.with_state().select_related("rule"), user),
        "checks": selectors.spot_checks(cls, user),
        "flags": flags,
        "money_problems": services.class_money_problems(cls, flags=flags),
        "end_form": EndForm(), "open_form": OpenForm(), "hours_form": HoursForm(),
        "plan_changes": cls.plan_changes.select_related("changed_by"),
        "results": [r for r in EnrolmentResult if r.value],
    }
    if cls.is_standing:
        members = selectors.members(cls, user)
        context["members"] = Paginator(members, 100).get_page(request.GET.get("page"))
        context["hours"] = cls.weekly_hours.all()
    else:
        context["enrolments"] = selectors.enrolments(cls, user)
    return render(request, "training/class_detail.html", context)


@role_required(Role.UNIT)
def class_enrol(request, pk):
    cls = _class(request, pk)
    candidates = services.enrolment_candidates(cls, request.user)
    if request.method == "POST":
        ids = ascii_ints(request.POST.getlist("candidacy"))
        chosen = list(visible(Candidacy.objects.filter(pk__in=ids), request.user))
        if not chosen:
            messages.error(request, "请至少选择一人。")
        else:
            try:
                services.enrol(cls, actor=request.user, candidacies=chosen)
            except ValidationError as error:
                messages.error(request, error_text(error, "本次未添加任何人"))
            else:
                messages.success(request, f"已添加 {len(chosen)} 名参训人员。")
                return redirect("training:class_detail", pk=cls.pk)
    return render(request, "training/class_enrol.html", {"cls": cls, "candidates": candidates})


@require_POST
@role_required(Role.UNIT)
def enrolment_remove(request, pk):
    enrolment = get_visible_or_404(Enrolment.objects.select_related("training_class",
                                                                    "candidacy__person"),
                                   request.user, pk=pk)
    try:
        services.unenrol(enrolment.training_class, actor=request.user, enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"已将{enrolment.candidacy.person.name}移出本班。")
    return redirect("training:class_detail", pk=enrolment.training_class_id)


@require_POST
@role_required(Role.UNIT)
def member_remove(request, pk):
    member = get_visible_or_404(StandingMember.objects.select_related("training_class", "person"),
                                request.user, pk=pk)
    try:
        services.standing_member_remove(member.training_class, actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"已将{member.person.name}移出花名表。")
    return redirect("training:class_detail", pk=member.training_class_id)


@role_required(Role.UNIT)
def class_plan(request, pk):
    """调整开班计划: moving the planned dates is its own action, with a reason."""
    cls = _class(request, pk)
    form = PlanForm(request.POST or None, cls=cls)
    if request.method == "POST" and form.is_valid():
        try:
            services.class_plan_move(cls, actor=request.user, reason=form.cleaned_data["reason"],
                                     **form.dates())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "已调整开班计划。")
            return redirect("training:class_detail", pk=cls.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"调整开班计划：{cls.name}",
        "back": reverse("training:class_detail", args=[cls.pk])})


ACTIONS = {
    "file-roster": (services.roster_file, "已报送花名表。"),
    "file-info": (services.info_file, "已报送培训班信息表（附件7）。"),
}


@require_POST
@role_required(Role.UNIT)
def class_action(request, pk, action):
    """报送花名表 / 开班 / 结业 / 报送信息表: one step of the class's life each."""
    cls = _class(request, pk)
    try:
        if action == "end":
            form = EndForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写结业日期。")
            services.class_end(cls, actor=request.user, on=form.cleaned_data["on"])
            done = "已结业。请在10个工作日内报送培训班信息表（附件7）。"
        elif action == "open":
            form = OpenForm(request.POST)
            services.class_open(cls, actor=request.user,
                                on=form.cleaned_data["on"] if form.is_valid() else None)
            done = f"已于{form.cleaned_data['on']:%Y-%m-%d}开班。"
        elif action in ACTIONS:
            service, done = ACTIONS[action]
            service(cls, actor=request.user)
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("training:class_detail", pk=cls.pk)


def _decimal(value, enrolment):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{enrolment.candidacy.person.name}的出勤课时“{value}”不是有效的数字")


def _posted_date(value, label):
    """A posted yyyy-mm-dd date; a missing or malformed one is refused, never taken as today."""
    try:
        on = parse_date(value or "")
    except ValueError:
        on = None
    if on is None:
        raise ValidationError(f"请按“年-月-日”填写{label}。")
    return on


@role_required(Role.UNIT)
def class_results(request, pk):
    """Attendance and results of an intensive class, all rows at once."""
    cls = _class(request, pk)
    enrolments = list(selectors.enrolments(cls, request.user))
    error = None
    on = timezone.localdate()
    if request.method == "POST":
        try:
            on = _posted_date(request.POST.get("on"), "考核日期")
            rows = [(e, _decimal(request.POST.get(f"hours-{e.pk}"), e),
                     request.POST.get(f"result-{e.pk}", ""),
                     request.POST.get(f"certificate-{e.pk}", "")) for e in enrolments]
            n = services.results_record(cls, actor=request.user, on=on, rows=rows)
        except ValidationError as exc:
            error = error_text(exc, "本次提交未保存，请修改后重新提交")
        else:
            messages.success(request, f"已保存出勤，录入 {n} 人的培训结果。")
            return redirect("training:class_detail", pk=cls.pk)
    return render(request, "training/class_results.html", {
        "cls": cls, "enrolments": enrolments, "error": error, "on": on, "posted": request.POST,
        "results": [r for r in EnrolmentResult if r.value],
    }, status=400 if error else 200)


@require_POST
@role_required(Role.UNIT)
def class_hours(request, pk):
    cls = _class(request, pk)
    form = HoursForm(request.POST)
    if form.is_valid():
        try:
            row = services.weekly_hours_record(cls, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, f"已登记{row.week_of:%Y年%m月%d日}当周课时 {row.hours:g}。")
    else:
        messages.error(request, "请填写周次和课时。")
    return redirect("training:class_detail", pk=cls.pk)


@role_required(Role.PROVINCE)
def spot_check_create(request, pk):
    cls = _class(request, pk)
    form = SpotCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.spot_check_record(cls, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已录入抽查结果：{check.get_outcome_display()}。")
            return redirect("training:class_detail", pk=cls.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"录入抽查结果：{cls.name}",
        "back": reverse("training:class_detail", args=[cls.pk])})


@role_required(*VIEWERS)
def export_form7(request, pk):
    cls = _class(request, pk)
    audit_log(request.user, AuditAction.EXPORT, cls, detail="附件7")
    return _attachment(exports.form7_class(request.user, cls),
                       f"附件7 对外劳务输出培训班信息表 {cls.name}.xlsx")


@role_required(*VIEWERS)
def print_form7(request, pk):
    cls = _class(request, pk)
    audit_log(request.user, AuditAction.EXPORT, cls, detail="附件7 打印")
    return render(request, "training/print_form7.html", {"cls": cls,
                                                         "rows": exports.form7_rows(cls)})


def _members_for_form9(request, pk):
    cls = _class(request, pk)
    if not cls.is_standing:
        raise Http404
    return cls, list(selectors.members(cls, request.user))


@role_required(*VIEWERS)
def export_form9(request, pk):
    cls, members = _members_for_form9(request, pk)
    audit_log(request.user, AuditAction.EXPORT, cls, detail=f"附件9 {len(members)}人（脱敏）",
              request=request)
    return _attachment(exports.form9_members(cls, members),
                       f"附件9 非建制班人员花名表 {cls.name}.xlsx")


@role_required(*VIEWERS)
def print_form9(request, pk):
    cls, members = _members_for_form9(request, pk)
    audit_log(request.user, AuditAction.EXPORT, cls, detail=f"附件9 打印 {len(members)}人（脱敏）",
              request=request)
    return render(request, "training/print_form9.html", {
        "cls": cls, "headers": exports.FORM9_HEADERS, "note": exports.FORM9_NOTE,
        "rows": exports.form9_rows(members)})
