from celery import shared_task

from apps.outages import services


@shared_task
def outages_recount() -> int:
    """Daily (beat): the items the outage periods reach, counted again. Idempotent."""
    return services.outages_recount()
