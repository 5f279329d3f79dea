"""THE audit coverage test (issue 15, item 4).

1. Every services module is scanned: a public function that writes (an ORM write, a cursor
   statement, a bulk COPY, or a call to another function that writes) must be @audited,
   @audited_within or @not_audited(reason). A new write service without one fails here.
2. Every @audited service is walked with realistic arguments from the test world, under a
   fake request from 203.0.113.9: it must leave a row with its action, the actor, that IP and
   the object, written in the same transaction as the data (both roll back together).
"""
import ast
import importlib
import inspect
import textwrap
import types
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from apps.audit import services as audit
from apps.audit.models import AuditEvent
from tests.audit import walk

FAKE_IP = "203.0.113.9"
WRITE_CALLS = {"save", "create", "update", "delete", "bulk_create", "bulk_update",
               "get_or_create", "update_or_create", "execute", "copy_columns", "copy_update"}
EXTRA_MODULES = ["apps.rosters.importers", "apps.rosters.stage_import", "apps.rosters.poverty_import",
                 "apps.orgs.reference"]


def service_modules():
    names = []
    for config in django_apps.get_app_configs():
        # The audit machinery itself (audit_log, the decorators) is what the others call.
        if config.name.startswith("apps.") and config.name != "apps.audit":
            try:
                importlib.import_module(f"{config.name}.services")
            except ModuleNotFoundError:
                continue
            names.append(f"{config.name}.services")
    return [importlib.import_module(n) for n in names + EXTRA_MODULES]


def _called_names(fn) -> set[str]:
    try:
        source = textwrap.dedent(inspect.getsource(inspect.unwrap(fn)))
    except (OSError, TypeError):
        return set()
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return names


def writers(modules) -> dict[str, object]:
    """Every function (public or not) of the modules that writes, directly or through
    another scanned function, by dotted name."""
    functions = {}
    for module in modules:
        for name, fn in vars(module).items():
            if isinstance(fn, types.FunctionType) and fn.__module__ == module.__name__:
                functions[f"{module.__name__}.{name}"] = fn
    calls = {key: _called_names(fn) for key, fn in functions.items()}
    writing = {key for key, names in calls.items() if names & WRITE_CALLS}
    grew = True
    while grew:  # a function calling a writer writes
        writer_names = {key.rsplit(".", 1)[1] for key in writing}
        more = {key for key, names in calls.items() if key not in writing and names & writer_names}
        writing |= more
        grew = bool(more)
    return {key: functions[key] for key in writing}


def registered() -> set[str]:
    return set(audit.AUDITED_SERVICES) | set(audit.AUDITED_WITHIN) | set(audit.NOT_AUDITED)


def test_every_public_writing_function_is_registered():
    found = writers(service_modules())
    public = {key for key in found if not key.rsplit(".", 1)[1].startswith("_")}
    missing = sorted(public - registered())
    assert not missing, ("these functions write but are neither @audited, @audited_within "
                         f"nor @not_audited(reason): {missing}")
    # The scan sees what it must: the services named by issue 15 are writers it found.
    for name in ["apps.registry.services.person_register", "apps.pipeline.services.candidacy_record",
                 "apps.subsidies.services.claim_submit", "apps.training.services.class_open",
                 "apps.quotas.services.task_set_number", "apps.evidence.services.evidence_attach"]:
        assert name in found
    assert len(audit.AUDITED_SERVICES) >= 70


def test_the_scan_catches_a_writer_hidden_behind_a_helper():
    module = types.ModuleType("apps.fake.services")
    exec(textwrap.dedent('''
        def _helper(obj):
            obj.save()

        def public_writer(obj):
            _helper(obj)

        def reader(qs):
            return qs.filter(x=1)
    '''), module.__dict__)
    found = writers_from_source(module)
    assert found == {"_helper", "public_writer"}


def writers_from_source(module):
    """The scan's rule on functions defined from a string (no file to read: the names the
    compiled code uses stand for its calls)."""
    code = {name: fn for name, fn in vars(module).items() if isinstance(fn, types.FunctionType)}
    calls = {name: set(fn.__code__.co_names) for name, fn in code.items()}
    writing = {name for name, names in calls.items() if names & WRITE_CALLS}
    grew = True
    while grew:
        more = {n for n, names in calls.items() if n not in writing and names & writing}
        writing |= more
        grew = bool(more)
    return writing


def test_a_helper_write_outside_an_audited_service_is_refused(world):
    from apps.deadlines.services import stage_item_open
    from apps.pipeline.models import Stage
    with pytest.raises(audit.AuditGap):
        stage_item_open(world.cand_ty, Stage.MEDICAL, date(2026, 3, 1))


# --- the walk ---------------------------------------------------------------------------------

def _as_request_from(actor):
    request = RequestFactory().post("/", REMOTE_ADDR=FAKE_IP)
    request.user = actor
    return request


def unaccounted_services() -> list[str]:
    """@audited services with neither a step in tests/audit/walk.py nor a reason not to."""
    service_modules()
    return sorted(set(audit.AUDITED_SERVICES) - set(walk.WALK) - set(walk.NOT_WALKED))


def test_every_audited_service_is_walked_or_says_why_not():
    """The set is computed: a new @audited service fails here until it has a step in
    tests/audit/walk.py (or a reason in NOT_WALKED)."""
    unaccounted = unaccounted_services()
    assert not unaccounted, f"@audited but neither walked nor listed with a reason: {unaccounted}"
    stale = sorted((set(walk.WALK) | set(walk.NOT_WALKED)) - set(audit.AUDITED_SERVICES))
    assert not stale, f"walked or listed but not an @audited service: {stale}"
    assert not set(walk.WALK) & set(walk.NOT_WALKED)
    assert all(reason.strip() for reason in walk.NOT_WALKED.values())


def test_a_new_audited_service_without_a_step_is_caught():
    @audit.audited("org", "新服务")
    def brand_new_service(*, actor):
        pass
    name = f"{brand_new_service.__module__}.{brand_new_service.__qualname__}"
    try:
        assert unaccounted_services() == [name]
    finally:
        audit.AUDITED_SERVICES.pop(name)


def _checked(name, step, result, rows) -> str:
    """What is wrong with the rows a walked call left ('' when nothing)."""
    service = audit.AUDITED_SERVICES[name]
    mine = [r for r in rows if r.action == service.audit_action]
    if not mine:
        return f"no {service.audit_action} row (rows: {[(r.action, r.detail) for r in rows]})"
    row = mine[-1]
    expected_actor = getattr(step.actor, "pk", None)
    if row.actor_id != expected_actor or row.ip != FAKE_IP:
        return f"row names actor {row.actor_id} (not {expected_actor}) or IP {row.ip}"
    if step.names is None:  # a scan: no one object, the row says what it did
        return "" if row.detail.startswith(service.audit_what) else f"row says {row.detail!r}"
    if isinstance(step.names, str):  # what the call created
        label, pk = step.names, getattr(result, "pk", None)
        if isinstance(result, (list, tuple)) and result:
            pk = result[0].pk
    else:
        label, pk = step.names._meta.label, step.names.pk
    if row.object_type != label or (pk is not None and row.object_id != str(pk)):
        return f"row names {row.object_type} #{row.object_id}, not {label} #{pk}"
    return ""


def test_each_audited_service_leaves_its_row_with_actor_ip_action_and_object(world, departed):
    """Every walked service, called as its page or task calls it, from 203.0.113.9."""
    world.departed = departed
    failures = []
    for name, make_step in walk.WALK.items():
        short = name.removeprefix("apps.")
        try:
            step = make_step(world)
        except Exception as error:  # noqa: BLE001 - reported per service below
            failures.append(f"{short}: set-up raised {error!r}")
            continue
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        token = audit.current_request.set(_as_request_from(step.actor or AnonymousUser()))
        try:
            result = step.call()
        except Exception as error:  # noqa: BLE001 - reported per service below
            failures.append(f"{short}: raised {error!r}")
            continue
        finally:
            audit.current_request.reset(token)
        problem = _checked(name, step, result, list(AuditEvent.objects.filter(pk__gt=before)))
        if problem:
            failures.append(f"{short}: {problem}")
    assert not failures, "\n".join(failures)
    print(f"audit walk: {len(walk.WALK)} walked of {len(audit.AUDITED_SERVICES)} audited")


