from django import forms

from django.core.exceptions import ValidationError

from apps.audit.models import AuditAction
from apps.audit.selectors import TEXT_SEARCH_DAYS, text_search_range
from apps.common.forms import DateInput


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="类型", required=False,
                               choices=[("", "全部")] + AuditAction.choices)
    username = forms.CharField(label="操作人（用户名）", required=False, max_length=150)
    since = forms.DateField(label="自", required=False, widget=DateInput())
    until = forms.DateField(label="至", required=False, widget=DateInput())
    text = forms.CharField(label="内容", required=False, max_length=100,
                           help_text=f"按内容查找限于{TEXT_SEARCH_DAYS}天以内的日期范围；"
                                     f"未选日期时查找最近{TEXT_SEARCH_DAYS}天")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "结束日期不能早于开始日期。")
        elif data.get("text"):
            try:
                text_search_range(data.get("since"), data.get("until"))
            except ValidationError as error:
                self.add_error(None, error)
        return data

    def describe(self) -> str:
        """The filters in words, for the export's own audit row."""
        if not self.is_valid():
            return "无"
        labels = {name: field.label for name, field in self.fields.items()}
        parts = [f"{labels[k]}={v}" for k, v in self.cleaned_data.items() if v]
        return "，".join(parts) or "无"
