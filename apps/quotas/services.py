from django.db import transaction

from apps.quotas.models import Task


@transaction.atomic
def task_set_number(task: Task, *, number: int | None, note: str, actor) -> Task:
    """The province enters or corrects a task number; who and when are kept on the row."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.number = number
    task.note = note
    task.updated_by = actor
    task.save(update_fields=["number", "note", "updated_by", "updated_at"])
    return task
