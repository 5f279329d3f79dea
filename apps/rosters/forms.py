from django import forms

from apps.rosters.models import UploadKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="名册类型", choices=UploadKind.choices)
    file = forms.FileField(label="文件（.xlsx 或 .csv，CSV 可为 UTF-8 或 GB18030 编码）")
