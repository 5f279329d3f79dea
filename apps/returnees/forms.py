from django import forms
from django.utils import timezone

from apps.common.forms import DateInput
from apps.returnees.models import GoAgain, Referral, ReferralStatus, ReturneeProfile, Support
from apps.returnees.services import MOVES


class ProfileForm(forms.ModelForm):
    support_wanted = forms.MultipleChoiceField(label="希望得到的服务", required=False,
                                               choices=Support.choices,
                                               widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ReturneeProfile
        fields = ["occupation_abroad", "countries", "years_abroad", "certificates", "skills",
                  "language", "go_again", "go_again_country", "support_wanted",
                  "consent_contact", "consent_on", "note"]
        widgets = {"consent_on": DateInput(), "go_again": forms.RadioSelect}
        help_texts = {"occupation_abroad": "已按出国记录预填，请核对",
                      "go_again_country": "愿意再次出国时填写",
                      "consent_on": "本人同意时填写同意的日期"}

    # The version the page showed ("" before the first save): an older page is refused.
    expected = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["go_again"].choices = GoAgain.choices
        self.fields["expected"].initial = self.instance.version if self.instance.pk else ""

    def clean_expected(self):
        # Absent (a page from before this field): not checked; "" is "no profile shown".
        return self.cleaned_data["expected"] if "expected" in self.data else None


class FilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False)
    go_again = forms.ChoiceField(label="再次出国意愿", required=False,
                                 choices=[("", "全部")] + GoAgain.choices)
    support = forms.ChoiceField(label="希望得到的服务", required=False,
                                choices=[("", "全部")] + Support.choices)
    consent = forms.BooleanField(label="只看同意联系的", required=False)


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["service", "provider", "referred_on", "note"]
        widgets = {"referred_on": DateInput()}
        help_texts = {"provider": "如：某区公共就业服务中心、某职业技能鉴定所、法律援助中心"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "请选择")] + Support.choices
        self.fields["referred_on"].initial = timezone.localdate


class MoveForm(forms.Form):
    expected = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="新状态")
    on = forms.DateField(label="日期", widget=DateInput(), initial=timezone.localdate)
    outcome = forms.CharField(label="服务结果", required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="办结时必填：安排就业的单位、取得的证书，或未获得服务的原因")

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        # The page offers the moves allowed now; a posted one is judged by the service (a
        # replay after another move is told so, not "invalid choice").
        allowed = MOVES.get(referral.status, set()) if not self.is_bound else set().union(
            *MOVES.values())
        self.fields["status"].choices = [(s.value, s.label) for s in ReferralStatus
                                         if s in allowed]
        self.fields["expected"].initial = referral.status
