"""Returnees: the profile and the referrals, each write in one audited service.

Who: the local offices that serve the person (their unit, their city). When: nothing is
recorded before it happened — consent and referrals not in the future and not before the
person's return; a referral's move not before its previous one."""
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.audit.models import AuditAction
from apps.audit.services import audited
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.registry.models import Person
from apps.returnees.models import (
    OPEN_REFERRAL, GoAgain, Referral, ReferralStatus as RS, ReturneeProfile, Support,
)

EDITORS = {Role.UNIT, Role.CITY}
# The allowed moves of a referral, as data: from a status, the statuses it may go to.
MOVES = {RS.REFERRED: {RS.ACCEPTED, RS.COMPLETED, RS.DECLINED},
         RS.ACCEPTED: {RS.COMPLETED, RS.DECLINED}}
CLOSED = {RS.COMPLETED, RS.DECLINED}
TEXT_LIMITS = {"skills": 200, "occupation_abroad": 100, "countries": 100, "certificates": 200,
               "language": 100, "go_again_country": 50, "note": 200}


def _require_editor(actor):
    if actor.role not in EDITORS:
        raise PermissionDenied("归国人员信息和转介服务由组织单位或市人社局登记。")


def last_return_on(person):
    """The day the person last came back, or None if they never returned."""
    return (Candidacy.objects.filter(person=person, status=CandidacyStatus.RETURNED)
            .aggregate(last=Max("returned_on"))["last"])


def check_day(day, *, after, after_label, field, today=None):
    """The one time rule of this app: given, not in the future, not before ``after``."""
    today = today or timezone.localdate()
    if day is None:
        raise ValidationError({field: "请填写日期。"})
    if day > today:
        raise ValidationError({field: f"日期（{day:%Y-%m-%d}）不能晚于今天。"})
    if after is not None and day < after:
        raise ValidationError({field: f"日期（{day:%Y-%m-%d}）不能早于{after_label}"
                                      f"（{after:%Y-%m-%d}）。"})


def profile_suggestions(person) -> dict:
    """What the records already say about the person's work abroad: the initial values of a
    new profile (occupation, countries, years, certificates), for the office to confirm."""
    passes = list(Candidacy.objects.filter(person=person, departed_on__isnull=False)
                  .select_related("project").order_by("departed_on"))
    days = sum(((c.returned_on or timezone.localdate()) - c.departed_on).days for c in passes)
    def joined(values):
        return "、".join(dict.fromkeys(v for v in values if v))
    return {
        "occupation_abroad": joined(c.departure_trade or c.project.trade for c in passes),
        "countries": joined(c.country or c.project.country for c in passes),
        "years_abroad": (Decimal(days) / Decimal("365.25")).quantize(Decimal("0.1"))
        if passes else None,
        "certificates": joined(f"培训合格证 {c.certificate_no}" if c.certificate_no else ""
                               for c in passes),
    }


@audited(AuditAction.RETURNEE, "登记或修改归国人员信息")
def profile_save(person, *, actor, expected=None, **fields) -> ReturneeProfile:
    """Create or update the person's returnee profile. Only for someone who has come back,
    by their unit or city; consent to be contacted is dated, not before the return.
    ``expected``: the version the form was showing ("" for none yet); a form posted after
    someone else saved (another tab, a replay, an old page) is refused, never overwriting."""
    _require_editor(actor)
    person = visible(Person.objects.select_for_update(of=("self",)), actor).filter(
        pk=person.pk).first()
    if person is None:
        raise PermissionDenied("该人员不存在或不在您的管辖范围内。")
    returned = last_return_on(person)
    if returned is None:
        raise ValidationError("该人员尚无归国记录，不能登记为归国人员。")
    for name, limit in TEXT_LIMITS.items():
        value = str(fields.get(name) or "").strip()
        if len(value) > limit:
            raise ValidationError({name: f"{ReturneeProfile._meta.get_field(name).verbose_name}"
                                         f"不超过{limit}字。"})
        fields[name] = value
    years = fields.get("years_abroad")
    if years not in (None, ""):
        try:
            years = Decimal(str(years)).quantize(Decimal("0.1"))
        except ArithmeticError:
            raise ValidationError({"years_abroad": "境外工作年限应为数字，如 2.5。"})
        if not Decimal(0) <= years <= Decimal(60):
            raise ValidationError({"years_abroad": "境外工作年限应在0到60年之间。"})
    fields["years_abroad"] = years if years not in (None, "") else None
    if fields.get("go_again") not in GoAgain.values:
        raise ValidationError({"go_again": "请选择是否愿意再次出国。"})
    if fields["go_again"] != GoAgain.YES:
        fields["go_again_country"] = ""
    support = list(dict.fromkeys(fields.get("support_wanted") or []))
    if any(s not in Support.values for s in support):
        raise ValidationError({"support_wanted": "希望得到的服务只能从列表中选择。"})
    fields["support_wanted"] = support
    if fields.get("consent_contact"):
        check_day(fields.get("consent_on"), after=returned, after_label="归国日期",
                  field="consent_on")
    else:
        fields["consent_contact"], fields["consent_on"] = False, None
    profile = ReturneeProfile.objects.filter(person=person).first()
    if expected is not None and (profile.version if profile else "") != expected:
        raise ValidationError(
            f"该人员的归国人员信息已由{profile.updated_by.get_full_name() or profile.updated_by}"
            f"于{timezone.localtime(profile.updated_at):%Y-%m-%d %H:%M}保存，本次未保存。"
            "请刷新页面，核对后再修改。")
    if profile is None:
        profile = ReturneeProfile(person=person, created_by=actor)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.city_id, profile.unit_id, profile.updated_by = person.city_id, person.unit_id, actor
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:  # two offices saving the first profile at once: one wins
        raise ValidationError("该人员的归国人员信息刚被他人登记，请刷新后修改。")
    return profile


