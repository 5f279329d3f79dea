from celery import shared_task

from apps.dashboards import services


@shared_task
def figures_recount() -> int | None:
    """Run by beat every night: the figures are kept on write, this checks and repairs them.
    A second run while one is going does nothing. Returns the differences repaired."""
    done = services.figures_recount()
    return done.differences if done else None
