"""Regenerate tests/fixtures/libreoffice/: rosters as LibreOffice writes them when a user
typed the ID and phone columns as numbers. Run: .venv/bin/python scripts/make_libreoffice_fixtures.py

An .xlsx is written with numeric ID and phone cells (as Excel or Calc stores "140105199902071246"
typed into a number column: a double, 15 significant digits), then LibreOffice itself saves it
as CSV in UTF-8 and in GBK, and re-saves it as .xlsx."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "libreoffice"
HEADER = ["序号", "姓名", "性别", "身份证号", "联系方式", "人员类别", "学历", "报名日期", "学校或家庭住址"]
# Row 2 is intact (text cells); rows 3 and 4 had their ID and phone typed as numbers.
ROWS = [
    [1, "王五", "男", "140105199001010011", "13800001111", "学生", "大专", "2026-03-01", "太原市小店区1号"],
    [2, "李四", "女", 140105199902071246, 3514048298, "社会人员", "本科", "2026-03-01", "大同市平城区2号"],
    [3, "赵六", "男", 140105199502030031, 13800002222, "学生", "大专", "2026-03-01", "大同市𬭎祥路1号"],
]
FILTERS = {
    "utf8.csv": 'csv:Text - txt - csv (StarCalc):44,34,76',       # 76: UTF-8
    "gbk.csv": 'csv:Text - txt - csv (StarCalc):44,34,67',        # 67: GBK (rtl_TextEncoding)
    "resaved.xlsx": 'xlsx:Calc MS Excel 2007 XML',
}


def main() -> int:
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, number_format in (("general", "General"), ("number", "0")):
            wb = Workbook()
            ws = wb.active
            ws.title = "名册"
            ws.append(HEADER)
            for row in ROWS:
                ws.append(row)
            for cells in ws.iter_rows(min_row=3, min_col=4, max_col=5):
                for cell in cells:
                    cell.number_format = number_format
            wb.save(tmp / f"{name}.xlsx")
        for target, filter_ in FILTERS.items():
            # The GBK CSV from the General-format sheet (1.40105199902071E+17), the UTF-8 one
            # and the re-saved xlsx from the "0"-format sheet (140105199902071000).
            source = tmp / ("general.xlsx" if target == "gbk.csv" else "number.xlsx")
            outdir = tmp / target
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                            "--convert-to", filter_, "--outdir", str(outdir), str(source)],
                           check=True, capture_output=True, timeout=180)
            produced = next(outdir.iterdir())
            shutil.copy(produced, OUT / f"名册_{target}")
    for path in sorted(OUT.iterdir()):
        print(path.name, path.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
