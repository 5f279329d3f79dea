from celery import shared_task

from apps.rosters import services


@shared_task
def uploads_purge_files() -> int:
    return services.uploads_purge_files()
