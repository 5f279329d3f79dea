"""Writes to the registry. Every change is recorded by the history triggers (who, when,
old and new value); these functions are the only writers of a Person."""
import re
import unicodedata
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from apps.audit.models import AuditAction
from apps.audit.services import audited
from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.common.crypto import blind_index
from apps.dashboards.services import figures_moved
from apps.registry import idnumber
from apps.registry.phones import PhoneError, phone_normalise
from apps.registry.models import (
    Person, PersonTransfer, PovertySource, PovertyStatus, PovertyVerification,
)

# Registration (报名) is done by units and cities (SPEC §4).
REGISTRARS = {Role.UNIT, Role.CITY}
MIN_AGE, MAX_AGE = 16, 60


class DuplicatePerson(ValidationError):
    """The ID number is already registered. ``existing`` is set only when the user may see it."""

    def __init__(self, message, existing=None):
        super().__init__({"id_number": message})
        self.existing = existing


def id_hash(raw: str) -> str:
    return blind_index(idnumber.normalise(raw), purpose="id_number")


def phone_hash(raw: str) -> str:
    return blind_index(normalise_phone(raw), purpose="phone")


def passport_hash(raw: str) -> str:
    return blind_index(passport_normalise(raw), purpose="passport")


def normalise_phone(raw: str) -> str:
    return "".join(ch for ch in idnumber.normalise(raw or "") if ch.isdigit())


_PASSPORT_SEPARATORS = re.compile(r"[\s\-‐‑–—－_]")
_PASSPORT = re.compile(r"(?=.*[0-9])[A-Z0-9]{5,20}")


def passport_normalise(raw) -> str:
    """A passport number as the registry keeps it: full-width letters and digits folded,
    spaces, dashes and invisible characters dropped, upper case ("ｅ１２ ３４-５６７８" ->
    "E12345678"); "" for an empty value. Anything else is refused, never trimmed into shape:
    ValidationError on ``passport_no``."""
    text = unicodedata.normalize("NFKC", idnumber.normalise(str(raw or "")))
    number = _PASSPORT_SEPARATORS.sub("", text).upper()
    if number and not (number.isascii() and _PASSPORT.fullmatch(number)):
        shown = "".join(c for c in text[:20] if c.isprintable())
        raise ValidationError({"passport_no": f"护照号“{shown}”只能包含字母和数字（5至20位，含数字）。"})
    return number


def contact_phone_normalise(raw, field: str) -> str:
    """A phone number entered anywhere but the 报名 form (归国后联系电话 …): the registry's
    rule (registry.phones), its message on ``field``."""
    try:
        return phone_normalise(raw)
    except PhoneError as error:
        raise ValidationError({field: error.message})


def _parse_id(raw: str, *, sex=None, birth_date=None):
    try:
        info = idnumber.parse(raw, min_age=MIN_AGE, max_age=MAX_AGE)
    except idnumber.IdNumberError as error:
        raise ValidationError({"id_number": error.message})
    mismatches = idnumber.check_against(info, sex=sex, birth_date=birth_date)
    if mismatches:
        raise ValidationError(mismatches)
    return info


def _ensure_new(hash_: str, actor, exclude_pk=None):
    qs = Person.objects.filter(id_hash=hash_)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        # Say that it exists, but never whose record it is unless the user may see it.
        existing = visible(qs, actor).first()
        if existing:
            raise DuplicatePerson(f"该身份证号已登记（{existing.name}），请勿重复登记。", existing)
        raise DuplicatePerson(_elsewhere_message(qs.select_related("unit", "city").first()))


def _elsewhere_message(other: Person) -> str:
    # Naming the unit is what lets the user ask for the transfer; the person stays unnamed.
    where = other.unit.name if other.unit_id else f"{other.city.name}人社局"
    return f"该身份证号已在{where}登记，如需转入请联系省级办公室办理人员转移。"


