"""The REST API (issue 23), under /api/v1/. Thin, like the pages: scope, validate with the
page's own form, call the page's service, answer.

Every endpoint (``ApiView``): the client's key (authentication.py), its per-minute limit
(throttling.py, checked before anything else is decided), the grant its method needs
(permissions.py), rows through ``scoping.visible`` with the client's account, personal
numbers masked unless granted, and one audit row for the request whatever its outcome."""
from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import exception_handler

from apps.accounts.models import Role
from apps.accounts.scoping import full_numbers_visible, get_visible_or_404, visible
from apps.api.authentication import ApiKeyAuthentication
from apps.api.models import Grant
from apps.api.pagination import SyncCursorPagination
from apps.api.parsers import type_errors, whole_number
from apps.api.permissions import HasGrant
from apps.api.throttling import ClientRateThrottle
from apps.api import serializers as s
from apps.audit.models import AuditAction
from apps.audit.services import audit_log, current_context
from apps.common.params import ascii_int, query_text
from apps.dashboards.models import DepartureFigure
from apps.deadlines.models import DeadlineItem
from apps.orgs.models import Agency, City, FilingStatus, OrganisingUnit
from apps.pipeline import selectors as pipeline_selectors
from apps.pipeline import services as pipeline_services
from apps.pipeline.forms import STAGE_DETAILS, OpenCandidacyForm, RecordForm
from apps.pipeline.models import DETAIL_LABELS, Candidacy, CandidacyStatus, StageEvent
from apps.projects.models import JobProject, ProjectStatus
from apps.quotas.models import Task
from apps.registry import services as registry_services
from apps.registry.forms import PersonForm
from apps.registry.models import Person

INVALID = "提交的数据有误，请按各字段的说明修改。"
NOT_FOUND = "未找到，或不在该客户端的数据范围内。"
LOGGED_PARAMS = ("cursor", "changed_since", "page_size", "project", "status")


class FormInvalid(Exception):
    """A page form refused the request body; ``errors`` by field, messages naming it."""

    def __init__(self, errors: dict):
        self.errors = errors


def _labelled(field: str, messages, labels: dict) -> list[str]:
    label = labels.get(field) or DETAIL_LABELS.get(field)
    return [f"{label}：{m}" if label and not str(m).startswith(label) else str(m)
            for m in messages]


def form_errors(form) -> dict:
    labels = {name: str(f.label) for name, f in form.fields.items()}
    return {("non_field_errors" if name == "__all__" else name): _labelled(name, msgs, labels)
            for name, msgs in form.errors.items()}


def service_errors(error: ValidationError, form=None) -> dict:
    labels = {name: str(f.label) for name, f in form.fields.items()} if form else {}
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if name == "__all__" else name):
                _labelled(name, [m for e in errs for m in e.messages], labels)
                for name, errs in error.error_dict.items()}
    return {"non_field_errors": error.messages}


def api_exception_handler(exc, context):
    """Every refusal in Chinese, and by field for bad input, as the pages say it."""
    if isinstance(exc, FormInvalid):
        return Response({"detail": INVALID, "errors": exc.errors}, status=400)
    if isinstance(exc, ValidationError):
        return Response({"detail": INVALID, "errors": service_errors(exc)}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "该接口客户端无权执行此操作。")
    elif isinstance(exc, exceptions.Throttled):
        exc.detail = f"请求过于频繁，已超过该客户端每分钟的请求上限，请在{exc.wait:.0f}秒后重试。"
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = "请在请求头 Authorization 中提供接口密钥（Bearer）。"
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc.detail = "该接口不支持此请求方法。"
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc.detail = "请求体须为 JSON（Content-Type: application/json）。"
    elif isinstance(exc, exceptions.ParseError) and str(exc.detail).isascii():
        exc.detail = "请求体不是有效的 JSON。"
    return exception_handler(exc, context)


