"""Reads of the administrators' console, always through scoping."""
from datetime import timedelta

from django.conf import settings
from django.db.models import F, BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from apps.accounts.models import TotpDevice, User
from apps.accounts.scoping import visible


def account_list(actor, *, q: str = "", role: str = "", active: str = ""):
    users = visible(User.objects.select_related("city", "unit", "agency"), actor)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q))
    if role:
        users = users.filter(role=role)
    if active in ("0", "1"):
        users = users.filter(is_active=active == "1")
    return users.order_by("role", "username")


def lockouts_for(actor):
    """Failed-login counters (django-axes) the security administrator may see, newest first;
    each with ``locked`` while it still keeps the account out."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    locked = Q(attempt_time__gte=since, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    return (visible(AccessAttempt.objects.all(), actor)
            .annotate(locked=ExpressionWrapper(locked, output_field=BooleanField()))
            .order_by("-attempt_time"))


def security_accounts(actor, *, q: str = ""):
    """Accounts with what the security administrator acts on: locked now, 2FA bound."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    locked = visible(AccessAttempt.objects.all(), actor).filter(
        username=OuterRef("username"), attempt_time__gte=since,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    users = account_list(actor, q=q).annotate(
        locked=Exists(locked),
        has_device=Exists(TotpDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
    )
    # What waits for this administrator first: lockouts, grants, password resets.
    return users.order_by("-locked", "scope_authorised",
                          F("pending_password_at").desc(nulls_last=True), "role", "username")