def test_the_row_and_the_write_roll_back_together(world, monkeypatch):
    """Same transaction: when the audit row cannot be written, the registration is not kept;
    when the service fails after its row, neither is kept."""
    from apps.registry.idnumber import make_id
    from apps.registry.models import Person
    from apps.registry.services import person_register
    people, rows = Person.objects.count(), AuditEvent.objects.count()

    def broken_create(**kwargs):
        raise RuntimeError("audit storage down")

    monkeypatch.setattr(AuditEvent.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        person_register(actor=world.unit_u1, name="赵敏", sex="女", category="社会人员",
                        phone="13800004444", id_number=make_id(birth=date(1997, 7, 7), seq="246"))
    monkeypatch.undo()
    assert (Person.objects.count(), AuditEvent.objects.count()) == (people, rows)

    import apps.deadlines.services as deadlines
    monkeypatch.setattr(deadlines, "stage_item_close",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("after the write")))
    import apps.pipeline.services as pipeline
    monkeypatch.setattr(pipeline, "stage_item_close", deadlines.stage_item_close)
    from apps.pipeline.models import Result, Stage
    with pytest.raises(RuntimeError):
        pipeline.candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                                  on=world.cand_ty.stage_on, actor=world.unit_u1)
    world.cand_ty.refresh_from_db()
    assert world.cand_ty.stage != Stage.FIRST_INTERVIEW
    assert AuditEvent.objects.count() == rows


def test_a_task_records_itself_as_the_actors_task(world):
    """A task queued while a user's request is served carries that user and IP in its
    headers; its rows name the user and "task:<name> for <user>"."""
    from apps.audit.signals import HEADER, carry_context, enter_context, leave_context
    from apps.deadlines import tasks
    from apps.pipeline.models import Stage
    from apps.pipeline.services import session_create
    from apps.workdays.seed import calendar_seed
    calendar_seed()
    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 30), place="视频", hospital="", unit=world.u1,
                   city=world.ty)  # due 13 Oct 2026: overdue now
    headers = {}
    token = audit.current_request.set(_as_request_from(world.province))
    try:
        carry_context(headers=headers)  # what the publisher puts in the message
    finally:
        audit.current_request.reset(token)
    assert headers[HEADER]["actor_id"] == world.province.pk

    # The worker's side, with no request at all: only the headers tell who.
    class Request:
        pass
    request = Request()
    setattr(request, HEADER, headers[HEADER])
    task = types.SimpleNamespace(name=tasks.deadlines_scan.name, request=request)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    enter_context(task_id="t1", task=task)
    try:
        from apps.deadlines.services import deadlines_scan
        assert deadlines_scan()["notices"] == 1
    finally:
        leave_context(task_id="t1")
    row = AuditEvent.objects.get(pk__gt=before)
    assert (row.actor, row.ip, row.action) == (world.province, FAKE_IP, "deadline")
    assert row.via == f"task:{tasks.deadlines_scan.name} for province"
    assert audit.current_context.get() == audit.AuditContext()  # nothing leaks to the next


def test_an_uploads_rows_name_the_upload_and_the_history_keeps_old_and_new(world, client):
    """A stage roster's commit records each person's stage through candidacy_record: every
    row links the upload; the person's record keeps who, when, old and new (pghistory)."""
    upload = world.upload_ty
    token = audit.current_request.set(_as_request_from(world.unit_u1))
    try:
        from apps.rosters.services import upload_commit
        committed = upload_commit(upload, actor=world.unit_u1)
    finally:
        audit.current_request.reset(token)
    assert committed.status == "committed", committed.message
    rows = AuditEvent.objects.filter(upload_id=upload.pk)
    assert rows.exists() and all(r.ip == FAKE_IP and r.actor == world.unit_u1 for r in rows)

    from apps.registry.services import person_update
    old_phone = world.person_ty.phone
    person_update(world.person_ty, actor=world.unit_u1, phone="13800006666")
    change = world.person_ty.history.select_related("pgh_context").order_by("-pgh_id")
    newest, previous = change[0], change[1]
    assert (previous.phone, newest.phone) == (old_phone, "13800006666")
    assert newest.pgh_created_at is not None
    assert newest.pgh_context.metadata["user"] == world.unit_u1.pk
