from django import forms

from apps.abroad.selectors import State


class RegisterFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[
        ("", "全部在外人员"), (State.OVERDUE, "已超期未归国"), (State.ENDING, "90天内到期")])
    city = forms.ModelChoiceField(label="地市", required=False, queryset=None,
                                  empty_label="全部地市")
    unit = forms.ModelChoiceField(label="组织单位", required=False, queryset=None,
                                  empty_label="全部单位")
    agency = forms.ModelChoiceField(label="输出机构", required=False, queryset=None,
                                    empty_label="全部机构")
    project = forms.ModelChoiceField(label="岗位项目", required=False, queryset=None,
                                     empty_label="全部项目")
    country = forms.CharField(label="输出国", required=False)

    def __init__(self, *args, cities, units, agencies, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["unit"].queryset = units
        self.fields["agency"].queryset = agencies
        self.fields["project"].queryset = projects
