from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.evaluations.selectors import public_grades
from apps.publicity import selectors, services
from apps.publicity.models import Notice


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "source", "body", "published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}


# --- Public: no login ------------------------------------------------------------------------

def public_home(request):
    return render(request, "publicity/public_home.html", {
        "projects": selectors.public_projects()[:100],
        "notices": selectors.public_notices()[:20],
        "grades": public_grades(),
    })


def public_project(request, pk):
    project = get_object_or_404(selectors.public_projects(), pk=pk)
    return render(request, "publicity/public_project.html", {"project": project})


def public_notice(request, pk):
    notice = get_object_or_404(selectors.public_notices(), pk=pk)
    return render(request, "publicity/public_notice.html", {"notice": notice})


# --- Province: writing notices ----------------------------------------------------------------

@role_required(Role.PROVINCE)
def notice_list(request):
    notices = visible(Notice.objects.select_related("created_by"), request.user)
    return render(request, "publicity/notice_list.html", {
        "page": Paginator(notices, 50).get_page(request.GET.get("page"))})


@role_required(Role.PROVINCE)
def notice_edit(request, pk=None):
    notice = (get_visible_or_404(Notice.objects.all(), request.user, pk=pk) if pk
              else Notice())
    form = NoticeForm(request.POST or None, instance=notice)
    if request.method == "POST" and form.is_valid():
        services.notice_save(form.instance, actor=request.user)
        messages.success(request, "已保存。" + ("已在公开页发布。" if notice.published else ""))
        return redirect("publicity:notice_list")
    return render(request, "orgs/form.html", {
        "form": form, "title": "修改公告" if pk else "新建政策公告",
        "back": reverse("publicity:notice_list")})
