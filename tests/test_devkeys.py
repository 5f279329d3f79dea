"""Development runs use per-install keys, never keys written in the source."""
import os
import re
import subprocess
import sys
from pathlib import Path

from laborexport import devkeys

ROOT = Path(__file__).resolve().parent.parent
PRINT_KEYS = ("from django.conf import settings; "
              "print(settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEY, settings.BLIND_INDEX_KEY)")


def _keys_of_a_run(keys_file: Path, **extra) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in devkeys.NAMES}
    env.update(DJANGO_SETTINGS_MODULE="laborexport.settings", DEV_KEYS_FILE=str(keys_file),
               PRODUCTION="false", **extra)
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + PRINT_KEYS],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _blobs(source):
    return [b for b in re.findall(r"[\"']([A-Za-z0-9_\-]{30,}={0,2})[\"']", source)
            if not re.fullmatch(r"[A-Z_]+", b)]


def test_settings_hold_no_literal_key():
    source = (ROOT / "laborexport" / "settings.py").read_text()
    for name in devkeys.NAMES:
        # Every assignment of a key reads the environment or the install's file, nothing else.
        for line in re.findall(rf"^{name}\s*=.*(?:\n\s+.*)*", source, re.M):
            assert not re.search(r"default=\"[^\"]+\"|default='[^']+'", line), line
    # No base64 blob or "insecure" placeholder anywhere in settings (a setting's own name,
    # capitals and underscores such as "DEFAULT_AUTHENTICATION_CLASSES", is not a key).
    assert not _blobs(source), _blobs(source)
    assert _blobs('SECRET_KEY = "Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eA=="')  # a real one is caught
    assert "insecure" not in source.lower()


def test_two_fresh_installs_get_different_keys_and_a_restart_keeps_them(tmp_path):
    first, second = tmp_path / "a" / "dev-keys.env", tmp_path / "b" / "dev-keys.env"
    keys_a = _keys_of_a_run(first)
    keys_b = _keys_of_a_run(second)
    assert len(keys_a) == 3 and all(keys_a) and len(set(keys_a)) == 3
    assert set(keys_a).isdisjoint(keys_b)
    assert _keys_of_a_run(first) == keys_a  # a restart reads the same keys back
    assert oct(first.stat().st_mode & 0o777) == "0o600"


def test_keys_given_by_the_environment_win_and_write_no_file(tmp_path):
    keys_file = tmp_path / "dev-keys.env"
    given = {"SECRET_KEY": "s" * 50, "FIELD_ENCRYPTION_KEY": "f" * 43 + "=",
             "BLIND_INDEX_KEY": "b" * 43 + "="}
    assert _keys_of_a_run(keys_file, **given) == list(given.values())
    assert not keys_file.exists()


def test_concurrent_first_starts_agree_on_one_set_of_keys(tmp_path):
    keys_file = tmp_path / "dev-keys.env"
    env = {k: v for k, v in os.environ.items() if k not in devkeys.NAMES}
    code = ("import sys; from pathlib import Path; from laborexport import devkeys; "
            f"print(devkeys.dev_keys(Path({str(keys_file)!r}))['FIELD_ENCRYPTION_KEY'])")
    runs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = {run.communicate(timeout=60)[0].strip() for run in runs}
    assert len(outputs) == 1 and outputs != {""}
    assert [p.name for p in tmp_path.iterdir()] == ["dev-keys.env"]  # no temporary left


def test_a_damaged_keys_file_stops_the_start_instead_of_making_new_keys(tmp_path):
    keys_file = tmp_path / "dev-keys.env"
    keys_file.write_text("SECRET_KEY=only-this\n")
    try:
        devkeys.dev_keys(keys_file)
    except RuntimeError as error:
        assert "FIELD_ENCRYPTION_KEY" in str(error)
    else:
        raise AssertionError("a keys file without the field keys was accepted")
    assert keys_file.read_text() == "SECRET_KEY=only-this\n"
