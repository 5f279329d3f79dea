"""One audit mechanism for every write (docs/AUDIT.md).

Every service function that writes business data is decorated ``@audited(action, what)``: it
runs in one transaction with the audit row it leaves, so the write and its row commit or roll
back together. The row says who (the service's ``actor``, else the user of the request or of
the task being run), when, from which IP, what, and which object. Where a request or a task is
served, its context (IP, "task:<name> for <user>", the upload being committed) is carried by
``current_request`` / ``current_context`` without each caller passing it down.

A function that writes only as a step of an audited service is ``@audited_within`` (it refuses
to run outside one); one that writes nothing a person did (housekeeping, the login flow that
audits itself) is ``@not_audited(reason)``. tests/audit/test_audit_coverage.py scans every
services module and fails on a writing function that is none of the three."""
import functools
import inspect
from contextvars import ContextVar
from dataclasses import dataclass, replace

import pghistory
from django.db import models, transaction

from apps.audit.models import AuditEvent

# The request being served, so that a service deep below a view (an upload's commit, an
# approval, an export) audits the client's address without each caller passing it down.
current_request: ContextVar = ContextVar("current_request", default=None)


@dataclass(frozen=True)
class AuditContext:
    """What a request or a task carries to the audit rows written while it runs."""
    actor_id: int | None = None
    ip: str | None = None
    via: str = ""            # e.g. "task:apps.deadlines.tasks.deadlines_scan for zhang"
    upload_id: int | None = None


current_context: ContextVar = ContextVar("current_audit_context", default=AuditContext())


class audit_context:
    """``with audit_context(upload_id=…):`` every row written inside carries these values."""

    def __init__(self, **changes):
        self.changes = changes

    def __enter__(self):
        self.token = current_context.set(replace(current_context.get(), **self.changes))
        return current_context.get()

    def __exit__(self, *exc):
        current_context.reset(self.token)


def context_now() -> AuditContext:
    """The context to hand to a task queued now: the request's user and IP, or the running
    task's (a task queued by a task keeps the user who started the first)."""
    ctx = current_context.get()
    request = current_request.get()
    if request is not None:
        user = getattr(request, "user", None)
        ctx = replace(ctx, actor_id=ctx.actor_id or (user.pk if getattr(user, "pk", None) else None),
                      ip=ctx.ip or request.META.get("REMOTE_ADDR"))
    return ctx


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class _Frame:
    """One audited service call: how many rows it has written so far."""
    __slots__ = ("rows",)

    def __init__(self):
        self.rows = 0


_frame: ContextVar = ContextVar("audit_frame", default=None)


def audit_log(actor, action: str, obj=None, *, detail: str = "", request=None) -> AuditEvent:
    request = request if request is not None else current_request.get()
    ctx = current_context.get()
    ip = request.META.get("REMOTE_ADDR") if request is not None else ctx.ip
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    if actor_id is None:
        actor_id = _context_actor_id(request, ctx)
    frame = _frame.get()
    if frame is not None:
        frame.rows += 1
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail[:300],
        ip=ip,
        via=ctx.via[:120],
        upload_id=ctx.upload_id,
    )


def _context_actor_id(request, ctx):
    user = getattr(request, "user", None)
    if getattr(user, "pk", None):
        return user.pk
    return ctx.actor_id


# Every audited service, by dotted name: the coverage test walks them.
AUDITED_SERVICES: dict = {}
AUDITED_WITHIN: dict = {}
NOT_AUDITED: dict = {}


class AuditGap(RuntimeError):
    """A write helper was called outside any audited service: it would leave no row."""


class _Ref:
    """A model row as the audit row names it, kept before the call (a delete clears pk)."""
    __slots__ = ("_meta", "pk")

    def __init__(self, obj):
        self._meta, self.pk = obj._meta, obj.pk


