"""Forms of the administrators' console. Plain forms: the services decide and save."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from apps.common.forms import ChoicePlaceholder
from apps.accounts.models import ADMIN_ROLES, Role

# The system administrator gives business roles only (administrators are made on the server).
BUSINESS_ROLES = [(value, label) for value, label in Role.choices if value not in ADMIN_ROLES]


class AccountForm(ChoicePlaceholder, forms.Form):
    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 @ . + - _。"})
    first_name = forms.CharField(label="姓名", max_length=150)
    email = forms.EmailField(label="电子邮箱", required=False,
                             help_text="用于接收报送期限提醒")
    role = forms.ChoiceField(label="角色", choices=[("", "请选择")] + BUSINESS_ROLES)
    city = forms.ModelChoiceField(label="所属地市", queryset=None, required=False)
    unit = forms.ModelChoiceField(label="所属组织单位", queryset=None, required=False)
    agency = forms.ModelChoiceField(label="所属输出机构", queryset=None, required=False)
    department = forms.CharField(label="所在部门", max_length=100, required=False,
                                 help_text="观察账号所属厅局，如：商务厅")

    def __init__(self, *args, cities, units, agencies, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities
        self.fields["unit"].queryset = units
        self.fields["agency"].queryset = agencies
        if creating:
            self.fields["password1"] = forms.CharField(label="初始密码", strip=False,
                                                       widget=forms.PasswordInput)
            self.fields["password2"] = forms.CharField(label="再次输入初始密码", strip=False,
                                                       widget=forms.PasswordInput)
        else:
            del self.fields["username"]

    def clean(self):
        data = super().clean()
        if "password1" in self.fields and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class PasswordResetForm(forms.Form):
    password1 = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="再次输入新密码", strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class AccountFilterForm(forms.Form):
    q = forms.CharField(label="用户名或姓名", required=False)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部")] + Role.choices)
    active = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), ("1", "启用"), ("0", "停用")])


class LoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.scope_authorised:
            raise ValidationError("该账号的角色和所属单位尚待安全管理员授权，暂不能登录。",
                                  code="unauthorised")
