from django import forms

from apps.common.forms import DateInput


class EnterYearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    source = forms.CharField(label="依据", max_length=200, required=False,
                             help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    arrangement = forms.CharField(
        label="放假与调休安排", widget=forms.Textarea(attrs={"rows": 14}),
        help_text="每行一项：“2027-01-01 放假 元旦”、“2027-10-01 至 2027-10-07 放假 国庆节”、"
                  "“2027-09-26 上班 国庆节调休”。周末只需写调休上班的日子。")


class CountForm(forms.Form):
    start = forms.DateField(label="自", widget=DateInput())
    days = forms.IntegerField(label="工作日数", min_value=1, max_value=200, initial=5)
