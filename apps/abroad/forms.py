from django import forms
from django.utils import timezone

from apps.abroad.selectors import State
from apps.common.forms import DateInput, OrgFilterForm, QuickSelect
from apps.pipeline.forms import country_field, set_countries


class RegisterFilterForm(OrgFilterForm):
    state = forms.ChoiceField(label="状态", required=False, widget=QuickSelect, choices=[
        ("", "全部在外人员"), (State.OVERDUE, "已超期未归国"), (State.ENDING, "90天内到期")])
    project = forms.ModelChoiceField(label="岗位项目", required=False, queryset=None,
                                     empty_label="全部项目",
                                     widget=QuickSelect(cache_options=True))
    country = country_field()

    field_order = ["state", "city", "unit", "agency", "project", "country"]

    def __init__(self, *args, user, projects, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["project"].queryset = projects
        set_countries(self)


class FiguresForm(forms.Form):
    day = forms.DateField(label="统计日期", required=False, widget=DateInput(),
                          help_text="按出境和归国日期计算当日在外人数，可选过去任一日期")

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("统计日期不能晚于今天。")
        return day
