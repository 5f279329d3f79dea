import re
from decimal import Decimal, InvalidOperation

from django import forms

from apps.common.forms import ChoicePlaceholder
from apps.evaluations import excellence
from apps.evaluations.computations import key_choices
from apps.evaluations.models import CardStatus, Criterion, Kind, Method, Scheme

EMPTY = [("", "全部")]


class SchemeCreateForm(ChoicePlaceholder, forms.Form):
    year = forms.IntegerField(label="评估年度", min_value=2020, max_value=2100)
    kind = forms.ChoiceField(label="评估对象", choices=Kind.choices)
    copy_from = forms.ModelChoiceField(label="复制自", required=False,
                                       queryset=Scheme.objects.none(),
                                       empty_label="金东区评估表（示例方案）")


def _bands_text(bands) -> str:
    return "\n".join(f"{b['min']}:{b['amount']}" for b in bands)


class SchemeForm(forms.Form):
    """Pass mark, reward bands and seed 002 第十条/第十一条's 优秀 rule (evaluations.excellence);
    the service checks the rule and names the field."""
    pass_mark = forms.DecimalField(label="合格分数线", max_digits=5, decimal_places=1)
    reward_bands = forms.CharField(label="绩效奖励档次（每行“分数线:金额（元）”）",
                                   widget=forms.Textarea(attrs={"rows": 4}), required=False)
    years = forms.IntegerField(label="优秀（一）：连续年数", min_value=1, max_value=5)
    min_score = forms.DecimalField(label="优秀（一）：每年最低分", max_digits=5, decimal_places=1)
    min_departures = forms.IntegerField(label="优秀（二）：每年最少输送人数", min_value=0)
    skilled_code = forms.ChoiceField(label="优秀（二）：录入技术技能人才认定人数的指标",
                                     required=False)
    min_skilled_share = forms.DecimalField(label="优秀（二）：技术技能人才最低占比（%）",
                                           max_digits=5, decimal_places=1, required=False)
    min_retention = forms.DecimalField(label="优秀（三）：最低留用率（%）", max_digits=5,
                                       decimal_places=1)
    ledger_code = forms.ChoiceField(label="优秀（四）：台账完备（该指标须为满分）", required=False)
    review_every = forms.IntegerField(label="已评为优秀的，每隔几年复核（不重复评选）",
                                      min_value=1, max_value=5, required=False)
    amount = forms.DecimalField(label="优秀一次性奖励（元）", max_digits=10, decimal_places=2,
                                min_value=0, required=False)

    def __init__(self, *args, criteria, **kwargs):
        entered = [(c.code, c.label) for c in criteria if not c.is_computed]
        super().__init__(*args, **kwargs)
        for name in ("skilled_code", "ledger_code"):
            self.fields[name].choices = [("", "不适用")] + entered

    @staticmethod
    def initial_for(scheme):
        ex = excellence.normalised(scheme.excellence or {}) or excellence.DEFAULTS
        return {"pass_mark": scheme.pass_mark, "reward_bands": _bands_text(scheme.reward_bands),
                **{k: ex[k] for k in excellence.DEFAULTS}}

    def clean_reward_bands(self):
        rows = []
        for n, line in enumerate((self.cleaned_data["reward_bands"] or "").splitlines(), 1):
            line = line.strip().replace("：", ":")
            if not line:
                continue
            try:
                low, amount = (Decimal(part.strip()) for part in line.split(":"))
            except (ValueError, ArithmeticError):
                raise forms.ValidationError(f"第{n}行应写成“分数线:金额”，如 60:40000。")
            rows.append({"min": float(low), "amount": float(amount)})
        return rows

    def values(self):
        d = self.cleaned_data

        def number(key):
            value = d.get(key)
            return excellence.DEFAULTS[key] if value is None else float(value)
        return {"pass_mark": d["pass_mark"], "reward_bands": d["reward_bands"],
                "excellence": {"years": d["years"], "min_score": float(d["min_score"]),
                               "min_departures": d["min_departures"],
                               "skilled_code": d.get("skilled_code") or "",
                               "min_skilled_share": number("min_skilled_share"),
                               "min_retention": float(d["min_retention"]),
                               "ledger_code": d.get("ledger_code") or "",
                               "review_every": int(number("review_every")),
                               "amount": number("amount")}}


def _num(d) -> str:
    return format(Decimal(str(d)).normalize(), "f")


