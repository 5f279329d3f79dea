from celery import shared_task

from apps.audit import services


@shared_task
def audit_purge() -> int:
    """Daily on beat: rows past the retention go; safe to run twice (the second finds none)."""
    return services.audit_purge()
