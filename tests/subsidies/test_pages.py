"""What users see: the 出国 claim from filing to payment in the pages, the 附件8 print and
xlsx, budgets, and query counts that do not grow."""
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.subsidies.models import Claim
from tests.subsidies.test_claims import BANK, file_departure


def test_a_departure_claim_from_filing_to_payment(world, departed, client):
    cls, group = departed
    client.force_login(world.unit_u1)
    response = client.post(reverse("subsidies:claim_create"), {
        "phase": "departure", "training_class": cls.pk, **BANK}, follow=True)
    body = response.content.decode()
    claim = response.context["claim"]
    assert "合计 12000.00 元" in body and group[0].person.name in body
    assert group[2].person.name not in body  # failed training, never departed
    client.post(reverse("subsidies:claim_action", args=[claim.pk, "submit"]))
    client.force_login(world.city_ty)
    queue = {e.label: e.count for e in client.get(reverse("accounts:home")).context["queue"]}
    assert queue["待审核补助资金申请"] == 1
    page = client.get(reverse("subsidies:claim_detail", args=[claim.pk])).content.decode()
    assert "审核通过" in page and "审批通过" not in page
    client.post(reverse("subsidies:claim_action", args=[claim.pk, "review"]), {"reason": "属实"})
    client.force_login(world.province)
    client.post(reverse("subsidies:claim_action", args=[claim.pk, "approve"]))
    response = client.post(reverse("subsidies:claim_action", args=[claim.pk, "pay"]),
                           {"paid_on": f"{timezone.localdate()}", "voucher_no": "晋财2026-003"}, follow=True)
    body = response.content.decode()
    assert "已拨付" in body and "凭证号 晋财2026-003" in body
    assert [s.action for s in response.context["steps"]] == ["submit", "review", "approve", "pay"]
    # A second claim for the same people is refused, saying why.
    client.force_login(world.unit_u1)
    response = client.post(reverse("subsidies:claim_create"), {
        "phase": "departure", "training_class": cls.pk, **BANK})
    assert "没有可以申请该阶段资金的人员（或均已申请过）" in response.content.decode()
    assert Claim.objects.filter(unit=world.u1, phase="departure").count() == 2  # world's + this


def test_form8_prints_and_exports_in_the_seed_layout(world, departed, client):
    claim = file_departure(world, departed[0])
    client.force_login(world.unit_u1)
    ws = load_workbook(io.BytesIO(client.get(
        reverse("subsidies:export_form8", args=[claim.pk])).content)).active
    assert ws["A1"].value == "对外劳务输出补助资金申请表"
    # The seed's header: 资金类别 over three columns, 申请金额, the 资金组成说明 group.
    assert (ws["A3"].value, ws["D3"].value, ws["E3"].value) == ("资金类别", "申请金额（单位：元）",
                                                             "资金组成说明")
    assert [ws.cell(4, c).value for c in (5, 6, 7)] == ["人数", "标准（元/人）", "备注"]
    assert {"A3:C4", "D3:D4", "E3:G3"} <= {str(r) for r in ws.merged_cells.ranges}
    assert [ws[f"A{r}"].value for r in (5, 10, 12)] == ["开班", "结业", "出国"]
    assert ws["B5"].value == "未参训学员培训前面试体检费用" and ws["C7"].value == "复试"
    assert (ws["B13"].value, ws["D13"].value, ws["E13"].value, ws["F13"].value) == (
        "出国费用", 6000, 2, 3000)
    # Amounts are numbers shown with two decimals, as the form is filled.
    assert ws["D13"].number_format == ws["F13"].number_format == "#,##0.00"
    assert {"A5:A9", "B5:B7", "A12:A14"} <= {str(r) for r in ws.merged_cells.ranges}
    assert "就业专项：10,000.00 元" in ws["B15"].value and "技能专账：2,000.00 元" in ws["B15"].value
    body = client.get(reverse("subsidies:print_form8", args=[claim.pk])).content.decode()
    # Typed "6216 6000 0000 1234": kept as the account's digits (subsidies.services.bank_account).
    assert "山西大学（盖章）" in body and "6216600000001234" in body
    assert "资金组成说明" in body and "6000.00" in body


def test_budgets_page_files_and_totals(world, client):
    from django.utils import timezone
    from apps.subsidies.models import Budget
    next_year = timezone.localdate().year + 1
    Budget.objects.all().delete()
    client.force_login(world.unit_u1)
    client.post(reverse("subsidies:budget_list"), {"planned_people": 40, "amount": "400000"})
    client.force_login(world.city_ty)
    client.post(reverse("subsidies:budget_list"), {"planned_people": 160, "amount": "1600000"})
    client.force_login(world.province)
    response = client.get(reverse("subsidies:budget_list"), {"year": next_year})
    totals = response.context["totals"]
    assert (totals["cities"]["amount"], totals["units"]["amount"]) == (1600000, 400000)
    assert "山西大学" in response.content.decode()


def test_claim_pages_keep_their_query_count(world, departed, client, django_assert_max_num_queries):
    claim = file_departure(world, departed[0])
    client.force_login(world.unit_u1)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("subsidies:claim_list")).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("subsidies:claim_detail", args=[claim.pk])).status_code == 200
