from celery import shared_task

from apps.complaints import services


@shared_task
def complaints_escalate() -> int:
    """Run by beat every 15 minutes; safe to run twice or on two workers at once."""
    return services.complaints_escalate()
