"""Real concurrency for tests that need real commits (transactional tests)."""
import threading

from django.db import connections


def at_once(n, fn):
    """Run ``fn`` in ``n`` threads released together; each gets its own connection."""
    barrier = threading.Barrier(n)
    outcomes = []

    def run():
        barrier.wait()
        try:
            outcomes.append(("ok", fn()))
        except Exception as error:  # each refusal is an outcome to count
            outcomes.append((type(error).__name__, str(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes
