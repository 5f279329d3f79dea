from django import forms

from apps.evidence.models import EvidenceKind


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=EvidenceKind.choices)
    candidacy = forms.ModelChoiceField(label="对应报名记录", queryset=None, required=False,
                                       empty_label="（不对应某次报名）")
    file = forms.FileField(label="文件（PDF、JPG 或 PNG，照片会去除位置等元数据）")

    def __init__(self, *args, candidacies, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidacy"].queryset = candidacies
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
