"""Per-install keys for development runs.

A fixed key written in the source is the same on every clone: whoever reads the repository
could sign sessions and decrypt the data of any development or demo install. So a run
without PRODUCTION that the environment gives no key makes its own random keys once, into a
file outside git (``var/dev-keys.env``, or ``DEV_KEYS_FILE``), and reads them from there
thereafter: the keys must stay the same across restarts or encrypted fields become
unreadable. Production never comes here: it must be given its keys."""
import base64
import os
import secrets
from pathlib import Path

NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY")


def _new_keys() -> dict:
    field_key = lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()  # noqa: E731
    return {"SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEY": field_key(),
            "BLIND_INDEX_KEY": field_key()}


def _read(path: Path) -> dict:
    keys = {}
    for line in path.read_text(encoding="ascii").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() in NAMES:
            keys[name.strip()] = value.strip()
    return keys


def dev_keys(path: Path) -> dict:
    """The install's keys, made on the first call. Two processes starting at once (web and
    worker) end up with the same keys: the file is linked into place only if absent."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write("# Generated once for this install (development only). Do not commit.\n")
            handle.writelines(f"{name}={value}\n" for name, value in _new_keys().items())
        try:
            os.link(temporary, path)  # fails if another process made it first: keep theirs
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    keys = _read(path)
    missing = [name for name in NAMES if not keys.get(name)]
    if missing:
        raise RuntimeError(f"{path} lacks {', '.join(missing)}: delete it to make new keys "
                           "(data encrypted with the old ones becomes unreadable).")
    return keys
