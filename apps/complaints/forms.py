from decimal import Decimal

from django import forms

from apps.common.forms import ChoicePlaceholder, DateInput
from apps.complaints.models import (
    Category, Channel, ClaimKind, Complaint, Level, Outcome, Respondent, State,
)
from apps.outages.forms import paper_form_no_field

CLAIM_ROWS = 3


class RespondentFields(ChoicePlaceholder, forms.Form):
    respondent_kind = forms.ChoiceField(label="被投诉方类型", choices=Respondent.choices)
    respondent_agency = forms.ModelChoiceField(label="被投诉输出机构", required=False,
                                               queryset=None)
    respondent_unit = forms.ModelChoiceField(label="被投诉组织单位", required=False,
                                             queryset=None)
    respondent_employer = forms.CharField(label="外方用工企业名称", required=False,
                                          max_length=100)

    def __init__(self, *args, agencies, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent_agency"].queryset = agencies
        self.fields["respondent_unit"].queryset = units

    def clean(self):
        data = super().clean()
        kind = data.get("respondent_kind")
        if kind == Respondent.AGENCY and not data.get("respondent_agency"):
            self.add_error("respondent_agency", "被投诉方为输出机构时，请选择输出机构。")
        if kind == Respondent.UNIT and not data.get("respondent_unit"):
            self.add_error("respondent_unit", "被投诉方为组织单位时，请选择组织单位。")
        if kind == Respondent.EMPLOYER and not (data.get("respondent_employer") or "").strip():
            self.add_error("respondent_employer", "被投诉方为外方用工企业时，请填写企业名称。")
        return data


class ComplaintForm(RespondentFields):
    """登记投诉纠纷: the worker among the departed people the filer may see."""
    candidacy = forms.ModelChoiceField(label="劳务人员", queryset=None)
    channel = forms.ChoiceField(label="来源渠道", choices=Channel.choices)
    received_on = forms.DateField(label="收到日期", widget=DateInput())
    kind = forms.ChoiceField(label="类型", choices=Complaint._meta.get_field("kind").choices)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    summary = forms.CharField(label="事由及诉求", widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=2000)
    sensitive = forms.BooleanField(label="敏感案件（仅指定经办人和登记人可见）", required=False)

    field_order = ["candidacy", "channel", "received_on", "kind", "category", "respondent_kind",
                   "respondent_agency", "respondent_unit", "respondent_employer", "summary"]

    def __init__(self, *args, candidacies, agencies, units, **kwargs):
        super().__init__(*args, agencies=agencies, units=units, **kwargs)
        self.fields["candidacy"].queryset = candidacies
        self.fields["candidacy"].label_from_instance = (
            lambda c: f"{c.person.name}（{c.project.name}，{c.departed_on or '—'}出境）")
        for n in range(1, CLAIM_ROWS + 1):
            self.fields[f"claim{n}_kind"] = forms.ChoiceField(
                label=f"诉求{n}类型", required=False, choices=[("", "无")] + ClaimKind.choices)
            self.fields[f"claim{n}_amount"] = forms.DecimalField(
                label=f"诉求{n}金额（元）", required=False, min_value=Decimal("0"),
                max_digits=12, decimal_places=2,
                error_messages={"min_value": "诉求金额不能为负数。"})

    def clean(self):
        data = super().clean()
        for n in range(1, CLAIM_ROWS + 1):
            kind, amount = data.get(f"claim{n}_kind"), data.get(f"claim{n}_amount")
            if kind and amount is None and f"claim{n}_amount" not in self.errors:
                self.add_error(f"claim{n}_amount", f"请填写诉求{n}的金额。")
            if amount is not None and not kind:
                self.add_error(f"claim{n}_kind", f"请选择诉求{n}的类型。")
        return data

    def claims(self):
        data = self.cleaned_data
        return [(data[f"claim{n}_kind"], data[f"claim{n}_amount"], "")
                for n in range(1, CLAIM_ROWS + 1) if data.get(f"claim{n}_kind")]


class EditForm(RespondentFields):
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    reason = forms.CharField(label="修改原因", max_length=200)

    field_order = ["category", "respondent_kind", "respondent_agency", "respondent_unit",
                   "respondent_employer", "reason"]


class DatedForm(forms.Form):
    on = forms.DateField(label="日期", widget=DateInput())


class NoteForm(DatedForm):
    note = forms.CharField(label="说明", required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(DatedForm):
    reason = forms.CharField(label="原因", max_length=200,
                             error_messages={"required": "请填写原因。"})


class ReplyForm(DatedForm):
    text = forms.CharField(label="答复内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": "请填写答复内容。"})
    paper_form_no = paper_form_no_field()


class ResolveForm(ChoicePlaceholder, NoteForm):
    outcome = forms.ChoiceField(label="办理结果", choices=[("", "请选择")] + Outcome.choices)
    amount_recovered = forms.DecimalField(label="挽回金额（元）", min_value=Decimal("0"),
                                          max_digits=12, decimal_places=2, initial=0,
                                          error_messages={"min_value": "挽回金额不能为负数。"})

    paper_form_no = paper_form_no_field()

    field_order = ["on", "outcome", "amount_recovered", "note", "paper_form_no"]


class OfficersForm(forms.Form):
    sensitive = forms.BooleanField(label="敏感案件（仅指定经办人和登记人可见）", required=False)
    officers = forms.ModelMultipleChoiceField(label="指定经办人", required=False, queryset=None,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = users
        self.fields["officers"].label_from_instance = lambda u: u.first_name or u.username


class EvidenceForm(forms.Form):
    description = forms.CharField(label="材料说明", max_length=100)
    file = forms.FileField(label="文件（PDF、JPG 或 PNG）")


class FilterForm(ChoicePlaceholder, forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + State.choices)
    level = forms.ChoiceField(label="办理层级", required=False,
                              choices=[("", "全部层级")] + Level.choices)
    respondent_kind = forms.ChoiceField(label="被投诉方", required=False,
                                        choices=[("", "全部")] + Respondent.choices)
    overdue = forms.ChoiceField(label="逾期", required=False,
                                choices=[("", "全部"), ("1", "仅逾期")])
