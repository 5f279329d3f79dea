from django import forms

from apps.common.forms import DateInput
from apps.orgs.forms import DocumentField
from apps.projects.models import JobProject


class ProjectForm(forms.ModelForm):
    class Meta:
        model = JobProject
        fields = ["name", "country", "employer", "trade", "headcount", "requirements", "pay",
                  "hours", "contract_term", "service_fee"]
        widgets = {"requirements": forms.Textarea(attrs={"rows": 3})}

    def clean_headcount(self):
        value = self.cleaned_data["headcount"]
        if not value:
            raise forms.ValidationError("招聘人数须大于 0。")
        return value


class ApproveForm(forms.Form):
    review_no = forms.CharField(label="项目审查表编号", max_length=50)
    review_form = DocumentField(label="商务厅项目审查表（PDF/JPG/PNG）")


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)


class DockForm(forms.Form):
    planned = forms.IntegerField(label="拟推荐人数", min_value=1, required=False)
    signed_on = forms.DateField(label="协议签订日期", required=False, widget=DateInput())
    agreement = DocumentField(label="合作协议（PDF/JPG/PNG）", required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            # A city docks for itself or for one of its units.
            self.fields["unit"] = forms.ModelChoiceField(
                label="组织单位", queryset=units, required=False, empty_label="（本市直接对接）")
            self.order_fields(["unit", "planned", "signed_on", "agreement"])
