"""归国 (issue 19): the rules of a return, in one place for every path that records one (the
person page, the 花名表 upload, the data migration of the returns typed before the list).

``return_problems`` checks what a return says; ``from_text`` reads a free-text reason (the
花名表's 归国原因 column, the old records) into a kind and a cause, "其他" when it cannot tell,
always keeping the words."""
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from apps.pipeline.models import ReturnCause, ReturnCheck, ReturnKind, ReturnReporter

# Owed money beyond this is a typing error, never a claim (a year's wages abroad is far less).
OWED_MAX = Decimal("10000000")

# Words of a free-text reason and the cause they mean, most telling first: "欠薪被解雇" is a
# wage breach before a dismissal, as the Philippines' centre counts them.
KEYWORDS = [
    (ReturnCause.DEATH, ("死亡", "去世", "身故", "遇难", "病故")),
    (ReturnCause.EMPLOYER_BREACH, ("欠薪", "拖欠", "欠工资", "未付工资", "不发工资", "克扣",
                                   "违反合同", "雇主违约", "未按合同")),
    (ReturnCause.ABUSE, ("虐待", "殴打", "打骂", "性骚扰", "侵害", "人身伤害", "扣押护照")),
    (ReturnCause.DISMISSAL, ("解雇", "辞退", "开除", "解聘")),
    (ReturnCause.RETRENCHMENT, ("裁员", "停产", "倒闭", "破产", "减产", "工厂关闭")),
    (ReturnCause.ILLNESS, ("生病", "疾病", "患病", "受伤", "工伤", "伤病", "住院", "病")),
    (ReturnCause.WORKER_BREACH, ("逃跑", "脱逃", "擅自离开", "非法滞留", "失联", "本人违约",
                                 "违纪", "私自")),
    (ReturnCause.VISA, ("签证", "在留资格", "续签", "工作许可")),
    (ReturnCause.DETENTION, ("拘留", "遣返", "驱逐", "羁押", "逮捕")),
    (ReturnCause.EVACUATION, ("撤离", "撤侨", "战乱", "战争", "地震", "疫情", "灾害")),
    (ReturnCause.OWN_WISH, ("家庭", "家里", "家中", "本人意愿", "个人原因", "想家", "结婚",
                            "照顾", "自愿", "本人申请")),
]
COMPLETED_WORDS = ("期满", "到期", "合同结束", "合同完成", "任期结束", "正常回国", "正常归国")


def from_text(text: str) -> tuple[str, str]:
    """(kind, cause) a free-text reason says; an early return of unknown cause is "其他"
    (the caller keeps the text). A contract that ran out is "合同期满", without a cause."""
    words = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    for cause, keys in KEYWORDS:
        if any(k in words for k in keys):
            return ReturnKind.EARLY, cause
    if any(k in words for k in COMPLETED_WORDS):
        return ReturnKind.COMPLETED, ""
    return ReturnKind.EARLY, ReturnCause.OTHER


def roster_details(text: str, returned_on, contract_ends_on) -> dict:
    """A return as the 花名表 (附件6) brings it: only 归国时间 and a free-text 归国原因. The
    text is read as above; a reason that names no cause, on or after the contract's end, is a
    completed contract. The agency files the sheet and nobody verified it there."""
    kind, cause = from_text(text)
    if (cause == ReturnCause.OTHER and contract_ends_on and returned_on
            and returned_on >= contract_ends_on):
        kind, cause = ReturnKind.COMPLETED, ""
    return {"return_kind": kind, "return_cause": cause, "return_reported_by": ReturnReporter.AGENCY,
            "return_verified_by": ReturnCheck.UNVERIFIED}


def _amount(value, field, label):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({field: f"{label}应为金额（元），如 12000 或 12000.50。"})
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: f"{label}不能为负数。"})
    if amount > OWED_MAX:
        raise ValidationError({field: f"{label}超过{OWED_MAX:,.0f}元，请核对。"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: f"{label}最多两位小数。"})
    return amount


def return_details(details: dict) -> dict:
    """The return's details checked and normalised: kind, cause (only for an early return,
    required then), the owed amounts, who reported it and how it was verified. Raises a
    ValidationError naming the field."""
    kind = details.get("return_kind") or ""
    cause = details.get("return_cause") or ""
    reason = str(details.get("return_reason") or "").strip()
    errors = {}
    if kind not in ReturnKind.values:
        errors["return_kind"] = "请选择归国类型（合同期满回国或提前回国）。"
    if kind == ReturnKind.EARLY and cause not in ReturnCause.values:
        errors["return_cause"] = "提前回国请从列表中选择原因。"
    if kind == ReturnKind.COMPLETED and cause:
        errors["return_cause"] = "合同期满回国不填提前回国原因。"
    if kind == ReturnKind.EARLY and cause == ReturnCause.OTHER and not reason:
        errors["return_reason"] = "原因为“其他”时，请在“归国原因说明”中写明。"
    if details.get("return_reported_by") not in ReturnReporter.values:
        errors["return_reported_by"] = "请选择报告人（谁报告的归国）。"
    if details.get("return_verified_by") not in ReturnCheck.values:
        errors["return_verified_by"] = "请选择核实方式（“尚未核实”也须选择）。"
    if len(reason) > 200:
        errors["return_reason"] = "归国原因说明不超过200字。"
    if errors:
        raise ValidationError(errors)
    return {**details, "return_kind": kind, "return_cause": cause if kind == ReturnKind.EARLY else "",
            "return_reason": reason,
            "owed_wages": _amount(details.get("owed_wages"), "owed_wages", "尚欠工资"),
            "owed_deposit": _amount(details.get("owed_deposit"), "owed_deposit",
                                    "未退押金或保证金")}


def owed_complaint_fields(c) -> dict:
    """The complaint a return with money owed opens (apps.complaints.complaint_file): a wage
    dispute against the foreign employer, or a deposit dispute against the agency that holds
    it; the claims are the amounts owed."""
    from apps.complaints.models import Category, Channel, ClaimKind, Kind, Respondent
    wages, deposit = c.owed_wages or 0, c.owed_deposit or 0
    employer = c.employer or c.project.employer
    claims = [(ClaimKind.WAGES, wages, "归国时登记的尚欠工资")] if wages else []
    claims += [(ClaimKind.DEPOSIT, deposit, "归国时登记的未退押金或保证金")] if deposit else []
    against_employer = bool(wages) and bool(employer)
    cause = ReturnCause(c.return_cause).label if c.return_cause else ReturnKind(c.return_kind).label
    owed = "、".join(f"{label}{amount:,.2f}元" for label, amount in
                     (("尚欠工资", wages), ("未退押金或保证金", deposit)) if amount)
    return {
        "channel": {ReturnReporter.EMBASSY: Channel.EMBASSY,
                    ReturnReporter.WORKER: Channel.VISIT}.get(c.return_reported_by, Channel.PHONE),
        "received_on": c.returned_on, "kind": Kind.DISPUTE,
        "category": Category.WAGES if wages else Category.FEES,
        "respondent_kind": Respondent.EMPLOYER if against_employer else Respondent.AGENCY,
        "respondent_employer": employer if against_employer else "",
        "respondent_agency": None if against_employer else c.agency,
        "summary": (f"归国登记（{c.returned_on:%Y-%m-%d}，{ReturnKind(c.return_kind).label}，{cause}）："
                    f"{owed}。{c.return_reason}")[:2000],
        "claims": claims,
    }
