"""The 花名表 (附件6) round trip: export, re-import unchanged, tick new results, re-import."""
import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.pipeline.models import CandidacyHistory, Result, Stage, StageEvent
from apps.pipeline.services import candidacy_record
from apps.rosters.models import UploadKind, UploadStatus
from apps.rosters.services import upload_commit, upload_receive


def exported(client, user, world):
    client.force_login(user)
    return client.get(reverse("rosters:export_form6"), {"unit": world.u1.pk}).content


def receive(user, data, on=date(2026, 3, 9)):
    return upload_receive(actor=user, kind=UploadKind.ROSTER, stage_date=on,
                          uploaded=SimpleUploadedFile("花名表.xlsx", data))


def tick(data, cells):
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def errors(upload):
    return [e for row in upload.preview for e in row["errors"]]


def test_reimporting_the_exported_roster_changes_nothing(world, client):
    candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 3, 5), actor=world.unit_u1)
    events, history = StageEvent.objects.count(), CandidacyHistory.objects.count()
    upload = receive(world.unit_u1, exported(client, world.unit_u1, world))
    assert (upload.status, upload.unchanged_count, upload.update_count, upload.error_count) == (
        UploadStatus.PREVIEWED, 1, 0, 0), upload.preview
    upload_commit(upload, actor=world.unit_u1)
    assert StageEvent.objects.count() == events and CandidacyHistory.objects.count() == history


def test_ticks_for_the_next_stages_are_recorded_in_order(world, client):
    data = tick(exported(client, world.unit_u1, world), {"D5": "√", "G5": "√", "J5": "√"})
    upload = receive(world.unit_u1, data)
    assert upload.update_count == 1, upload.preview
    assert upload.preview[0]["changes"] == ["初试：合格", "体检：合格", "复试：合格"]
    upload_commit(upload, actor=world.unit_u1)
    world.cand_ty.refresh_from_db()
    assert (world.cand_ty.stage, world.cand_ty.stage_on) == (Stage.SECOND_INTERVIEW, date(2026, 3, 9))
    assert world.cand_ty.events.count() == 4


def test_a_roster_cannot_rewrite_a_recorded_result(world, client):
    candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 3, 5), actor=world.unit_u1)
    data = tick(exported(client, world.unit_u1, world), {"D5": None, "E5": "√"})
    assert errors(receive(world.unit_u1, data)) == [
        "第5行“初试”：表中为“不合格”，系统已录入“合格”，花名表不能更改已录入的结果"]


def test_stages_out_of_order_or_by_the_wrong_role_are_refused(world, client):
    data = tick(exported(client, world.unit_u1, world), {"G5": "√"})
    assert errors(receive(world.unit_u1, data)) == ["第5行“体检”：须先有“初试”的结果"]
    for stage in (Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW):
        candidacy_record(world.cand_ty, stage=stage, result=Result.PASS, on=date(2026, 3, 5),
                         actor=world.unit_u1)
    data = tick(exported(client, world.unit_u1, world), {"M5": "√", "N5": "介护", "O5": "3年"})
    assert errors(receive(world.unit_u1, data)) == ["第5行“合同”：您的角色不能录入该环节"]


def test_two_ticks_in_one_stage_and_odd_marks_are_named(world, client):
    data = tick(exported(client, world.unit_u1, world), {"D5": "√", "E5": "√", "G5": "ok"})
    messages = errors(receive(world.unit_u1, data))
    assert "第5行“初试情况”：同一环节只能在一栏划“√”" in messages
    assert "第5行“体检情况·合格”列（G列）：请划“√”或留空，不能填“ok”" in messages


