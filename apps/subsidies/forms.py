from django import forms
from django.utils import timezone

from apps.common.forms import DateInput
from apps.outages.forms import paper_form_no_field
from apps.subsidies.models import STANDARD_ITEMS, Fund, Phase


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(label="开户银行", max_length=100)
    account_name = forms.CharField(label="账户名称", max_length=100)
    account_no = forms.CharField(label="银行账号", max_length=40)
    note = forms.CharField(label="其他说明", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ClaimForm(BankAccountForm):
    # An evaluation reward is asked for from its consequence (BankAccountForm), not here.
    phase = forms.ChoiceField(label="申请阶段",
                              choices=[c for c in Phase.choices if c[0] != Phase.EVALUATION])
    training_class = forms.ModelChoiceField(
        label="培训班", queryset=None, required=False, empty_label="（出国阶段可不选）",
        help_text="开班、结业阶段选强化培训班；非建制班两个阶段选非建制班。"
                  "标准年度按开班、结业或出国的日期自动确定")
    field_order = ["phase", "training_class"]

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = classes


class ReasonForm(forms.Form):
    reason = forms.CharField(label="意见 / 退回原因", max_length=300, required=False)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label="拨付日期", widget=DateInput(), initial=timezone.localdate)
    voucher_no = forms.CharField(label="拨付凭证号", max_length=50)


class LateSubmitForm(forms.Form):
    """补录 of a claim handed in on paper during an outage period (both or neither)."""

    paper_on = forms.DateField(label="纸质提交日期", required=False, widget=DateInput(),
                               error_messages={"invalid": "纸质提交日期格式不正确。"})
    paper_form_no = paper_form_no_field(label="纸质表单编号", help_text="")


class StandardsForm(forms.Form):
    """All items of one year at once: 元/人 and fund per item."""

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        for value, label in STANDARD_ITEMS:
            existing = current.get(value)
            self.fields[f"amount_{value}"] = forms.DecimalField(
                label=label, required=False, min_value=0, max_digits=10, decimal_places=2,
                widget=forms.NumberInput(attrs={"aria-label": f"{label}（元/人）"}),
                initial=existing.amount if existing else None)
            self.fields[f"fund_{value}"] = forms.ChoiceField(
                label=f"{label}的资金渠道", choices=Fund.choices, required=False,
                widget=forms.Select(attrs={"aria-label": f"{label}的资金渠道"}),
                initial=existing.fund if existing else Fund.EMPLOYMENT)

    def rows(self):
        return [(label, self[f"amount_{value}"], self[f"fund_{value}"], self.current.get(value))
                for value, label in STANDARD_ITEMS]


class BudgetForm(forms.Form):
    planned_people = forms.IntegerField(label="计划输出人数", min_value=0)
    amount = forms.DecimalField(label="预算金额（元）", min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label="测算说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