def rule_text(rule: dict) -> str:
    """A computed criterion's rule as the form writes it."""
    if not rule:
        return ""
    if "deduct" in rule:
        return f"每条扣{_num(rule['deduct'])}"
    return "\n".join((f">{_num(b['over'])}" if "over" in b else f"≥{_num(b['min'])}")
                     + f"={_num(b['points'])}" for b in rule.get("bands", []))


BAND = re.compile(r"^(≥|>=|>|＞|＞=)\s*([0-9.]+)\s*[=:：]\s*([0-9.]+)$")
DEDUCT = re.compile(r"^每条扣\s*([0-9.]+)\s*分?$")


def rule_parse(text: str) -> dict:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return {}
    try:
        if len(lines) == 1 and DEDUCT.match(lines[0]):
            return {"deduct": float(Decimal(DEDUCT.match(lines[0]).group(1)))}
        bands = []
        for n, line in enumerate(lines, 1):
            m = BAND.match(line)
            if not m:
                raise forms.ValidationError(f"第{n}行“{line}”无法识别：分档写成“≥100=3”或“>200=8”，"
                                            "扣分写成“每条扣2”。")
            op, low, points = m.groups()
            key = "over" if op in (">", "＞") else "min"
            bands.append({key: float(Decimal(low)), "points": float(Decimal(points))})
    except InvalidOperation:
        raise forms.ValidationError("计分规则中的数字无法识别。")
    return {"bands": bands}


class CriterionForm(ChoicePlaceholder, forms.Form):
    seq = forms.IntegerField(label="序号", min_value=1, max_value=99)
    category = forms.CharField(label="类别", max_length=30)
    code = forms.SlugField(label="代码（字母数字）", max_length=30)
    label = forms.CharField(label="指标", max_length=50)
    standard = forms.CharField(label="评分标准", max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    points = forms.DecimalField(label="分值", max_digits=5, decimal_places=1, min_value=0)
    method = forms.ChoiceField(label="评分方式", choices=Method.choices)
    key = forms.ChoiceField(label="计算项（按记录计算时）", required=False)
    rule = forms.CharField(label="计分规则（按记录计算时）", required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="分档每行一档：“≥100=3”表示达到100得3分，“>200=8”表示超过200得8分；"
                                     "按条扣分写一行：“每条扣2”。")
    veto_at = forms.IntegerField(label="一票否决（达到条数）", required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [("", "不适用（人工评分）")] + key_choices()

    @staticmethod
    def initial_for(c: Criterion):
        return {"seq": c.seq, "category": c.category, "code": c.code, "label": c.label,
                "standard": c.standard, "points": c.points, "method": c.method, "key": c.key,
                "rule": rule_text(c.rule),
                "veto_at": c.veto_at}

    def clean_rule(self):
        return rule_parse(self.cleaned_data["rule"])


class ScoreForm(forms.Form):
    points = forms.DecimalField(label="得分", max_digits=5, decimal_places=1)
    count = forms.IntegerField(label="认定人数（如技术技能人才人数，优秀评选读取；可不填）",
                               required=False, min_value=0)
    reason = forms.CharField(label="评分理由", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="证明材料（PDF、JPG、PNG）")


class ObjectionForm(ChoicePlaceholder, forms.Form):
    criterion = forms.ModelChoiceField(label="异议指标", required=False,
                                       queryset=Criterion.objects.none(),
                                       empty_label="总体（不针对单项指标）")
    text = forms.CharField(label="异议内容", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 5}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 5}))
    points = forms.DecimalField(label="调整后的得分（仅人工评分指标，不调整请留空）",
                                max_digits=5, decimal_places=1, required=False)


class CorrectForm(forms.Form):
    points = forms.DecimalField(label="修改后的得分", max_digits=5, decimal_places=1)
    # The points the page showed: a form posted after someone else corrected is refused.
    expected = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=5,
                                  decimal_places=1)
    reason = forms.CharField(label="修改原因", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    note = forms.CharField(label="复核意见", max_length=300,
                           widget=forms.Textarea(attrs={"rows": 3}))
    lift_bar = forms.BooleanField(label="解除该项的取消资格（两年内不得重新申报）", required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="决定", widget=forms.RadioSelect,
                                 choices=[("approve", "执行"), ("reject", "不执行")])
    note = forms.CharField(label="说明", max_length=300, required=False)


class FilterForm(ChoicePlaceholder, forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2020, max_value=2100)
    kind = forms.ChoiceField(label="评估对象", required=False, choices=EMPTY + Kind.choices)
    status = forms.ChoiceField(label="状态", required=False, choices=EMPTY + CardStatus.choices)