def test_a_masked_roster_identifies_people_only_by_name_and_masked_id_in_scope(world, client):
    """Exports are masked for every role: the masked roster still updates results, but only
    for exactly one person in the uploader's scope with that name and masked ID."""
    from datetime import timedelta

    from apps.pipeline.services import candidacy_open
    from apps.registry.idnumber import make_id, mask_id
    from tests.conftest import OWN_ID, register
    client.force_login(world.province)
    masked = client.get(reverse("rosters:export_form6"), {"unit": world.u1.pk}).content
    upload = receive(world.unit_u1, tick(masked, {"D5": "√"}))
    assert (upload.update_count, upload.error_count) == (1, 0), upload.preview
    # Another name with the same masked ID: not this person.
    assert "未找到姓名与脱敏身份证号相符" in errors(receive(world.unit_u1, tick(masked, {"B5": "李四"})))[0]
    # Out of scope: U2 cannot reach U1's person by the same masked row.
    assert "未找到" in errors(receive(world.unit_u2, masked))[0]
    # A star pattern that is not the export's mask is refused.
    assert "脱敏号码须与导出的花名表一致" in errors(receive(world.unit_u1, tick(
        masked, {"C5": "1401**********2355"})))[0]
    # Another 张三 of the unit born on another day, same region and last 4: ambiguous.
    twin_id = next(i for i in (make_id(region="140105", birth=date(1990, 1, 1) + timedelta(d),
                                       seq="235") for d in range(400))
                   if mask_id(i) == mask_id(OWN_ID) and i != OWN_ID)
    twin = register(world.unit_u1, name="张三", sex="男", id_number=twin_id)
    candidacy_open(person=twin, project=world.project_a1, actor=world.unit_u1, on=date(2026, 3, 2))
    assert "有2人姓名与脱敏身份证号相同" in errors(receive(world.unit_u1, masked))[0]


def _through_contract(world):
    for stage in (Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW):
        candidacy_record(world.cand_ty, stage=stage, result=Result.PASS, on=date(2026, 3, 5),
                         actor=world.unit_u1)
    candidacy_record(world.cand_ty, stage=Stage.CONTRACT, result=Result.SIGNED,
                     on=date(2026, 3, 6), actor=world.agency_a1, contract_trade="焊工",
                     contract_term="3年")


def _in_an_opened_class(world):
    """张三's class opened on its plan (1 April) and his hours are recorded."""
    from decimal import Decimal

    from apps.training import services as training
    cls = training.roster_file(world.class_ty, actor=world.unit_u1)
    cls = training.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    training.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 20),
                            rows=[(world.enrolment_ty, Decimal(120), "", "")])


def test_training_passed_needs_its_certificate_said_in_the_preview_not_at_commit(world, client):
    """The preview's verdict is the commit's: the commit's own service is rehearsed."""
    _through_contract(world)
    _in_an_opened_class(world)
    data = tick(exported(client, world.unit_u1, world), {"Q5": "√"})
    upload = receive(world.unit_u1, data, on=date(2026, 4, 20))
    assert upload.status == UploadStatus.PREVIEWED and upload.error_count == 1, upload.preview
    (message,) = errors(upload)
    assert "培训合格证编号" in message and message.startswith("第5行")
    # With the optional column after the official ones, the same tick is recorded.
    data = tick(data, {"AE3": "培训合格证编号", "AE5": "HG-2026-0012"})
    upload = receive(world.unit_u1, data, on=date(2026, 4, 20))
    assert (upload.error_count, upload.update_count) == (0, 1), upload.preview
    events = StageEvent.objects.count()
    upload_commit(upload, actor=world.unit_u1)
    world.cand_ty.refresh_from_db()
    assert (world.cand_ty.stage, world.cand_ty.certificate_no) == (Stage.TRAINING, "HG-2026-0012")
    assert StageEvent.objects.count() == events + 1


def test_the_preview_rehearsal_writes_nothing(world, client):
    events, history = StageEvent.objects.count(), CandidacyHistory.objects.count()
    data = tick(exported(client, world.unit_u1, world), {"D5": "√", "G5": "√"})
    upload = receive(world.unit_u1, data)
    assert upload.update_count == 1
    assert StageEvent.objects.count() == events and CandidacyHistory.objects.count() == history
    world.cand_ty.refresh_from_db()
    assert world.cand_ty.stage == Stage.REGISTERED


def test_corrections_the_roster_cannot_make_are_listed_not_swallowed(world, client):
    _through_contract(world)
    data = tick(exported(client, world.unit_u1, world), {"N5": "电工", "D5": None})
    upload = receive(world.unit_u1, data)
    assert (upload.error_count, upload.unchanged_count) == (0, 1), upload.preview
    warnings = upload.preview[0]["warnings"]
    assert any("“签订合同情况·工种”：表中为“电工”，系统已录入“焊工”" in w and "未予更新" in w
               for w in warnings), warnings
    assert any("“初试情况”：表中未划“√”，系统已录入“合格”" in w for w in warnings), warnings
    world.cand_ty.refresh_from_db()
    assert world.cand_ty.contract_trade == "焊工"
