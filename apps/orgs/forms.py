from django import forms

from apps.common.files import document_accept
from apps.common.forms import ChoicePlaceholder, DateInput
from apps.orgs.models import Agency, AgencyStatus, City, FilingStatus, OrganisingUnit


class DocumentField(forms.FileField):
    """A scan or PDF, checked by content (apps.common.files): cleaned data is what to store."""

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        return document_accept(data) if data else data


def normalise_code(value: str) -> str:
    # Users paste codes with spaces and full-width characters from Word documents.
    value = value.strip().upper().replace(" ", "")
    return value.translate({0xFF10 + i: 0x30 + i for i in range(10)} | {
        0xFF21 + i: 0x41 + i for i in range(26)})


class CityServiceOrgForm(forms.ModelForm):
    class Meta:
        model = City
        fields = ["service_org_name", "service_contact", "service_phone"]


class UnitForm(ChoicePlaceholder, forms.ModelForm):
    class Meta:
        model = OrganisingUnit
        fields = ["name", "category", "city", "contact_person", "contact_phone", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].empty_label = "请选择地市"


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "credit_code", "licence_no", "licence_valid_until", "home_province",
                  "batch", "seq", "contact_person", "contact_phone", "note"]
        widgets = {"licence_valid_until": DateInput()}

    def clean_credit_code(self):
        return normalise_code(self.cleaned_data["credit_code"])


class AgencyStatusForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=AgencyStatus.choices)


class CooperationForm(forms.Form):
    agency = forms.ModelChoiceField(label="输出机构", queryset=Agency.objects.none(),
                                    empty_label="请选择输出机构")
    signed_on = forms.DateField(label="协议签订日期", required=False,
                                widget=DateInput())
    agreement = DocumentField(label="对外劳务输出合作协议（PDF/JPG/PNG）", required=False)

    def __init__(self, *args, agencies, owner_field=None, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if owner_field:
            # Province (or a city choosing for one of its units) says whose pairing it is.
            label, queryset = owners
            self.fields[owner_field] = forms.ModelChoiceField(label=label, queryset=queryset,
                                                              empty_label="请选择")
            self.order_fields([owner_field, "agency", "signed_on", "agreement"])


class UnitFilingForm(ChoicePlaceholder, forms.ModelForm):
    reason = forms.CharField(label="考察情况及理由", widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = OrganisingUnit
        fields = ["name", "category", "contact_person", "contact_phone"]


class AgencyFilingForm(forms.ModelForm):
    reason = forms.CharField(label="考察情况及理由", widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = Agency
        fields = ["name", "credit_code", "licence_no", "licence_valid_until", "home_province",
                  "contact_person", "contact_phone"]
        widgets = {"licence_valid_until": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A city may only file a licensed company: both identifiers are required.
        for name in ("credit_code", "licence_no", "licence_valid_until"):
            self.fields[name].required = True

    def clean_credit_code(self):
        return normalise_code(self.cleaned_data["credit_code"])


class FilingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结果", widget=forms.RadioSelect,
        choices=[(FilingStatus.APPROVED, "同意备案"), (FilingStatus.REFUSED, "不予备案")],
    )
    note = forms.CharField(label="审批意见", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class UnitFilterForm(forms.Form):
    q = forms.CharField(label="名称", required=False)
    category = forms.ChoiceField(label="类别", required=False)
    city = forms.ModelChoiceField(label="地市", required=False, queryset=City.objects.none(),
                                  empty_label="全部地市")
    filing_status = forms.ChoiceField(label="备案状态", required=False,
                                      choices=[("", "全部")] + FilingStatus.choices)

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.orgs.models import UnitCategory
        self.fields["category"].choices = [("", "全部类别")] + UnitCategory.choices
        self.fields["city"].queryset = cities


class AgencyFilterForm(forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False)
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部状态")] + AgencyStatus.choices)


class ReferenceUploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类型")
    file = forms.FileField(label="文件（.xlsx 或 .csv，可用本页导出的文件修改后导入）")

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
