from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone

from apps.common.forms import DateInput, choice_placeholder
from apps.training.models import ClassKind, SpotCheckOutcome, TrainingClass, TrainingMode


FIELDS = ["kind", "name", "mode", "agency", "commissioned_to", "project", "opens_on",
          "course_starts_on", "ends_on", "first_term_ends_on", "second_term_starts_on",
          "language", "hours_per_week", "place", "courses", "timetable", "remarks"]
DATES = ["opens_on", "course_starts_on", "ends_on", "first_term_ends_on", "second_term_starts_on"]
HELP = {
    "mode": "仅强化培训：单独承担、与输出机构合作或委托培训",
    "agency": "仅“与输出机构合作培训”：本单位的合作输出机构",
    "commissioned_to": "仅“委托培训”",
    "project": "仅强化培训（可选）：只接收该项目的复试合格人员",
    "first_term_ends_on": "仅非建制班：每期两个学期",
    "second_term_starts_on": "仅非建制班",
    "language": "非建制班必填：以输入国语言培训为重点，如：日语",
    "hours_per_week": "非建制班每周不少于2课时",
    "ends_on": "强化培训：培训结束日；非建制班：第二学期结束日",
}


class ClassForm(forms.Form):
    """附件7 and the class's plan. A plain form on the model's fields: which field applies to
    which kind, and every rule, is the service's (its messages name the field)."""

    def __init__(self, *args, agencies, projects, instance=None, editing=False,
                 dates_locked=False, **kwargs):
        if instance is not None:
            kwargs["initial"] = model_to_dict(instance, fields=FIELDS)
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(
            TrainingClass, fields=FIELDS, help_texts=HELP,
            widgets={name: DateInput() for name in DATES} | {
                name: forms.Textarea(attrs={"rows": 2})
                for name in ("courses", "timetable", "remarks")}))
        self.fields["kind"].choices = ClassKind.choices
        self.fields["mode"].choices = [("", "（非建制班不填）")] + TrainingMode.choices
        self.fields["agency"].queryset = agencies
        self.fields["project"].queryset = projects
        drop = []
        if editing:
            drop += ["kind", "mode", "agency", "commissioned_to", "project"]
        if dates_locked:
            drop += ["opens_on", "ends_on", "first_term_ends_on", "second_term_starts_on"]
        for name in drop:
            del self.fields[name]
        choice_placeholder(self)


class OpenForm(forms.Form):
    # No default: the unit states the day the class opened (a default of today is how a class
    # planned for later got opened "today" without anyone being asked).
    on = forms.DateField(label="实际开班日期", widget=DateInput(),
                         error_messages={"required": "请填写实际开班日期。"})


class PlanForm(forms.Form):
    """调整开班计划: the new planned dates and why."""
    opens_on = forms.DateField(label="计划开班时间", widget=DateInput(), required=False)
    course_starts_on = forms.DateField(label="开课时间", widget=DateInput(), required=False)
    ends_on = forms.DateField(label="计划结束时间", widget=DateInput(), required=False)
    first_term_ends_on = forms.DateField(label="第一学期结束", widget=DateInput(), required=False)
    second_term_starts_on = forms.DateField(label="第二学期开始", widget=DateInput(),
                                            required=False)
    reason = forms.CharField(label="调整原因", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "调整开班计划须说明原因。"})

    def __init__(self, *args, cls, **kwargs):
        kwargs.setdefault("initial", {name: getattr(cls, name) for name in (
            "opens_on", "course_starts_on", "ends_on", "first_term_ends_on",
            "second_term_starts_on")})
        super().__init__(*args, **kwargs)
        if not cls.is_standing:
            del self.fields["first_term_ends_on"], self.fields["second_term_starts_on"]
        if cls.status != "planned":  # opened: only the end may still move
            del self.fields["opens_on"], self.fields["course_starts_on"]

    def dates(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason" and v is not None}


class EndForm(forms.Form):
    on = forms.DateField(label="结业日期", widget=DateInput(), initial=timezone.localdate)


class HoursForm(forms.Form):
    week_of = forms.DateField(label="周次（该周任一天）", widget=DateInput(),
                              initial=timezone.localdate)
    hours = forms.DecimalField(label="本周实际课时", min_value=0, max_value=60, decimal_places=1)


class SpotCheckForm(forms.Form):
    checked_on = forms.DateField(label="抽查日期", widget=DateInput(), initial=timezone.localdate)
    inspector = forms.CharField(label="检查人", max_length=100)
    findings = forms.CharField(label="检查情况", widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label="结论", choices=SpotCheckOutcome.choices,
                                widget=forms.RadioSelect)


class ClassFilterForm(forms.Form):
    kind = forms.ChoiceField(label="培训类型", required=False,
                             choices=[("", "全部")] + ClassKind.choices)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部")] + [
        ("planned", "筹备中"), ("open", "已开班"), ("ended", "已结业")])
