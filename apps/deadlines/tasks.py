from celery import shared_task

from apps.deadlines.services import deadlines_scan as scan


@shared_task
def deadlines_scan() -> dict:
    """Run by beat every 15 minutes; safe to run twice or on two workers at once."""
    return scan()
