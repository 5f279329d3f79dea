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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from apps.audit import services as audit
from apps.audit.models import AuditEvent

FAKE_IP = "203.0.113.9"
WRITE_CALLS = {"save", "create", "update", "delete", "bulk_create", "bulk_update",
               "get_or_create", "update_or_create", "execute", "copy_columns", "copy_update"}
EXTRA_MODULES = ["apps.rosters.importers", "apps.rosters.stage_import", "apps.orgs.reference"]


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

def _pdf():
    from tests.conftest import pdf
    return pdf()


def _walk(w):
    """Service name → (call, expected actor). Realistic arguments from the test world."""
    from apps.evidence.models import EvidenceKind
    from apps.pipeline.models import Result, Stage
    from apps.registry.idnumber import make_id
    today = timezone.localdate()
    import apps.accounts.services as acc
    import apps.deadlines.services as dl
    import apps.evidence.services as ev
    import apps.orgs.services as org
    import apps.pipeline.services as pipe
    import apps.projects.services as proj
    import apps.publicity.services as pub
    import apps.quotas.services as quo
    import apps.registry.services as reg
    import apps.rosters.services as ros
    import apps.subsidies.services as sub
    import apps.training.services as tr
    import apps.workdays.services as wd

    seqs = iter(["224", "226", "228"])

    def new_person():
        seq = next(seqs)
        return reg.person_register(actor=w.unit_u1, name="王芳", sex="女", category="社会人员",
                                   phone=f"13800001{seq}",
                                   id_number=make_id(birth=date(1996, 3, 3), seq=seq))

    return {
        "registry.services.person_register": (new_person, w.unit_u1),
        "registry.services.person_update": (
            lambda: reg.person_update(w.person_ty, actor=w.unit_u1, phone="13800007777"),
            w.unit_u1),
        "evidence.services.evidence_attach": (
            lambda: ev.evidence_attach(person=w.person_ty, kind=EvidenceKind.ID_COPY,
                                       uploaded=_pdf(), actor=w.unit_u1), w.unit_u1),
        "pipeline.services.candidacy_open": (
            lambda: pipe.candidacy_open(person=new_person(), project=w.project_a1,
                                        actor=w.unit_u1, on=today - timedelta(days=10)),
            w.unit_u1),
        "pipeline.services.candidacy_record": (
            lambda: pipe.candidacy_record(w.cand_ty, stage=Stage.FIRST_INTERVIEW,
                                          result=Result.PASS, on=w.cand_ty.stage_on,
                                          actor=w.unit_u1), w.unit_u1),
        "pipeline.services.candidacy_withdraw": (
            lambda: pipe.candidacy_withdraw(w.cand_ty, actor=w.unit_u1, on=today,
                                            reason="个人原因"), w.unit_u1),
        "pipeline.services.session_create": (
            lambda: pipe.session_create(actor=w.unit_u1, stage=Stage.FIRST_INTERVIEW,
                                        project=w.project_a1, held_on=today, place="视频",
                                        hospital="", unit=w.u1, city=w.ty), w.unit_u1),
        "quotas.services.task_set_number": (
            lambda: quo.task_set_number(w.task_u1, number=45, note="调整", actor=w.province),
            w.province),
        "quotas.services.task_set": (
            lambda: quo.task_set(year=2020, unit=w.u2, number=30, note="",
                                 actor=w.province), w.province),
        "training.services.class_create": (
            lambda: tr.class_create(actor=w.unit_u1, kind="intensive", name="新班",
                                    mode="with_agency", agency=w.a1,
                                    opens_on=today + timedelta(days=30),
                                    course_starts_on=today + timedelta(days=31),
                                    ends_on=today + timedelta(days=80), place="301",
                                    courses="日语", timetable="每周一至五", hours_per_week=40),
            w.unit_u1),
        "training.services.class_update": (
            lambda: tr.class_update(w.class_ty, actor=w.unit_u1, place="培训楼302"), w.unit_u1),
        "training.services.roster_file": (
            lambda: tr.roster_file(w.class_ty, actor=w.unit_u1), w.unit_u1),
        "training.services.spot_check_record": (
            lambda: tr.spot_check_record(w.standing_ty, actor=w.province, checked_on=today,
                                         inspector="李明", findings="正常", outcome="ok"),
            w.province),
        "subsidies.services.claim_withdraw": (
            lambda: sub.claim_withdraw(w.claim_ty, actor=w.unit_u1), w.unit_u1),
        "subsidies.services.standard_set": (
            lambda: sub.standard_set(actor=w.province, year=today.year, item="departure_fee",
                                     amount=Decimal("2100"), fund="employment"), w.province),
        "subsidies.services.budget_submit": (
            lambda: sub.budget_submit(actor=w.unit_u1, year=today.year + 1, planned_people=40,
                                      amount=Decimal("80000")), w.unit_u1),
        "projects.services.project_submit": (
            lambda: proj.project_submit(w.project_a1_draft, actor=w.agency_a1), w.agency_a1),
        "projects.services.project_close": (
            lambda: proj.project_close(w.project_a1, actor=w.agency_a1), w.agency_a1),
        "publicity.services.notice_save": (
            lambda: pub.notice_save(w.notice, actor=w.province), w.province),
        "orgs.services.unit_update": (
            lambda: org.unit_update(w.u1, actor=w.province, contact_person="李老师"),
            w.province),
        "orgs.services.agency_update": (
            lambda: org.agency_update(w.a1, actor=w.province, contact_person="王经理"), w.province),
        "orgs.services.city_update_service_org": (
            lambda: org.city_update_service_org(w.ty, actor=w.city_ty,
                                                service_org_name="太原市公共就业服务中心"),
            w.city_ty),
        "orgs.services.cooperation_end": (
            lambda: org.cooperation_end(w.coop_u1, actor=w.unit_u1), w.unit_u1),
        "orgs.services.agency_set_status": (
            lambda: org.agency_set_status(w.a1, status="suspended", actor=w.province),
            w.province),
        "orgs.services.filing_decide": (
            lambda: org.filing_decide(w.filing_ty, approve=True, actor=w.province),
            w.province),
        "workdays.services.special_day_set": (
            lambda: wd.special_day_set(day=date(today.year, 12, 31), kind="holiday",
                                       name="测试", actor=w.province), w.province),
        "workdays.services.special_day_delete": (
            lambda: wd.special_day_delete(w.holiday, actor=w.province), w.province),
        "deadlines.services.rule_set_offset": (
            lambda: dl.rule_set_offset(w.stage_rule, offset=6, actor=w.province), w.province),
        "rosters.services.upload_commit": (
            lambda: ros.upload_commit(w.upload_ty, actor=w.unit_u1), w.unit_u1),
        "accounts.services.own_sessions_end": (
            lambda: acc.own_sessions_end(actor=w.unit_u2), w.unit_u2),
        "accounts.services.user_set_active": (
            lambda: acc.user_set_active(w.unit_u2, active=False, actor=w.sysadmin),
            w.sysadmin),
        "accounts.services.user_force_logout": (
            lambda: acc.user_force_logout(w.unit_u2, actor=w.secadmin), w.secadmin),
    }


