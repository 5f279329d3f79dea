from django.core.paginator import Paginator
from django.shortcuts import render

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.projects.models import JobProject

ALL_ROLES = tuple(Role)


@role_required(*ALL_ROLES)
def project_list(request):
    projects = visible(JobProject.objects.select_related("agency"), request.user)
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    return render(request, "projects/project_list.html", {"page": page})


@role_required(*ALL_ROLES)
def project_detail(request, pk):
    project = get_visible_or_404(JobProject.objects.select_related("agency"), request.user, pk=pk)
    return render(request, "projects/project_detail.html", {"project": project})
