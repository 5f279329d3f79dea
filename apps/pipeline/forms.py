from django import forms
from django.utils import timezone

from apps.common.forms import ChoicePlaceholder, DateInput, QuickSelect
from apps.registry.forms import priority_field

from apps.outages.forms import paper_form_no_field
from apps.pipeline import transitions
from apps.pipeline.models import DETAIL_CHOICES, DETAIL_LABELS, Result, Session, Stage
from apps.pipeline.returns import OWED_MAX


# The detail inputs each stage's form shows.
STAGE_DETAILS = {
    Stage.FIRST_INTERVIEW: [],
    Stage.MEDICAL: ["hospital"],
    Stage.SECOND_INTERVIEW: [],
    Stage.CONTRACT: ["contract_trade", "contract_term", "service_fee", "loan_applied"],
    Stage.TRAINING: ["certificate_no"],
    Stage.DEPARTURE: ["passport_no", "residence_status_no", "country", "departure_trade",
                      "employer", "not_departed_reason"],
    Stage.RETURN: ["return_kind", "return_cause", "return_reason", "owed_wages", "owed_deposit",
                   "return_reported_by", "return_verified_by", "return_phone"],
}
DETAIL_HELP = {
    "return_cause": "仅提前回国填写",
    "return_reason": "如实记录报告的情况；原因为“其他”时必填",
    "owed_wages": "归国时雇主尚未支付的工资；填写后自动登记劳务纠纷",
    "owed_deposit": "尚未退还的押金、保证金；填写后自动登记劳务纠纷",
}


def _detail_field(name):
    if name == "service_fee":
        return forms.DecimalField(label=DETAIL_LABELS[name], required=False, min_value=0,
                                  max_digits=10, decimal_places=2)
    if name == "loan_applied":
        return forms.BooleanField(label=DETAIL_LABELS[name], required=False)
    if name in ("owed_wages", "owed_deposit"):
        return forms.DecimalField(label=DETAIL_LABELS[name], required=False, min_value=0,
                                  max_value=OWED_MAX, max_digits=12, decimal_places=2,
                                  help_text=DETAIL_HELP[name])
    if name in DETAIL_CHOICES:
        # Required by the service (apps.pipeline.returns), which names the missing field.
        return forms.ChoiceField(label=DETAIL_LABELS[name], required=False,
                                 choices=[("", "请选择")] + DETAIL_CHOICES[name].choices,
                                 help_text=DETAIL_HELP.get(name, ""))
    return forms.CharField(label=DETAIL_LABELS[name], required=False, max_length=200,
                           help_text=DETAIL_HELP.get(name, ""))


class RecordForm(forms.Form):
    """Record the next stage of one candidacy; required details are checked by the service."""

    def __init__(self, *args, stage, sessions=None, initial_details=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        # The stage the page was opened for: a replayed or doubled submit (a 补录 above all)
        # is refused instead of being taken for the next stage's result.
        self.fields["expected"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                                  initial=stage)
        self.fields["result"] = forms.ChoiceField(
            label="结果", widget=forms.RadioSelect,
            choices=[(r.value, r.label) for r in transitions.RESULTS[stage]])
        self.fields["happened_on"] = forms.DateField(
            label=f"{Stage(stage).label}日期", initial=timezone.localdate,
            widget=DateInput())
        if sessions is not None and stage in transitions.SESSION_STAGES:
            self.fields["session"] = forms.ModelChoiceField(
                label="场次", queryset=sessions, required=False, empty_label="（不属于某一场次）")
        for name in STAGE_DETAILS[stage] + ["note"]:
            self.fields[name] = _detail_field(name)
            if initial_details and name in initial_details:
                self.fields[name].initial = initial_details[name]
        self.fields["gap_reason"] = forms.CharField(
            label="间隔超限说明", required=False, max_length=300,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="仅当本环节日期距上一环节超过省定上限时需要填写：说明原因，记入该人员的记录")
        self.fields["paper_form_no"] = paper_form_no_field()

    def details(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in STAGE_DETAILS[self.stage] + ["note"]
                if name in data and data[name] not in (None, "")}

    def clean(self):
        data = super().clean()
        if data.get("expected") and data["expected"] != self.stage:
            raise forms.ValidationError(
                f"“{Stage(data['expected']).label if data['expected'] in Stage.values else data['expected']}”"
                "已经录入（可能是重复提交），请返回人员页面查看。")
        session = data.get("session")
        if session is not None and data.get("happened_on") != session.held_on:
            data["happened_on"] = session.held_on  # a session's results happen on its date
        return data


class RejoinForm(forms.Form):
    decision = forms.ChoiceField(label="决定", widget=forms.RadioSelect, choices=[
        ("accept", "同意再次报名"), ("refuse", "不同意（终止本次报名）")])
    note = forms.CharField(label="审核意见", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    happened_on = forms.DateField(label="退出日期", initial=timezone.localdate,
                                  widget=DateInput())
    reason = forms.CharField(label="退出原因", widget=forms.Textarea(attrs={"rows": 3}))


class OpenCandidacyForm(forms.Form):
    project = forms.ModelChoiceField(label="岗位项目", queryset=None, empty_label="请选择项目")
    happened_on = forms.DateField(label="报名日期", initial=timezone.localdate,
                                  widget=DateInput())

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class SessionForm(ChoicePlaceholder, forms.ModelForm):
    class Meta:
        model = Session
        fields = ["stage", "project", "held_on", "place", "hospital", "unit"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, projects, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["project"].empty_label = "请选择项目"
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
            self.fields["unit"].empty_label = "（市人社局直接组织）"


def country_field():
    """输出国 as a choice of the countries the records hold (``set_countries``), matched
    exactly by selectors.destination_is."""
    return forms.ChoiceField(label="输出国", required=False, widget=QuickSelect)


def set_countries(form) -> None:
    from apps.pipeline.selectors import destination_countries
    form.fields["country"].choices = [("", "全部国家")] + [
        (c, c) for c in destination_countries()]


class CandidacyFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, help_text="从第一个字查起，如“张”或“张三”")
    stage = forms.ChoiceField(label="环节", required=False, widget=QuickSelect,
                              choices=[("", "全部环节")] + Stage.choices)
    result = forms.ChoiceField(label="结果", required=False, widget=QuickSelect,
                               choices=[("", "全部结果")] + Result.choices)
    status = forms.ChoiceField(label="状态", required=False, widget=QuickSelect)
    unit = forms.ModelChoiceField(label="组织单位", required=False, queryset=None,
                                  empty_label="全部单位", widget=QuickSelect)
    city = forms.ModelChoiceField(label="地市", required=False, queryset=None,
                                  empty_label="全部地市", widget=QuickSelect)
    agency = forms.ModelChoiceField(label="输出机构", required=False, queryset=None,
                                    empty_label="全部机构", widget=QuickSelect)
    country = country_field()
    date_from = forms.DateField(label="环节日期自", required=False,
                                widget=DateInput())
    date_to = forms.DateField(label="至", required=False,
                              widget=DateInput())
    poverty_status = priority_field()
    waiting = forms.BooleanField(label="只看待我录入下一环节的", required=False)

    def __init__(self, *args, units, cities, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.pipeline.models import CandidacyStatus
        self.fields["status"].choices = [("", "全部状态")] + CandidacyStatus.choices
        set_countries(self)
        self.fields["unit"].queryset = units
        self.fields["city"].queryset = cities
        self.fields["agency"].queryset = agencies
