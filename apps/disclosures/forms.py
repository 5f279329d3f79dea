from django import forms

from apps.disclosures.models import Purpose


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        return f"{person.name}（{person.id_masked}）"


class DisclosureRequestForm(forms.Form):
    purpose = forms.ChoiceField(label="用途", choices=[("", "请选择")] + Purpose.choices,
                                error_messages={"required": "请选择用途。",
                                                "invalid_choice": "请从列表中选择用途。"})
    purpose_text = forms.CharField(
        label="用途说明", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="写明具体事由，如办理日本签证、在某医院出境体检；将记入审计日志。",
        error_messages={"required": "请说明用途。", "max_length": "用途说明最多200字。"})
    people = PeopleField(
        label="人员", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一人。",
                        "invalid_choice": "所选人员不在本表中，或您无权导出其完整号码。",
                        "invalid_pk_value": "人员编号不正确。"})

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people


class DisclosureDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", widget=forms.RadioSelect,
                                 choices=[("approve", "批准"), ("refuse", "拒绝")],
                                 error_messages={"required": "请选择批准或拒绝。"})
    reason = forms.CharField(label="审批意见", required=False, max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"max_length": "审批意见最多200字。"})
