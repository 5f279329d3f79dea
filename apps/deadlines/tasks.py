from celery import shared_task

from django.db import transaction

from apps.deadlines import services


@shared_task
def deadlines_scan() -> dict:
    """Run by beat every 15 minutes; safe to run twice or on two workers at once."""
    result = services.deadlines_scan()
    if result["notices"]:
        transaction.on_commit(notices_email.delay)
    return result


@shared_task
def notices_email() -> int:
    return services.notices_email()


@shared_task
def budget_items_open() -> int:
    """Daily: every city and unit owes next year's budget by 31 May (idempotent)."""
    from django.utils import timezone
    return services.budget_items_open(timezone.localdate().year + 1)


@shared_task
def return_items_ensure() -> int:
    """Daily: people abroad with a known contract end have their return items (idempotent)."""
    return services.return_items_ensure()