def _profile_for(profile, actor):
    found = visible(ReturneeProfile.objects.select_for_update(of=("self",)), actor).filter(
        pk=profile.pk).select_related("person").first()
    if found is None:
        raise PermissionDenied("该归国人员不存在或不在您的管辖范围内。")
    return found


@audited(AuditAction.RETURNEE, "转介归国人员服务")
def referral_create(profile, *, actor, service, provider, referred_on, note="") -> Referral:
    """Refer the returnee to a service: only with their consent to be contacted, dated not
    before the return (nor the consent), one open referral of a kind at a time."""
    _require_editor(actor)
    profile = _profile_for(profile, actor)
    if not profile.consent_contact:
        raise ValidationError("本人未同意接受服务联系，不能转介。请先在归国人员信息中登记本人同意。")
    if service not in Support.values:
        raise ValidationError({"service": "请从列表中选择服务类型。"})
    provider = (provider or "").strip()
    if not provider:
        raise ValidationError({"provider": "请填写服务机构。"})
    if len(provider) > 100 or len(note or "") > 200:
        raise ValidationError({"provider": "服务机构不超过100字，说明不超过200字。"})
    check_day(referred_on, after=max(filter(None, [last_return_on(profile.person),
                                                   profile.consent_on])),
              after_label="归国日期或本人同意日期", field="referred_on")
    if profile.referrals.filter(service=service, status__in=OPEN_REFERRAL).exists():
        raise ValidationError({"service": f"已有未办结的“{Support(service).label}”转介，"
                                          "请在原转介上办理。"})
    try:
        with transaction.atomic():
            return Referral.objects.create(
                profile=profile, city_id=profile.city_id, unit_id=profile.unit_id,
                service=service, provider=provider, referred_on=referred_on,
                status_on=referred_on, note=(note or "").strip(), created_by=actor,
                updated_by=actor)
    except IntegrityError:
        raise ValidationError({"service": f"已有未办结的“{Support(service).label}”转介。"})


@audited(AuditAction.RETURNEE, "办理转介服务")
def referral_move(referral, *, actor, status, on, outcome="", expected=None) -> Referral:
    """Move a referral on (受理, 完成, 未获得服务): an allowed move, dated not before its last,
    a closing move with its outcome. ``expected`` is the status the form was showing: a replayed
    or doubled submission after the first has moved it is refused."""
    _require_editor(actor)
    r = visible(Referral.objects.select_for_update(of=("self",)), actor).filter(
        pk=referral.pk).first()
    if r is None:
        raise PermissionDenied("该转介不存在或不在您的管辖范围内。")
    if expected is not None and expected != r.status:
        raise ValidationError(f"该转介已由他人办理为“{r.get_status_display()}”，请刷新页面。")
    if status not in MOVES.get(r.status, set()):
        raise ValidationError({"status": f"当前状态为“{r.get_status_display()}”，不能改为"
                                         f"“{RS(status).label if status in RS.values else status}”。"})
    check_day(on, after=r.status_on, after_label="上一状态日期", field="on")
    outcome = (outcome or "").strip()
    if status in CLOSED and not outcome:
        raise ValidationError({"outcome": "办结转介须填写服务结果（如已安排就业的单位、取得的证书、未获得服务的原因）。"})
    if len(outcome) > 300:
        raise ValidationError({"outcome": "服务结果不超过300字。"})
    r.status, r.status_on, r.updated_by = status, on, actor
    if outcome:
        r.outcome = outcome
    r.save(update_fields=["status", "status_on", "outcome", "updated_by", "updated_at"])
    return r
