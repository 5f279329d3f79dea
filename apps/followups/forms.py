from django import forms

from apps.common.forms import ChoicePlaceholder, DateInput
from apps.followups.models import IssueKind, PlanStatus, VisitMode


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部计划"), *PlanStatus.choices])
    agency = forms.ModelChoiceField(label="输出机构", required=False, queryset=None,
                                    empty_label="全部机构")
    q = forms.CharField(label="项目名称", required=False, max_length=50)
    flagged = forms.BooleanField(label="只看未指定专人", required=False)
    overdue = forms.BooleanField(label="只看逾期未随访", required=False)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class SettingsForm(forms.Form):
    plan_at = forms.IntegerField(label="建立随访计划的在外人数", min_value=1, max_value=100000,
                                 error_messages={"required": "请填写建立随访计划的在外人数。",
                                                 "invalid": "建立随访计划的在外人数须为整数。"})
    officer_at = forms.IntegerField(label="须指定专人的在外人数", min_value=1, max_value=100000,
                                    error_messages={"required": "请填写须指定专人的在外人数。",
                                                    "invalid": "须指定专人的在外人数须为整数。"})
    interval_days = forms.IntegerField(
        label="随访间隔（自然日）", min_value=1, max_value=365,
        help_text="上次随访（或计划开始）之后第N个自然日24时前须完成下一次随访",
        error_messages={"required": "请填写随访间隔。", "invalid": "随访间隔须为整数。"})


class OfficerForm(ChoicePlaceholder, forms.Form):
    officer = forms.ModelChoiceField(label="随访专人", queryset=None,
                                     error_messages={"required": "请选择随访专人。",
                                                     "invalid_choice": "所选随访专人不在可选范围内。"})

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class WorkerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, c):
        where = c.unit.name if c.unit_id else c.city.name
        return f"{c.person.name}（{where}，{c.departed_on:%Y-%m-%d}出境）" if c.departed_on \
            else f"{c.person.name}（{where}）"


class VisitForm(ChoicePlaceholder, forms.Form):
    """A visit. ``workers`` are the project's people abroad shown as choices; ``candidacies``
    every record the user may see, so that a posted person who is not abroad on the project
    is named in the refusal (the service decides), and one the user may not see is not."""

    number = forms.IntegerField(widget=forms.HiddenInput)
    visited_on = forms.DateField(label="随访日期", widget=DateInput,
                                 error_messages={"required": "请填写随访日期。",
                                                 "invalid": "随访日期格式不正确。"})
    mode = forms.ChoiceField(label="随访方式", choices=VisitMode.choices,
                             error_messages={"required": "请选择随访方式。"})
    officer = forms.ModelChoiceField(label="随访人（账号）", queryset=None, required=False,
                                     empty_label="不选择账号",
                                     error_messages={"invalid_choice": "所选随访人账号不在可选范围内。"})
    officer_name = forms.CharField(label="随访人姓名", max_length=50, required=False,
                                   help_text="未选择账号时必填；选择账号后默认为该账号姓名")
    workers = WorkerChoice(label="联系的在外人员", queryset=None,
                           widget=forms.CheckboxSelectMultiple,
                           error_messages={"required": "请至少选择一名联系的在外人员。",
                                           "invalid_choice": "所选人员（编号 %(value)s）不是本项目的在外人员。",
                                           "invalid_pk_value": "人员编号“%(pk)s”无效。"})
    note = forms.CharField(label="随访情况", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, workers, candidacies, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        field = self.fields["workers"]
        field.queryset = candidacies.select_related("person", "unit", "city")
        # Shown: the people abroad on the project; accepted for checking: any visible record.
        field.widget.choices = [(c.pk, field.label_from_instance(c)) for c in workers]


class IssueForm(ChoicePlaceholder, forms.Form):
    description = forms.CharField(label="发现的问题", max_length=500, required=False)
    kind = forms.ChoiceField(label="问题类型", choices=IssueKind.choices, initial=IssueKind.NONE,
                             required=False)
    action_taken = forms.CharField(label="处理措施", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("description") and (data.get("action_taken") or
                                             data.get("kind") not in ("", IssueKind.NONE)):
            self.add_error("description", "请填写发现的问题。")
        return data


IssueFormSet = forms.formset_factory(IssueForm, extra=3, max_num=20, validate_max=True)
