from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.paginator import KeysetPage
from apps.common.params import ascii_int
from apps.pipeline import roster
from apps.pipeline.roster import GROUPS
from apps.pipeline.selectors import roster_selection
from apps.registry.models import Person
from apps.rosters import exports, selectors, services
from apps.rosters.forms import UploadForm
from apps.rosters.importers import OUTCOME_LABELS
from apps.rosters.layouts import LAYOUTS
from apps.rosters.models import Upload, UploadStatus
from apps.rosters.templates_xlsx import template_bytes
from apps.training.models import ClassKind, ClassStatus, TrainingClass

VIEWERS = (Role.PROVINCE, Role.CITY, Role.UNIT)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*VIEWERS)
def upload_list(request):
    user = request.user
    standing = visible(TrainingClass.objects.filter(kind=ClassKind.STANDING), user).exclude(
        status=ClassStatus.ENDED) if user.role == Role.UNIT else TrainingClass.objects.none()
    wanted = request.GET.get("training_class", "")
    wanted = ascii_int(wanted)
    chosen = standing.filter(pk=wanted).first() if wanted is not None else None
    form = UploadForm(request.POST or None, request.FILES or None, standing_classes=standing,
                      initial={"kind": "standing_class", "training_class": chosen}
                      if chosen else None)
    if request.method == "POST":
        if user.role not in services.UPLOADERS:
            raise Http404
        if form.is_valid():
            try:
                upload = services.upload_receive(
                    actor=user, kind=form.cleaned_data["kind"], uploaded=form.cleaned_data["file"],
                    stage_date=form.cleaned_data["stage_date"],
                    training_class=form.cleaned_data["training_class"], request=request)
            except services.CommitRefused as refusal:
                form.add_error("training_class", refusal.message)
            except PermissionDenied as refusal:  # a kind this role may not upload
                form.add_error("kind", str(refusal))
            else:
                return redirect("rosters:upload_detail", pk=upload.pk)
    status = request.GET.get("status", "")
    uploads = selectors.upload_list(user, status=status)
    return render(request, "rosters/upload_list.html", {
        "form": form, "page": KeysetPage(uploads, after=request.GET.get("after"), per_page=30,
                           order=("uploaded_at", "id")),
        "status": status, "statuses": UploadStatus.choices,
        "layouts": LAYOUTS.values(), "can_upload": user.role in services.UPLOADERS,
    })


@role_required(*VIEWERS)
def upload_detail(request, pk):
    upload = get_visible_or_404(Upload.objects.select_related("uploaded_by", "training_class"),
                                request.user, pk=pk)
    return render(request, "rosters/upload_detail.html", {
        "upload": upload, "labels": OUTCOME_LABELS,
        "same_file": services.previous_commit(upload),
        "can_commit": services.upload_committable(upload, request.user),
    })


@require_POST
@role_required(*services.UPLOADERS, *services.REFERENCE_UPLOADERS)
def upload_commit(request, pk):
    upload = get_visible_or_404(Upload.objects.all(), request.user, pk=pk)
    try:
        upload = services.upload_commit(upload, actor=request.user, request=request)
    except services.CommitRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if upload.status == "committed":
            n = upload.noun
            messages.success(request, f"已导入：新增 {upload.new_count} {n}，更新 {upload.update_count} {n}，"
                                      f"无变化 {upload.unchanged_count} {n}。")
        else:
            messages.error(request, upload.message)
    return redirect("rosters:upload_detail", pk=upload.pk)


@role_required(*VIEWERS)
def template_download(request, kind):
    layout = LAYOUTS.get(kind)
    if layout is None:
        raise Http404
    return _attachment(template_bytes(layout), f"{layout.title}模板.xlsx")


# --- Official forms: xlsx exports and print views ---------------------------------------------

def _attachment(content: bytes, filename: str):
    response = HttpResponse(content, content_type=XLSX)
    # An ASCII fallback name, and the Chinese one for browsers that read RFC 5987.
    response["Content-Disposition"] = ("attachment; filename=laborexport.xlsx; filename*=UTF-8''"
                                       + quote(filename))
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx(request, content: bytes, filename: str, detail: str):
    audit_log(request.user, AuditAction.EXPORT, detail=detail, request=request)
    return _attachment(content, filename)


@role_required(Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER)
def export_form1(request, year):
    return _xlsx(request, exports.form1_units(request.user, year),
                 f"附件1 对外劳务输出组织单位名单及任务分解表 {year}.xlsx", f"附件1 {year}年")


@role_required(Role.PROVINCE, Role.CITY, Role.OBSERVER)
def export_form2(request, year):
    return _xlsx(request, exports.form2_cities(request.user, year),
                 f"附件2 各市对外劳务输出任务分解表 {year}.xlsx", f"附件2 {year}年")


@role_required(Role.PROVINCE, Role.CITY)
def export_form3(request):
    return _xlsx(request, exports.form3_city_services(request.user),
                 "附件3 各市对外劳务输出服务单位联系表.xlsx", "附件3")


@role_required(*tuple(Role))
def export_form4(request):
    return _xlsx(request, exports.form4_agencies(request.user), "附件4 对外劳务输出机构名单.xlsx",
                 "附件4")


PEOPLE_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)

# Every form, export and print view is masked for every role: a version with full numbers is
# only ever served by apps.disclosures, after a decision (docs/DISCLOSURE.md).


@role_required(*PEOPLE_ROLES)
def export_form5(request, person_pk):
    person = get_visible_or_404(Person.objects.select_related("unit", "city"), request.user,
                                pk=person_pk)
    return _xlsx(request, exports.form5_person(person),
                 f"附件5 对外劳务输出人员报名表 {person.name}.xlsx", f"附件5 人员{person.pk}（脱敏）")


def _roster_selection(request):
    return roster_selection(request.user, unit_id=request.GET.get("unit"),
                            project_id=request.GET.get("project"),
                            training_class_id=request.GET.get("training_class"))


@role_required(*PEOPLE_ROLES)
def export_form6(request):
    chosen = _roster_selection(request)
    return _xlsx(request, exports.form6_roster(chosen.candidacies, org_name=chosen.org_name),
                 f"附件6 对外劳务输出花名表 {chosen.org_name}.xlsx",
                 f"附件6 {len(chosen.candidacies)}人（脱敏）")


@role_required(*PEOPLE_ROLES)
def print_form5(request, person_pk):
    person = get_visible_or_404(Person.objects.select_related("unit", "city"), request.user,
                                pk=person_pk)
    audit_log(request.user, AuditAction.EXPORT, person, detail="附件5 打印（脱敏）",
              request=request)
    return render(request, "rosters/print_form5.html", {
        "person": person, "numbers": exports.person_numbers(person),
        "form_date": exports.form5_date(person), "age": exports.form5_age(person)})


@role_required(*PEOPLE_ROLES)
def print_form6(request):
    chosen = _roster_selection(request)
    audit_log(request.user, AuditAction.EXPORT,
              detail=f"附件6 打印 {len(chosen.candidacies)}人（脱敏）", request=request)
    return render(request, "rosters/print_form6.html", {
        "groups": GROUPS, "rows": roster.rows(chosen.candidacies),
        "org_name": chosen.org_name, "project": chosen.project,
    })
