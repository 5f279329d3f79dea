from django import forms

from apps.common.forms import ChoicePlaceholder, DateInput
from apps.outages.models import LateEntryKind, OutageKind, OutageScope


PAPER_HELP = ("仅在停机停工期间以纸质方式办理、恢复后补录时填写：日期填纸质记录上的实际日期"
              "（须在专项办登记的期间内），按顺延后的期限判断是否按时")


def paper_form_no_field(label="补录：纸质表单编号", help_text=PAPER_HELP):
    """The paper form's number of a 补录, on every form that records one (the service checks
    the rest: ``outages.services.late_entry_check``)."""
    return forms.CharField(label=label, required=False, max_length=50, help_text=help_text,
                           error_messages={"max_length": "纸质表单编号不能超过50个字符。"})


class PeriodForm(ChoicePlaceholder, forms.Form):
    """Declare or correct a period; the rules (dates, scope) are the service's."""

    kind = forms.ChoiceField(label="类型", choices=[("", "请选择"), *OutageKind.choices],
                             error_messages={"required": "请选择期间类型。"})
    reason = forms.CharField(label="原因说明", max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写原因说明。",
                                             "max_length": "原因说明不能超过200个字。"})
    starts_on = forms.DateField(label="开始日期", widget=DateInput(),
                                help_text="可以事后登记：填写实际开始的日期",
                                error_messages={"required": "请填写开始日期。",
                                                "invalid": "开始日期格式不正确。"})
    ends_on = forms.DateField(label="结束日期", required=False, widget=DateInput(),
                              help_text="尚未结束的请不填：期间内的待办暂停计时，结束后再登记结束日期",
                              error_messages={"invalid": "结束日期格式不正确。"})
    scope = forms.ChoiceField(label="范围", choices=OutageScope.choices, widget=forms.RadioSelect,
                              error_messages={"required": "请选择范围。"})
    cities = forms.ModelMultipleChoiceField(label="地市（范围为部分地市时）", queryset=None,
                                            required=False,
                                            widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(label="组织单位（范围为部分单位或机构时）", queryset=None,
                                           required=False, widget=forms.SelectMultiple(
                                               attrs={"size": 8}))
    agencies = forms.ModelMultipleChoiceField(label="输出机构（范围为部分单位或机构时）",
                                              queryset=None, required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args, cities, units, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cities"].queryset = cities
        self.fields["units"].queryset = units
        self.fields["agencies"].queryset = agencies


class CloseForm(forms.Form):
    ends_on = forms.DateField(label="结束日期", widget=DateInput(),
                              help_text="期间的最后一天（当天也不计入报送期限）",
                              error_messages={"required": "请填写结束日期。",
                                              "invalid": "结束日期格式不正确。"})


class LateEntryFilterForm(forms.Form):
    period = forms.ModelChoiceField(label="期间", queryset=None, required=False,
                                    empty_label="全部期间")
    kind = forms.ChoiceField(label="补录事项", required=False,
                             choices=[("", "全部事项"), *LateEntryKind.choices])
    on_time = forms.ChoiceField(label="是否按时", required=False,
                                choices=[("", "全部"), ("yes", "按时"), ("no", "逾期")])

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