@audited(AuditAction.PERSON, "登记人员")
def person_register(*, actor, unit=None, id_number: str, sex=None, birth_date=None,
                    id_copy=None, **fields) -> Person:
    """Register a person (附件5). A unit registers for itself; a city for one of its units
    or directly for the city. A refused ID copy leaves nothing registered."""
    if actor.role not in REGISTRARS:
        raise PermissionDenied("只有组织单位和市人社局可以登记报名。")
    if actor.role == Role.UNIT:
        unit = actor.unit
    elif unit is not None and unit.city_id != actor.city_id:
        raise ValidationError({"unit": "只能为本市的组织单位登记。"})
    info = _parse_id(id_number, sex=sex, birth_date=birth_date)
    _check_registered_on(fields.get("registered_on"), birth_date=info.birth_date)
    hash_ = blind_index(info.number, purpose="id_number")
    _ensure_new(hash_, actor)
    person = Person(
        id_number=info.number, id_hash=hash_, sex=info.sex, birth_date=info.birth_date,
        unit=unit, city_id=unit.city_id if unit else actor.city_id, created_by=actor, **fields,
    )
    _set_hashes(person)
    person.full_clean(exclude=["id_hash", "created_by"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # the same ID registered at the same moment elsewhere
        _ensure_new(hash_, actor)
        raise
    if id_copy is not None:
        from apps.evidence.models import EvidenceKind
        from apps.evidence.services import evidence_attach
        try:
            evidence_attach(person=person, kind=EvidenceKind.ID_COPY, uploaded=id_copy,
                            actor=actor)
        except ValidationError as error:
            raise ValidationError({"id_copy": error.messages})
    return person


def registered_on_problem(registered_on, *, birth_date=None, person=None, today=None) -> str:
    """Why a person cannot be registered on ``registered_on`` ("" when they can): the one rule
    of a 报名日期 (docs/TIME-RULES.md rule 21) for the page, the API and every roster row.
    Not after today (Beijing), not before the person was of age to register (MIN_AGE full
    years: year 0001 or 1900 are typing slips, refused), and for a registered person not after
    the first time they applied for a project (their candidacies are dated from it)."""
    from django.utils import timezone
    if registered_on is None:
        return ""
    today = today or timezone.localdate()
    if registered_on > today:
        return f"报名日期（{registered_on.isoformat()}）不能晚于今天。"
    if birth_date and idnumber.full_years(birth_date, registered_on) < MIN_AGE:
        return (f"报名日期（{registered_on.isoformat()}）时该人员未满{MIN_AGE}周岁"
                f"（出生日期{birth_date:%Y-%m-%d}），请核对报名日期。")
    if person is not None and person.pk:
        from django.db.models import Min
        first = person.candidacies.aggregate(first=Min("events__happened_on"))["first"]
        if first and registered_on > first:
            return (f"报名日期（{registered_on.isoformat()}）不能晚于该人员报名岗位项目的日期"
                    f"（{first:%Y-%m-%d}）。")
    return ""


def _check_registered_on(registered_on, **known):
    problem = registered_on_problem(registered_on, **known)
    if problem:
        raise ValidationError({"registered_on": problem})


def _set_hashes(person: Person):
    person.phone = normalise_phone(person.phone) if person.phone else ""
    person.phone_hash = blind_index(person.phone, purpose="phone") if person.phone else ""
    person.family_phone = normalise_phone(person.family_phone) if person.family_phone else ""
    if person.passport_no:
        person.passport_no = passport_normalise(person.passport_no)
        person.passport_hash = passport_hash(person.passport_no)


@audited(AuditAction.PERSON, "修改人员信息")
def person_update(person: Person, *, actor, **fields) -> Person:
    """Change a person's registration data. The ID number may be corrected; birth date and
    sex follow it."""
    if actor.role not in REGISTRARS | {Role.PROVINCE}:
        raise PermissionDenied("无权修改人员信息。")
    person = visible(Person.objects.select_for_update(of=("self",)), actor).get(pk=person.pk)
    registered_on, born = fields.get("registered_on", person.registered_on), person.birth_date
    if "id_number" in fields:
        info = _parse_id(fields.pop("id_number"), sex=fields.pop("sex", None),
                         birth_date=fields.pop("birth_date", None))
        hash_ = blind_index(info.number, purpose="id_number")
        _ensure_new(hash_, actor, exclude_pk=person.pk)
        person.id_number, person.id_hash = info.number, hash_
        person.sex, person.birth_date = info.sex, info.birth_date
    if registered_on != person.registered_on or born != person.birth_date:
        _check_registered_on(registered_on, birth_date=person.birth_date, person=person)
    poverty_before = person.poverty_status
    for name, value in fields.items():
        setattr(person, name, value)
    if person.poverty_status != poverty_before and person.poverty_verified_on:
        # A verified status changes only by another verification, with its source and date.
        raise ValidationError({"poverty_status": verified_status_message(person, poverty_before)})
    _set_hashes(person)
    person.full_clean(exclude=["id_hash", "created_by"])
    # The dashboards count people by 脱贫 status: a change moves all their figures.
    moved = (person.candidacies.values_list("pk", flat=True)
             if person.poverty_status != poverty_before else ())
    with figures_moved(moved):
        person.save()
    return person


# Who checks a status against the national system (seed 003 §一: 人社 with the 扶贫 office's
# shared data). Not the unit: it claims the money that follows the status.
POVERTY_VERIFIERS = {Role.CITY, Role.PROVINCE}


def verified_status_message(person, verified_status) -> str:
    label = dict(PovertyStatus.choices)[verified_status]
    return (f"脱贫状态已于{person.poverty_verified_on:%Y-%m-%d}核实为“{label}”，不能在此修改；"
            "如有变化，请由市人社局在人员页面“核实脱贫状态”中办理。")


# The national register the status is checked against (建档立卡) began in 2014: an earlier
# verification date is a typing slip (0001, 1900, 1926 for 2026). A verification may be dated
# before the person registered with us (rule 29: the national status exists on its own).
POVERTY_RECORDS_FROM = date(2014, 1, 1)


def poverty_verification_problems(person, *, status, source, verified_on, note="",
                                  today=None) -> dict:
    """Why this verification cannot be recorded ({field: message}); one rule for the page and
    every upload row. Not in the future, not before the person's last verification (the
    newest must stay the newest), and not the same verification twice (a replay)."""
    from django.utils import timezone
    today = today or timezone.localdate()
    errors = {}
    if status not in PovertyStatus.values:
        errors["status"] = "核实结果只能为：脱贫劳动力、监测对象或否。"
    if source not in PovertySource.values:
        errors["source"] = "请选择核实来源：" + "、".join(PovertySource.labels) + "。"
    if verified_on is None:
        errors["verified_on"] = "请填写核实日期。"
    elif verified_on > today:
        errors["verified_on"] = f"核实日期（{verified_on:%Y-%m-%d}）不能晚于今天。"
    elif verified_on < POVERTY_RECORDS_FROM:
        errors["verified_on"] = (f"核实日期（{verified_on.isoformat()}）早于全国建档立卡"
                                 f"（{POVERTY_RECORDS_FROM:%Y年}）开始，请核对。")
    elif person.poverty_verified_on and verified_on < person.poverty_verified_on:
        errors["verified_on"] = (f"核实日期（{verified_on:%Y-%m-%d}）早于该人员上次核实的日期"
                                 f"（{person.poverty_verified_on:%Y-%m-%d}）。")
    elif (person.poverty_verified_on == verified_on and person.poverty_status == status
          and person.poverty_source == source):
        errors["verified_on"] = f"该人员{verified_on:%Y-%m-%d}的这次核实已经记录，请勿重复提交。"
    if len(note or "") > 200:
        errors["note"] = f"备注过长（{len(note)}字），最多200字。"
    return errors


@audited(AuditAction.POVERTY, "核实脱贫劳动力状态")
def person_poverty_verify(person: Person, *, actor, status: str, source: str, verified_on,
                          note: str = "", upload=None) -> PovertyVerification:
    """Record one verification of a person's 脱贫 status and make it the person's status
    (the history keeps the old value; the verification row keeps who, when and the source).
    The only writer of the verification fields, from the page and from every upload row."""
    if actor.role not in POVERTY_VERIFIERS:
        raise PermissionDenied("脱贫劳动力状态由市人社局或省专项办核实。")
    person = visible(Person.objects.select_for_update(of=("self",)), actor).filter(
        pk=person.pk).first()
    if person is None:
        raise PermissionDenied("该人员不存在或不在您的管辖范围内。")
    status, note = status or "", (note or "").strip()
    errors = poverty_verification_problems(person, status=status, source=source,
                                           verified_on=verified_on, note=note)
    if errors:
        raise ValidationError(errors)
    verification = PovertyVerification.objects.create(
        person=person, status=status, previous_status=person.poverty_status, source=source,
        verified_on=verified_on, note=note, upload=upload, verified_by=actor)
    moved = (person.candidacies.values_list("pk", flat=True)
             if person.poverty_status != status else ())
    person.poverty_status, person.poverty_verified_on, person.poverty_source = \
        status, verified_on, source
    with figures_moved(moved):  # the dashboards count people by 脱贫 status
        person.save(update_fields=["poverty_status", "poverty_verified_on", "poverty_source",
                                   "updated_at"])
    _reverification_owed(person, verification)
    return verification


def _reverification_owed(person, verification) -> None:
    """The re-verification this one was owed is done (on time or late, by when it is
    recorded); a 脱贫劳动力 or 监测对象 owes the next one a year on, to the person's city."""
    from django.contrib.contenttypes.models import ContentType

    from apps.deadlines.models import OPEN_ITEM, DeadlineItem, DeadlineRule
    from apps.deadlines.services import _close as items_close
    from apps.registry import rules
    from apps.registry.models import PRIORITY_STATUSES, poverty_due_on
    from apps.workdays.calendar import add_working_days
    person_type = ContentType.objects.get_for_model(Person)
    items_close(DeadlineItem.objects.filter(rule__code=rules.CODE, subject_type=person_type,
                                            subject_id=person.pk, status__in=OPEN_ITEM))
    if verification.status not in PRIORITY_STATUSES:
        return
    rule = rules.rule_ensure(DeadlineRule)
    anniversary = poverty_due_on(verification.verified_on)
    due = add_working_days(anniversary, rule.offset)
    DeadlineItem.objects.create(
        rule=rule, subject_type=person_type, subject_id=person.pk,
        stage=f"poverty-{verification.pk}", event_on=anniversary, due_on=due.day,
        due_at=due.ends_at, provisional=due.provisional, owner_role=Role.CITY,
        city_id=person.city_id)


def _person_copies_move(person, open_ids, to_unit) -> None:
    """The rows that copy the person's unit and city to be scoped by them follow the person:
    left behind, the old unit and city kept reading (and acting on) a person they no longer
    see, and the new ones did not. Their open 待办 (the ones naming an open candidacy, by its
    key or as their subject, and the person's own re-verification): the new unit owes the
    unit's and city's, an agency's stay the agency's but are seen by the new city; the
    returnee profile and its referrals (the person's own, not the work done on a return)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from apps.deadlines.models import OPEN_ITEM, DeadlineItem
    from apps.pipeline.models import Candidacy
    from apps.returnees.models import Referral, ReturneeProfile

    where = {"unit": to_unit, "city": to_unit.city}
    items = DeadlineItem.objects.filter(status__in=OPEN_ITEM)
    of_candidacies = items.filter(Q(candidacy__in=open_ids) | Q(
        subject_type=ContentType.objects.get_for_model(Candidacy), subject_id__in=open_ids))
    of_candidacies.filter(owner_role__in=[Role.UNIT, Role.CITY]).update(owner_role=Role.UNIT,
                                                                        **where)
    of_candidacies.filter(owner_role=Role.AGENCY).update(**where)
    items.filter(subject_type=ContentType.objects.get_for_model(Person), subject_id=person.pk,
                 owner_role=Role.CITY).update(city=to_unit.city)
    ReturneeProfile.objects.filter(person=person).update(**where)
    Referral.objects.filter(profile__person=person).update(**where)


@audited(AuditAction.TRANSFER, "人员转移")
def person_transfer(person: Person, *, to_unit, reason: str, actor) -> PersonTransfer:
    """The province moves a person to another organising unit (人员转移).

    The person's open candidacy (进行中 or 在外就业) moves too: the new unit carries on with it,
    as the old unit no longer sees the person. Closed candidacies, and the subsidies claimed
    on them, stay with the unit that did the work."""
    from apps.audit.models import AuditAction
    from apps.audit.services import audit_log
    from apps.orgs.models import FilingStatus
    from apps.pipeline.models import OPEN_STATUSES, Candidacy

    if actor.role != Role.PROVINCE:
        raise PermissionDenied("人员转移由省专项办办理。")
    person = Person.objects.select_for_update(of=("self",)).select_related(
        "unit", "city").get(pk=person.pk)
    reason = (reason or "").strip()
    errors = {}
    if to_unit is None:
        errors["to_unit"] = "请选择转入单位。"
    elif to_unit.pk == person.unit_id:
        errors["to_unit"] = f"{person.name}已在{to_unit.name}，无需转移。"
    elif to_unit.filing_status != FilingStatus.APPROVED:
        errors["to_unit"] = f"{to_unit.name}尚未通过备案，不能转入人员。"
    if not reason:
        errors["reason"] = "请填写转移原因。"
    if errors:
        raise ValidationError(errors)
    transfer = PersonTransfer(
        person=person, from_unit=person.unit, from_city=person.city, to_unit=to_unit,
        to_city=to_unit.city, reason=reason, transferred_by=actor)
    open_ones = Candidacy.objects.filter(person=person, status__in=OPEN_STATUSES)
    _person_copies_move(person, list(open_ones.values_list("pk", flat=True)), to_unit)
    with figures_moved(open_ones.values_list("pk", flat=True)):  # counted by unit and city
        moved = open_ones.update(unit=to_unit, city=to_unit.city)
    transfer.moved_candidacies = moved
    transfer.save()
    person.unit, person.city = to_unit, to_unit.city
    person.save(update_fields=["unit", "city", "updated_at"])
    audit_log(actor, AuditAction.TRANSFER, person,
              detail=f"从{transfer.from_unit or transfer.from_city}转入{to_unit.name}："
                     f"{reason}（随转报名{moved}条）")
    return transfer
