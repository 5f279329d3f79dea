from celery import shared_task

from apps.followups import services


@shared_task
def plans_ensure() -> dict:
    """Daily (beat): plans for projects at the threshold, ended below it. Idempotent."""
    return services.plans_ensure()
