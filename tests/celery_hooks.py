"""Imported into a test worker with ``--include`` (never by the application): writes a line
per task run to $TEST_TASK_LOG, and kills the worker outright (SIGKILL, no goodbye to the
broker) after the first run of $TEST_KILL_TASK has written its side effects but before the
message is acknowledged (acks_late acknowledges after the run)."""
import json
import os
import signal

from celery.signals import task_postrun


@task_postrun.connect
def record_and_kill_once(sender=None, task_id=None, task=None, retval=None, **kwargs):
    log = os.environ.get("TEST_TASK_LOG")
    if not log:
        return
    redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
    with open(log, "a") as handle:
        handle.write(f"{task.name} {task_id} {redelivered} {json.dumps(retval)}\n")
    marker = f"{log}.killed"
    if task.name == os.environ.get("TEST_KILL_TASK") and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
