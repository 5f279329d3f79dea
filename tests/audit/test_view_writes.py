"""Views and Celery tasks write only through audited services (issue 15, item 4).

The services scan (test_audit_coverage) proves every writing service is audited; this one
proves nothing bypasses them: a view or a task that writes to the database itself — an ORM
save / create / update / delete / bulk_* / many-to-many change, directly or through a helper
of its own module — fails here, unless ALLOWED says why that call is not a business write."""
import ast
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEvent
from tests.audit.test_audit_coverage import WRITE_CALLS

# Many-to-many managers write too (``d.people.set(...)``).
VIEW_WRITE_CALLS = WRITE_CALLS | {"add", "set", "remove", "clear"}

# (module, function, the call as written) → why it is not an unaudited business write.
ALLOWED = {
    ("apps.accounts.tasks", "sessions_clear_expired",
     "Session.objects.filter(expire_date__lt=timezone.now()).delete()"):
        "Django's own session table: expired sessions are housekeeping, no business data",
    ("apps.accounts.views", "password_change", "form.save()"):
        "OwnPasswordForm.save is services.user_password_change (audited PASSWORD_CHANGE)",
    ("apps.pipeline.views", "_batch_rows", "details.update"):
        "a dict of the row's details handed to session_record, not a model",
}

SCANNED = ("views.py", "tasks.py")


def modules():
    root = Path(settings.BASE_DIR) / "apps"
    for path in sorted(root.glob("*/*.py")):
        if path.name in SCANNED:
            yield f"apps.{path.parent.name}.{path.stem}", path.read_text()


def _is_allowed(module, function, call) -> bool:
    text = ast.unparse(call)
    return any(m == module and f == function and text.startswith(c) for m, f, c in ALLOWED)


def direct_writes(module, source) -> list[str]:
    """The module's functions (and methods) that write, directly or through a function of
    the same module, each with the first write found."""
    tree = ast.parse(source)
    functions = {n.name: n for n in ast.walk(tree)
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    writes, calls = {}, {}
    for name, fn in functions.items():
        calls[name] = set()
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            callee = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            calls[name].add(callee)
            if (isinstance(f, ast.Attribute) and callee in VIEW_WRITE_CALLS
                    and not _is_allowed(module, name, node)):
                writes.setdefault(name, f"line {node.lineno}: {ast.unparse(node)[:80]}")
    grew = True
    while grew:  # a function calling a writing helper of its own module writes
        grew = False
        for name, callees in calls.items():
            via = next((c for c in callees if c in writes and c != name), None)
            if name not in writes and via:
                writes[name], grew = f"through {via}() ({writes[via]})", True
    return [f"{module}.{name}: {what}" for name, what in sorted(writes.items())]


def test_no_view_or_task_writes_outside_a_service():
    found = [w for module, source in modules() for w in direct_writes(module, source)]
    assert not found, "views/tasks writing to the database themselves:\n" + "\n".join(found)


def test_every_allowance_is_still_needed():
    """An allowance for a call that is gone would let a new one through unseen."""
    stale = []
    sources = dict(modules())
    for module, function, call in ALLOWED:
        tree = ast.parse(sources[module])
        fn = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                   and n.name == function), None)
        calls = [ast.unparse(n) for n in ast.walk(fn or tree) if isinstance(n, ast.Call)]
        if fn is None or not any(c.startswith(call) for c in calls):
            stale.append((module, function, call))
    assert not stale


def test_the_scan_catches_a_view_that_saves_a_form_or_updates_through_a_helper():
    source = '''
def _mark(qs):
    qs.update(status="done")

def edit(request, pk):
    form = Form(request.POST)
    if form.is_valid():
        form.save()

def finish(request, pk):
    _mark(Item.objects.filter(pk=pk))

def people(request, pk):
    disclosure.people.set([1, 2])

def export(request):
    audit_log(request.user, "export", detail="导出")
    return HttpResponse()
'''
    found = direct_writes("apps.fake.views", source)
    assert [f.split(":")[0] for f in found] == [
        "apps.fake.views._mark", "apps.fake.views.edit", "apps.fake.views.finish",
        "apps.fake.views.people"]


def test_editing_a_project_draft_is_audited_with_the_clients_ip(world, client):
    """The edit page saved the form directly (no row): it now goes through project_update."""
    client.force_login(world.agency_a1)
    project = world.project_a1_draft
    response = client.post(reverse("projects:project_edit", args=[project.pk]), {
        "name": project.name, "country": "德国", "employer": "Klinikum Berlin",
        "trade": "护理", "headcount": 8, "requirements": "", "pay": "", "hours": "",
        "contract_term": "", "service_fee": ""}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.employer, project.headcount) == ("Klinikum Berlin", 8)
    row = AuditEvent.objects.filter(action=AuditAction.PROJECT,
                                    object_id=str(project.pk)).latest("pk")
    assert (row.actor, row.ip) == (world.agency_a1, "203.0.113.7")
    assert row.detail == "修改：外方用工企业、招聘人数"  # what changed, nothing else


def test_a_draft_submitted_meanwhile_is_not_changed(world):
    """The page's status check ran before another tab submitted the project: the service,
    which locks the row, refuses."""
    import pytest
    from django.core.exceptions import ValidationError

    from apps.projects.services import project_submit, project_update
    project = world.project_a1_draft
    stale = type(project).objects.get(pk=project.pk)
    project_submit(project, actor=world.agency_a1)
    with pytest.raises(ValidationError, match="不能修改"):
        project_update(stale, actor=world.agency_a1, headcount=99)
    project.refresh_from_db()
    assert project.headcount == 5
