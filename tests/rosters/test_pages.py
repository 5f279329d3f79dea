import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.registry.models import Person
from apps.rosters.models import Upload
from tests.rosters.files import person_row, xlsx


def test_template_has_a_text_id_column_and_drop_downs(world, client):
    client.force_login(world.unit_u1)
    response = client.get(reverse("rosters:template_download", args=["registration"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in ws[3]]
    assert headers[:5] == ["序号", "姓名*", "性别*", "身份证号*", "联系方式*"]
    assert ws["D4"].number_format == "@" and ws["D1003"].number_format == "@"
    assert any("男,女" in v.formula1 for v in ws.data_validations.dataValidation)
    assert ws.freeze_panes == "A4"


def test_a_filled_template_imports(world, client):
    client.force_login(world.unit_u1)
    blank = client.get(reverse("rosters:template_download", args=["registration"])).content
    wb = load_workbook(io.BytesIO(blank))
    ws = wb.active
    for i in range(1, 201):
        row = person_row(i)
        for col, value in zip((1, 2, 3, 4, 5, 18), (row[0], row[1], row[2], row[3], row[4], row[5])):
            ws.cell(row=3 + i, column=col, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(reverse("rosters:upload_list"), {
        "kind": "registration", "file": SimpleUploadedFile("两百人.xlsx", buffer.getvalue())}, follow=True)
    body = response.content.decode()
    assert "确认导入（新增 200 人，更新 0 人）" in body
    upload = Upload.objects.latest("pk")
    response = client.post(reverse("rosters:upload_commit", args=[upload.pk]), follow=True)
    assert "已导入：新增 200 人" in response.content.decode()
    assert Person.objects.filter(unit=world.u1, name__startswith="测试").count() == 200


def test_preview_lists_errors_first_with_row_and_column(world, client):
    client.force_login(world.unit_u1)
    rows = [person_row(i) for i in range(1, 4)]
    rows[2][3] = 110105194912310000
    response = client.post(reverse("rosters:upload_list"), {
        "kind": "registration", "file": SimpleUploadedFile("名册.xlsx", xlsx(rows))}, follow=True)
    body = response.content.decode()
    assert "第4行“身份证号”列（D列）" in body and "确认导入" not in body
    assert body.index("第4行") < body.index("测试1")


def test_another_user_cannot_commit_my_upload(world, client):
    client.force_login(world.city_ty)
    response = client.post(reverse("rosters:upload_commit", args=[world.upload_ty.pk]))
    assert response.status_code == 403
    world.upload_ty.refresh_from_db()
    assert world.upload_ty.status == "previewed"
