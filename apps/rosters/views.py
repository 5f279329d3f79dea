from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.rosters import services
from apps.rosters.forms import UploadForm
from apps.rosters.importers import OUTCOME_LABELS
from apps.rosters.layouts import LAYOUTS
from apps.rosters.models import Upload
from apps.rosters.templates_xlsx import template_bytes

VIEWERS = (Role.PROVINCE, Role.CITY, Role.UNIT)


@role_required(*VIEWERS)
def upload_list(request):
    user = request.user
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if user.role not in services.UPLOADERS:
            raise Http404
        if form.is_valid():
            upload = services.upload_receive(actor=user, kind=form.cleaned_data["kind"],
                                             uploaded=form.cleaned_data["file"])
            return redirect("rosters:upload_detail", pk=upload.pk)
    uploads = visible(Upload.objects.select_related("uploaded_by", "unit", "city"), user)
    return render(request, "rosters/upload_list.html", {
        "form": form, "page": Paginator(uploads, 30).get_page(request.GET.get("page")),
        "layouts": LAYOUTS.values(), "can_upload": user.role in services.UPLOADERS,
    })


@role_required(*VIEWERS)
def upload_detail(request, pk):
    upload = get_visible_or_404(Upload.objects.select_related("uploaded_by"), request.user, pk=pk)
    return render(request, "rosters/upload_detail.html", {
        "upload": upload, "labels": OUTCOME_LABELS,
        "same_file": services.previous_commit(upload),
        "can_commit": upload.status == "previewed" and upload.error_count == 0
        and upload.uploaded_by_id == request.user.pk,
    })


@require_POST
@role_required(*services.UPLOADERS)
def upload_commit(request, pk):
    upload = get_visible_or_404(Upload.objects.all(), request.user, pk=pk)
    try:
        upload = services.upload_commit(upload, actor=request.user)
    except services.CommitRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if upload.status == "committed":
            messages.success(request, f"已导入：新增 {upload.new_count} 人，更新 {upload.update_count} 人，"
                                      f"无变化 {upload.unchanged_count} 人。")
        else:
            messages.error(request, upload.message)
    return redirect("rosters:upload_detail", pk=upload.pk)


@role_required(*VIEWERS)
def template_download(request, kind):
    layout = LAYOUTS.get(kind)
    if layout is None:
        raise Http404
    response = HttpResponse(
        template_bytes(layout),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f"attachment; filename=template-{kind}.xlsx; filename*=UTF-8''"
        + quote(f"{layout.title}模板.xlsx"))
    return response