def _given(bound) -> list:
    """The model objects a service was given, actor last (an act on one's own account)."""
    refs = [_Ref(v) for k, v in bound.arguments.items()
            if k != "actor" and isinstance(v, models.Model) and v.pk is not None]
    actor = bound.arguments.get("actor")
    return refs + ([_Ref(actor)] if isinstance(actor, models.Model) and actor.pk else [])


def _subject(result, given):
    """The object the row names: what the service returned, else what it was given."""
    if isinstance(result, models.Model) and result.pk is not None:
        return result
    if isinstance(result, (list, tuple)) and result and isinstance(result[0], models.Model):
        first = result[0]
        if first.pk is not None:
            return first
    return given[0] if given else None


def _describe(what, result):
    if isinstance(result, bool) or not isinstance(result, (int, list, tuple)):
        return what
    return f"{what}（{len(result) if isinstance(result, (list, tuple)) else result}条）"


def audited(action: str, what: str, *, atomic: bool = True, unless=None):
    """Mark a service that writes business data. Unless it writes its own, more telling row
    (``audit_log`` inside), it leaves ``action`` / ``what`` naming the object it returned or
    was given, in its own transaction. ``atomic=False`` only for a service that manages its
    own transactions (an upload's commit, which records a failure after a rollback).
    ``unless(result)`` true: the call wrote nothing (a scan that found nothing), no row."""
    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = signature.bind_partial(*args, **kwargs)
            given = _given(bound)
            frame = _Frame()
            token = _frame.set(frame)
            actor = bound.arguments.get("actor")
            try:
                if atomic:
                    # The history rows (pghistory) of this write keep who did it, as the
                    # audit row does, whether a request, a task or a command called.
                    with transaction.atomic(), pghistory.context(
                            user=getattr(actor, "pk", None) or current_context.get().actor_id):
                        result = fn(*args, **kwargs)
                        _fallback(frame, bound, given, result)
                else:
                    result = fn(*args, **kwargs)
                    _fallback(frame, bound, given, result)
            finally:
                _frame.reset(token)
            return result

        def _fallback(frame, bound, given, result):
            if frame.rows or (unless is not None and unless(result)):
                return
            audit_log(bound.arguments.get("actor"), action, _subject(result, given),
                      detail=_describe(what, result))

        wrapper.audit_action, wrapper.audit_what = action, what
        AUDITED_SERVICES[f"{fn.__module__}.{fn.__qualname__}"] = wrapper
        return wrapper
    return decorate


def audited_within(fn):
    """A write that is one step of an audited service (the caller's row covers it)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _frame.get() is None:
            raise AuditGap(f"{fn.__module__}.{fn.__qualname__} writes data and must be called "
                           "from an @audited service.")
        return fn(*args, **kwargs)

    AUDITED_WITHIN[f"{fn.__module__}.{fn.__qualname__}"] = wrapper
    return wrapper


def not_audited(reason: str):
    """A function that writes nothing a person did, or audits itself outside a transaction
    (the login flow: a wrong code's row must survive the refusal). The reason is required."""
    def decorate(fn):
        fn.not_audited_reason = reason
        NOT_AUDITED[f"{fn.__module__}.{fn.__qualname__}"] = reason
        return fn
    return decorate


@not_audited("housekeeping of the log itself; writes its own PURGE row")
def audit_purge(now=None) -> int:
    """Delete the rows older than AUDIT_RETENTION_DAYS (at least 180), and say so in the log.
    The database refuses to delete a younger row even here (trigger audit_keep_retention):
    a wrong clock or setting fails the whole purge instead of erasing recent history."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from apps.audit.models import AuditAction
    now = now or timezone.now()
    # Writes its own PURGE row, after the delete (a frame would only add a second).
    cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        if deleted:
            audit_log(None, AuditAction.PURGE,
                      detail=f"删除 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 之前的审计日志"
                             f"{deleted}条（保存期限{settings.AUDIT_RETENTION_DAYS}天）")
    return deleted
