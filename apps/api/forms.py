from datetime import timedelta

from django import forms
from django.utils import timezone

from apps.accounts.models import Role
from apps.api.models import Grant
from apps.api.services import CLIENT_ROLES
from apps.common.forms import ChoicePlaceholder, DateInput


class ApiClientForm(ChoicePlaceholder, forms.Form):
    name = forms.CharField(label="客户端名称", max_length=100, help_text="如：商务厅外派劳务系统")
    purpose = forms.CharField(label="用途", max_length=200)
    role = forms.ChoiceField(label="角色", choices=[("", "请选择")] + [
        (r.value, r.label) for r in CLIENT_ROLES])
    city = forms.ModelChoiceField(label="所属地市", queryset=None, required=False)
    unit = forms.ModelChoiceField(label="所属组织单位", queryset=None, required=False)
    agency = forms.ModelChoiceField(label="所属输出机构", queryset=None, required=False)
    grants = forms.MultipleChoiceField(label="授权操作", choices=Grant.choices,
                                       widget=forms.CheckboxSelectMultiple)
    ip_allowlist = forms.CharField(label="允许的来源地址", widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="每行一个 IP 地址或网段，如 10.1.2.3 或 10.1.2.0/24")
    expires_on = forms.DateField(label="有效期至", widget=DateInput(),
                                 help_text="最长一年，到期后密钥失效")
    rate_limit = forms.IntegerField(label="每分钟请求上限", initial=120, min_value=1,
                                    max_value=6000)

    def __init__(self, *args, cities, units, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["unit"].queryset = units
        self.fields["agency"].queryset = agencies
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=180)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="吊销原因", max_length=200)


__all__ = ["ApiClientForm", "RevokeForm", "Role"]
