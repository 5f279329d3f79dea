from django import forms

from apps.abroad.selectors import abroad_register
from apps.common.forms import ChoicePlaceholder
from apps.incidents.models import (
    Category, Grade, Incident, IncidentReport, IncidentStatus,
)
from apps.incidents.services import REPORT_FIELDS, moment_problems
from apps.outages.forms import paper_form_no_field


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker; its value is ISO whatever the locale's format."""
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _moment(label, **kwargs):
    return forms.DateTimeField(label=label, widget=DateTimeInput(),
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                                              "%Y-%m-%dT%H:%M:%S"], **kwargs)


class WorkerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, c):
        country = c.country or c.project.country
        return f"{c.person.name}（{c.agency}，{country}，{c.employer or c.project.name}）"


def _workers_field():
    return WorkerChoiceField(
        label="涉事人员", queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text="从在外人员名册中选择（只列出您可见的已出境、未归国人员）",
        error_messages={"invalid_choice": "所选人员（编号 %(value)s）不在您可见的在外人员名册中。",
                        "required": "请至少选择一名涉事的在外人员。"})


class IncidentFilterForm(ChoicePlaceholder, forms.Form):
    grade = forms.TypedChoiceField(label="等级", required=False, coerce=int, empty_value=None,
                                   choices=[("", "全部等级"), *Grade.choices])
    category = forms.ChoiceField(label="类别", required=False,
                                 choices=[("", "全部类别"), *Category.choices])
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部状态"), *IncidentStatus.choices])
    late = forms.ChoiceField(label="迟报", required=False,
                             choices=[("", "不限"), ("1", "有迟报或逾期未报")])


class IncidentForm(ChoicePlaceholder, forms.ModelForm):
    occurred_at = _moment("发生时间")
    learned_at = _moment("获知时间", help_text="报告时限从获知时间起算")

    class Meta:
        model = Incident
        fields = ["category", "grade", "occurred_at", "learned_at", "country", "place",
                  "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"grade": "初报等级为暂定，由牵头地市（Ⅲ–Ⅳ级）或省专项办（Ⅰ–Ⅱ级）确认"}

    field_order = ["workers", "category", "grade", "occurred_at", "learned_at", "country",
                   "place", "summary"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"] = _workers_field()
        self.fields["workers"].queryset = abroad_register(user)
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        for field, error in moment_problems([
            ("occurred_at", "发生时间", data.get("occurred_at"), None, ""),
            ("learned_at", "获知时间", data.get("learned_at"), data.get("occurred_at"), "发生时间"),
        ]).items():
            self.add_error(field, error)
        return data


class WorkersForm(forms.Form):
    def __init__(self, *args, user, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"] = _workers_field()
        self.fields["workers"].queryset = abroad_register(user).exclude(pk__in=list(exclude))


class ReportForm(forms.ModelForm):
    # The stage the page was opened for: a replay of the same submit is refused.
    expected = forms.CharField(widget=forms.HiddenInput, required=False)
    event_time = _moment("事发时间")
    # 补录 (issue 22): both or neither; the service checks the period.
    paper_at = _moment("补录：纸质报送时间", required=False,
                       help_text="仅在停机停工期间以电话、传真或纸质方式报送、恢复后补录时填写："
                                 "按纸质报送的时间判断是否迟报")
    paper_form_no = paper_form_no_field(help_text="")

    class Meta:
        model = IncidentReport
        fields = list(REPORT_FIELDS)
        widgets = {"measures": forms.Textarea(attrs={"rows": 4}),
                   "requests": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"signed_by": "报告须经报告单位负责人签发，填写其姓名",
                      "nature": "如：劳资纠纷、工伤事故、自然灾害致伤等"}

    def clean_signed_by(self):
        name = self.cleaned_data["signed_by"].strip()
        if not name:
            raise forms.ValidationError("请填写签发人（报告单位负责人）姓名。")
        return name

    def clean(self):
        data = super().clean()
        for field, error in moment_problems(
                [("event_time", "事发时间", data.get("event_time"), None, "")]).items():
            self.add_error(field, error)
        return data


class GradeForm(ChoicePlaceholder, forms.Form):
    grade = forms.TypedChoiceField(label="事件等级", coerce=int, choices=Grade.choices)
    confirm = forms.BooleanField(label="确认等级", required=False,
                                 help_text="牵头地市确认Ⅲ–Ⅳ级，省专项办确认Ⅰ–Ⅱ级；不勾选则为暂定等级")
    reason = forms.CharField(label="理由", max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="调整等级（提升或降低）须填写理由")


class EndForm(forms.Form):
    ended_at = _moment("处置结束时间")


class RuleForm(forms.Form):
    amount = forms.IntegerField(label="时限", min_value=1, max_value=720)

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rule is not None:
            self.fields["amount"] = forms.IntegerField(
                label=f"时限（{rule.unit_label}）", min_value=1,
                max_value=60 if rule.in_working_days else 720,
                help_text=f"{rule.starts_label}多少{rule.unit_label}内报送")
