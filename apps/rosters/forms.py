from django import forms
from django.utils import timezone

from apps.common.forms import DateInput
from apps.rosters.models import REFERENCE_KINDS, UploadKind


class UploadForm(forms.Form):
    # Reference data is imported on the province's own page (orgs:reference_data).
    kind = forms.ChoiceField(label="名册类型", choices=[
        c for c in UploadKind.choices if c[0] not in REFERENCE_KINDS])
    file = forms.FileField(label="文件（.xlsx 或 .csv，CSV 可为 UTF-8 或 GB18030 编码）")
    stage_date = forms.DateField(label="环节日期（仅花名表）", initial=timezone.localdate,
                                 required=False, widget=DateInput(),
                                 help_text="花名表中新划“√”的初试、体检、复试、合同、培训结果的发生日期")
    training_class = forms.ModelChoiceField(label="非建制班（仅附件9）", queryset=None,
                                            required=False, empty_label="（不适用）",
                                            help_text="非建制班人员花名表导入后，名单上的人员加入所选班级")

    def __init__(self, *args, standing_classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = standing_classes

    def clean(self):
        data = super().clean()
        if data.get("kind") == UploadKind.STANDING_CLASS and not data.get("training_class"):
            self.add_error("training_class", "上传非建制班人员花名表（附件9）须选择非建制班。")
        return data
