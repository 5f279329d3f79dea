"""The 优秀 rule (seed 002 第十条, 第十一条) as the scheme's data, and the test of it.

第十条's four conditions, each over every one of the ``years`` consecutive published years:
(一) the total is at least ``min_score``; (二) at least ``min_departures`` departed, and the
skilled share is at least ``min_skilled_share`` %; (三) retention after six months at least
``min_retention`` %; (四) 台账完备: the ledger criterion (``ledger_code``) at full points.

The records hold no skill level. The skilled share is read from the scheme's entered
criterion ``skilled_code`` (the example's 技术技能人才, "输送技术技能人才10人（含）以上得2-5分"):
the scorer enters, with its points, the number of skilled people the organisation sent
(认定人数, kept on the score as ``count``), and the share is that number over the year's
departures. A year whose number was not entered does not meet (二).

第十一条: an organisation already 优秀 is not designated again; ``review_every`` years after
its designation (or its last re-review that kept it) its card proposes a 复核 instead, to keep
or withdraw the title. ``amount`` is 第十二条(三)'s one-off award (元), paid like a reward."""
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

DEFAULTS = {"years": 2, "min_score": 80, "min_departures": 0, "skilled_code": "",
            "min_skilled_share": 0, "min_retention": 0, "ledger_code": "", "review_every": 2,
            "amount": 20000}
# (key, label, least, most) of the numbers the province sets.
NUMBERS = [("years", "连续年数", 1, 5), ("min_score", "每年最低分", 0, 100),
           ("min_departures", "每年最少输送人数", 0, 100000),
           ("min_skilled_share", "技术技能人才最低占比", 0, 100),
           ("min_retention", "最低留用率", 0, 100), ("review_every", "复核间隔年数", 1, 5),
           ("amount", "一次性奖励金额", 0, 10000000)]


def normalised(rule: dict) -> dict:
    """The rule with every key (a key left out takes its default: no such condition)."""
    return {**DEFAULTS, **rule} if rule else {}


def problems(rule: dict, criteria) -> dict:
    """Field → Chinese message for what is wrong with ``rule`` on a scheme with ``criteria``."""
    if not rule:
        return {}
    rule, out = normalised(rule), {}
    for key, label, least, most in NUMBERS:
        try:
            value = Decimal(str(rule[key]))
        except ArithmeticError:
            out[key] = f"优秀条件“{label}”不是数字。"
            continue
        if not least <= value <= most:
            out[key] = f"优秀条件“{label}”须在{least}到{most}之间。"
    entered = {c.code: c for c in criteria if not c.is_computed}
    for key, label in (("skilled_code", "技术技能人才"), ("ledger_code", "台账")):
        code = rule[key]
        if code and code not in entered:
            out[key] = f"优秀条件的{label}指标“{code}”须是本方案中人工评分的指标。"
    if rule["min_skilled_share"] and not rule["skilled_code"]:
        out["skilled_code"] = "设置了技术技能人才占比时，须选择录入技术技能人才认定人数的指标。"
    return out


def number_text(value) -> str:
    """3, 10.5, 20000: a figure as people write it (no trailing zeros, no exponent)."""
    return f"{Decimal(str(value)).normalize():f}"


@dataclass
class Condition:
    label: str
    met: bool
    why: str = ""

    def __str__(self):
        return f"{self.label}{'✓' if self.met else '✗'}" + (f"（{self.why}）" if self.why else "")


def _score(card, code):
    return next((s for s in card.scores.all() if s.criterion.code == code), None)


def conditions(rule: dict, year, cards: list, figure) -> list[Condition]:
    """第十条's conditions over ``cards`` (this year's first, then each year before; None for
    a year with no published card). ``figure(card, key)`` reads a computed figure."""
    rule = normalised(rule)
    missing = [str(year - n) for n, card in enumerate(cards) if card is None]
    if missing:
        return [Condition(f"连续{rule['years']}年评估", False,
                          "、".join(missing) + "年度无已公布的评估结果")]
    out = []
    low = [c for c in cards if c.total < Decimal(str(rule["min_score"]))]
    out.append(Condition(f"（一）每年评估{number_text(rule['min_score'])}分以上", not low,
                         "、".join(f"{c.scheme.year}年度{c.total}分" for c in low)))
    why = []
    for c in cards:
        sent = figure(c, "departures") or 0
        if sent < rule["min_departures"]:
            why.append(f"{c.scheme.year}年度输送{number_text(sent)}人")
        if rule["skilled_code"]:
            skilled = _score(c, rule["skilled_code"])
            count = skilled.count if skilled is not None else None
            if count is None:
                why.append(f"{c.scheme.year}年度未录入技术技能人才人数")
            elif not sent or Decimal(count) * 100 / Decimal(sent) < Decimal(
                    str(rule["min_skilled_share"])):
                why.append(f"{c.scheme.year}年度技术技能人才{count}人")
    label = f"（二）每年输送{number_text(rule['min_departures'])}人以上"
    if rule["skilled_code"]:
        label += f"且技术技能人才占比{number_text(rule['min_skilled_share'])}%以上"
    out.append(Condition(label, not why, "，".join(why)))
    kept = [(c, figure(c, "retention")) for c in cards]
    short = [f"{c.scheme.year}年度{'无' if r is None else f'{number_text(r)}%'}" for c, r in kept
             if (r or 0) < rule["min_retention"]]
    out.append(Condition(f"（三）留用率{number_text(rule['min_retention'])}%以上", not short,
                         "、".join(short)))
    if rule["ledger_code"]:
        gaps = []
        for c in cards:
            ledger = _score(c, rule["ledger_code"])
            if ledger is None or ledger.points != ledger.criterion.points:
                gaps.append(f"{c.scheme.year}年度" + ("无该指标" if ledger is None
                                                     else f"{ledger.points}分"))
        out.append(Condition("（四）台账完备（满分）", not gaps, "、".join(gaps)))
    return out


def describe(rule: dict, criteria) -> str:
    """The rule in words for the scheme page."""
    if not rule:
        return "无"
    rule = normalised(rule)
    labels = {c.code: c.label for c in criteria}
    parts = [f"连续{rule['years']}年每年不低于{number_text(rule['min_score'])}分",
             f"每年输送{number_text(rule['min_departures'])}人以上"]
    if rule["skilled_code"]:
        parts.append(f"技术技能人才（“{labels.get(rule['skilled_code'], rule['skilled_code'])}”"
                     f"录入的认定人数）占比不低于{number_text(rule['min_skilled_share'])}%")
    parts.append(f"留用率不低于{number_text(rule['min_retention'])}%")
    if rule["ledger_code"]:
        parts.append(f"“{labels.get(rule['ledger_code'], rule['ledger_code'])}”满分")
    return ("；".join(parts) + f"。已评为优秀的{rule['review_every']}年后复核，不重复评选；"
            f"一次性奖励 {number_text(Decimal(str(rule['amount'])))} 元")


def check(rule: dict, criteria) -> None:
    found = problems(rule, criteria)
    if found:
        raise ValidationError(found)
