"""The audit context travels with a Celery task: who queued it (the request's user and IP, or
the task that queued it) goes in the message headers, and the worker runs the task inside that
context, so its audit rows (and its pghistory rows) name the user and "task:<name> for <user>"."""
import pghistory
from celery.signals import before_task_publish, task_postrun, task_prerun

from apps.audit.services import AuditContext, audit_context, context_now

HEADER = "audit_context"
_running: dict = {}


@before_task_publish.connect
def carry_context(headers=None, **kwargs):
    ctx = context_now()
    if headers is not None and (ctx.actor_id or ctx.ip or ctx.via):
        headers[HEADER] = {"actor_id": ctx.actor_id, "ip": ctx.ip, "via": ctx.via}


def _received(task) -> AuditContext:
    request = task.request
    carried = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    if carried:
        return AuditContext(actor_id=carried.get("actor_id"), ip=carried.get("ip"),
                            via=carried.get("via") or "")
    return context_now()  # run eagerly, in the caller's thread


def _via(task_name, ctx: AuditContext) -> str:
    if ctx.via:  # queued by a task: keep the chain's first user, name this task too
        return f"task:{task_name} ← {ctx.via.removeprefix('task:')}"[:120]
    if ctx.actor_id:
        from apps.accounts.models import User
        username = User.objects.filter(pk=ctx.actor_id).values_list("username", flat=True).first()
        return f"task:{task_name} for {username}"[:120]
    return f"task:{task_name}"


@task_prerun.connect
def enter_context(task_id=None, task=None, **kwargs):
    ctx = _received(task)
    scope = audit_context(actor_id=ctx.actor_id, ip=ctx.ip, via=_via(task.name, ctx))
    history = pghistory.context(user=ctx.actor_id, task=task.name)
    scope.__enter__()
    history.__enter__()
    _running[task_id] = (scope, history)


@task_postrun.connect
def leave_context(task_id=None, **kwargs):
    entered = _running.pop(task_id, None)
    if entered:
        scope, history = entered
        history.__exit__(None, None, None)
        scope.__exit__(None, None, None)
