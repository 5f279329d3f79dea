from celery import shared_task

from apps.dashboards import services


@shared_task
def figures_refresh() -> float | None:
    """Run by beat every 30 minutes; a second run while one is going does nothing."""
    done = services.figures_refresh()
    return done.seconds if done else None
