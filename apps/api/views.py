"""The administrators' pages for API clients (三员分立, two persons), the schema and the
docs page. The API itself is apps.api.endpoints."""
import re
from functools import cache

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.api import services
from apps.api.authentication import ApiKeyAuthentication
from apps.api.endpoints import ApiView
from apps.api.forms import ApiClientForm, RevokeForm
from apps.api.models import ApiClient
from apps.common.forms import apply_errors
from apps.common.wording import error_text
from apps.orgs.models import Agency, City, OrganisingUnit

ADMINS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)


@role_required(*ADMINS)
def client_list(request):
    clients = visible(ApiClient.objects.select_related(
        "user__city", "user__unit", "user__agency", "created_by", "authorised_by"), request.user)
    return render(request, "api/client_list.html", {"clients": clients})


@role_required(Role.SYSTEM_ADMIN)
def client_create(request):
    user = request.user
    form = ApiClientForm(request.POST or None,
                         cities=visible(City.objects.order_by("code"), user),
                         units=visible(OrganisingUnit.objects.order_by("city__code", "name"), user),
                         agencies=visible(Agency.objects.order_by("name"), user))
    if request.method == "POST" and form.is_valid():
        try:
            client, key = services.apiclient_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # Shown on this response only, never stored: the page is not cached (no-store).
            return render(request, "api/client_key.html", {"client": client, "key": key})
    return render(request, "api/client_form.html", {"form": form})


@role_required(*ADMINS)
def client_detail(request, pk):
    client = get_visible_or_404(ApiClient.objects.select_related(
        "user__city", "user__unit", "user__agency", "created_by", "authorised_by", "revoked_by"),
        request.user, pk=pk)
    return render(request, "api/client_detail.html",
                  {"client": client, "revoke_form": RevokeForm()})


def _act(request, pk, action, done):
    client = get_visible_or_404(ApiClient.objects.all(), request.user, pk=pk)
    try:
        action(client)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error) if isinstance(error, ValidationError)
                       else str(error))
    else:
        messages.success(request, done.format(name=client.name))
    return redirect("api_clients:client_detail", pk=client.pk)


@require_POST
@role_required(Role.SECURITY_ADMIN)
def client_authorise(request, pk):
    return _act(request, pk, lambda c: services.apiclient_authorise(c, actor=request.user),
                "已授权接口客户端“{name}”，其密钥现在可以使用。")


@require_POST
@role_required(*ADMINS)
def client_revoke(request, pk):
    return _act(request, pk, lambda c: services.apiclient_revoke(
        c, actor=request.user, reason=request.POST.get("reason", "")),
        "已吊销接口客户端“{name}”，其密钥立即失效。")


@cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


class SchemaView(ApiView):
    """The OpenAPI 3 schema, for a client's key or a logged-in user; audited like the rest."""
    schema = None  # not an operation of the schema itself
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    # Plain JSON (application/json), which every client library reads as such.
    renderer_classes = [JSONRenderer]
    pagination_class = None

    def get(self, request, *args, **kwargs):
        return Response(_schema())


METHOD_LABELS = {"get": "读取", "post": "提交"}


def _code(text: str) -> str:
    """Help text with `values` shown as code (a value a client sends is not prose)."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))


@role_required(Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
def docs(request):
    """The schema as a page in Chinese: every endpoint, what it needs, what it takes."""
    schema = _schema()
    operations = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            body = (op.get("requestBody", {}).get("content", {}).get("application/json", {})
                    .get("schema", {}).get("$ref", ""))
            fields = schema["components"]["schemas"].get(body.rsplit("/", 1)[-1], {}) if body else {}
            operations.append({
                "path": path, "method": method.upper(), "verb": METHOD_LABELS.get(method, method),
                "summary": op.get("summary", ""), "grant": op.get("description", ""),
                "parameters": [(p["name"], "记录编号" if p["in"] == "path"
                                else _code(p.get("description", "")))
                               for p in op.get("parameters", [])],
                "fields": [(name, _code(f.get("description", "")), name in fields.get("required", []))
                           for name, f in fields.get("properties", {}).items()],
            })
    return render(request, "api/docs.html", {"operations": operations})
