"""A scratch database for a benchmark: Django's test database, created and dropped.

Its name is derived from the configured database's name ("bench_<name>"), so engineers who
share one PostgreSQL server with different DATABASE_URLs never clobber each other's scratch
database, nor the test database (TEST_DATABASE_NAME) of a test run going on beside it."""
import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborexport.settings")


@contextmanager
def scratch_database():
    import django
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    scratch = f"bench_{old_name}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch
    # serialize=False: a kept database of ten million rows is not dumped to a string first.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True,
                                       serialize=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
