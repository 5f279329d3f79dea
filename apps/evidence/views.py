from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import full_numbers_visible, get_visible_or_404, visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.files import document_response
from apps.common.forms import apply_errors
from apps.evidence import services
from apps.evidence.forms import EvidenceForm
from apps.evidence.models import NUMBER_KINDS, Evidence
from apps.pipeline.models import Candidacy
from apps.registry.models import Person


@role_required(Role.CITY, Role.UNIT, Role.AGENCY)
def evidence_upload(request, person_pk):
    user = request.user
    person = get_visible_or_404(Person.objects.all(), user, pk=person_pk)
    kinds = services.evidence_kinds_for(user.role)
    if not kinds:
        raise PermissionDenied("您的角色不能上传证明材料。")
    form = EvidenceForm(request.POST or None, request.FILES or None, kinds=kinds,
                        candidacies=visible(Candidacy.objects.filter(person=person), user)
                        .select_related("project"))
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_attach(person=person, kind=form.cleaned_data["kind"],
                                     uploaded=form.cleaned_data["file"], actor=user,
                                     candidacy=form.cleaned_data["candidacy"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "材料已上传。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"上传证明材料：{person.name}", "multipart": True,
        "back": person.get_absolute_url(),
    })


@role_required(Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
def evidence_download(request, pk):
    """Served only through scoping, never from a public media address."""
    evidence = get_visible_or_404(Evidence.objects.all(), request.user, pk=pk)
    if evidence.kind in NUMBER_KINDS and not full_numbers_visible(
            Person.objects.filter(pk=evidence.person_id), request.user).exists():
        raise Http404  # an ID copy carries the full number: an agency's own candidates only
    audit_log(request.user, AuditAction.DOWNLOAD, evidence, detail=evidence.get_kind_display(),
              request=request)
    return document_response(evidence.file, content_type=evidence.content_type,
                             original_name=f"{evidence.get_kind_display()}-{evidence.pk}",
                             fallback="证明材料")
