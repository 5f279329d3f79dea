"""Blank templates users fill in Excel: the ID column is text, choices are drop-down lists."""
import io

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from apps.registry.models import Education, Marital, PersonCategory, PovertySource
from apps.rosters.exports import FONT_NAME, _header_rows, _page_setup, office_workbook
from apps.rosters.layouts import Layout
from apps.rosters.readers import column_letter

TEMPLATE_ROWS = 1000
CHOICES = {
    "sex": ["男", "女"],
    "category": PersonCategory.values,
    "education": Education.values,
    "marital": Marital.values,
    "poverty_status": ["否", "脱贫劳动力", "监测对象"],
    "status": ["否", "脱贫劳动力", "监测对象"],
    "source": PovertySource.labels,
}
TEXT_COLUMNS = {"id_number", "phone", "family_phone"}


def template_bytes(layout: Layout) -> bytes:
    wb = office_workbook()
    ws = wb.active
    ws.title = layout.title[:31]
    _page_setup(ws, landscape=True)
    width = len(layout.columns)
    last = column_letter(width - 1)
    ws["A1"] = layout.title
    ws["A1"].font = Font(name=FONT_NAME, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = layout.note
    ws["A2"].font = Font(name=FONT_NAME, color="666666")
    ws.merge_cells(f"A2:{last}2")
    fill = PatternFill("solid", fgColor="E8EEF8")
    for index, column in enumerate(layout.columns):
        letter = column_letter(index)
        header = column.header + ("*" if column.required else "")
        cell = ws.cell(row=3, column=index + 1, value=header)
        cell.font, cell.fill = Font(name=FONT_NAME, bold=True), fill
        # Never narrower than its header (a Chinese character is two widths), so it prints whole.
        ws.column_dimensions[letter].width = max(column.width, 2 * len(header) + 2)
        if column.key in TEXT_COLUMNS:
            # A column's text format does not reach cells written later: format each cell.
            for row in range(4, 4 + TEMPLATE_ROWS):
                ws.cell(row=row, column=index + 1).number_format = "@"
        if column.key in CHOICES:
            rule = DataValidation(type="list", formula1='"' + ",".join(CHOICES[column.key]) + '"',
                                  allow_blank=not column.required)
            rule.error, rule.errorTitle = "请从下拉列表中选择", "输入有误"
            ws.add_data_validation(rule)
            rule.add(f"{letter}4:{letter}{3 + TEMPLATE_ROWS}")
    ws.freeze_panes = "A4"
    _header_rows(ws, 3, 3)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
