"""Issue 9 §6: the security proofs run in CI. CI (.ci/run) calls the README's test command
with no selection; that command runs pytest over tests/ with nothing deselected; and the
collection holds the URL × role matrix for every URL, the whole hostile-upload corpus, the
redelivery test and the mid-import kill test."""
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Proofs that must be collected by CI's own command (file::test, a parametrised test counts
# when any of its cases is collected; the matrix and the corpus are checked case by case).
REQUIRED = [
    "tests/test_celery.py::test_a_task_killed_after_its_write_is_redelivered_and_writes_nothing_twice",
    "tests/test_celery.py::test_nothing_is_queued_when_the_transaction_rolls_back",
    "tests/rosters/test_commit_safety.py::test_a_connection_killed_midway_writes_nothing_and_a_rerun_completes",
    "tests/rosters/test_commit_safety.py::test_the_same_file_twice_at_once_commits_once",
    "tests/rosters/test_uploads.py::test_formula_and_dde_cells_are_refused_with_the_cell",
    "tests/rosters/test_package_bounds.py::test_a_cell_beyond_the_limits_is_refused_before_the_reader",
    "tests/rosters/test_package_bounds.py::test_formula_cells_are_refused_with_the_cell_however_written",
    "tests/rosters/test_package_bounds.py::test_malformed_packages_are_refused_in_chinese",
    "tests/rosters/test_package_bounds.py::test_hidden_rows_columns_and_sheets_holding_data_are_refused",
    "tests/test_url_matrix.py::test_every_url_is_in_the_registry",
    "tests/test_url_matrix.py::test_lists_never_show_the_other_city",
    "tests/test_url_matrix.py::test_no_page_shows_an_unmasked_id_or_phone",
    "tests/audit/test_events_audited.py::test_a_filing_approval_is_audited",
    "tests/subsidies/test_claims.py::test_the_same_people_cannot_be_claimed_twice",
    "tests/subsidies/test_double_payment.py::test_eight_concurrent_approvals_make_one",
    "tests/subsidies/test_double_payment.py::test_eight_concurrent_payments_pay_once",
    "tests/subsidies/test_double_payment.py::test_ten_parallel_http_submissions_make_one_claim",
]


def test_ci_runs_the_whole_suite_unfiltered():
    ci = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert ci[-1] == "bash scripts/test.sh"  # no arguments: nothing selected away
    script = (ROOT / "scripts/test.sh").read_text().strip().splitlines()
    assert script[-1] == 'exec python -m pytest "$@"'
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests"]
    assert not re.search(r"(^|\s)(-m|-k|--ignore\S*|--deselect)(\s|=|$)", options["addopts"])


def test_the_security_proofs_are_collected_by_cis_command():
    from tests.rosters.test_uploads import HOSTILE
    from tests.url_registry import ROUTES

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    collected = {line.strip() for line in result.stdout.splitlines() if "::" in line}
    bare = {item.split("[", 1)[0] for item in collected}
    missing = [test for test in REQUIRED if test not in bare]
    missing += [f"matrix {name}" for name in ROUTES
                if f"tests/test_url_matrix.py::test_url_as_every_role[{name}]" not in collected]
    missing += [f"hostile {case}" for case in HOSTILE
                if f"tests/rosters/test_uploads.py::test_hostile_files_are_refused_in_chinese[{case}]"
                not in collected]
    assert not missing, missing
