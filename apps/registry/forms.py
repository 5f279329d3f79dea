from django import forms

from apps.common.forms import ChoicePlaceholder, DateInput
from apps.registry import idnumber
from apps.registry.phones import PhoneError, phone_normalise
from apps.registry.models import (
    Education, Person, PersonCategory, PovertySource, PovertyStatus, VerificationState,
)

# 附件5 order, then the fields the programme adds (category, poverty flag, languages).
PERSON_FIELDS = [
    "name", "sex", "id_number", "phone", "hukou", "health", "marital", "school_major",
    "education", "intended_trade", "languages", "address", "family_name", "family_relation",
    "family_phone", "work_history", "category", "poverty_status", "registered_on",
]


class PersonForm(ChoicePlaceholder, forms.ModelForm):
    """附件5 对外劳务输出人员报名表. Birth date and age come from the ID number."""

    id_number = forms.CharField(label="身份证号", max_length=30,
                                widget=forms.TextInput(attrs={
                                    "autocomplete": "off", "data-id-check": "1",
                                    "inputmode": "text", "spellcheck": "false"}))
    confirm_region = forms.BooleanField(
        label="地区码确认无误", required=False,
        help_text="身份证号前6位不在行政区划代码表中时（如已撤并的县），核对原件后勾选")
    id_copy = forms.FileField(label="身份证复印件（PDF、JPG 或 PNG）", required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "registered_on": DateInput(),
            "work_history": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "family_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            # A city registers for one of its units, or directly for the city.
            self.fields["unit"] = forms.ModelChoiceField(
                label="推荐单位", queryset=units, required=False,
                empty_label="（市人社局直接报名）")
            self.order_fields(["unit"] + PERSON_FIELDS)
        for name in ("marital", "education"):
            self.fields[name].choices = [("", "请选择")] + [c for c in self.fields[name].choices if c[0]]
        if self.instance.pk:
            del self.fields["id_copy"]
            # Never put a full ID or phone number into the page: show it masked and keep
            # the stored value unless a new one is typed.
            for name, masked in (("id_number", self.instance.id_masked),
                                 ("phone", self.instance.phone_masked),
                                 ("family_phone", self.instance.family_phone_masked)):
                self.fields[name].required = False
                self.initial[name] = ""
                if masked:
                    self.fields[name].help_text = f"当前：{masked}。不修改请留空。"
            if self.instance.poverty_verified_on:
                # A verified status changes only by another verification (the service says
                # so too): shown, not editable here.
                field = self.fields["poverty_status"]
                field.disabled = True
                field.help_text = (f"已于{self.instance.poverty_verified_on:%Y-%m-%d}核实；如有变化，"
                                   "请由市人社局在人员页面“核实脱贫状态”中办理。")

    def _kept(self, name):
        """On an edit, a blank sensitive field keeps the stored value."""
        return self.instance.pk and not (self.cleaned_data.get(name) or "").strip()

    def clean_id_number(self):
        if self._kept("id_number"):
            return self.instance.id_number
        raw = self.cleaned_data["id_number"]
        try:
            info = idnumber.parse(raw, min_age=16, max_age=60)
        except idnumber.IdNumberError as error:
            raise forms.ValidationError(error.message)
        self.id_info = info
        return info.number

    def clean_phone(self):
        if self._kept("phone"):
            return self.instance.phone
        return _check_phone(self.cleaned_data["phone"], required=True)

    def clean_family_phone(self):
        if self._kept("family_phone"):
            return self.instance.family_phone
        return _check_phone(self.cleaned_data["family_phone"], required=False)

    def clean(self):
        data = super().clean()
        info = getattr(self, "id_info", None)
        if info is None and self.instance.pk and "sex" in data:
            info = idnumber.parse(self.instance.id_number, min_age=0, max_age=200)
        if info is not None:
            for field, message in idnumber.check_against(info, sex=data.get("sex")).items():
                self.add_error(field, message)
            if (not info.region_known and not data.get("confirm_region")
                    and getattr(self, "id_info", None) is not None):
                self.add_error("id_number", f"身份证号前6位地区码{info.region_code}不在行政区划"
                                            "代码表中，请核对；确认无误请勾选“地区码确认无误”。")
        return data


def _check_phone(value: str, *, required: bool) -> str:
    try:
        number = phone_normalise(value)
    except PhoneError as error:
        raise forms.ValidationError(error.message)
    if not number and required:
        raise forms.ValidationError("请填写联系方式。")
    return number


def priority_field():
    """The filter by seed 003's priority groups, the same on every list of people."""
    return forms.ChoiceField(
        label="脱贫劳动力", required=False,
        choices=[("", "全部"), ("priority", "脱贫劳动力和监测对象")]
        + [c for c in PovertyStatus.choices if c[0]])


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="姓名 / 身份证号 / 手机号", required=False,
                        help_text="姓名从第一个字查起，如“张”或“张三”")
    category = forms.ChoiceField(label="人员类别", required=False,
                                 choices=[("", "全部")] + PersonCategory.choices)
    poverty_status = priority_field()
    verification = forms.ChoiceField(
        label="核实情况", required=False,
        choices=[("", "全部")] + [c for c in VerificationState.choices if c[0]])


class PovertyVerifyForm(forms.Form):
    status = forms.ChoiceField(label="核实结果", choices=PovertyStatus.choices, required=False,
                               help_text="按核实来源中的记录填写；不是脱贫劳动力或监测对象的选“否”")
    source = forms.ChoiceField(label="核实来源", choices=[("", "请选择")] + PovertySource.choices,
                               error_messages={"required": "请选择核实来源。"})
    verified_on = forms.DateField(label="核实日期", widget=DateInput(),
                                  error_messages={"required": "请填写核实日期。",
                                                  "invalid": "核实日期格式不正确。"})
    note = forms.CharField(label="备注", max_length=200, required=False,
                           help_text="如：县扶贫办比对批次、系统查询截图编号")


class ReserveFilterForm(forms.Form):
    trade = forms.CharField(label="拟就业工种", required=False)
    education = forms.ChoiceField(label="学历", required=False,
                                  choices=[("", "全部")] + Education.choices)
    language = forms.CharField(label="外语", required=False)
    city = forms.ModelChoiceField(label="地市", required=False, queryset=None,
                                  empty_label="全部地市")
    poverty_status = priority_field()
    order = forms.ChoiceField(label="排序", required=False,
                              choices=[("", "登记时间（新的在前）"),
                                       ("priority", "脱贫劳动力优先（已核实的在前）")])

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "身份证号"), ("phone", "联系方式"),
                                       ("family_phone", "家庭联系人联系方式"),
                                       ("passport_no", "护照号")])


class PersonTransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(label="转入单位", queryset=None, empty_label="请选择",
                                     error_messages={"required": "请选择转入单位。"})
    reason = forms.CharField(label="转移原因", max_length=200,
                             error_messages={"required": "请填写转移原因。"},
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="如：本人申请改由户籍地单位推荐；原单位停止招生")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units
        self.fields["to_unit"].label_from_instance = lambda u: f"{u.city.name} · {u.name}"