def _as_request_from(actor):
    request = RequestFactory().post("/", REMOTE_ADDR=FAKE_IP)
    request.user = actor
    return request


def test_each_walked_service_leaves_its_row_with_actor_ip_action_and_object(world):
    walk = _walk(world)
    failures = []
    for short, (call, actor) in walk.items():
        name = f"apps.{short}"
        service = audit.AUDITED_SERVICES[name]
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        token = audit.current_request.set(_as_request_from(actor))
        try:
            call()
        except Exception as error:  # noqa: BLE001 - reported per service below
            failures.append(f"{short}: raised {error!r}")
            continue
        finally:
            audit.current_request.reset(token)
        rows = list(AuditEvent.objects.filter(pk__gt=before))
        mine = [r for r in rows if r.action == service.audit_action]
        if not mine:
            failures.append(f"{short}: no {service.audit_action} row (rows: "
                            f"{[(r.action, r.detail) for r in rows]})")
            continue
        row = mine[-1]
        if row.actor_id != actor.pk or row.ip != FAKE_IP or not row.object_type:
            failures.append(f"{short}: row {row.actor_id=} {row.ip=} {row.object_type=}")
    assert not failures, "\n".join(failures)
    print(f"audit walk: {len(walk)} services walked of {len(audit.AUDITED_SERVICES)} audited")


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