class ApiView(GenericAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasGrant]
    throttle_classes = [ClientRateThrottle]
    pagination_class = SyncCursorPagination
    grants: dict = {}
    sync_field = None       # the change timestamp a sync follows; None: id order
    summary = ""            # Chinese, for the schema and the docs page (or one per method)
    person_path = None      # where the serialized rows name their person, for full numbers

    def initial(self, request, *args, **kwargs):
        # As DRF's, except that the limit counts before the grant is checked: a client
        # hammering an endpoint it may not use is limited too.
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = \
            self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(
            request, *args, **kwargs)
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)
        # Every audit row written while serving this request names the client.
        if request.auth is not None:
            current_context.set(replace(current_context.get(), via=f"api:{request.auth.prefix}"))

    def dispatch(self, request, *args, **kwargs):
        token = current_context.set(current_context.get())
        self.rows, self.full_count = None, 0
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            current_context.reset(token)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self._audit(request, response)
        return response

    def _audit(self, request, response):
        """One row per request, reads included (DHIS2 audits reads of records; HOPE only
        writes). A refused key is audited with the client it named, if any."""
        django_request = request._request
        client = getattr(request, "_auth", None) or getattr(
            django_request, "api_client_attempt", None)
        user = getattr(request, "_user", None)
        # Only the parameters the API knows: whatever else a client appends (a full ID number,
        # say) never reaches the log, which is read more widely than the data.
        # (Control characters dropped: PostgreSQL refuses a NUL in the row, a 500.)
        query = "&".join(f"{k}={query_text(v, 80)}" for k, v in request.query_params.items()
                         if k in LOGGED_PARAMS)
        detail = f"{request.method} {django_request.path}{'?' + query if query else ''} → {response.status_code}"
        if self.rows is not None:
            detail += f"（{self.rows}条）"
        if self.full_count:
            detail += f"，含完整号码{self.full_count}人"
        actor = user if getattr(user, "pk", None) else None
        audit_log(actor, AuditAction.API_REQUEST, client, detail=detail[:300],
                  request=django_request)

    # --- reads
    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return visible(self.base_queryset(), self.request.user)

    def get_object(self):
        obj = get_visible_or_404(self.base_queryset(), self.request.user, pk=self.kwargs["pk"])
        self.rows = 1
        return obj

    def full_numbers_for(self, rows) -> set:
        """People of ``rows`` whose numbers this client gets in full: the grant, and the
        account's own right to them (an agency only its own projects' people)."""
        client = self.request.auth
        if self.person_path is None or client is None or not client.has(Grant.FULL_NUMBERS):
            return set()
        ids = {getattr(row, self.person_path) for row in rows}
        full = set(full_numbers_visible(Person.objects.filter(pk__in=ids), self.request.user)
                   .values_list("pk", flat=True))
        self.full_count = len(full)
        return full

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "full": getattr(self, "_full", set())}

    def respond_list(self):
        rows = self.paginate_queryset(self.filter_rows(self.get_queryset()))
        self.rows = len(rows)
        self._full = self.full_numbers_for(rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def respond_one(self, obj, status_code=200, serializer_class=None):
        self._full = self.full_numbers_for([obj])
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(serializer_class(obj, context=self.get_serializer_context()).data,
                        status=status_code)

    def filter_rows(self, qs):
        return qs


class ListEndpoint(mixins.ListModelMixin, ApiView):
    """A list (the schema sees ListModelMixin: paginated, ``*_list``), never counted."""

    def get(self, request, *args, **kwargs):
        return self.respond_list()

    def list(self, request, *args, **kwargs):
        return self.respond_list()


class DetailEndpoint(ApiView):
    pagination_class = None

    def get(self, request, *args, **kwargs):
        return self.respond_one(self.get_object())


# --- reference data

class Reference:
    grants = {"GET": Grant.REFERENCE}


def _reference(model, serializer, name: str):
    """A reference list and its detail: every row the account's scope gives, in id order."""
    def base_queryset(self):
        return model.objects.all()

    attrs = {"serializer_class": serializer, "base_queryset": base_queryset,
             "__module__": __name__}
    return (type(f"{model.__name__}List", (Reference, ListEndpoint),
                 {**attrs, "summary": f"{name}列表"}),
            type(f"{model.__name__}Detail", (Reference, DetailEndpoint),
                 {**attrs, "summary": f"{name}详情"}))


CityList, CityDetail = _reference(City, s.CitySerializer, "地市")
UnitList, UnitDetail = _reference(OrganisingUnit, s.UnitSerializer, "组织单位")
AgencyList, AgencyDetail = _reference(Agency, s.AgencySerializer, "输出机构")
ProjectList, ProjectDetail = _reference(JobProject, s.ProjectSerializer, "岗位项目")


class TaskList(Reference, ListEndpoint):
    summary = "任务数列表"
    serializer_class = s.TaskSerializer
    sync_field = "updated_at"

    def base_queryset(self):
        return Task.objects.all()


# --- people and the pipeline

class PersonList(ListEndpoint):
    summary = {"GET": "人员列表（号码脱敏）", "POST": "登记人员（附件5），与登记页面相同"}
    grants = {"GET": Grant.PEOPLE_READ, "POST": Grant.PEOPLE_WRITE}
    serializer_class = s.PersonSerializer
    sync_field = "updated_at"
    person_path = "pk"

    def base_queryset(self):
        return Person.objects.all()

    @extend_schema(request=s.PersonWriteSerializer, responses={201: s.PersonSerializer})
    def post(self, request, *args, **kwargs):
        """person_register through the page's form (附件5), as the 登记 page does."""
        user = request.user
        units = (visible(OrganisingUnit.objects.filter(filing_status=FilingStatus.APPROVED),
                         user) if user.role == Role.CITY else None)
        body = _body(request)
        form = PersonForm(data=body, units=units)
        _typed(body, form)
        if not form.is_valid():
            raise FormInvalid(form_errors(form))
        data = dict(form.cleaned_data)
        data.pop("confirm_region")
        try:
            person = registry_services.person_register(actor=user, **data)
        except ValidationError as error:
            raise FormInvalid(service_errors(error, form))
        self.rows = 1
        return self.respond_one(person, status.HTTP_201_CREATED)


class PersonDetail(DetailEndpoint):
    summary = "人员详情（号码脱敏）"
    grants = {"GET": Grant.PEOPLE_READ}
    serializer_class = s.PersonSerializer
    person_path = "pk"
    base_queryset = PersonList.base_queryset


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise FormInvalid({"non_field_errors": ["请求体须为 JSON 对象。"]})
    return request.data


def _typed(body: dict, form, **extra) -> None:
    """Refuse, by field, a value whose JSON type the field cannot take (apps.api.parsers)."""
    errors = type_errors(body, form, extra)
    if errors:
        raise FormInvalid(errors)


class CandidacyReads(ListEndpoint):
    grants = {"GET": Grant.PIPELINE_READ}
    serializer_class = s.CandidacySerializer
    sync_field = "updated_at"
    person_path = "person_id"

    @extend_schema(parameters=[
        OpenApiParameter("project", int, description="岗位项目编号"),
        OpenApiParameter("status", str, enum=CandidacyStatus.values, description="状态")])
    def get(self, request, *args, **kwargs):
        return self.respond_list()

    def filter_rows(self, qs):
        params = self.request.query_params
        if params.get("project"):
            project = ascii_int(params["project"])
            if project is None:
                raise ValidationError({"project": "岗位项目编号须为整数。"})
            qs = qs.filter(project=project)
        if params.get("status"):
            if params["status"] not in CandidacyStatus.values:
                raise ValidationError({"status": f"状态须为 {'、'.join(CandidacyStatus.values)} 之一。"})
            qs = qs.filter(status=params["status"])
        return qs


class CandidacyList(CandidacyReads):
    summary = {"GET": "报名记录列表（花名表，附件6）", "POST": "为人员报名岗位项目，与报名页面相同"}
    grants = {"GET": Grant.PIPELINE_READ, "POST": Grant.STAGES_WRITE}

    def base_queryset(self):
        return Candidacy.objects.select_related("person")

    @extend_schema(request=s.CandidacyOpenSerializer, responses={201: s.CandidacyDetailSerializer})
    def post(self, request, *args, **kwargs):
        """报名: candidacy_open through the page's form."""
        user = request.user
        body = _body(request)
        projects = visible(JobProject.objects.filter(status=ProjectStatus.PUBLISHED), user)
        form = OpenCandidacyForm(data=body, projects=projects)
        _typed(body, form, person=("人员", whole_number, "整数（人员编号）"))
        person_id = ascii_int(body.get("person"))
        if person_id is None:  # absent, or past any id
            raise FormInvalid({"person": ["人员：请填写人员编号。"]})
        person = get_visible_or_404(Person.objects.all(), user, pk=person_id)
        if not form.is_valid():
            raise FormInvalid(form_errors(form))
        try:
            candidacy = pipeline_services.candidacy_open(
                person=person, project=form.cleaned_data["project"], actor=user,
                on=form.cleaned_data["happened_on"])
        except ValidationError as error:
            raise FormInvalid(service_errors(error, form))
        self.rows = 1
        return self.respond_one(_with_events(candidacy.pk, user), status.HTTP_201_CREATED,
                                s.CandidacyDetailSerializer)


def _with_events(pk, user):
    """The candidacy as the answer to a write shows it: with its events, through the scope."""
    return visible(Candidacy.objects.select_related("person").prefetch_related("events"),
                   user).get(pk=pk)


class CandidacyDetail(DetailEndpoint):
    summary = "报名记录详情，含各环节记录"
    grants = {"GET": Grant.PIPELINE_READ}
    serializer_class = s.CandidacyDetailSerializer
    person_path = "person_id"

    def base_queryset(self):
        return Candidacy.objects.select_related("person").prefetch_related(
            Prefetch("events", queryset=StageEvent.objects.order_by("happened_on", "id")))


class StageRecord(ApiView):
    summary = "录入下一环节的结果（合同、输出、归国等），与人员页面的录入相同"
    grants = {"POST": Grant.STAGES_WRITE}
    serializer_class = s.CandidacyDetailSerializer
    pagination_class = None
    person_path = "person_id"

    @extend_schema(request=s.StageRecordSerializer, responses={201: s.CandidacyDetailSerializer})
    def post(self, request, *args, **kwargs):
        user = request.user
        candidacy = get_visible_or_404(Candidacy.objects.select_related("person", "project"),
                                       user, pk=self.kwargs["pk"])
        body = _body(request)
        stage = body.get("stage")
        if not isinstance(stage, str) or stage not in STAGE_DETAILS:
            raise FormInvalid({"stage": [f"环节：须为 {'、'.join(STAGE_DETAILS)} 之一。"]})
        sessions = pipeline_selectors.session_list(user).filter(stage=stage,
                                                                project=candidacy.project)
        form = RecordForm(data=body, stage=stage, sessions=sessions)
        _typed(body, form)
        if not form.is_valid():
            raise FormInvalid(form_errors(form))
        data = form.cleaned_data
        try:
            pipeline_services.candidacy_record(
                candidacy, stage=stage, result=data["result"], on=data["happened_on"],
                actor=user, session=data.get("session"), gap_reason=data.get("gap_reason", ""),
                **form.details())
        except ValidationError as error:
            raise FormInvalid(service_errors(error, form))
        self.rows = 1
        return self.respond_one(_with_events(candidacy.pk, user), status.HTTP_201_CREATED)


class StageEventList(ListEndpoint):
    summary = "环节记录列表（按录入时间同步）"
    grants = {"GET": Grant.PIPELINE_READ}
    serializer_class = s.StageEventSerializer
    sync_field = "recorded_at"

    def base_queryset(self):
        return StageEvent.objects.all()


class AbroadList(CandidacyReads):
    summary = "在外人员（已输出、未归国）"

    def base_queryset(self):
        return Candidacy.objects.select_related("person").filter(status=CandidacyStatus.ABROAD)


class ReturnList(CandidacyReads):
    summary = "归国人员"

    def base_queryset(self):
        return Candidacy.objects.select_related("person").filter(returned_on__isnull=False)


class DeadlineItemList(ListEndpoint):
    summary = "期限事项（报送期限）"
    grants = {"GET": Grant.DEADLINES_READ}
    serializer_class = s.DeadlineItemSerializer

    def base_queryset(self):
        return DeadlineItem.objects.select_related("rule")


class DepartureFigureList(ListEndpoint):
    summary = "输出统计（按年、月、地市、单位、机构、国家、工种）"
    grants = {"GET": Grant.FIGURES_READ}
    serializer_class = s.DepartureFigureSerializer

    def base_queryset(self):
        return DepartureFigure.objects.all()
