from django import forms
from django.utils import timezone

from apps.common.forms import DateInput
from apps.rosters.models import UploadKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="名册类型", choices=UploadKind.choices)
    file = forms.FileField(label="文件（.xlsx 或 .csv，CSV 可为 UTF-8 或 GB18030 编码）")
    stage_date = forms.DateField(label="环节日期（仅花名表）", initial=timezone.localdate,
                                 required=False, widget=DateInput(),
                                 help_text="花名表中新划“√”的初试、体检、复试、合同、培训结果的发生日期")
