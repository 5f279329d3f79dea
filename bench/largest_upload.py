"""Benchmark: the largest roster the upload front door accepts, end to end (issue 13, item 3).

Run by hand:  .venv/bin/python bench/largest_upload.py
It builds, within safety.Limits, the most expensive workbook that is still accepted:
  - the row limit (20,000 positions: the header and 19,999 people) and the column limit (50:
    the 21 registration columns and 29 more filled with text);
  - every cell an inline string without an r= attribute, so that the scan takes its exact
    (expat) path, not the quick one, and calamine gets every string to copy;
  - the values as long as the unpacked limit (50 MB) allows.
and then runs what a commit runs, in a transaction rolled back: safety.accept, readers.read,
validation, the COPY of the new people and the commit's foreign-key checks. It prints each
phase's time, the Python peak (tracemalloc) and the process's peak resident memory (VmHWM,
reset first: it includes calamine's Rust allocations, which tracemalloc cannot see).
Goal: ≤ 10 s end to end and ≤ 300 MB of memory.
"""
import io
import sys
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scratch import scratch_database  # noqa: E402

from apps.rosters.sheetscan import column_letters  # noqa: E402


class Rollback(Exception):
    pass


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss():
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # resets VmHWM to the current resident size


def build(lim, headers, row_of, *, exact: bool) -> bytes:
    """The worksheet written by hand (openpyxl always writes r=), within the limits: for the
    quick scan, 50 columns with r= up to the unpacked limit; for the exact one, no r= and the
    20 registration columns (that is already ~20 MB, near the exact path's own limit)."""
    # The header row spans all 50 columns (so calamine's grid is 20,000 x 50); data rows fill
    # as many extra columns as the unpacked limit leaves room for.
    all_headers = headers + ([] if exact else [f"附加{i}" for i in range(lim.max_cols - len(headers))])

    def cells(values, number):
        if exact:
            return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
        return "".join(f'<c r="{column_letters(col)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                       for col, v in enumerate(values))

    def sheet(extra: int, pad: int = 0, work_pad: int = 0) -> bytes:
        def row(number):
            return "<row>" if exact else f'<row r="{number}">'

        rows = [f"{row(1)}{cells(all_headers, 1)}</row>"]
        for i in range(lim.max_rows - 1):
            values = row_of(i)
            values[16] += "经" * work_pad  # 工作经历: lengthens the exact path's sheet to its limit
            rows.append(f"{row(i + 2)}{cells(values + [f'{i:06d}' + 'x' * pad] * extra, i + 2)}</row>")
        return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + "".join(rows)
                + "</sheetData></worksheet>").encode()

    budget = lim.max_exact_sheet if exact else lim.max_unpacked - 64 * 1024
    extra = work_pad = 0
    size0 = len(sheet(0))
    if exact:
        work_pad = (budget - size0) // (3 * (lim.max_rows - 1))  # 3 UTF-8 bytes a character
    else:
        extra = min(len(all_headers) - len(headers), (budget - size0) // (len(sheet(1)) - size0))
    xml = sheet(extra, work_pad=work_pad)
    assert len(xml) <= budget, len(xml)
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.title = "名册"
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            content = xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item.filename, content)
    return out.getvalue()


def main():
    """Each file in a process of its own, so that each peak is its own."""
    import subprocess
    if len(sys.argv) > 1:
        with scratch_database():
            run(exact=sys.argv[1] == "exact")
        return
    for variant in ("quick", "exact"):
        subprocess.run([sys.executable, __file__, variant], check=True)


def run(exact: bool):
    from apps.accounts.models import Role, User
    from apps.orgs.models import City, OrganisingUnit
    from apps.registry.idnumber import make_id
    from apps.registry.models import Person
    from apps.rosters import safety
    from apps.rosters.layouts import REGISTRATION

    city, _ = City.objects.get_or_create(name="太原市", short_name="太原", code="140100")
    unit, _ = OrganisingUnit.objects.get_or_create(name="基准测试学院", category="技工院校", city=city)
    user, _ = User.objects.get_or_create(username="bench-unit", role=Role.UNIT, unit=unit)
    Person.objects.filter(unit=unit).delete()

    lim = safety.limits()
    headers = [c.header for c in REGISTRATION.columns if c.key != "unit"]

    def row_of(i):
        birth = date(1980 + i % 25, 1 + i % 12, 1 + i % 28)
        number = make_id(region=f"14{(i // 1000) % 10}1{(i // 10000) % 10}5", birth=birth,
                         seq=f"{i % 1000:03d}")
        return [str(i + 1), f"人员{i}", "男" if int(number[16]) % 2 else "女", number,
                f"13{i:09d}", "山西省太原市", "健康", "未婚", "山西大学 机械", "大专", "焊工",
                "日语N4", "太原市迎泽区", "家属", "父亲", f"139{i:08d}", "无", "社会人员", "",
                "2026-03-01"]

    data = build(lim, headers, row_of, exact=exact)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    print(f"\n{'exact scan: no r= attributes' if exact else 'quick scan: cells with r='}: "
          f"file {len(data) / 1048576:.2f} MB (limit {lim.max_bytes / 1048576:.0f}), "
          f"unpacked {unpacked / 1048576:.1f} MB (limits {lim.max_unpacked / 1048576:.0f}; "
          f"exact path {lim.max_exact_sheet / 1048576:.0f}), {lim.max_rows} rows", flush=True)
    measure(data, lim, user, REGISTRATION)


def measure(data, lim, user, layout):
    from django.db import connection, transaction

    from apps.rosters import importers, readers, safety

    names = ["safety.accept (zip, scan)", "readers.read (calamine)", "validate",
             "write (COPY, history)", "foreign-key checks of the commit"]

    def once():
        marks = []
        try:
            with transaction.atomic():
                marks.append(time.perf_counter())
                accepted = safety.accept("名册.xlsx", data)
                marks.append(time.perf_counter())
                sheets = readers.read(accepted, data)
                marks.append(time.perf_counter())
                result = importers.RosterValidator(layout, user).validate(sheets)
                assert result.ok, [r.errors for r in result.rows if r.errors][:3]
                marks.append(time.perf_counter())
                created, _ = importers.write(result, user)
                assert created == lim.max_rows - 1, created
                marks.append(time.perf_counter())
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                marks.append(time.perf_counter())
                del accepted, sheets, result
                raise Rollback
        except Rollback:
            pass
        return marks

    reset_peak_rss()
    rss_before = peak_rss_mb()
    marks = once()
    rss_peak = peak_rss_mb()
    for name, a, b in zip(names, marks, marks[1:]):
        print(f"  {name:<40} {b - a:7.3f} s")
    total = marks[-1] - marks[0]
    print(f"  {'end to end':<40} {total:7.3f} s   ({lim.max_rows - 1} people written, rolled back)")
    tracemalloc.start()
    once()
    python_peak = tracemalloc.get_traced_memory()[1] / 1048576
    tracemalloc.stop()
    grown = rss_peak - rss_before
    print(f"memory: process peak resident {rss_peak:.0f} MB, {grown:.0f} MB above where it "
          f"started (calamine's Rust allocations included); Python peak {python_peak:.0f} MB "
          "(tracemalloc, second run)")
    print(f"goal: ≤ 10 s ({'met' if total <= 10 else 'NOT met'}), ≤ 300 MB "
          f"({'met' if grown <= 300 else 'NOT met'})")


if __name__ == "__main__":
    main()
